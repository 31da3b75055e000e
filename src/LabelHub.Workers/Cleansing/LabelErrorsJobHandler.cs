using LabelHub.Domain;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;

namespace LabelHub.Workers.Cleansing;

/// <summary>Runs <see cref="CleansingJobs.LabelErrors"/> through <see cref="LabelErrorDetection"/>.</summary>
public sealed class LabelErrorsJobHandler(LabelErrorDetection detection, ILearningRuntime runtime)
    : JobHandler<LabelErrorParameters, LabelErrorResult>(CleansingJobs.LabelErrors)
{
    public override async Task<JobOutcome<LabelErrorResult>> RunAsync(JobRun run, LabelErrorParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var availability = runtime.Availability;
        if (!availability.Available)
        {
            return Failed($"Learning jobs are disabled: {availability.Reason}");
        }
        try
        {
            var result = await detection.RunAsync(run, parameters, progress, ct);
            return Succeeded(
                $"Label errors in {result.Field}: {result.Flagged:N0} of {result.Items:N0} items flagged; fold accuracy {result.MeanFoldAccuracy:P1}, estimated noise {result.EstimatedNoiseRate:P1}.",
                result);
        }
        catch (DomainException refused)
        {
            // The project changed since the job was queued (its field, its answers): a result the manager reads, not a crash.
            return Failed(refused.Message);
        }
    }
}
