using System.Security.Claims;
using LabelHub.Domain;
using LabelHub.Domain.Identity;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public sealed record RolesRequest(IReadOnlyList<string> Roles);

/// <summary>A personal token; with a project and a role it reaches only that project, with at most that role (ADR 0017).</summary>
public sealed record TokenRequest(string Name, int? ExpiresInDays, Guid? ProjectId = null, string? Role = null);

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
        // ?archived=true lists archived accounts too.
        users.MapGet("/", (bool? archived, UserAdminService service, CancellationToken ct) => service.ListAsync(archived ?? false, ct));
        users.MapPost("/", async (NewUser input, UserAdminService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(user.ToActor(), input, ct);
            return Results.Created($"/api/v1/users/{created.User.Id}", created);
        }).Produces<CreatedUser>(StatusCodes.Status201Created)
            .Describe(StatusCodes.Status201Created, "The user, and the generated one-time password when none was given.");
        users.MapGet("/{userId:guid}", (Guid userId, UserAdminService service) => service.GetAsync(userId));
        users.MapPut("/{userId:guid}/roles", (Guid userId, RolesRequest input, UserAdminService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.SetRolesAsync(user.ToActor(), userId, input.Roles ?? [], ct))
            .ProducesConflict("the account is a service account, whose role comes from its tokens.");
        users.MapPost("/{userId:guid}/password-reset", async (Guid userId, UserAdminService service, ClaimsPrincipal user) =>
            new PasswordResponse(await service.ResetPasswordAsync(user.ToActor(), userId)))
            .ProducesConflict("the account is a service account, which has no password.");
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
        // Archiving disables the account and hides it, keeping its work; restore undoes it.
        users.MapPost("/{userId:guid}/archive", (Guid userId, UserAdminService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.ArchiveAsync(user.ToActor(), userId, ct));
        users.MapPost("/{userId:guid}/restore", (Guid userId, UserAdminService service, ClaimsPrincipal user) =>
            service.RestoreAsync(user.ToActor(), userId));
        // Only an account that never did any work; otherwise 409, and archive it instead.
        users.MapDelete("/{userId:guid}", async (Guid userId, UserAdminService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await service.DeleteAsync(user.ToActor(), userId, ct);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent)
            .ProducesConflict("the account has work in the history (archive it instead), or it is your own or the last admin's.");

        var me = api.MapGroup("/me").WithTags("Me");
        me.MapGet("/", (UserAdminService service, ClaimsPrincipal user) => service.GetAsync(user.ToActor().UserId));
        // A project-scoped token manages no tokens: it could otherwise mint itself a wider one.
        me.MapGet("/tokens", (AccessTokenService tokens, ClaimsPrincipal user, CancellationToken ct) => tokens.ListAsync(Unscoped(user).UserId, ct));
        me.MapPost("/tokens", async (TokenRequest input, AccessTokenService tokens, ServiceAccountService scoped, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var actor = Unscoped(user);
            var created = input.ProjectId is null && input.Role is null
                ? await tokens.CreateAsync(actor.UserId, input.Name, input.ExpiresInDays, ct)
                : await scoped.CreatePersonalScopedTokenAsync(actor, new ScopedTokenRequest(input.Name, input.ProjectId ?? Guid.Empty, input.Role!, input.ExpiresInDays), ct);
            return Results.Created($"/api/v1/me/tokens/{created.Info.Id}", created);
        }).Produces<CreatedAccessToken>(StatusCodes.Status201Created)
            .Describe(StatusCodes.Status201Created, "The token (shown only this once) and its record.");
        me.MapDelete("/tokens/{tokenId:guid}", async (Guid tokenId, AccessTokenService tokens, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await tokens.RevokeAsync(Unscoped(user).UserId, tokenId, ct);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent);

        // Accounts for programs, with tokens scoped to one project and one role (ADR 0017).
        var accounts = api.MapGroup("/service-accounts").WithTags("Service accounts").RequireAuthorization(Policies.Admin);
        accounts.MapGet("/", (ServiceAccountService service, ClaimsPrincipal user, CancellationToken ct) => service.ListAsync(user.ToActor(), ct));
        accounts.MapPost("/", async (NewServiceAccount input, ServiceAccountService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(user.ToActor(), input, ct);
            return Results.Created($"/api/v1/service-accounts/{created.Id}", created);
        }).Produces<ServiceAccountInfo>(StatusCodes.Status201Created);
        accounts.MapPost("/{accountId:guid}/tokens", async (Guid accountId, ScopedTokenRequest input, ServiceAccountService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var created = await service.CreateTokenAsync(user.ToActor(), accountId, input, ct);
            return Results.Created($"/api/v1/service-accounts/{accountId}/tokens/{created.Info.Id}", created);
        }).Produces<CreatedAccessToken>(StatusCodes.Status201Created)
            .Describe(StatusCodes.Status201Created, "The token (shown only this once) and its record, with its project and role.");
        accounts.MapDelete("/{accountId:guid}/tokens/{tokenId:guid}", async (Guid accountId, Guid tokenId, ServiceAccountService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await service.RevokeTokenAsync(user.ToActor(), accountId, tokenId, ct);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent);
    }

    private static Actor Unscoped(ClaimsPrincipal user)
    {
        var actor = user.ToActor();
        Domain.Planning.ProjectAccess.EnsureNotScoped(actor);
        return actor;
    }
}
