using System.Globalization;
using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Quality;

/// <summary>The jobs of the Quality stage.</summary>
public static class QualityJobs
{
    /// <summary>Recomputes a project's quality report: <see cref="QualityService.ComputeAndStoreAsync"/>.</summary>
    public static readonly JobContract<QualityJobParameters, QualityJobResult> Recompute = new("quality");
}

public sealed record QualityJobParameters(Guid ProjectId);

/// <summary>The stored report and the figures its job's summary states.</summary>
/// <param name="Agreement">The report's agreement KPI; null when it is undefined.</param>
public sealed record QualityJobResult(long ReportId, int Annotations, double ComputeSeconds, double? Agreement)
{
    public static QualityJobResult Of(QualityReport report) =>
        new(report.Id, report.Annotations, report.Data.ComputeSeconds, report.Data.Kpis.Agreement?.Value);

    public string Summary()
    {
        var agreement = Agreement is { } value ? value.ToString("F3", CultureInfo.InvariantCulture) : "undefined";
        return $"Quality report from {Annotations:N0} answers in {ComputeSeconds:F1} s: agreement {agreement}.";
    }
}
