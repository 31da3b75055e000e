using LabelHub.Domain.Labeling;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>IoU edge cases and one-to-one box matching at a threshold.</summary>
public sealed class BoxAgreementTests
{
    private static BoxValue Box(double x, double y, double width, double height, string label = "car") =>
        new(x, y, width, height, label, 0, 0, 0, 0);

    /// <summary>A box over the full height of the image from x = from/20 to x = to/20: IoU is then the intervals' IoU.</summary>
    private static BoxValue Strip(int from, int to, string label = "car") => Box(from / 20.0, 0, (to - from) / 20.0, 1, label);

    [Fact]
    public void Iou_edge_cases()
    {
        var box = Box(0.1, 0.1, 0.4, 0.4);

        Assert.Equal(1.0, BoxAgreement.Iou(box, Box(0.1, 0.1, 0.4, 0.4)), 12);
        Assert.Equal(0.0, BoxAgreement.Iou(box, Box(0.6, 0.6, 0.2, 0.2)));
        // Sharing an edge or a corner is no overlap.
        Assert.Equal(0.0, BoxAgreement.Iou(box, Box(0.5, 0.1, 0.2, 0.4)));
        Assert.Equal(0.0, BoxAgreement.Iou(box, Box(0.5, 0.5, 0.2, 0.2)));
        // Contained: the inner area over the outer area.
        Assert.Equal(0.25, BoxAgreement.Iou(box, Box(0.2, 0.2, 0.2, 0.2)), 12);
        Assert.Equal(0.25, BoxAgreement.Iou(Box(0.2, 0.2, 0.2, 0.2), box), 12);
        // Half a box over: 1/4 of the area shared, 3/4 covered … 0.08 / 0.24.
        Assert.Equal(1.0 / 3, BoxAgreement.Iou(box, Box(0.3, 0.1, 0.4, 0.4)), 12);
    }

    [Fact]
    public void Boxes_without_area_overlap_nothing_and_never_give_nan()
    {
        var flat = Box(0.2, 0.2, 0.3, 0);
        var point = Box(0.3, 0.3, 0, 0);

        Assert.Equal(0.0, BoxAgreement.Iou(flat, flat));
        Assert.Equal(0.0, BoxAgreement.Iou(point, point));
        Assert.Equal(0.0, BoxAgreement.Iou(point, Box(0, 0, 1, 1)));
        var comparison = BoxAgreement.Compare([flat], [flat]);
        Assert.Equal(new MatchCounts(0, 1, 1, 0), comparison.Overall);
    }

    [Fact]
    public void Iou_is_the_same_in_pixels_and_in_fractions()
    {
        var a = BoxValue.FromFractions(0.1, 0.2, 0.3, 0.4, "car", 1000, 500);
        var b = BoxValue.FromFractions(0.2, 0.25, 0.3, 0.4, "car", 1000, 500);
        var inPixels = BoxAgreement.Iou(Box(a.XPx!.Value, a.YPx!.Value, a.WidthPx!.Value, a.HeightPx!.Value), Box(b.XPx!.Value, b.YPx!.Value, b.WidthPx!.Value, b.HeightPx!.Value));

        Assert.Equal(inPixels, BoxAgreement.Iou(a, b), 12);
    }

    [Fact]
    public void Pairs_maximise_total_iou_rather_than_taking_the_best_pair_first()
    {
        // A1–B1 is the best single pair (0.9), but taking it leaves A2 alone; A1–B2 (0.6) and A2–B1 (0.64) match both.
        IReadOnlyList<BoxValue> a = [Strip(0, 10), Strip(3, 12)];
        IReadOnlyList<BoxValue> b = [Strip(1, 10), Strip(0, 6)];
        Assert.Equal(0.9, BoxAgreement.Iou(a[0], b[0]), 9);

        var comparison = BoxAgreement.Compare(a, b);

        Assert.Equal((2L, 0L, 0L), (comparison.Overall.Matched, comparison.Overall.OnlyA, comparison.Overall.OnlyB));
        Assert.Equal(0.6 + 7.0 / 11, comparison.Overall.MatchedIouSum, 9);
    }

    [Fact]
    public void A_pair_below_the_threshold_never_takes_a_box_from_a_pair_above_it()
    {
        // IoU A1–B1 0.5, A1–B2 0.46, A2–B1 0.29, A2–B2 0.1. The largest total IoU over all pairs is A1–B2 + A2–B1
        // (0.76), which would leave nothing at 0.48; among pairs that reach 0.48, A1–B1 is the match.
        IReadOnlyList<BoxValue> a = [Strip(7, 20), Strip(12, 17)];
        IReadOnlyList<BoxValue> b = [Strip(0, 17), Strip(7, 13)];

        var comparison = BoxAgreement.Compare(a, b, iouThreshold: 0.48);

        Assert.Equal(new MatchCounts(1, 1, 1, BoxAgreement.Iou(a[0], b[0])), comparison.Overall);
    }

