using System.Globalization;
using LabelHub.Domain;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace LabelHub.Web.Identity;

/// <summary>
/// An API call refused for the caller's role answers 403 with a problem that names the roles that may make it, so a
/// script's author (or a person reading the error) knows what to ask an admin for. Everything else is as ASP.NET does it.
/// </summary>
public sealed class RoleNamingForbidden : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler standard = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var roles = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList();
        if (authorizeResult.Forbidden && context.Request.Path.StartsWithSegments("/api") && roles is { Count: > 0 })
        {
            var culture = CultureInfo.CurrentUICulture;
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var problem = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = ServerMessages.Localize("You do not have the role this needs.", culture),
                Detail = ServerMessages.Localize($"This needs one of these roles: {string.Join(", ", roles)}.", culture),
            };
            problem.Extensions["requiredRoles"] = roles;
            await context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
            return;
        }
        await standard.HandleAsync(next, context, policy, authorizeResult);
    }
}
