using LabelHub.Domain.Jobs;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

public sealed class QualityJobContractTests
{
    [Fact]
    public void The_kind_is_quality()
    {
        Assert.Equal("quality", QualityJobs.Recompute.Kind);
    }

    [Fact]
    public void Parameters_written_before_the_contract_still_read()
    {
        var projectId = Guid.CreateVersion7();
        var json = $"{{\"projectId\":\"{projectId}\"}}";

        Assert.Equal(json, QualityJobs.Recompute.SerializeParameters(new QualityJobParameters(projectId)));
        Assert.Equal(projectId, QualityJobs.Recompute.ReadParameters(new JobRun { Kind = "quality", Parameters = json }).ProjectId);
    }

    [Fact]
    public void The_result_names_the_report_and_the_figures_of_its_summary()
    {
        var report = new QualityReport
        {
            Id = 41,
            Annotations = 18,
            Data = new QualityReportData { ComputeSeconds = 2.5, Kpis = new QualityKpis(Agreement: Agreement.Of(0.61234, 6)) },
        };

        var result = QualityJobResult.Of(report);
        var json = QualityJobs.Recompute.SerializeResult(result);

        Assert.Equal("{\"reportId\":41,\"annotations\":18,\"computeSeconds\":2.5,\"agreement\":0.61234}", json);
        Assert.Equal(result, QualityJobs.Recompute.ReadResult(new JobRun { Kind = "quality", Result = json }));
        Assert.Equal("Quality report from 18 answers in 2.5 s: agreement 0.612.", result.Summary());
    }

    [Fact]
    public void An_undefined_agreement_is_null_and_said_so()
    {
        var report = new QualityReport { Id = 1, Data = new QualityReportData { Kpis = new QualityKpis(Agreement: Agreement.Undefined(0, "no pairs")) } };

        var result = QualityJobResult.Of(report);

        Assert.Null(result.Agreement);
        Assert.EndsWith("agreement undefined.", result.Summary());
    }

    [Fact]
    public void Jobs_recorded_before_quality_had_a_result_read_as_none()
    {
        Assert.Null(QualityJobs.Recompute.ReadResult(new JobRun { Kind = "quality", Result = null }));
    }
}
