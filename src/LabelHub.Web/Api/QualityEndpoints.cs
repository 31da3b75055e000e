using System.Security.Claims;
using LabelHub.Domain.Quality;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public static class QualityEndpoints
{
    public static void MapQualityEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{projectId:guid}/progress", (Guid projectId, ProgressService progress, ClaimsPrincipal user, CancellationToken ct) =>
            progress.ForProjectAsync(user.ToActor(), projectId, ct))
            .WithTags("Quality")
            .RequireAuthorization(Policies.Manager);
    }
}
