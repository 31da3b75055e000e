using System.Security.Claims;
using LabelHub.Domain.Collection;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <summary>The sources of a project's items (issue 17): list, correct, and the source balance of a field's labels.</summary>
public static class CollectionSourceEndpoints
{
    public static void MapCollectionSourceEndpoints(this RouteGroupBuilder api)
    {
        var sources = api.MapGroup("/projects/{projectId:guid}/sources").WithTags("Collection").RequireAuthorization(Policies.Manager);

        // Every source of the project with its item count, oldest first.
        sources.MapGet("/", (Guid projectId, SourceService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.ListAsync(user.ToActor(), projectId, ct));

        // Corrects a source: name, kind, licence, collectedOn (yyyy-mm-dd; "" clears it); members left out stay as they are.
        sources.MapPatch("/{sourceId:long}", (Guid projectId, long sourceId, SourceUpdate update, SourceService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.UpdateAsync(user.ToActor(), projectId, sourceId, update, ct));

        // Per source, the items with each label of a single- or multiple-choice field (by final answer), their shares, and
        // the cells where one source holds more than the project's MaxSourceShare target (0.8 when unset).
        sources.MapGet("/balance", (Guid projectId, string? field, SourceService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.BalanceAsync(user.ToActor(), projectId, field ?? "", ct));
    }
}
