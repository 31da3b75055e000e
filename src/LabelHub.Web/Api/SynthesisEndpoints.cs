using System.Security.Claims;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Synthesis;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <summary>A generator whose training was just queued, and its job.</summary>
public sealed record GeneratorTrainingStarted(GeneratorInfo Generator, JobRunInfo Job);

public static class SynthesisEndpoints
{
    private const string SynthesisConflicts = "training cannot start (the blocker is in `detail`: too few labeled images, not an image project, "
        + "model jobs disabled in this deployment), the generator cannot generate (still training, failed, or unhealthy), or a synthesis job of the project is already queued or running.";

    /// <summary>
    /// Where an epoch's sample grid (a PNG, one row per class in the generator's label order) is served: the project's
    /// media endpoint, like any stored image of the project.
    /// </summary>
    public static string GridUrl(Guid projectId, GeneratorEpoch epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        return MediaUrls.For(projectId, epoch.GridFileId);
    }

    public static void MapSynthesisEndpoints(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{projectId:guid}").WithTags("Synthesis").RequireAuthorization(Policies.Manager);

        // The field and classes a generator would learn, labeled real images per class, why training cannot start (if so),
        // the running job, the latest generator, and what annotators made of synthetic items.
        project.MapGet("/synthesis", (Guid projectId, SynthesisService synthesis, ClaimsPrincipal user, CancellationToken ct) =>
            synthesis.StatusAsync(user.ToActor(), projectId, ct));

        // Numbers a new generator and queues its training. Sample grids: GET /api/v1/projects/{projectId}/media/{gridFileId} per epoch.
        project.MapPost("/synthesis/generators", async (Guid projectId, TrainRequest? request, SynthesisService synthesis, JobRunService jobs, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var actor = user.ToActor();
            var generator = await synthesis.StartTrainingAsync(actor, projectId, request ?? new TrainRequest(), ct);
            var job = await jobs.GetAsync(actor, generator.JobRunId, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", new GeneratorTrainingStarted(generator, job));
        }).Produces<GeneratorTrainingStarted>(StatusCodes.Status202Accepted)
            .Describe(StatusCodes.Status202Accepted, "The generator (state Training) and its queued job; Location is GET /api/v1/jobs/{id}.")
            .ProducesConflict(SynthesisConflicts);
        project.MapGet("/synthesis/generators", (Guid projectId, SynthesisService synthesis, ClaimsPrincipal user, CancellationToken ct) =>
            synthesis.GeneratorsAsync(user.ToActor(), projectId, ct));
        project.MapGet("/synthesis/generators/{version:int}", (Guid projectId, int version, SynthesisService synthesis, ClaimsPrincipal user, CancellationToken ct) =>
            synthesis.GeneratorAsync(user.ToActor(), projectId, version, ct))
            .Describe(StatusCodes.Status200OK, "The generator; each epoch's sample grid (a PNG, one row per class in `labels` order) is GET /api/v1/projects/{projectId}/media/{gridFileId}.");

        // Images per class into the project as synthetic items, for annotators to confirm or reject.
        project.MapPost("/synthesis/generators/{version:int}/generate", async (Guid projectId, int version, GenerateRequest request, SynthesisService synthesis, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var run = await synthesis.StartGenerationAsync(user.ToActor(), projectId, version, request, ct);
            return Results.Accepted($"/api/v1/jobs/{run.Id}", run);
        }).ProducesJob().ProducesConflict(SynthesisConflicts);
    }
}
