using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>API clients (and the browser tests) take <c>fileId</c> from an export job's result: its JSON must not change.</summary>
public sealed class ExportContractTests
{
    private static readonly Guid FileId = Guid.Parse("0193a5b2-0000-7000-8000-0000000000ff");

    private static JobRunInfo Info(string? result, JobState state = JobState.Succeeded) =>
        JobRunService.ToInfo(new JobRun { Id = Guid.CreateVersion7(), Kind = "export", State = state, Result = result });

    [Fact]
    public void The_kind_is_export()
    {
        Assert.Equal("export", ReleaseJobs.Export.Kind);
    }

    [Fact]
    public void Parameters_keep_their_json_and_read_back()
    {
        var json = ReleaseJobs.Export.SerializeParameters(new ExportParameters(ExportFormat.Csv, ExportScope.Reviewed, ByteOrderMark: false));

        Assert.Equal("{\"format\":1,\"scope\":2,\"byteOrderMark\":false}", json);
        Assert.Equal(new ExportParameters(ExportFormat.Csv, ExportScope.Reviewed, false), ReleaseJobs.Export.ReadParameters(new JobRun { Kind = "export", Parameters = json }));
    }

    [Fact]
    public void Parameters_stored_before_scopes_existed_read_as_every_item_with_the_mark()
    {
        Assert.Equal(new ExportParameters(ExportFormat.Csv, ExportScope.All, true), ReleaseJobs.Export.ReadParameters(new JobRun { Kind = "export", Parameters = "{\"format\":1}" }));
    }

    [Fact]
    public void The_result_is_stored_as_file_id_file_name_and_items()
    {
        var json = ReleaseJobs.Export.SerializeResult(new ExportResult(FileId, "Reviews-20261126-120000.jsonl", 3));

        Assert.Equal($"{{\"fileId\":\"{FileId}\",\"fileName\":\"Reviews-20261126-120000.jsonl\",\"items\":3}}", json);
        Assert.Equal(new ExportResult(FileId, "Reviews-20261126-120000.jsonl", 3), ReleaseJobs.Export.ReadResult(Info(json)));
    }

    [Fact]
    public void A_result_as_postgres_returns_it_reads()
    {
        var json = $"{{\"items\": 3, \"fileId\": \"{FileId}\", \"fileName\": \"a.csv\"}}";
        Assert.Equal(new ExportResult(FileId, "a.csv", 3), ReleaseJobs.Export.ReadResult(Info(json)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{\"fileId\": \"not a guid\"}")]
    [InlineData("42")]
    public void A_missing_or_garbage_result_reads_as_none(string? json)
    {
        Assert.Null(ReleaseJobs.Export.ReadResult(Info(json)));
    }
}
