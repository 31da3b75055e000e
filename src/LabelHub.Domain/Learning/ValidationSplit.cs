namespace LabelHub.Domain.Learning;

/// <summary>
/// The held-out items a model is measured on, chosen by a hash of the item id and a seed: an item stays on its side
/// as the project grows and across retraining, so validation accuracy is never measured on items trained on before.
/// </summary>
public static class ValidationSplit
{
    /// <summary>Fewer items than this are all for training when the hash happens to hold none out.</summary>
    public const int MinItemsForForcedValidation = 5;

    /// <param name="validationShare">The expected share held out, in (0, 0.5].</param>
    /// <returns>
    /// Positions in <paramref name="itemIds"/>, ascending. An item is held out when its hash, as a fraction of 2³², is
    /// below the share. If that holds out none of at least <see cref="MinItemsForForcedValidation"/> items, the one
    /// with the lowest hash is (the one that would join first as the share grows), so there is something to validate on.
    /// </returns>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<long> itemIds, double validationShare, int seed)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        if (!(validationShare > 0 && validationShare <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(validationShare), validationShare, "The validation share is in (0, 0.5].");
        }
        var threshold = validationShare * 4294967296.0;
        var train = new List<int>(itemIds.Count);
        var validation = new List<int>();
        var lowest = -1;
        var lowestHash = uint.MaxValue;
        for (var i = 0; i < itemIds.Count; i++)
        {
            var hash = StableHash.Murmur3(itemIds[i], (uint)seed);
            (hash < threshold ? validation : train).Add(i);
            if (lowest < 0 || hash < lowestHash)
            {
                lowest = i;
                lowestHash = hash;
            }
        }
        if (validation.Count == 0 && itemIds.Count >= MinItemsForForcedValidation)
        {
            // Every position of that id, so a repeated id is never on both sides.
            validation.AddRange(train.Where(i => itemIds[i] == itemIds[lowest]));
            train.RemoveAll(i => itemIds[i] == itemIds[lowest]);
        }
        return ([.. train], [.. validation]);
    }
}
