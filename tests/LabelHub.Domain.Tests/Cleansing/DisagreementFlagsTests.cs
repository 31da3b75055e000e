using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Quality;
using LabelHub.Domain.Tests.Quality;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>Disagreement flags from the Quality stage's aggregations.</summary>
public sealed class DisagreementFlagsTests
{
    private static Guid Annotator(int n) => new($"00000000-0000-0000-0000-{n:D12}");

    [Fact]
    public void Crowd_kit_toy_items_are_flagged_for_their_split_and_thin_majorities()
    {
        // Shares: t1 2–2 tie, t2 3/5, t3 3/5, t4 5/5, t5 4/5.
        var votes = MajorityVote.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories).Items;

        var flags = DisagreementFlags.Find(votes, options: new(MinVoteShare: 0.7));

        Assert.Equal([1L, 2, 3], flags.Select(f => f.Item).Order());
        var tie = flags.Single(f => f.Item == 1);
        Assert.Equal([DisagreementReason.Split, DisagreementReason.LowVoteShare], tie.Reasons);
        Assert.Equal([DisagreementReason.LowVoteShare], flags.Single(f => f.Item == 2).Reasons);
        // The tie (0.5) is the least confident, listed first.
        Assert.Equal(1, flags[0].Item);
    }

    [Fact]
    public void No_strict_majority_is_a_split_even_without_a_tie()
    {
        // 2 of 4 say a, 1 b, 1 c: a wins alone with half the answers, which is no majority.
        var answers = new List<(Guid, long, string)>
        {
            (Annotator(1), 9, "a"), (Annotator(2), 9, "a"), (Annotator(3), 9, "b"), (Annotator(4), 9, "c"),
        };
        var votes = MajorityVote.Aggregate(answers, ["a", "b", "c"]).Items;

        var flag = Assert.Single(DisagreementFlags.Find(votes));

        Assert.False(votes[0].Tie);
        Assert.Equal([DisagreementReason.Split, DisagreementReason.LowVoteShare], flag.Reasons);
    }

    [Fact]
    public void A_low_posterior_and_a_label_dawid_skene_changes_are_flagged_with_the_posterior_label()
    {
        var votes = new[] { new ItemAggregate(1, "yes", 0.8, false), new ItemAggregate(2, "no", 1.0, false), new ItemAggregate(3, "yes", 0.67, false) };
        var posteriors = new[] { new ItemAggregate(1, "yes", 0.95, false), new ItemAggregate(2, "no", 0.6, false), new ItemAggregate(3, "no", 0.97, false) };

        var flags = DisagreementFlags.Find(votes, posteriors);

        Assert.Equal([2L, 3], flags.Select(f => f.Item));
        Assert.Equal([DisagreementReason.LowPosterior], flags[0].Reasons);
        Assert.Equal(("no", 0.67, 0.97), (flags[1].Label, flags[1].VoteShare, flags[1].Posterior!.Value));
        Assert.Equal([DisagreementReason.MethodsDisagree], flags[1].Reasons);
    }

    [Fact]
    public void Confident_unanimous_items_are_not_flagged()
    {
        var votes = new[] { new ItemAggregate(1, "yes", 1.0, false), new ItemAggregate(2, "no", 0.75, false) };
        var posteriors = new[] { new ItemAggregate(1, "yes", 0.999, false), new ItemAggregate(2, "no", 0.93, false) };

        Assert.Empty(DisagreementFlags.Find(votes, posteriors));
    }

    [Fact]
    public void Thresholds_outside_zero_to_one_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DisagreementFlags.Find([], options: new(MinVoteShare: 1.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DisagreementFlags.Find([], options: new(MinPosterior: double.NaN)));
    }
}
