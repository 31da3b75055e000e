using LabelHub.Domain.Jobs;
using LabelHub.Domain.Quality;

namespace LabelHub.Workers.Quality;

/// <summary>Runs <see cref="QualityJobs.Recompute"/>: on demand, and when enough new answers came in.</summary>
public sealed class QualityJobHandler(QualityService quality) : JobHandler<QualityJobParameters, QualityJobResult>(QualityJobs.Recompute)
{
    public override async Task<JobOutcome<QualityJobResult>> RunAsync(JobRun run, QualityJobParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var report = await quality.ComputeAndStoreAsync(parameters.ProjectId, run.Id, progress, ct);
        var result = QualityJobResult.Of(report);
        return Succeeded(result.Summary(), result);
    }
}
