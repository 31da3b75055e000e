using System.Security.Claims;
using System.Text.Encodings.Web;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Web.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LabelHub.Bench.Distribution;

/// <summary>
/// Opt-in changes to the app's wiring, to measure what a suggested change would buy (--experiment NAME,...).
/// They exist only in the benchmark host; a default run measures the app exactly as it ships.
/// </summary>
public static class Experiments
{
    /// <summary>Token principals cached for 30 s instead of 6 queries per request.</summary>
    public const string CachedAuth = "cached-auth";

    /// <summary>AddPooledDbContextFactory instead of AddDbContextFactory.</summary>
    public const string PooledDbContext = "pooled-db";

    public static readonly string[] All = [CachedAuth, PooledDbContext];

    public static void Apply(IServiceCollection services, IReadOnlyCollection<string> experiments, string connectionString)
    {
        if (experiments.Contains(CachedAuth))
        {
            services.AddMemoryCache();
            services.PostConfigure<AuthenticationOptions>(options =>
            {
                foreach (var scheme in options.Schemes.Where(s => s.Name == TokenAuthenticationHandler.SchemeName))
                {
                    scheme.HandlerType = typeof(CachedTokenAuthenticationHandler);
                }
            });
        }
        if (experiments.Contains(PooledDbContext))
        {
            foreach (var descriptor in services.Where(d =>
                         d.ServiceType == typeof(IDbContextFactory<PostgresLabelHubDbContext>) ||
                         d.ServiceType == typeof(IDbContextFactory<LabelHubDbContext>) ||
                         d.ServiceType == typeof(DbContextOptions<PostgresLabelHubDbContext>) ||
                         d.ServiceType == typeof(DbContextOptions)).ToList())
            {
                services.Remove(descriptor);
            }
            services.AddPooledDbContextFactory<PostgresLabelHubDbContext>(o => DatabaseSetup.ConfigurePostgres(o, connectionString));
            services.AddSingleton<IDbContextFactory<LabelHubDbContext>>(sp => new Derived(sp.GetRequiredService<IDbContextFactory<PostgresLabelHubDbContext>>()));
        }
    }

    private sealed class Derived(IDbContextFactory<PostgresLabelHubDbContext> inner) : IDbContextFactory<LabelHubDbContext>
    {
        public LabelHubDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<LabelHubDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }

    /// <summary>The app's TokenAuthenticationHandler with its result kept 30 s per token.</summary>
    private sealed class CachedTokenAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        AccessTokenService tokens,
        UserManager<AppUser> users,
        IUserClaimsPrincipalFactory<AppUser> principals,
        IMemoryCache cache)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith(TokenAuthenticationHandler.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return AuthenticateResult.NoResult();
            }
            var token = header[TokenAuthenticationHandler.HeaderPrefix.Length..].Trim();
            if (!cache.TryGetValue(token, out ClaimsPrincipal? principal) || principal is null)
            {
                var userId = await tokens.ValidateAsync(token, Context.RequestAborted);
                if (userId is null)
                {
                    return AuthenticateResult.Fail("The access token is not valid, expired or revoked.");
                }
                var user = await users.FindByIdAsync(userId.Value.ToString());
                if (user is null || await users.IsLockedOutAsync(user))
                {
                    return AuthenticateResult.Fail("The token's user is disabled.");
                }
                principal = await principals.CreateAsync(user);
                cache.Set(token, principal, TimeSpan.FromSeconds(30));
            }
            return AuthenticateResult.Success(new AuthenticationTicket(principal, TokenAuthenticationHandler.SchemeName));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = "Token";
            return Task.CompletedTask;
        }
    }
}
