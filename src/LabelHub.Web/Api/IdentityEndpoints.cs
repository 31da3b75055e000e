using System.Security.Claims;
using LabelHub.Domain;
using LabelHub.Domain.Identity;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public sealed record RolesRequest(IReadOnlyList<string> Roles);

public sealed record TokenRequest(string Name, int? ExpiresInDays);

public sealed record PasswordResponse(string Password);

public sealed record RevokedTokensResponse(int Revoked);

/// <summary>User name and password for a personal access token; without a name or expiry: "API sign-in", 90 days.</summary>
public sealed record AuthTokenRequest(string UserName, string Password, string? Name = null, int? ExpiresInDays = null);

public static class IdentityEndpoints
{
    public const string SignInFailedMessage = "Wrong user name or password, or too many attempts: wait a minute and try again.";
    private const int DefaultTokenDays = 90;

    public static void MapIdentityEndpoints(this RouteGroupBuilder api)
    {
        // Scripts of any role get a token without the browser: the same password check and throttle as the login form.
        api.MapPost("/auth/token", async (AuthTokenRequest input, PasswordSignIn passwords, AccessTokenService tokens, HttpContext context) =>
        {
            var check = await passwords.CheckAsync(input.UserName ?? "", input.Password ?? "", context);
            if (check.User is not { } user)
            {
                // One answer whatever the cause, as on the login form; only the status tells a script to wait.
                var throttled = check.RetryAfter > TimeSpan.Zero;
                if (throttled)
                {
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(check.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                return Results.Problem(
                    ServerMessages.Localize(SignInFailedMessage, System.Globalization.CultureInfo.CurrentUICulture),
                    statusCode: throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized,
                    extensions: new Dictionary<string, object?> { ["code"] = ServerMessages.CodeOf(SignInFailedMessage) });
            }
            if (await passwords.MustChangePasswordAsync(user))
            {
                throw new ForbiddenException("Set your own password first: sign in with a browser and change it at /account/password.");
            }
            var created = await tokens.CreateAsync(user.Id, input.Name ?? "API sign-in", input.ExpiresInDays ?? DefaultTokenDays, context.RequestAborted);
            return Results.Created($"/api/v1/me/tokens/{created.Info.Id}", created);
        }).WithTags("Auth").AllowAnonymous()
            .Produces<CreatedAccessToken>(StatusCodes.Status201Created)
            .Describe(StatusCodes.Status201Created, "The token (shown only this once) and its record.")
            .Describe(StatusCodes.Status401Unauthorized, "Wrong user name or password, or a disabled account (one answer for every cause).")
            .Describe(StatusCodes.Status403Forbidden, "The password was chosen by someone else and must be replaced in the browser first.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .Describe(StatusCodes.Status429TooManyRequests, "Too many failed attempts for this account or address: wait the Retry-After header's seconds.");

        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("/", (UserAdminService service, CancellationToken ct) => service.ListAsync(ct));
        users.MapPost("/", async (NewUser input, UserAdminService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(user.ToActor(), input, ct);
            return Results.Created($"/api/v1/users/{created.User.Id}", created);
        }).Produces<CreatedUser>(StatusCodes.Status201Created)
            .Describe(StatusCodes.Status201Created, "The user, and the generated one-time password when none was given.");
        users.MapGet("/{userId:guid}", (Guid userId, UserAdminService service) => service.GetAsync(userId));
        users.MapPut("/{userId:guid}/roles", (Guid userId, RolesRequest input, UserAdminService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.SetRolesAsync(user.ToActor(), userId, input.Roles ?? [], ct));
        users.MapPost("/{userId:guid}/password-reset", async (Guid userId, UserAdminService service, ClaimsPrincipal user) =>
            new PasswordResponse(await service.ResetPasswordAsync(user.ToActor(), userId)));
        users.MapPost("/{userId:guid}/tokens/revoke", async (Guid userId, UserAdminService service, ClaimsPrincipal user, CancellationToken ct) =>
            new RevokedTokensResponse(await service.RevokeTokensAsync(user.ToActor(), userId, ct)));
        users.MapPost("/{userId:guid}/disable", async (Guid userId, UserAdminService service, ClaimsPrincipal user) =>
        {
            await service.SetDisabledAsync(user.ToActor(), userId, disabled: true);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent);
        users.MapPost("/{userId:guid}/enable", async (Guid userId, UserAdminService service, ClaimsPrincipal user) =>
        {
            await service.SetDisabledAsync(user.ToActor(), userId, disabled: false);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent);

        var me = api.MapGroup("/me").WithTags("Me");
        me.MapGet("/", (UserAdminService service, ClaimsPrincipal user) => service.GetAsync(user.ToActor().UserId));
        me.MapGet("/tokens", (AccessTokenService tokens, ClaimsPrincipal user, CancellationToken ct) => tokens.ListAsync(user.ToActor().UserId, ct));
        me.MapPost("/tokens", async (TokenRequest input, AccessTokenService tokens, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var created = await tokens.CreateAsync(user.ToActor().UserId, input.Name, input.ExpiresInDays, ct);
            return Results.Created($"/api/v1/me/tokens/{created.Info.Id}", created);
        }).Produces<CreatedAccessToken>(StatusCodes.Status201Created)
            .Describe(StatusCodes.Status201Created, "The token (shown only this once) and its record.");
        me.MapDelete("/tokens/{tokenId:guid}", async (Guid tokenId, AccessTokenService tokens, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await tokens.RevokeAsync(user.ToActor().UserId, tokenId, ct);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent);
    }
}
