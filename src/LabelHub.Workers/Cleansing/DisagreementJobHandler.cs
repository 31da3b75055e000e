using LabelHub.Domain;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Jobs;

namespace LabelHub.Workers.Cleansing;

/// <summary>Runs <see cref="CleansingJobs.Disagreement"/> through <see cref="DisagreementRun"/>.</summary>
public sealed class DisagreementJobHandler(DisagreementRun disagreement) : JobHandler<DisagreementParameters, DisagreementResult>(CleansingJobs.Disagreement)
{
    public override async Task<JobOutcome<DisagreementResult>> RunAsync(JobRun run, DisagreementParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        try
        {
            return await disagreement.RunAsync(run, parameters, progress, ct);
        }
        catch (DomainException refused)
        {
            return Failed(refused.Message);
        }
    }
}
