using System.Security.Claims;
using LabelHub.Domain.Identity;

namespace LabelHub.Domain.Tests.Identity;

public class AccessTokenCacheTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static ClaimsPrincipal Principal(Guid userId) => new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId.ToString())], "Token"));

    [Fact]
    public void Tokens_cached_together_expire_spread_over_the_last_quarter_of_the_lifetime_and_never_later()
    {
        var clock = new ManualClock();
        var cache = new AccessTokenCache(clock);
        var start = clock.Now;
        var hashes = Enumerable.Range(0, 400).Select(i => $"hash-{i}").ToList();
        foreach (var hash in hashes)
        {
            cache.Set(hash, Guid.NewGuid(), Principal(Guid.NewGuid()));
        }

        clock.Now = start + (AccessTokenCache.Lifetime * 0.74);
        Assert.All(hashes, hash => Assert.NotNull(cache.TryGet(hash)));

        clock.Now = start + (AccessTokenCache.Lifetime * 0.875);
        var stillCached = hashes.Count(hash => cache.TryGet(hash) is not null);
        // About half of them have expired by the middle of the last quarter: spread out, not all at once.
        Assert.InRange(stillCached, 100, 300);

        clock.Now = start + AccessTokenCache.Lifetime;
        Assert.All(hashes, hash => Assert.Null(cache.TryGet(hash)));
    }

    [Fact]
    public void Invalidating_a_user_drops_their_cached_tokens_only()
    {
        var cache = new AccessTokenCache(new ManualClock());
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        cache.Set("alice-1", alice, Principal(alice));
        cache.Set("alice-2", alice, Principal(alice));
        cache.Set("bob-1", bob, Principal(bob));

        cache.InvalidateUser(alice);

        Assert.Null(cache.TryGet("alice-1"));
        Assert.Null(cache.TryGet("alice-2"));
        Assert.Equal(bob.ToString(), cache.TryGet("bob-1")?.FindFirstValue(ClaimTypes.NameIdentifier));
    }
}
