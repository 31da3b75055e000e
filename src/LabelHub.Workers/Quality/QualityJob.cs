using System.Globalization;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Quality;

namespace LabelHub.Workers.Quality;

/// <summary>Recomputes a project's quality report: on demand, and when enough new answers came in.</summary>
public sealed class QualityJob(QualityService quality) : IJobHandler
{
    public string Kind => JobKinds.Quality;

    public async Task<JobOutcome> RunAsync(JobRun run, IJobProgress progress, CancellationToken ct)
    {
        var projectId = run.ProjectId ?? throw new InvalidOperationException("A quality job needs a project.");
        var report = await quality.ComputeAndStoreAsync(projectId, run.Id, progress, ct);
        var agreement = report.Data.Kpis.Agreement is { Value: { } value } ? value.ToString("F3", CultureInfo.InvariantCulture) : "undefined";
        return new JobOutcome(true,
            $"Quality report from {report.Annotations:N0} answers in {report.Data.ComputeSeconds:F1} s: agreement {agreement}.");
    }
}
