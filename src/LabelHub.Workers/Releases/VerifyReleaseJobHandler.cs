using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;

namespace LabelHub.Workers.Releases;

/// <summary>Runs <see cref="ReleaseJobs.Verify"/> through <see cref="ReleaseVerifier"/>; the check's outcome is the job's result.</summary>
public sealed class VerifyReleaseJobHandler(ReleaseVerifier verifier) : JobHandler<VerifyReleaseParameters, VerifyReleaseResult>(ReleaseJobs.Verify)
{
    public override async Task<JobOutcome<VerifyReleaseResult>> RunAsync(JobRun run, VerifyReleaseParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        try
        {
            var result = await verifier.CheckAsync(parameters.ReleaseId, progress, ct);
            return ReleaseJobs.Verify.Succeeded(result.Matches ? $"Release {result.Number} reproduces." : $"Release {result.Number} does not reproduce.", result);
        }
        catch (DomainException refused)
        {
            return Failed(refused.Message);
        }
    }
}
