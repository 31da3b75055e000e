using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Synthesis;

/// <summary>
/// The Synthesis stage for managers: starting a generator's training and a generation, reading generators and what
/// annotators made of synthetic items. Training and generating run in Workers (<see cref="SynthesisJobs"/>).
/// </summary>
public sealed class SynthesisService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, ILearningRuntime runtime, TimeProvider clock)
{
    // TODO(synth-data): bodies. Signatures are fixed: the page and the endpoints are written against them.
    public Task<SynthesisStatus> StatusAsync(Actor actor, Guid projectId, CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>Creates generator v(n+1) in state Training with its settings and starts <see cref="SynthesisJobs.Train"/>; 409 while a synthesis job runs.</summary>
    public Task<GeneratorInfo> StartTrainingAsync(Actor actor, Guid projectId, TrainRequest request, CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>Newest first.</summary>
    public Task<IReadOnlyList<GeneratorInfo>> GeneratorsAsync(Actor actor, Guid projectId, CancellationToken ct = default) => throw new NotImplementedException();

    public Task<GeneratorInfo> GeneratorAsync(Actor actor, Guid projectId, int version, CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>Starts <see cref="SynthesisJobs.Generate"/>; 409 when the generator is not Ready and Healthy or a synthesis job runs.</summary>
    public Task<JobRunInfo> StartGenerationAsync(Actor actor, Guid projectId, int version, GenerateRequest request, CancellationToken ct = default) => throw new NotImplementedException();

    private readonly object unused = (dbFactory, jobs, runtime, clock);
}
