namespace LabelHub.Domain.Releases;

/// <summary>
/// The split of every item (ascending item id) and the summary the page shows before a release is cut.
/// Splits are held as indexes into <see cref="SplitNames.All"/>: one byte per item.
/// </summary>
public sealed class SplitPlan
{
    private readonly long[] itemIds;
    private readonly byte[] splitIndexes;

    internal SplitPlan(long[] itemIds, byte[] splitIndexes, SplitSummary summary)
    {
        this.itemIds = itemIds;
        this.splitIndexes = splitIndexes;
        Summary = summary;
    }

    public int Count => itemIds.Length;

    /// <summary>The items' ids, ascending.</summary>
    public ReadOnlySpan<long> ItemIds => itemIds;

    /// <summary>Per item (same positions as <see cref="ItemIds"/>) its split's index in <see cref="SplitNames.All"/>.</summary>
    public ReadOnlySpan<byte> SplitIndexes => splitIndexes;

    public SplitSummary Summary { get; }

    public string SplitAt(int position) => SplitNames.All[splitIndexes[position]];

    public string SplitOf(long itemId)
    {
        var position = Array.BinarySearch(itemIds, itemId);
        return position >= 0
            ? SplitAt(position)
            : throw new ArgumentException($"Item {itemId} is not in this split plan.", nameof(itemId));
    }
}

/// <summary>Sizes and label balance of a planned release.</summary>
/// <param name="Splits">Per split, in <see cref="SplitNames.All"/> order.</param>
/// <param name="Labels">Per label of the label list, in its order, then the unlabeled items when there are any.</param>
/// <param name="KeptItems">Items that keep the split they had in the previous release.</param>
/// <param name="NewItems">Items the previous release did not have.</param>
/// <param name="Units">Units placed (an item alone or a group).</param>
/// <param name="StraddlingGroups">
/// Groups whose items were already in different splits in the previous release (items never move, so these stay
/// split; new members join the majority). Zero for a first release.
/// </param>
public sealed record SplitSummary(
    IReadOnlyList<SplitSize> Splits,
    IReadOnlyList<SplitLabelBalance> Labels,
    int Items,
    int KeptItems,
    int NewItems,
    int Units,
    int StraddlingGroups);

/// <param name="Ratio">The target share from the settings.</param>
/// <param name="Share">The share of all items this split holds (0 when there are no items).</param>
public sealed record SplitSize(string Split, double Ratio, int Items, double Share, int KeptItems, int NewItems);

/// <param name="Label">The label; null for the unlabeled items.</param>
/// <param name="Splits">Per split, in <see cref="SplitNames.All"/> order.</param>
public sealed record SplitLabelBalance(string? Label, int Items, IReadOnlyList<SplitLabelCount> Splits);

/// <param name="ShareOfLabel">This label's items in this split over all of this label's items (what stratifying evens out).</param>
/// <param name="ShareOfSplit">This label's items in this split over all items of the split.</param>
public sealed record SplitLabelCount(string Split, int Items, double ShareOfLabel, double ShareOfSplit);
