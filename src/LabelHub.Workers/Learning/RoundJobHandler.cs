using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;

namespace LabelHub.Workers.Learning;

/// <summary>Runs <see cref="LearningJobs.Round"/> through <see cref="ActiveLearningRound"/>.</summary>
public sealed class RoundJobHandler(ActiveLearningRound rounds, ILearningRuntime runtime)
    : JobHandler<RoundJobParameters, RoundJobResult>(LearningJobs.Round)
{
    public override async Task<JobOutcome<RoundJobResult>> RunAsync(JobRun run, RoundJobParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var availability = runtime.Availability;
        if (!availability.Available)
        {
            return Failed($"Learning jobs are disabled: {availability.Reason}");
        }
        try
        {
            var result = await rounds.RunAsync(run.Id, parameters, progress, ct);
            return Succeeded(result.Summary(), result);
        }
        catch (DomainException refused)
        {
            // The project changed since the job was queued (its field, its labels): a result the manager reads, not a crash.
            return Failed(refused.Message);
        }
    }
}
