using System.Security.Claims;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Jobs;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <summary>A dry run's or an apply run's rules: a saved version (the newest when left out); a dry run may send rules not saved yet instead.</summary>
public sealed record CleansingRunRequest(int? Version, JsonElement? Rules);

public static class CleansingEndpoints
{
    public static void MapCleansingEndpoints(this RouteGroupBuilder api)
    {
        var cleansing = api.MapGroup("/projects/{projectId:guid}/cleansing").WithTags("Cleansing");
        cleansing.MapCleansingDuplicateEndpoints();

        // The project's rules as saved last (version 0 and no rules before the first save).
        cleansing.MapGet("/rules", (Guid projectId, CleansingService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.GetRulesAsync(user.ToActor(), projectId, ct))
            .RequireAuthorization(Policies.Manager).Produces<CleansingRulesView>();

        // Saves the body {"rules": [...]} as the next version; a rule that does not fit the schema is a 400 naming rules[i].…
        cleansing.MapPut("/rules", async (Guid projectId, JsonElement body, CleansingService service, ClaimsPrincipal user, CancellationToken ct) =>
            await service.SaveAsync(user.ToActor(), projectId, CleansingService.Parse(body.GetRawText()), ct))
            .RequireAuthorization(Policies.Manager).Produces<CleansingRulesView>();

        cleansing.MapGet("/rules/versions", (Guid projectId, CleansingService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.VersionsAsync(user.ToActor(), projectId, ct))
            .RequireAuthorization(Policies.Manager).Produces<IReadOnlyList<CleansingRuleSetVersionInfo>>();

        // What the rules would flag and change, as a job whose result is the report; nothing is written.
        cleansing.MapPost("/rules/dry-run", async (Guid projectId, CleansingRunRequest? request, CleansingService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var inline = request?.Rules is { ValueKind: JsonValueKind.Array } list ? CleansingService.Parse($$"""{"rules":{{list.GetRawText()}}}""") : null;
            var job = await service.StartDryRunAsync(user.ToActor(), projectId, request?.Version, inline, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager).ProducesJob();

        // Writes every fix of a saved version as a new answer version (the original kept), as a job.
        cleansing.MapPost("/rules/apply", async (Guid projectId, CleansingRunRequest? request, CleansingService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await service.StartApplyAsync(user.ToActor(), projectId, request?.Version, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager).ProducesJob();

        // The adjudication queue: for reviewers too, so no manager policy on these.
        api.MapCleansingQueueEndpoints(cleansing);
        cleansing.MapCleansingReportEndpoints();
        cleansing.MapCleansingDetectorEndpoints();
    }
}
