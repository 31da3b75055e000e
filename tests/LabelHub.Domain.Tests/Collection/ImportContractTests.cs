using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Tests.Collection;

/// <summary>
/// The import job's stored JSON is read by API clients and by rows written before the contract existed:
/// its kind, property names and shapes must stay exactly as they are.
/// </summary>
public sealed class ImportContractTests
{
    private static readonly Guid FileId = Guid.Parse("0193a5b2-0000-7000-8000-000000000001");

    private static JobRun Run(string? result) => new() { Id = Guid.CreateVersion7(), Kind = "import", Result = result };

    [Fact]
    public void The_kind_is_import()
    {
        Assert.Equal("import", CollectionJobs.Import.Kind);
    }

    [Fact]
    public void Parameters_keep_their_json_and_read_back()
    {
        var json = CollectionJobs.Import.SerializeParameters(new ImportParameters(FileId, "items.jsonl", ItemFileFormat.Jsonl));

        Assert.Equal($"{{\"fileId\":\"{FileId}\",\"fileName\":\"items.jsonl\",\"format\":3}}", json);
        var run = new JobRun { Kind = "import", Parameters = json };
        Assert.Equal(new ImportParameters(FileId, "items.jsonl", ItemFileFormat.Jsonl), CollectionJobs.Import.ReadParameters(run));
    }

    private static readonly ImportDuplicate[] TwoDuplicates = [ImportDuplicate.OfLine(5, 2, "line"), ImportDuplicate.OfItem(9, 41)];

    [Fact]
    public void A_success_is_stored_as_imported_duplicates_skipped_duplicate_lines_and_each_duplicate_with_its_reason()
    {
        var json = CollectionJobs.Import.SerializeResult(ImportResult.Success(3, TwoDuplicates));

        Assert.Equal("{\"imported\":3,\"duplicatesSkipped\":2,\"duplicateLines\":[5,9],\"duplicates\":["
            + "{\"line\":5,\"sameAsLine\":2,\"sameAsItem\":null,\"reason\":\"identical to line 2\"},"
            + "{\"line\":9,\"sameAsLine\":null,\"sameAsItem\":41,\"reason\":\"already in the project as item 41\"}]}", json);
    }

    [Fact]
    public void A_label_studio_import_adds_what_it_kept_under_label_studio()
    {
        var json = CollectionJobs.Import.SerializeResult(ImportResult.Success(4, []) with { LabelStudio = new LabelStudioImportSummary(7, 2, 1, 1, 2) });

        Assert.Equal("{\"imported\":4,\"duplicatesSkipped\":0,\"duplicateLines\":[],\"duplicates\":[],"
            + "\"labelStudio\":{\"answers\":7,\"predictions\":2,\"cancelledSkipped\":1,\"matchedAnnotators\":1,\"serviceAccountAnnotators\":2}}", json);
        Assert.Equal(new LabelStudioImportSummary(7, 2, 1, 1, 2), CollectionJobs.Import.ReadResult(Run(json))!.LabelStudio);
    }

    [Fact]
    public void The_label_studio_sentence_follows_the_import_sentence_and_both_are_translated()
    {
        var summary = ItemImporter.Success("export.json", 4, [ImportDuplicate.OfLine(9, 2, "line")], "line", labelStudio: new LabelStudioImportSummary(7, 2, 1, 1, 2)).Summary;

        Assert.Equal("Imported 4 items from export.json. Skipped 1 exact duplicate (line 9). Kept 7 Label Studio answers and 2 predictions; skipped 1 cancelled annotations.", summary);
        Assert.Equal(
            "export.json에서 항목 4개를 가져왔습니다. 완전히 중복된 항목 1개를 건너뛰었습니다(줄 9). Label Studio 답변 7개와 예측 2개를 가져왔고, 취소된 답변 1개는 건너뛰었습니다.",
            ServerMessages.Localize(summary, System.Globalization.CultureInfo.GetCultureInfo("ko")));
    }

    [Fact]
    public void A_failure_is_stored_as_errors_with_line_and_message_and_total_errors_only()
    {
        var json = CollectionJobs.Import.SerializeResult(ImportResult.Failure([new(3, "empty row"), new(7, "bad \"quote\"")]));

        Assert.Equal("{\"errors\":[{\"line\":3,\"message\":\"empty row\"},{\"line\":7,\"message\":\"bad \\\"quote\\\"\"}],\"totalErrors\":2}", json);
    }

    [Fact]
    public void Results_round_trip()
    {
        var success = ImportResult.Success(3, TwoDuplicates);
        var failure = ImportResult.Failure([new(3, "empty row")], totalErrors: 1500);

        var readSuccess = CollectionJobs.Import.ReadResult(Run(CollectionJobs.Import.SerializeResult(success)))!;
        var readFailure = CollectionJobs.Import.ReadResult(Run(CollectionJobs.Import.SerializeResult(failure)))!;

        Assert.Equal((3, 2), (readSuccess.Imported, readSuccess.DuplicatesSkipped));
        Assert.Equal([5, 9], readSuccess.DuplicateLines);
        Assert.Equal(TwoDuplicates, readSuccess.Duplicates);
        Assert.False(readSuccess.HasBadRows);
        Assert.True(readFailure.HasBadRows);
        Assert.Equal([new ImportRowError(3, "empty row")], readFailure.Errors);
        Assert.Equal(1500, readFailure.TotalErrors);
        Assert.Null(readFailure.Imported);
    }

