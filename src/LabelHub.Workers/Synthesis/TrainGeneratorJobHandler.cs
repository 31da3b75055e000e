using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Synthesis;

namespace LabelHub.Workers.Synthesis;

/// <summary>Runs <see cref="SynthesisJobs.Train"/> through <see cref="GeneratorTraining"/>.</summary>
public sealed class TrainGeneratorJobHandler(GeneratorTraining training, SynthesisData data, ILearningRuntime runtime)
    : JobHandler<TrainGeneratorParameters, TrainGeneratorResult>(SynthesisJobs.Train)
{
    public override async Task<JobOutcome<TrainGeneratorResult>> RunAsync(JobRun run, TrainGeneratorParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(parameters);
        var availability = runtime.Availability;
        if (!availability.Available)
        {
            var reason = $"Learning jobs are disabled: {availability.Reason}";
            await data.FailTrainingAsync(parameters.GeneratorId, reason, ct);
            return Failed(reason);
        }
        try
        {
            var result = await training.RunAsync(run.Id, parameters, progress, ct);
            return Succeeded(result.Summary(), result);
        }
        catch (DomainException refused)
        {
            // The project changed since the job was queued (its field, its labels): a result the manager reads, not a crash.
            return Failed(refused.Message);
        }
    }
}
