using System.Security.Claims;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Jobs;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <summary>The label-error and disagreement detectors, and the project's cleansing runs (ADR 0019).</summary>
public static class CleansingDetectorEndpoints
{
    public static void MapCleansingDetectorEndpoints(this RouteGroupBuilder cleansing)
    {
        // K-fold models of the project's kind judge every item's label; the suspect answers become open findings.
        cleansing.MapPost("/label-errors", async (Guid projectId, LabelErrorRequest? request, CleansingDetectors detectors, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await detectors.StartLabelErrorsAsync(user.ToActor(), projectId, request, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager).ProducesJob()
            .ProducesConflict("model jobs are disabled on this server, or a label-error run of the project is already under way.");

        // Items whose annotators split or whose Dawid–Skene posterior is low become open findings.
        cleansing.MapPost("/disagreement", async (Guid projectId, DisagreementRequest? request, CleansingDetectors detectors, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await detectors.StartDisagreementAsync(user.ToActor(), projectId, request, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager).ProducesJob()
            .ProducesConflict("a disagreement run of the project is already under way.");

        cleansing.MapGet("/runs", (Guid projectId, CleansingDetectors detectors, ClaimsPrincipal user, CancellationToken ct) =>
            detectors.RunsAsync(user.ToActor(), projectId, ct))
            .RequireAuthorization(Policies.Manager).Produces<IReadOnlyList<CleansingRunInfo>>();

        cleansing.MapGet("/runs/{runId:long}", (Guid projectId, long runId, CleansingDetectors detectors, ClaimsPrincipal user, CancellationToken ct) =>
            detectors.RunAsync(user.ToActor(), projectId, runId, ct))
            .RequireAuthorization(Policies.Manager).Produces<CleansingRunInfo>();
    }
}
