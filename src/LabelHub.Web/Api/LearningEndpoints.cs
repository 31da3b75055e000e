using System.Security.Claims;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public static class LearningEndpoints
{
    private const string LearningConflicts = "learning jobs cannot run in this deployment (the reason is in `detail`), or a learning job of the project is already queued or running.";

    public static void MapLearningEndpoints(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{projectId:guid}").WithTags("Learning").RequireAuthorization(Policies.Manager);

        // Settings, whether this deployment can train (and why not), labeled and pool sizes, the running job, the latest model and the curve.
        project.MapGet("/learning", (Guid projectId, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
            learning.StatusAsync(user.ToActor(), projectId, ct));
        project.MapPut("/learning/settings", (Guid projectId, LearningSettings settings, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
            learning.UpdateSettingsAsync(user.ToActor(), projectId, settings, ct));

        project.MapPost("/learning/rounds", async (Guid projectId, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var run = await learning.StartRoundAsync(user.ToActor(), projectId, ct);
            return Results.Accepted($"/api/v1/jobs/{run.Id}", run);
        }).ProducesJob().ProducesConflict(LearningConflicts);
        project.MapGet("/learning/rounds", (Guid projectId, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
            learning.RoundsAsync(user.ToActor(), projectId, ct));
        project.MapGet("/learning/rounds/{number:int}", (Guid projectId, int number, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
            learning.RoundAsync(user.ToActor(), projectId, number, ct));

        project.MapPost("/learning/simulations", async (Guid projectId, SimulationRequest? request, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var run = await learning.StartSimulationAsync(user.ToActor(), projectId, request ?? new SimulationRequest(), ct);
            return Results.Accepted($"/api/v1/jobs/{run.Id}", run);
        }).ProducesJob().ProducesConflict(LearningConflicts);
        project.MapGet("/learning/simulations", (Guid projectId, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
            learning.SimulationsAsync(user.ToActor(), projectId, ct));

        project.MapGet("/models", (Guid projectId, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
            learning.ModelsAsync(user.ToActor(), projectId, ct));
        project.MapGet("/models/{version:int}", (Guid projectId, int version, LearningService learning, ClaimsPrincipal user, CancellationToken ct) =>
            learning.ModelAsync(user.ToActor(), projectId, version, ct));
        // The items and answers a model saw, one JSON line each.
        project.MapGet("/models/{version:int}/training-set", async (Guid projectId, int version, LearningService learning, StoredFileService files, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var actor = user.ToActor();
            var model = await learning.ModelAsync(actor, projectId, version, ct);
            var file = await files.DownloadAsync(actor, model.TrainingSetFileId, ct);
            return await FileResults.StreamAsync(file, ct);
        }).ProducesFile("application/x-ndjson");
    }
}
