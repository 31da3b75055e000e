using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;

namespace LabelHub.Workers.Releases;

/// <summary>Runs <see cref="ReleaseJobs.Cut"/> through <see cref="ReleaseCutter"/>; a refused cut leaves a failed, empty release.</summary>
public sealed class CutReleaseJobHandler(ReleaseCutter cutter) : JobHandler<CutReleaseParameters, CutReleaseResult>(ReleaseJobs.Cut)
{
    public override async Task<JobOutcome<CutReleaseResult>> RunAsync(JobRun run, CutReleaseParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        try
        {
            return await cutter.CutAsync(run, parameters, progress, ct);
        }
        catch (DomainException refused)
        {
            return Failed(refused.Message);
        }
    }
}
