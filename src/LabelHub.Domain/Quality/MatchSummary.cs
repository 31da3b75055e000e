namespace LabelHub.Domain.Quality;

/// <summary>
/// Precision, recall and F1 of matched units, with A as the reference: precision is the share of B's units that
/// A has too, recall the share of A's units that B found. F1 = 2·matched / (|A| + |B|) is the same either way round.
/// </summary>
/// <param name="Counts">The summed counts the figures come from.</param>
/// <param name="MeanMatchedIou">Mean intersection over union of the matched pairs.</param>
public sealed record MatchScores(MatchCounts Counts, Agreement Precision, Agreement Recall, Agreement F1, Agreement MeanMatchedIou)
{
    /// <param name="items">Items the counts come from (those where either side has a unit).</param>
    public static MatchScores Of(MatchCounts counts, int items)
    {
        var precision = counts.CountB == 0
            ? Agreement.Undefined(items, "B marked nothing, so there is nothing to be precise about.")
            : Agreement.Of((double)counts.Matched / counts.CountB, items);
        var recall = counts.CountA == 0
            ? Agreement.Undefined(items, "A marked nothing, so there is nothing to recall.")
            : Agreement.Of((double)counts.Matched / counts.CountA, items);
        var f1 = counts.CountA + counts.CountB == 0
            ? Agreement.Undefined(items, "Neither side marked anything.")
            : Agreement.Of(2.0 * counts.Matched / (counts.CountA + counts.CountB), items);
        var meanIou = counts.Matched == 0
            ? Agreement.Undefined(items, "No pair matched.")
            : Agreement.Of(counts.MatchedIouSum / counts.Matched, items);
        return new MatchScores(counts, precision, recall, f1, meanIou);
    }
}

/// <summary>
/// Span or box agreement over many items, micro-averaged: the items' counts are summed, then turned into
/// precision, recall and F1, so an item with many units weighs more than an item with one.
/// </summary>
/// <param name="Overall">All labels together.</param>
/// <param name="ByLabel">Each label seen on either side, in ordinal order; its item count is the items where the label occurs.</param>
/// <param name="ItemsCompared">Items compared, including those where neither side marked anything.</param>
public sealed record MatchSummary(MatchScores Overall, IReadOnlyDictionary<string, MatchScores> ByLabel, int ItemsCompared)
{
    public static MatchSummary Of(IEnumerable<MatchComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var overall = default(MatchCounts);
        var overallItems = 0;
        var itemsCompared = 0;
        var byLabel = new SortedDictionary<string, (MatchCounts Counts, int Items)>(StringComparer.Ordinal);
        foreach (var comparison in comparisons)
        {
            itemsCompared++;
            if (!comparison.Overall.IsEmpty)
            {
                overall += comparison.Overall;
                overallItems++;
            }
            foreach (var (label, counts) in comparison.ByLabel)
            {
                if (counts.IsEmpty)
                {
                    continue;
                }
                var sum = byLabel.GetValueOrDefault(label);
                byLabel[label] = (sum.Counts + counts, sum.Items + 1);
            }
        }
        var scoresByLabel = new SortedDictionary<string, MatchScores>(StringComparer.Ordinal);
        foreach (var (label, sum) in byLabel)
        {
            scoresByLabel[label] = MatchScores.Of(sum.Counts, sum.Items);
        }
        return new MatchSummary(MatchScores.Of(overall, overallItems), scoresByLabel, itemsCompared);
    }
}
