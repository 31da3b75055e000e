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
            .ProducesProblem(StatusCodes.Status404NotFound)
            // Any call can meet a database too busy to answer within 5 s (ProblemDetailsHandler): nothing was lost.
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .Describe(StatusCodes.Status503ServiceUnavailable, "The database is busy (code `database_busy`); nothing was lost. Retry after the Retry-After header's seconds.");
        api.MapIdentityEndpoints();
        api.MapPlanningEndpoints();
        api.MapCollectionEndpoints();
        api.MapCollectionSourceEndpoints();
        api.MapCollectionItemEndpoints();
        api.MapLabelingEndpoints();
        api.MapQualityEndpoints();
        api.MapCleansingEndpoints();
        api.MapLearningEndpoints();
        api.MapSynthesisEndpoints();
        api.MapReleasesEndpoints();
        api.MapJobsEndpoints();
        api.MapCrowdEndpoints();
    }
}
