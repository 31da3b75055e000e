using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// The K-fold split for out-of-sample probabilities: every example is held out by exactly one fold, and each
/// label's examples are spread over the folds as evenly as they divide (stratified, as cleanlab's use of
/// scikit-learn's StratifiedKFold), so every fold's model sees every class.
/// </summary>
public static class StratifiedFolds
{
    /// <param name="itemIds">The examples' ids; the order within a label is by a seeded hash of the id, so an example's fold does not depend on the input order.</param>
    /// <param name="labels">The given labels, one per id.</param>
    /// <param name="foldCount">K, at least 2.</param>
    /// <param name="seed">Another seed, another split; the same seed, the same split.</param>
    /// <returns>Per example (in input order) its fold in 0..K−1.</returns>
    /// <remarks>
    /// Within a label the examples, ordered by (hash, id, position), are dealt to the folds in turn, starting at the
    /// fold after the one the previous label ended on. So each fold holds ⌊m/K⌋ or ⌈m/K⌉ of a label's m examples and
    /// the fold sizes differ by at most one overall.
    /// </remarks>
    public static int[] Assign(IReadOnlyList<long> itemIds, IReadOnlyList<int> labels, int foldCount, int seed)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentNullException.ThrowIfNull(labels);
        if (itemIds.Count != labels.Count)
        {
            throw new ArgumentException($"There are {itemIds.Count} ids and {labels.Count} labels; each example needs one of each.", nameof(labels));
        }
        if (foldCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(foldCount), foldCount, "Cross-validation needs at least 2 folds.");
        }
        var folds = new int[labels.Count];
        var next = 0;
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(x => labels[x]).OrderBy(g => g.Key))
        {
            var ordered = group.OrderBy(x => StableHash.Murmur3(itemIds[x], unchecked((uint)seed))).ThenBy(x => itemIds[x]).ThenBy(x => x);
            foreach (var x in ordered)
            {
                folds[x] = next;
                next = (next + 1) % foldCount;
            }
        }
        return folds;
    }

    /// <summary>The positions a fold holds out (ascending) and the ones its model trains on.</summary>
    public static (int[] Train, int[] HeldOut) Split(IReadOnlyList<int> folds, int fold)
    {
        ArgumentNullException.ThrowIfNull(folds);
        var train = new List<int>(folds.Count);
        var heldOut = new List<int>();
        for (var x = 0; x < folds.Count; x++)
        {
            (folds[x] == fold ? heldOut : train).Add(x);
        }
        return ([.. train], [.. heldOut]);
    }
}
