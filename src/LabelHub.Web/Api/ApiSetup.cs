using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public static class ApiSetup
{
    /// <summary>The REST API: everything the UI can do, under /api/v1, by cookie or access token.</summary>
    public static void MapLabelHubApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization()
            // Token callers send no antiforgery token; cookie callers are protected by SameSite cookies.
            .DisableAntiforgery()
            .RequireProjectScope()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapIdentityEndpoints();
        api.MapPlanningEndpoints();
        api.MapCollectionEndpoints();
        api.MapLabelingEndpoints();
        api.MapQualityEndpoints();
        api.MapLearningEndpoints();
        api.MapReleasesEndpoints();
        api.MapJobsEndpoints();
    }
}
