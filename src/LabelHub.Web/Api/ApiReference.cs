using LabelHub.Web.Identity;
using Scalar.AspNetCore;

namespace LabelHub.Web.Api;

/// <summary>
/// The browsable API reference (Scalar) at <see cref="Path"/>, drawn from /openapi/v1.json: every operation with its
/// parameters, request and response schemas, and a "test request" panel that calls the API from the page with a token
/// typed in. Open to anyone, as the OpenAPI document is: both describe the API, neither
/// shows data. Everything it loads comes from this server — Scalar's script is served from the package itself — so it
/// works without internet access: no web fonts, telemetry, AI agent or MCP, which would call Scalar's servers.
/// </summary>
public static class ApiReference
{
    public const string Path = "/api/reference";

    public static IEndpointConventionBuilder MapApiReference(this IEndpointRouteBuilder app) =>
        app.MapScalarApiReference(Path, options =>
        {
            options.WithTitle("LabelHub API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                // The toolbar Scalar adds in Development advertises its services.
                .HideDeveloperTools()
                // The page's inline script carries a fresh nonce per request; SecurityHeaders allows it in that response's policy.
                .WithNonce()
                // The header takes "Token <secret>": start the box with the word, so a pasted token is all it needs
                // (Scalar would otherwise show a sample value of its own there).
                .AddApiKeyAuthentication(OpenApiSetup.TokenScheme, scheme => scheme.WithValue(TokenAuthenticationHandler.HeaderPrefix));
            options.HideClientButton = true;
        }).AllowAnonymous();

    /// <summary>The nonce Scalar put on this response's script tags, when the response is its page.</summary>
    public static string? ScriptNonce(HttpContext context) =>
        context.Items.TryGetValue(ScalarOptions.NonceHttpContextItemKey, out var nonce) ? nonce as string : null;
}
