using LabelHub.Domain.Labeling;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>Span agreement: strict against overlap matching, one-to-one pairs, and sums over items.</summary>
public sealed class SpanAgreementTests
{
    [Fact]
    public void Strict_needs_the_same_boundaries_overlap_needs_a_shared_character()
    {
        IReadOnlyList<SpanValue> a = [new(0, 5, "PER"), new(10, 20, "ORG"), new(30, 35, "LOC")];
        IReadOnlyList<SpanValue> b = [new(0, 5, "PER"), new(12, 20, "ORG"), new(35, 40, "LOC")];

        var strict = SpanAgreement.Compare(a, b, SpanMatchMode.Strict);
        var overlap = SpanAgreement.Compare(a, b, SpanMatchMode.Overlap);

        Assert.Equal(new MatchCounts(1, 2, 2, 1), strict.Overall);
        // [30, 35) and [35, 40) only touch: no shared character.
        Assert.Equal((2L, 1L, 1L), (overlap.Overall.Matched, overlap.Overall.OnlyA, overlap.Overall.OnlyB));
        Assert.Equal(1 + 8.0 / 10, overlap.Overall.MatchedIouSum, 12);
        Assert.Equal(new MatchCounts(1, 0, 0, 0.8), overlap.ByLabel["ORG"]);
        Assert.Equal(new MatchCounts(0, 1, 1, 0), overlap.ByLabel["LOC"]);
    }

    [Theory]
    [InlineData(SpanMatchMode.Strict)]
    [InlineData(SpanMatchMode.Overlap)]
    public void Overlapping_spans_with_different_labels_never_match(SpanMatchMode mode)
    {
        IReadOnlyList<SpanValue> a = [new(0, 10, "PER"), new(20, 30, "ORG")];
        IReadOnlyList<SpanValue> b = [new(0, 10, "ORG"), new(22, 30, "ORG")];

        var comparison = SpanAgreement.Compare(a, b, mode);

        Assert.Equal(mode == SpanMatchMode.Strict ? 0 : 1, comparison.Overall.Matched);
        Assert.Equal(new MatchCounts(0, 1, 0, 0), comparison.ByLabel["PER"]);
        Assert.Equal(mode == SpanMatchMode.Strict ? 0 : 1, comparison.ByLabel["ORG"].Matched);
        Assert.Equal(2, comparison.ByLabel["ORG"].CountB);
    }

    [Fact]
    public void A_span_matches_at_most_one_span_the_one_it_shares_most_with()
    {
        IReadOnlyList<SpanValue> a = [new(0, 10, "PER")];
        IReadOnlyList<SpanValue> b = [new(0, 4, "PER"), new(5, 10, "PER")];

        var comparison = SpanAgreement.Compare(a, b, SpanMatchMode.Overlap);
        var reversed = SpanAgreement.Compare(b, a, SpanMatchMode.Overlap);

        Assert.Equal(new MatchCounts(1, 0, 1, 0.5), comparison.Overall);
        Assert.Equal(new MatchCounts(1, 1, 0, 0.5), reversed.Overall);
    }

    [Fact]
    public void Overlap_matching_pairs_as_many_spans_as_possible_before_it_looks_at_shared_characters()
    {
        // A1 shares the most with B1 (8 characters), but pairing them leaves A2 (which only overlaps B1) and
        // B2 (which only overlaps A1) alone; A1–B2 and A2–B1 match everything.
        IReadOnlyList<SpanValue> a = [new(0, 10, "PER"), new(10, 14, "PER")];
        IReadOnlyList<SpanValue> b = [new(2, 12, "PER"), new(0, 1, "PER")];

        var comparison = SpanAgreement.Compare(a, b, SpanMatchMode.Overlap);

        Assert.Equal((2L, 0L, 0L), (comparison.Overall.Matched, comparison.Overall.OnlyA, comparison.Overall.OnlyB));
        Assert.Equal(1.0 / 10 + 2.0 / 12, comparison.Overall.MatchedIouSum, 12);
    }

    [Fact]
    public void Strict_duplicates_pair_up_only_as_often_as_both_sides_have_them()
    {
        IReadOnlyList<SpanValue> a = [new(0, 5, "PER"), new(0, 5, "PER")];
        IReadOnlyList<SpanValue> b = [new(0, 5, "PER")];

        Assert.Equal(new MatchCounts(1, 1, 0, 1), SpanAgreement.Compare(a, b, SpanMatchMode.Strict).Overall);
        Assert.Equal(new MatchCounts(1, 1, 0, 1), SpanAgreement.Compare(a, b, SpanMatchMode.Overlap).Overall);
    }

