using System.Security.Claims;
using System.Text.Encodings.Web;
using LabelHub.Domain.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LabelHub.Web.Identity;

/// <summary>Authenticates API calls that carry "Authorization: Token lh_…" (a personal access token).</summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokenService tokens,
    AccessTokenCache cache,
    UserManager<AppUser> users,
    IUserClaimsPrincipalFactory<AppUser> principals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    public const string HeaderPrefix = "Token ";

    /// <summary>On the principal of a project-scoped token: the one project it reaches (ADR 0017).</summary>
    public const string ProjectScopeClaim = "labelhub:project-scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header[HeaderPrefix.Length..].Trim();
        var tokenHash = AccessTokenService.Hash(token);
        if (cache.TryGet(tokenHash) is { } cached)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(cached, SchemeName));
        }
        var grant = await tokens.ValidateAsync(token, Context.RequestAborted);
        if (grant is null)
        {
            return AuthenticateResult.Fail("The access token is not valid, expired or revoked.");
        }
        var user = await users.FindByIdAsync(grant.UserId.ToString());
        // Disabled by an admin, not merely after failed sign-ins: those never lock an account (SignInThrottle).
        if (user is null || AppUser.IsDisabledUntil(user.LockoutEnd, TimeProvider.GetUtcNow()))
        {
            return AuthenticateResult.Fail("The token's user is disabled.");
        }
        var principal = await principals.CreateAsync(user);
        if (grant.Scope is { } scope)
        {
            Scope(principal, scope, user.IsServiceAccount);
        }
        else if (user.IsServiceAccount)
        {
            return AuthenticateResult.Fail("The access token is not valid, expired or revoked.");
        }
        cache.Set(tokenHash, user.Id, principal);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>
    /// Narrows a principal to the token's scope: its roles capped at the token's role (a service account holds exactly
    /// that role) and the project it reaches.
    /// </summary>
    private static void Scope(ClaimsPrincipal principal, TokenScope scope, bool serviceAccount)
    {
        var identity = (ClaimsIdentity)principal.Identity!;
        var held = identity.FindAll(identity.RoleClaimType).ToList();
        var roles = serviceAccount ? new HashSet<string> { scope.Role } : Roles.CappedAt(held.Select(c => c.Value), scope.Role);
        foreach (var claim in held)
        {
            identity.RemoveClaim(claim);
        }
        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(identity.RoleClaimType, role));
        }
        identity.AddClaim(new Claim(ProjectScopeClaim, scope.ProjectId.ToString()));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Token";
        return Task.CompletedTask;
    }
}

public static class ClaimsPrincipalExtensions
{
    public static Actor ToActor(this ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The request is not authenticated.");
        var scope = user.FindFirstValue(TokenAuthenticationHandler.ProjectScopeClaim) is { } project ? Guid.Parse(project) : (Guid?)null;
        return new Actor(Guid.Parse(id), user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(), scope);
    }
}
