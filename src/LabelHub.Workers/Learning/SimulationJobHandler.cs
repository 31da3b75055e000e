using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;

namespace LabelHub.Workers.Learning;

/// <summary>Runs <see cref="LearningJobs.Simulate"/> through <see cref="LearningSimulation"/>.</summary>
public sealed class SimulationJobHandler(LearningSimulation simulation, ILearningRuntime runtime)
    : JobHandler<SimulationJobParameters, SimulationJobResult>(LearningJobs.Simulate)
{
    public override async Task<JobOutcome<SimulationJobResult>> RunAsync(JobRun run, SimulationJobParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var availability = runtime.Availability;
        if (!availability.Available)
        {
            return Failed($"Learning jobs are disabled: {availability.Reason}");
        }
        try
        {
            var result = await simulation.RunAsync(parameters, progress, ct);
            return Succeeded(result.Summary(), result);
        }
        catch (DomainException refused)
        {
            // The project changed since the job was queued (its field, its labels): a result the manager reads, not a crash.
            return Failed(refused.Message);
        }
    }
}
