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
        var userId = await tokens.ValidateAsync(token, Context.RequestAborted);
        if (userId is null)
        {
            return AuthenticateResult.Fail("The access token is not valid, expired or revoked.");
        }
        var user = await users.FindByIdAsync(userId.Value.ToString());
        // Disabled by an admin, not merely after failed sign-ins: those never lock an account (SignInThrottle).
        if (user is null || AppUser.IsDisabledUntil(user.LockoutEnd, TimeProvider.GetUtcNow()))
        {
            return AuthenticateResult.Fail("The token's user is disabled.");
        }
        var principal = await principals.CreateAsync(user);
        cache.Set(tokenHash, user.Id, principal);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
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
        return new Actor(Guid.Parse(id), user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet());
    }
}
