namespace LabelHub.Web;

/// <summary>
/// Headers every response carries (issue 13): no MIME sniffing, no referrer sent to other sites beyond the origin, not
/// framed by other sites, and a content security policy that lets only this site's own scripts run. Blazor Server and
/// MudBlazor need no inline script and no eval; MudBlazor sets inline styles, so styles allow them. Images may come from
/// any http(s) address, as items can point at images elsewhere.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Set before the response starts, so error pages and status code pages carry them too.
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return next(context);
    });
}