    [Fact]
    public void The_order_spans_are_listed_in_changes_nothing()
    {
        var random = new Random(11);
        var labels = new[] { "PER", "ORG" };
        for (var trial = 0; trial < 50; trial++)
        {
            var a = RandomSpans(random, labels);
            var b = RandomSpans(random, labels);
            foreach (var mode in new[] { SpanMatchMode.Strict, SpanMatchMode.Overlap })
            {
                var inOrder = SpanAgreement.Compare(a, b, mode);
                var shuffled = SpanAgreement.Compare([.. a.OrderBy(_ => random.Next())], [.. b.OrderBy(_ => random.Next())], mode);

                Assert.Equal(inOrder.Overall, shuffled.Overall);
                Assert.Equal(inOrder.ByLabel, shuffled.ByLabel);
                Assert.True(inOrder.Overall.Matched <= Math.Min(a.Count, b.Count));
            }
        }
    }

    [Fact]
    public void Counts_are_summed_over_items_before_precision_recall_and_f1()
    {
        var summary = SpanAgreement.Summarize(
        [
            ([new(0, 5, "PER")], [new(0, 5, "PER")]),
            ([new(0, 5, "PER"), new(9, 12, "ORG")], []),
            ([], []),
        ], SpanMatchMode.Strict);

        // Micro-average: 1 matched, 2 only in A, 0 only in B (the per-item F1s would average 1 and 0 instead).
        var overall = summary.Overall;
        Assert.Equal((1.0, 1.0 / 3, 0.5), (overall.Precision.Value, overall.Recall.Value, overall.F1.Value));
        Assert.Equal((2, 3), (overall.F1.Items, summary.ItemsCompared));
        Assert.Equal(["ORG", "PER"], summary.ByLabel.Keys);
        Assert.Equal((0.0, 1), (summary.ByLabel["ORG"].F1.Value, summary.ByLabel["ORG"].F1.Items));
        Assert.False(summary.ByLabel["ORG"].Precision.IsDefined);
    }

    [Fact]
    public void F1_is_the_same_either_way_round_and_precision_and_recall_swap()
    {
        IReadOnlyList<SpanValue> a = [new(0, 5, "PER"), new(10, 20, "ORG"), new(30, 35, "LOC")];
        IReadOnlyList<SpanValue> b = [new(0, 5, "PER"), new(12, 20, "ORG")];

        var forward = SpanAgreement.Summarize([(a, b)], SpanMatchMode.Overlap).Overall;
        var backward = SpanAgreement.Summarize([(b, a)], SpanMatchMode.Overlap).Overall;

        Assert.Equal(forward.F1, backward.F1);
        Assert.Equal((forward.Precision, forward.Recall), (backward.Recall, backward.Precision));
        Assert.Equal((1.0, 2.0 / 3, 0.8), (forward.Precision.Value, forward.Recall.Value, forward.F1.Value));
    }

    [Fact]
    public void Nothing_marked_anywhere_is_undefined_with_a_reason_never_nan()
    {
        var summary = SpanAgreement.Summarize([([], []), ([], [])], SpanMatchMode.Overlap);

        foreach (var figure in new[] { summary.Overall.Precision, summary.Overall.Recall, summary.Overall.F1, summary.Overall.MeanMatchedIou })
        {
            Assert.Null(figure.Value);
            Assert.False(string.IsNullOrWhiteSpace(figure.UndefinedReason));
        }
        Assert.Equal((0, 2), (summary.Overall.F1.Items, summary.ItemsCompared));
        Assert.Empty(summary.ByLabel);
        var noItems = SpanAgreement.Summarize([], SpanMatchMode.Strict);
        Assert.Equal((false, 0), (noItems.Overall.F1.IsDefined, noItems.ItemsCompared));
    }

    private static List<SpanValue> RandomSpans(Random random, string[] labels) =>
        [.. Enumerable.Range(0, random.Next(6)).Select(_ =>
        {
            var start = random.Next(30);
            return new SpanValue(start, start + 1 + random.Next(8), labels[random.Next(labels.Length)]);
        })];
}
