using System.Security.Claims;
using LabelHub.Domain;
using LabelHub.Domain.Cleansing;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <summary>The item to keep of a duplicate group.</summary>
public sealed record KeepDuplicateRequest(long? ItemId);

/// <summary>Duplicate groups (ADR 0019, 4): search as a job, list and open groups, keep one, mark distinct, undo. Managers of the project and admins.</summary>
public static class CleansingDuplicateEndpoints
{
    public static void MapCleansingDuplicateEndpoints(this RouteGroupBuilder cleansing)
    {
        // Routes spelled out rather than a sub-group, so the list's path has no trailing slash.
        var duplicates = cleansing;

        // Body {"kind": "Exact"|"Text"|"Image", "threshold", "textKey", "maxDistance", "hash": "PHash"|"DHash"}.
        duplicates.MapPost("/duplicates", async (Guid projectId, DuplicateSearchRequest? request, DuplicateService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await service.StartAsync(user.ToActor(), projectId, request ?? new DuplicateSearchRequest(null), ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager).ProducesJob().ProducesValidationProblem();

        // ?decision=open|decided|all (open by default), &kind=exact|text|image, keyset paging by &after=groupId&limit=.
        duplicates.MapGet("/duplicates", (Guid projectId, string? decision, string? kind, long? after, int? limit, DuplicateService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.ListAsync(user.ToActor(), projectId, ParseFilter(decision), ParseKind(kind), after, limit, ct))
            .RequireAuthorization(Policies.Manager).Produces<DuplicateGroupPage>().ProducesValidationProblem();

        duplicates.MapGet("/duplicates/{groupId:long}", (Guid projectId, long groupId, DuplicateService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.GetAsync(user.ToActor(), projectId, groupId, ct))
            .RequireAuthorization(Policies.Manager).Produces<DuplicateGroupView>();

        duplicates.MapPost("/duplicates/{groupId:long}/keep", (Guid projectId, long groupId, KeepDuplicateRequest? request, DuplicateService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.KeepAsync(user.ToActor(), projectId, groupId, request?.ItemId ?? throw new ValidationException("itemId", "Give the id of the item to keep."), ct))
            .RequireAuthorization(Policies.Manager).Produces<DuplicateDecisionResult>().ProducesValidationProblem()
            .ProducesConflict("the group is already decided, or another decision excluded one of its items meanwhile.");

        duplicates.MapPost("/duplicates/{groupId:long}/distinct", (Guid projectId, long groupId, DuplicateService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.DistinctAsync(user.ToActor(), projectId, groupId, ct))
            .RequireAuthorization(Policies.Manager).Produces<DuplicateDecisionResult>()
            .ProducesConflict("the group is already decided.");

        duplicates.MapPost("/duplicates/{groupId:long}/undo", (Guid projectId, long groupId, DuplicateService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.UndoAsync(user.ToActor(), projectId, groupId, ct))
            .RequireAuthorization(Policies.Manager).Produces<DuplicateDecisionResult>()
            .ProducesConflict("the group has no decision, or an answer the decision carried over was edited or reviewed since.");
    }

    private static DuplicateListFilter ParseFilter(string? decision) =>
        decision is null ? DuplicateListFilter.Open
        : Enum.TryParse<DuplicateListFilter>(decision, ignoreCase: true, out var filter) && Enum.IsDefined(filter) ? filter
        : throw new ValidationException("decision", "The decision filter must be open, decided or all.");

    private static DuplicateKind? ParseKind(string? kind) =>
        kind is null ? null
        : Enum.TryParse<DuplicateKind>(kind, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
        : throw new ValidationException("kind", "The kind must be Exact, Text or Image.");
}