    [Fact]
    public void Random_scenes_reach_the_brute_force_best_total_iou_whatever_order_the_boxes_come_in()
    {
        var random = new Random(23);
        for (var trial = 0; trial < 200; trial++)
        {
            var a = RandomBoxes(random, random.Next(6));
            var b = RandomBoxes(random, random.Next(6));

            var comparison = BoxAgreement.Compare(a, b, iouThreshold: 0.3, requireSameLabel: false);
            var shuffled = BoxAgreement.Compare([.. a.OrderBy(_ => random.Next())], [.. b.OrderBy(_ => random.Next())], iouThreshold: 0.3, requireSameLabel: false);

            Assert.Equal(BestTotalIou(a, b, 0.3), comparison.Overall.MatchedIouSum, 9);
            Assert.Equal(comparison.Overall, shuffled.Overall);
            Assert.Equal(a.Count, comparison.Overall.CountA);
            Assert.Equal(b.Count, comparison.Overall.CountB);
        }
    }

    [Fact]
    public void The_threshold_decides_what_counts_as_a_match()
    {
        IReadOnlyList<BoxValue> a = [Strip(0, 10)];
        IReadOnlyList<BoxValue> b = [Strip(3, 10)];

        Assert.Equal(0, BoxAgreement.Compare(a, b, iouThreshold: 0.75).Overall.Matched);
        Assert.Equal(1, BoxAgreement.Compare(a, b, iouThreshold: 0.7).Overall.Matched);
        Assert.Equal(1, BoxAgreement.Compare(a, b).Overall.Matched);
        Assert.Throws<ArgumentOutOfRangeException>(() => BoxAgreement.Compare(a, b, iouThreshold: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BoxAgreement.Compare(a, b, iouThreshold: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => BoxAgreement.Compare(a, b, iouThreshold: double.NaN));
    }

    [Fact]
    public void By_default_a_box_of_another_label_is_a_miss_on_both_sides()
    {
        IReadOnlyList<BoxValue> a = [Strip(0, 10, "car"), Strip(10, 20, "person")];
        IReadOnlyList<BoxValue> b = [Strip(0, 10, "truck"), Strip(10, 20, "person")];

        var sameLabel = BoxAgreement.Compare(a, b);
        var anyLabel = BoxAgreement.Compare(a, b, requireSameLabel: false);

        Assert.Equal(new MatchCounts(1, 1, 1, 1), sameLabel.Overall);
        Assert.Equal(new MatchCounts(2, 0, 0, 2), anyLabel.Overall);
        // Per label, only that label's boxes take part, either way.
        Assert.Equal(["car", "person", "truck"], sameLabel.ByLabel.Keys);
        Assert.Equal(new MatchCounts(0, 1, 0, 0), anyLabel.ByLabel["car"]);
        Assert.Equal(new MatchCounts(1, 0, 0, 1), anyLabel.ByLabel["person"]);
        Assert.Equal(new MatchCounts(0, 0, 1, 0), anyLabel.ByLabel["truck"]);
        Assert.Equal(sameLabel.Overall, sameLabel.ByLabel.Values.Aggregate((x, y) => x + y));
    }

    [Fact]
    public void Many_items_sum_to_precision_recall_f1_and_mean_matched_iou()
    {
        var summary = BoxAgreement.Summarize(
        [
            ([Strip(0, 10), Strip(10, 20)], [Strip(0, 8)]),      // matched at 0.8, one of A's missed
            ([Strip(0, 10)], [Strip(0, 10), Strip(12, 20, "person")]), // matched at 1, one of B's extra
            ([], []),
        ]);

        var overall = summary.Overall;
        Assert.Equal((2L, 1L, 1L), (overall.Counts.Matched, overall.Counts.OnlyA, overall.Counts.OnlyB));
        Assert.Equal((2.0 / 3, 2.0 / 3, 2.0 / 3), (overall.Precision.Value!.Value, overall.Recall.Value!.Value, overall.F1.Value!.Value));
        Assert.Equal(0.9, overall.MeanMatchedIou.Value!.Value, 12);
        // The figures rest on the two items with boxes; the empty item was compared but adds nothing.
        Assert.Equal((2, 3), (overall.F1.Items, summary.ItemsCompared));
        var car = summary.ByLabel["car"];
        Assert.Equal((1.0, 2.0 / 3, 2), (car.Precision.Value!.Value, car.Recall.Value!.Value, car.F1.Items));
        var person = summary.ByLabel["person"];
        Assert.Equal((0.0, 0.0, 1), (person.Precision.Value!.Value, person.F1.Value!.Value, person.F1.Items));
        Assert.False(summary.ByLabel["person"].Recall.IsDefined);
    }

    /// <summary>Boxes crowded into a small area so that many overlap.</summary>
    private static List<BoxValue> RandomBoxes(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => Box(random.NextDouble() * 0.3, random.NextDouble() * 0.3, 0.1 + random.NextDouble() * 0.3, 0.1 + random.NextDouble() * 0.3))];

    /// <summary>The largest total IoU over every one-to-one matching of pairs that reach the threshold.</summary>
    private static double BestTotalIou(List<BoxValue> a, List<BoxValue> b, double threshold)
    {
        var used = new bool[b.Count];
        double Search(int i)
        {
            if (i == a.Count)
            {
                return 0;
            }
            var best = Search(i + 1);
            for (var j = 0; j < b.Count; j++)
            {
                var iou = BoxAgreement.Iou(a[i], b[j]);
                if (!used[j] && iou >= threshold)
                {
                    used[j] = true;
                    best = Math.Max(best, iou + Search(i + 1));
                    used[j] = false;
                }
            }
            return best;
        }
        return Search(0);
    }
}