    [Theory]
    // As written before the contract (SQLite keeps the text), and as PostgreSQL's jsonb gives it back.
    [InlineData("{\"imported\":2,\"duplicatesSkipped\":1,\"duplicateLines\":[4]}")]
    [InlineData("{\"imported\": 2, \"duplicateLines\": [4], \"duplicatesSkipped\": 1}")]
    public void A_success_written_earlier_still_reads(string json)
    {
        var result = CollectionJobs.Import.ReadResult(Run(json))!;

        Assert.Equal((2, 1), (result.Imported, result.DuplicatesSkipped));
        Assert.Equal([4], result.DuplicateLines);
        Assert.False(result.HasBadRows);
    }

    [Theory]
    [InlineData("{\"errors\":[{\"line\":3,\"message\":\"empty row\"}],\"totalErrors\":1}")]
    [InlineData("{\"errors\": [{\"line\": 3, \"message\": \"empty row\"}], \"totalErrors\": 1}")]
    public void A_failure_written_earlier_still_reads(string json)
    {
        var result = CollectionJobs.Import.ReadResult(Run(json))!;

        Assert.True(result.HasBadRows);
        Assert.Equal([new ImportRowError(3, "empty row")], result.Errors);
        Assert.Equal(1, result.TotalErrors);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{\"errors\": \"many\"}")]
    [InlineData("{\"imported\": [1]}")]
    [InlineData("oops")]
    public void A_missing_or_garbage_result_reads_as_none(string? json)
    {
        Assert.Null(CollectionJobs.Import.ReadResult(Run(json)));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"errors\":[],\"totalErrors\":0}")]
    public void A_result_without_errors_names_no_bad_rows(string json)
    {
        // The pages offer the bad-rows table only when there is a row to show.
        Assert.False(CollectionJobs.Import.ReadResult(Run(json))!.HasBadRows);
    }

    [Fact]
    public void A_success_lists_the_first_thousand_duplicates_and_counts_them_all()
    {
        var lines = Enumerable.Range(2, 1500).ToList();

        var outcome = ItemImporter.Success("items.csv", 10, [.. lines.Select(l => ImportDuplicate.OfLine(l, 1, "line"))], "line");

        Assert.True(outcome.Succeeded);
        Assert.Equal(1500, outcome.Result!.DuplicatesSkipped);
        Assert.Equal(lines.Take(1000), outcome.Result.DuplicateLines);
        Assert.Equal(lines.Take(1000), outcome.Result.Duplicates!.Select(d => d.Line));
        Assert.StartsWith("Imported 10 items from items.csv. Skipped 1,500 exact duplicates (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …).", outcome.Summary);
    }

    [Fact]
    public void A_success_names_a_single_duplicate_with_its_noun()
    {
        var outcome = ItemImporter.Success("photos.zip", 1, [ImportDuplicate.OfLine(7, 3, "entry")], "entry");
        Assert.Equal("identical to entry 3", outcome.Result!.Duplicates!.Single().Reason);
        Assert.Equal("Imported 1 item from photos.zip. Skipped 1 exact duplicate (entry 7).", outcome.Summary);
        Assert.Equal("Imported 0 items from copy.png.", ItemImporter.Success("copy.png", 0, [], "file").Summary);
    }

    [Fact]
    public void A_failure_lists_every_bad_row_and_names_the_first()
    {
        var outcome = ItemImporter.Failure("items.csv", [new(3, "empty row"), new(5, "unterminated quote")], "bad row");

        Assert.False(outcome.Succeeded);
        Assert.Equal("items.csv has 2 bad rows; nothing was imported. First: line 3: empty row", outcome.Summary);
        Assert.Equal([3, 5], outcome.Result!.Errors!.Select(e => e.Line));
        Assert.Equal(2, outcome.Result.TotalErrors);
    }

    [Fact]
    public void A_failure_past_the_error_limit_says_more_than()
    {
        var errors = Enumerable.Range(2, ItemFileParser.MaxErrorsReported + 1).Select(line => new ImportRowError(line, "empty row")).ToList();
        Assert.StartsWith("items.csv has more than 1,000 bad rows;", ItemImporter.Failure("items.csv", errors, "bad row").Summary);
    }

    [Fact]
    public void The_content_hash_ignores_key_order_but_not_values()
    {
        var a = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("{\"text\": \"hi\", \"lang\": \"en\"}")!;
        var b = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("{\"lang\": \"en\", \"text\": \"hi\"}")!;
        var c = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("{\"lang\": \"ko\", \"text\": \"hi\"}")!;

        Assert.Equal(ItemImporter.ContentHash(a), ItemImporter.ContentHash(b));
        Assert.NotEqual(ItemImporter.ContentHash(a), ItemImporter.ContentHash(c));
        Assert.Matches("^[0-9a-f]{64}$", ItemImporter.ContentHash(a));
    }

    [Fact]
    public void An_image_key_must_be_a_web_url()
    {
        var projectId = Guid.CreateVersion7();
        ParsedItem Item(int line, string json) => new(line, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!);

        var errors = ItemImporter.ImageUrlErrors(
            [
                Item(2, "{\"image\": \"https://example.com/a.png\"}"),
                Item(3, "{\"image\": \"javascript:alert(1)\"}"),
                Item(4, "{\"text\": \"no image\"}"),
                Item(5, "{\"image\": 42}"),
            ],
            projectId);

        Assert.Equal([3, 5], errors.Select(e => e.Line));
    }
}
