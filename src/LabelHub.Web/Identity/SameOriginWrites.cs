using LabelHub.Domain;
using Microsoft.AspNetCore.Mvc;

namespace LabelHub.Web.Identity;

/// <summary>
/// A request that changes something and is signed in by the browser's cookie must come from a page of this site: its
/// Origin (or, when a browser sends none, its Referer) must be this host. SameSite=Lax still lets another site's form
/// POST carry the cookie in older browsers and on top-level navigations; this closes it for the API, uploads and
/// sign-out. Requests with an access token (header only, never sent by a browser on its own) are not affected, nor are
/// signed-out requests (the sign-in form has its antiforgery token).
/// </summary>
public static class SameOriginWrites
{
    public static IApplicationBuilder UseSameOriginWrites(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var unsafeMethod = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method));
        var byCookie = request.Cookies.ContainsKey(WebSetup.AuthCookieName)
            && !request.Headers.Authorization.ToString().StartsWith(TokenAuthenticationHandler.HeaderPrefix, StringComparison.OrdinalIgnoreCase);
        if (unsafeMethod && byCookie && !FromThisSite(request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var culture = System.Globalization.CultureInfo.CurrentUICulture;
            await context.Response.WriteAsJsonAsync(new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = ServerMessages.Localize("Cross-site request refused.", culture),
                Detail = ServerMessages.Localize("A change made with the sign-in cookie must come from a LabelHub page; scripts use an access token.", culture),
            }, options: null, contentType: "application/problem+json");
            return;
        }
        await next(context);
    });

    private static bool FromThisSite(HttpRequest request)
    {
        var source = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(source) || source == "null")
        {
            source = request.Headers.Referer.ToString();
        }
        return Uri.TryCreate(source, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
