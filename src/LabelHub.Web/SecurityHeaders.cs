namespace LabelHub.Web;

/// <summary>
/// Headers every response carries (issue 13): no MIME sniffing, no referrer sent to other sites beyond the origin, not
/// framed by other sites, and a content security policy that lets only this site's own scripts run. Blazor Server and
/// MudBlazor need no inline script and no eval; MudBlazor sets inline styles, so styles allow them. Images may come from
/// any http(s) address, as items can point at images elsewhere. The one page with an inline script, the API reference
/// (<see cref="Api.ApiReference"/>), gets that script allowed by its nonce, in its own response only.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; " + ScriptSource + "; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private const string ScriptSource = "script-src 'self'";

    /// <summary>The same policy with one inline script allowed: the one carrying <paramref name="nonce"/>.</summary>
    private static string ContentSecurityPolicyWithNonce(string nonce) =>
        ContentSecurityPolicy.Replace(ScriptSource, $"{ScriptSource} 'nonce-{nonce}'", StringComparison.Ordinal);

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Set before the response starts, so error pages and status code pages carry them too.
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (context.Request.Path.StartsWithSegments(Api.ApiReference.Path))
        {
            // The reference page's nonce is made while the page is written: the policy names it just before the response starts.
            context.Response.OnStarting(() =>
            {
                if (Api.ApiReference.ScriptNonce(context) is { } nonce)
                {
                    context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicyWithNonce(nonce);
                }
                return Task.CompletedTask;
            });
        }
        return next(context);
    });
}
