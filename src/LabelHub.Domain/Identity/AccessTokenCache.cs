using System.Collections.Concurrent;
using System.Security.Claims;

namespace LabelHub.Domain.Identity;

/// <summary>
/// Remembers, for a short while, who an access token belongs to, so an API call costs no authentication queries.
/// Revoking a token, or changing a user's roles, password or disabled state, drops the entries at once in this
/// process; other web instances see the change within <see cref="Lifetime"/>.
/// </summary>
public sealed class AccessTokenCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 100_000;
    private const double JitterShare = 0.25;

    private readonly ConcurrentDictionary<string, Entry> byTokenHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, long> userGenerations = new();

    private sealed record Entry(Guid UserId, ClaimsPrincipal Principal, long Generation, DateTimeOffset ExpiresAt);

    public ClaimsPrincipal? TryGet(string tokenHash)
    {
        if (!byTokenHash.TryGetValue(tokenHash, out var entry))
        {
            return null;
        }
        if (entry.ExpiresAt <= clock.GetUtcNow() || entry.Generation != userGenerations.GetValueOrDefault(entry.UserId))
        {
            byTokenHash.TryRemove(tokenHash, out _);
            return null;
        }
        return entry.Principal;
    }

    public void Set(string tokenHash, Guid userId, ClaimsPrincipal principal)
    {
        if (byTokenHash.Count >= MaxEntries)
        {
            // Far more live tokens than any team has: start over rather than grow without bound.
            byTokenHash.Clear();
        }
        // A random share of the lifetime, so tokens first seen together (a team starting work, a load test) do not all
        // expire in the same instant and send every client to the database at once.
        var lifetime = Lifetime * (1 - (Random.Shared.NextDouble() * JitterShare));
        byTokenHash[tokenHash] = new Entry(userId, principal, userGenerations.GetValueOrDefault(userId), clock.GetUtcNow() + lifetime);
    }

    public void InvalidateToken(string tokenHash) => byTokenHash.TryRemove(tokenHash, out _);

    /// <summary>Every cached token of this user stops counting (roles, password or disabled state changed).</summary>
    public void InvalidateUser(Guid userId) => userGenerations.AddOrUpdate(userId, 1, (_, generation) => generation + 1);
}
