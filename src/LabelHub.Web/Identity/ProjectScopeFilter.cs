using System.Globalization;
using LabelHub.Domain;

namespace LabelHub.Web.Identity;

/// <summary>
/// A project-scoped token (ADR 0017) reaches one project: any other project in the route is reported missing before the
/// handler runs, as for a project the caller is not a member of. The services check the scope again for what routes
/// name by another id (tasks, answers, items, jobs, files).
/// </summary>
public static class ProjectScopeFilter
{
    public static TBuilder RequireProjectScope<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var scope = context.HttpContext.User.FindFirst(TokenAuthenticationHandler.ProjectScopeClaim)?.Value;
            if (scope is not null
                && context.HttpContext.Request.RouteValues.TryGetValue("projectId", out var routed)
                && !string.Equals(Convert.ToString(routed, CultureInfo.InvariantCulture), scope, StringComparison.OrdinalIgnoreCase))
            {
                throw new NotFoundException("Project");
            }
            return await next(context);
        });
}
