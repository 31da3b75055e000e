using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Synthesis;

namespace LabelHub.Workers.Synthesis;

/// <summary>Runs <see cref="SynthesisJobs.Generate"/> through <see cref="SyntheticGeneration"/>.</summary>
public sealed class GenerateJobHandler(SyntheticGeneration generation, ILearningRuntime runtime)
    : JobHandler<GenerateParameters, GenerateResult>(SynthesisJobs.Generate)
{
    public override async Task<JobOutcome<GenerateResult>> RunAsync(JobRun run, GenerateParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        var availability = runtime.Availability;
        if (!availability.Available)
        {
            return Failed($"Learning jobs are disabled: {availability.Reason}");
        }
        try
        {
            var result = await generation.RunAsync(run.Id, parameters, progress, ct);
            return Succeeded(result.Summary(), result);
        }
        catch (DomainException refused)
        {
            // The generator or its project changed since the job was queued: a result the manager reads, not a crash.
            return Failed(refused.Message);
        }
    }
}
