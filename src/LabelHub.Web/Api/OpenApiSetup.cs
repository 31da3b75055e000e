using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LabelHub.Web.Api;

/// <summary>The OpenAPI document at /openapi/v1.json: its title, what holds for every call, and how callers authenticate.</summary>
public static class OpenApiSetup
{
    public const string TokenScheme = "token";

    private const string Description = """
        Everything LabelHub's pages do, for scripts. Authenticate with a personal access token in the header
        `Authorization: Token <token>` (make one on the *Access tokens* page or with `POST /api/v1/auth/token`), or from a
        LabelHub page with the sign-in cookie.

        - Errors are RFC 7807 problem details (`application/problem+json`) in the caller's language (`Accept-Language: ko`
          or `en`), with a stable `code` and, for invalid values, `errors` and `codes` per field.
        - `409` names its cause in `code`; `guideline_acknowledgement_required` from `POST …/tasks/next` carries the
          `guidelineVersion` to acknowledge.
        - `503` with `Retry-After` (code `database_busy`) when the database is too busy to answer in time; nothing was lost.
        - Long work (imports, exports, recomputes, training rounds, deletion) answers `202` with a job; poll
          `GET /api/v1/jobs/{jobId}` until it has succeeded or failed.
        - The quality report's metric names, which field kind gets which statistic, ranges and empty states:
          `docs/api/quality-metrics.md` in the LabelHub repository.
        """;

    public static IServiceCollection AddLabelHubOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", options =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "LabelHub API";
            document.Info.Version = "v1";
            document.Info.Description = Description;
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[TokenScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "Authorization",
                Description = "`Token ` followed by a personal access token. Calls from a LabelHub page may use the sign-in cookie instead.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(TokenScheme, document)] = [] }];
            return Task.CompletedTask;
        }));
}
