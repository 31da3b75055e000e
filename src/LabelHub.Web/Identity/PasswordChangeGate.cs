using LabelHub.Domain;
using LabelHub.Domain.Identity;

namespace LabelHub.Web.Identity;

/// <summary>
/// A browser session of a user who must set their own password reaches only the password page and what it needs:
/// the API answers 403 with a message, every other page sends them to /account/password. Token calls pass: a token
/// is created by its owner, after the change. In-circuit navigation is caught by MainLayout.
/// </summary>
public sealed class PasswordChangeGate(RequestDelegate next)
{
    public const string PasswordPage = "/account/password";

    private static readonly string[] OpenPaths = [PasswordPage, "/account/logout", "/account/refresh-sign-in", "/account/culture", "/account/login", "/_blazor", "/_framework", "/_content", "/not-found"];

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!MustChangePassword(context))
        {
            return next(context);
        }
        if (path.StartsWithSegments("/api") && !path.StartsWithSegments(Api.ApiReference.Path))
        {
            throw new ForbiddenException("Set your own password first: sign in with a browser and change it at /account/password.");
        }
        // Static files (a dot in the last segment) and what the password page itself needs.
        if (OpenPaths.Any(open => path.StartsWithSegments(open)) || Path.HasExtension(path.Value))
        {
            return next(context);
        }
        context.Response.Redirect(PasswordPage);
        return Task.CompletedTask;
    }

    private static bool MustChangePassword(HttpContext context) =>
        context.User.HasClaim(c => c.Type == UserAdminService.MustChangePasswordClaim)
        && !context.Request.Headers.Authorization.ToString().StartsWith(TokenAuthenticationHandler.HeaderPrefix, StringComparison.OrdinalIgnoreCase);
}
