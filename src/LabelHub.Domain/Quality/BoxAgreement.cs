using LabelHub.Domain.Labeling;

namespace LabelHub.Domain.Quality;

/// <summary>
/// Box agreement between two annotators: boxes are paired one-to-one, a pair counts as a match when its
/// intersection over union reaches a threshold (PASCAL VOC, Everingham et al. 2010: IoU ≥ 0.5), and matches
/// give precision, recall and F1 like <see cref="SpanAgreement"/>. Boxes are compared in fractions of the image;
/// IoU does not change with scale, so pixel and fraction coordinates give the same answer up to rounding.
/// </summary>
public static class BoxAgreement
{
    public const double DefaultIouThreshold = 0.5;

    /// <summary>
    /// Intersection over union of two boxes. Boxes that only touch share no area (0); a box with no area
    /// overlaps nothing, so two degenerate boxes also give 0 rather than 0 / 0.
    /// </summary>
    public static double Iou(BoxValue a, BoxValue b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var width = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
        var height = Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y);
        var intersection = width > 0 && height > 0 ? width * height : 0;
        var union = Area(a) + Area(b) - intersection;
        return union > 0 && intersection > 0 ? intersection / union : 0;
    }

    /// <summary>
    /// Pairs A's boxes with B's one-to-one so that the total IoU is as large as possible (Hungarian algorithm),
    /// among pairs whose IoU reaches <paramref name="iouThreshold"/>: a pair below the threshold never counts as
    /// a match, so it may not take a box away from a pair that would. With <paramref name="requireSameLabel"/>
    /// (the default) only boxes of the same label pair up, which is the usual detection evaluation (a box of the
    /// wrong class is a miss on both sides); without it boxes pair by position alone and the overall figures
    /// measure localisation agreement regardless of class. Per-label counts always match that label's boxes
    /// only (one label against the rest), so with <paramref name="requireSameLabel"/> they add up to the
    /// overall counts, and without it they need not.
    /// </summary>
    public static MatchComparison Compare(IReadOnlyList<BoxValue> a, IReadOnlyList<BoxValue> b, double iouThreshold = DefaultIouThreshold, bool requireSameLabel = true)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!(iouThreshold > 0 && iouThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "The IoU threshold is a number above 0 and at most 1.");
        }
        var byLabel = new SortedDictionary<string, MatchCounts>(StringComparer.Ordinal);
        var sameLabel = default(MatchCounts);
        // Boxes in a fixed order (by position), so ties between equally good matchings break the same way
        // whatever order the annotators drew them in.
        var boxesA = InOrder(a);
        var boxesB = InOrder(b);
        foreach (var label in boxesA.Select(box => box.Label).Concat(boxesB.Select(box => box.Label)).Distinct().Order(StringComparer.Ordinal))
        {
            var counts = Match([.. boxesA.Where(box => box.Label == label)], [.. boxesB.Where(box => box.Label == label)], iouThreshold);
            byLabel[label] = counts;
            sameLabel += counts;
        }
        var overall = requireSameLabel ? sameLabel : Match(boxesA, boxesB, iouThreshold);
        return new MatchComparison(overall, byLabel);
    }

    /// <summary>Compares each item's two box lists and sums the counts over the items (micro-average).</summary>
    public static MatchSummary Summarize(IEnumerable<(IReadOnlyList<BoxValue> A, IReadOnlyList<BoxValue> B)> items, double iouThreshold = DefaultIouThreshold, bool requireSameLabel = true)
    {
        ArgumentNullException.ThrowIfNull(items);
        return MatchSummary.Of(items.Select(item => Compare(item.A, item.B, iouThreshold, requireSameLabel)));
    }

    private static MatchCounts Match(IReadOnlyList<BoxValue> a, IReadOnlyList<BoxValue> b, double iouThreshold)
    {
        var candidates = new List<CandidatePair>();
        for (var i = 0; i < a.Count; i++)
        {
            for (var j = 0; j < b.Count; j++)
            {
                var iou = Iou(a[i], b[j]);
                if (iou >= iouThreshold)
                {
                    candidates.Add(new CandidatePair(i, j, iou));
                }
            }
        }
        var matches = OneToOneMatching.Match(a.Count, b.Count, candidates);
        return new MatchCounts(matches.Count, a.Count - matches.Count, b.Count - matches.Count, matches.Sum(m => m.Weight));
    }

    private static List<BoxValue> InOrder(IReadOnlyList<BoxValue> boxes) =>
        [.. boxes.OrderBy(box => box.X).ThenBy(box => box.Y).ThenBy(box => box.Width).ThenBy(box => box.Height).ThenBy(box => box.Label, StringComparer.Ordinal)];

    private static double Area(BoxValue box) => Math.Max(0, box.Width) * Math.Max(0, box.Height);
}
