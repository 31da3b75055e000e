using System.Security.Claims;
using LabelHub.Domain.Labeling;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public sealed record GuidelineRequest(string Markdown, string? ChangeNote);

public static class LabelingEndpoints
{
    public static void MapLabelingEndpoints(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{projectId:guid}").WithTags("Labeling");
        project.MapGet("/guideline", async (Guid projectId, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
            await guidelines.CurrentAsync(user.ToActor(), projectId, ct) is { } current ? Results.Ok(current) : Results.NoContent());
        project.MapGet("/guideline/versions", (Guid projectId, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
            guidelines.HistoryAsync(user.ToActor(), projectId, ct));
        project.MapGet("/guideline/versions/{version:int}", (Guid projectId, int version, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
            guidelines.VersionAsync(user.ToActor(), projectId, version, ct));
        project.MapPost("/guideline", async (Guid projectId, GuidelineRequest input, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var saved = await guidelines.SaveAsync(user.ToActor(), projectId, input.Markdown, input.ChangeNote, ct);
            return Results.Created($"/api/v1/projects/{projectId}/guideline/versions/{saved.Version}", saved);
        }).RequireAuthorization(Policies.Admin);

        // Hands out the next task (or the one already reserved for the caller); 204 when nothing is left.
        project.MapPost("/tasks/next", async (Guid projectId, TaskDistributor distributor, ClaimsPrincipal user, CancellationToken ct) =>
            await distributor.NextAsync(user.ToActor(), projectId, ct) is { } task ? Results.Ok(task) : Results.NoContent());

        var tasks = api.MapGroup("/tasks").WithTags("Labeling");
        tasks.MapPost("/{assignmentId:long}/submit", (long assignmentId, SubmitRequest input, TaskDistributor distributor, ClaimsPrincipal user, CancellationToken ct) =>
            distributor.SubmitAsync(user.ToActor(), assignmentId, input with { Values = input.Values ?? [] }, ct));
        tasks.MapPost("/{assignmentId:long}/skip", async (long assignmentId, TaskDistributor distributor, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await distributor.SkipAsync(user.ToActor(), assignmentId, ct);
            return Results.NoContent();
        });
    }
}
