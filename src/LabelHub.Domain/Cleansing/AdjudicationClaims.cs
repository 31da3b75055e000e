namespace LabelHub.Domain.Cleansing;

/// <summary>
/// Which reviewer is looking at which item of the adjudication queue, so that two reviewers asking for the next item at
/// the same moment get different ones. A claim is a short in-memory lease (<see cref="Lease"/>), one per reviewer and
/// project: taking the next item (or skipping) gives the previous one back, a decision renews it, and a reviewer who
/// walks away loses it when it expires. Nothing is stored, so no migration and nothing to clean up; in server mode with
/// several web instances each instance knows only its own claims, and the findings' state (a decided finding answers
/// 409) still keeps two decisions on one finding apart.
/// </summary>
public sealed class AdjudicationClaims(TimeProvider clock)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, Dictionary<long, Claim>> byProject = [];

    /// <summary>Items of the project claimed by reviewers other than <paramref name="reviewerId"/>, leases not expired.</summary>
    public IReadOnlyList<long> HeldByOthers(Guid projectId, Guid reviewerId)
    {
        lock (gate)
        {
            return [.. Live(projectId).Where(c => c.Value.ReviewerId != reviewerId).Select(c => c.Key)];
        }
    }

    /// <summary>
    /// Claims the item for the reviewer unless someone else holds it; the reviewer's earlier claim in the project is given
    /// back. Returns until when the claim holds, or null when another reviewer has the item.
    /// </summary>
    public DateTimeOffset? TryClaim(Guid projectId, long itemId, Guid reviewerId)
    {
        lock (gate)
        {
            var claims = Live(projectId);
            if (claims.TryGetValue(itemId, out var held) && held.ReviewerId != reviewerId)
            {
                return null;
            }
            foreach (var previous in claims.Where(c => c.Value.ReviewerId == reviewerId && c.Key != itemId).Select(c => c.Key).ToList())
            {
                claims.Remove(previous);
            }
            var until = clock.GetUtcNow() + Lease;
            claims[itemId] = new Claim(reviewerId, until);
            return until;
        }
    }

    /// <summary>Gives back what the reviewer holds in the project (the queue is empty for them, or they left).</summary>
    public void Release(Guid projectId, Guid reviewerId)
    {
        lock (gate)
        {
            var claims = Live(projectId);
            foreach (var held in claims.Where(c => c.Value.ReviewerId == reviewerId).Select(c => c.Key).ToList())
            {
                claims.Remove(held);
            }
        }
    }

    /// <summary>The project's claims with the expired ones dropped.</summary>
    private Dictionary<long, Claim> Live(Guid projectId)
    {
        if (!byProject.TryGetValue(projectId, out var claims))
        {
            byProject[projectId] = claims = [];
        }
        var now = clock.GetUtcNow();
        foreach (var expired in claims.Where(c => c.Value.Until <= now).Select(c => c.Key).ToList())
        {
            claims.Remove(expired);
        }
        return claims;
    }

    private readonly record struct Claim(Guid ReviewerId, DateTimeOffset Until);
}
