namespace LabelHub.Domain.Quality;

/// <summary>
/// The outcome of matching annotator A's units (spans or boxes) one-to-one with annotator B's.
/// </summary>
/// <param name="Matched">Pairs matched.</param>
/// <param name="OnlyA">A's units left without a partner.</param>
/// <param name="OnlyB">B's units left without a partner.</param>
/// <param name="MatchedIouSum">Sum of the matched pairs' intersection over union (character ranges for spans, areas for boxes).</param>
public readonly record struct MatchCounts(long Matched, long OnlyA, long OnlyB, double MatchedIouSum)
{
    public long CountA => Matched + OnlyA;

    public long CountB => Matched + OnlyB;

    public bool IsEmpty => Matched == 0 && OnlyA == 0 && OnlyB == 0;

    public static MatchCounts operator +(MatchCounts left, MatchCounts right) => new(
        left.Matched + right.Matched, left.OnlyA + right.OnlyA, left.OnlyB + right.OnlyB, left.MatchedIouSum + right.MatchedIouSum);
}

/// <summary>
/// One item's comparison: over all labels, and for each label that occurs on either side (ordinal order).
/// </summary>
public sealed record MatchComparison(MatchCounts Overall, IReadOnlyDictionary<string, MatchCounts> ByLabel);
