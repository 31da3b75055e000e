using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Cleansing;

/// <summary>Why an item's aggregated answer wants a second look.</summary>
public enum DisagreementReason
{
    /// <summary>No category won a strict majority of the item's answers (a vote share of at most ½, ties included).</summary>
    Split,

    /// <summary>The winning vote share is below <see cref="DisagreementOptions.MinVoteShare"/>.</summary>
    LowVoteShare,

    /// <summary>The Dawid–Skene posterior of the aggregated label is below <see cref="DisagreementOptions.MinPosterior"/>.</summary>
    LowPosterior,

    /// <summary>Dawid–Skene, weighing annotators by their estimated skill, chose another label than the vote.</summary>
    MethodsDisagree,
}

/// <param name="MinVoteShare">A winning share below this is flagged; the default 0.6 passes 2 of 3 and 3 of 5 and flags 4 of 7.</param>
/// <param name="MinPosterior">A Dawid–Skene posterior below this is flagged.</param>
public sealed record DisagreementOptions(double MinVoteShare = 0.6, double MinPosterior = 0.9);

/// <summary>A flagged item.</summary>
/// <param name="Label">The aggregated label: Dawid–Skene's when given, else the vote's.</param>
/// <param name="VoteShare">The winning category's share of the item's answers.</param>
/// <param name="Posterior">Dawid–Skene's posterior of <paramref name="Label"/>, when given.</param>
public sealed record DisagreementFlag(long Item, string Label, double VoteShare, double? Posterior, IReadOnlyList<DisagreementReason> Reasons);

/// <summary>
/// Flags the items whose aggregated answer is uncertain: annotators split, a thin winning share, a low Dawid–Skene
/// posterior, or the two aggregations disagreeing. Takes what <see cref="MajorityVote"/> and
/// <see cref="DawidSkene"/> give (the <see cref="ItemAggregate"/> rows of QualityService.AggregateAsync).
/// </summary>
public static class DisagreementFlags
{
    /// <param name="votes">Majority vote per item: its <see cref="ItemAggregate.Confidence"/> is the winning share.</param>
    /// <param name="posteriors">Dawid–Skene per item, matched to <paramref name="votes"/> by item id; null to judge by the vote alone.</param>
    /// <returns>The flagged items, least confident first (by posterior when given, else by share), then by item id.</returns>
    public static IReadOnlyList<DisagreementFlag> Find(IReadOnlyList<ItemAggregate> votes, IReadOnlyList<ItemAggregate>? posteriors = null, DisagreementOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(votes);
        options ??= new DisagreementOptions();
        if (!(options.MinVoteShare >= 0 && options.MinVoteShare <= 1) || !(options.MinPosterior >= 0 && options.MinPosterior <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "The minimum vote share and posterior are numbers in [0, 1].");
        }
        var posteriorByItem = new Dictionary<long, ItemAggregate>();
        foreach (var aggregate in posteriors ?? [])
        {
            posteriorByItem[aggregate.Item] = aggregate;
        }
        var flags = new List<DisagreementFlag>();
        var reasons = new List<DisagreementReason>();
        foreach (var vote in votes)
        {
            reasons.Clear();
            if (vote.Tie || vote.Confidence <= 0.5)
            {
                reasons.Add(DisagreementReason.Split);
            }
            if (vote.Confidence < options.MinVoteShare)
            {
                reasons.Add(DisagreementReason.LowVoteShare);
            }
            ItemAggregate? model = posteriorByItem.TryGetValue(vote.Item, out var found) ? found : null;
            if (model is { } m)
            {
                if (m.Tie || m.Confidence < options.MinPosterior)
                {
                    reasons.Add(DisagreementReason.LowPosterior);
                }
                if (!string.Equals(m.Label, vote.Label, StringComparison.Ordinal))
                {
                    reasons.Add(DisagreementReason.MethodsDisagree);
                }
            }
            if (reasons.Count > 0)
            {
                flags.Add(new DisagreementFlag(vote.Item, model?.Label ?? vote.Label, vote.Confidence, model?.Confidence, [.. reasons]));
            }
        }
        return [.. flags.OrderBy(f => f.Posterior ?? f.VoteShare).ThenBy(f => f.Item)];
    }
}
