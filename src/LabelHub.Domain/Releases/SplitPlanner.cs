using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>
/// Assigns a release's items to train / validation / test (ADR 0020 § Splits; the exact rules and the hash layout are in
/// docs/releases/splits.md). The result is a function of (items, settings, previous release): the input order does not
/// matter, an item of the previous release keeps its split, and a group never straddles splits unless the previous
/// release already split it.
/// </summary>
public static class SplitPlanner
{
    public const int MaxSeedLength = 100;

    /// <summary>How far the ratios may add up from 1 (they are typed as decimals).</summary>
    public const double RatioSumTolerance = 1e-9;

    private const int SplitCount = 3;

    /// <summary>Every problem with the settings, by field ("split.ratios", "split.seed", "split.mode", "split.groupBy", "split.labelField").</summary>
    /// <param name="schema">When given, the label field must be one of its single-choice fields.</param>
    public static void Validate(SplitSettings settings, LabelSchema? schema = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new ValidationErrors();
        ValidateRatios(settings.Ratios, errors);
        if (string.IsNullOrWhiteSpace(settings.Seed))
        {
            errors.Add("split.seed", "A split needs a seed.");
        }
        else if (settings.Seed.Length > MaxSeedLength)
        {
            errors.Add("split.seed", $"A split seed has at most {MaxSeedLength} characters.");
        }
        if (!Enum.IsDefined(settings.Mode))
        {
            errors.Add("split.mode", "A split is random or stratified.");
        }
        if (!Enum.IsDefined(settings.Grouping))
        {
            errors.Add("split.groupBy", "Items are grouped by nothing, by duplicate groups or by a data key.");
        }
        else if (settings.Grouping == SplitGrouping.DataKey && string.IsNullOrWhiteSpace(settings.GroupKeyName))
        {
            errors.Add("split.groupBy", "Grouping by a data key needs the key's name.");
        }
        else if (settings.Grouping != SplitGrouping.DataKey && settings.GroupKeyName is not null)
        {
            errors.Add("split.groupBy", "A data key name is only used when grouping by a data key.");
        }
        if (string.IsNullOrWhiteSpace(settings.LabelField))
        {
            if (settings.Mode == SplitMode.Stratified)
            {
                errors.Add("split.labelField", "A stratified split needs the single-choice field whose labels it balances.");
            }
        }
        else if (schema is not null && schema.Field(settings.LabelField) is not { Kind: FieldKind.Choice })
        {
            errors.Add("split.labelField", $"'{settings.LabelField}' is not a single-choice field of this project.");
        }
        errors.ThrowIfAny();
    }

    /// <summary>The index of a split name in <see cref="SplitNames.All"/> (what <see cref="SplitItem.PreviousSplit"/> holds).</summary>
    public static int SplitIndex(string? split) => split switch
    {
        null => SplitItem.NotInPreviousRelease,
        SplitNames.Train => 0,
        SplitNames.Validation => 1,
        SplitNames.Test => 2,
        _ => throw new ArgumentException($"'{split}' is not a split name.", nameof(split)),
    };

    /// <summary>
    /// The 64-bit group key of a data key's value: the first 8 bytes of SHA-256(UTF-8 of the value), big-endian, signed.
    /// Values are compared exactly ("P01" and "p01" differ). Two different values share a key with probability about
    /// n²/2⁶⁵ (3·10⁻⁸ for a million values); if they did, their items would only be kept together, never split apart.
    /// </summary>
    public static long DataKeyGroup(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var bytes = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
            Encoding.UTF8.GetBytes(value, bytes);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes, digest);
            return BinaryPrimitives.ReadInt64BigEndian(digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The first 8 bytes, big-endian, of SHA-256(UTF-8(seed) ‖ kind byte ‖ key as 8 bytes big-endian): units are placed in this order.</summary>
    public static ulong UnitHash(string seed, SplitUnitKind kind, long key) => new UnitHasher(seed).Hash(kind, key);

    /// <summary>u in [0, 1): the top 53 bits of <see cref="UnitHash"/> over 2⁵³, exact in a double.</summary>
    public static double UnitFraction(string seed, SplitUnitKind kind, long key) => ToFraction(UnitHash(seed, kind, key));

    /// <summary>Plans the split of every item.</summary>
    /// <param name="labels">The label field's labels (the index <see cref="SplitItem.Label"/> points into), in the order ties and the summary use.</param>
    /// <param name="items">The release's items, in any order; read once.</param>
    public static SplitPlan Plan(SplitSettings settings, IReadOnlyList<string> labels, IEnumerable<SplitItem> items)
    {
        Validate(settings);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(items);
        var ratios = RatiosInOrder(settings.Ratios);
        var sorted = items.ToArray();
        var ids = new long[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            ids[i] = sorted[i].ItemId;
        }
        // Item id order makes every later step independent of the order the items came in.
        Array.Sort(ids, sorted);
        CheckItems(sorted, labels.Count);

        var units = SplitUnits.Build(sorted, settings.Grouping, new UnitHasher(settings.Seed));
        var splits = new byte[sorted.Length];
        const byte unplaced = byte.MaxValue;
        for (var i = 0; i < sorted.Length; i++)
        {
            // An item of the previous release keeps its split; a new member of a known group joins the group's split.
            var unitSplit = units.Split[units.Of[i]];
            splits[i] = sorted[i].PreviousSplit >= 0 ? (byte)sorted[i].PreviousSplit : unitSplit >= 0 ? (byte)unitSplit : unplaced;
        }
        switch (settings.Mode)
        {
            case SplitMode.Random:
                PlaceRandom(units, ratios);
                break;
            case SplitMode.Stratified:
                PlaceStratified(units, ratios, labels.Count, sorted, splits);
                break;
        }
        for (var i = 0; i < splits.Length; i++)
        {
            if (splits[i] == unplaced)
            {
                splits[i] = (byte)units.Split[units.Of[i]];
            }
        }
        return new SplitPlan(ids, splits, Summarize(sorted, splits, ratios, labels, units));
    }

    /// <summary>New units: the split whose cumulative ratio range [c_{j−1}, c_j) holds u; the last split with a ratio above 0 takes the rest.</summary>
    private static void PlaceRandom(SplitUnits units, double[] ratios)
    {
        var last = Array.FindLastIndex(ratios, r => r > 0);
        for (var unit = 0; unit < units.Count; unit++)
        {
            if (units.Split[unit] >= 0)
            {
                continue;
            }
            var u = ToFraction(units.Hash[unit]);
            var chosen = last;
            var cumulative = 0.0;
            for (var j = 0; j < last; j++)
            {
                cumulative += ratios[j];
                if (u < cumulative)
                {
                    chosen = j;
                    break;
                }
            }
            units.Split[unit] = (sbyte)chosen;
        }
    }

    /// <summary>
    /// New units by stratum (the unit's label), each stratum in u order: the unit goes to the split j with the largest
    /// r_j·(placed + size) − placed_j, counting the items already placed in that stratum (ties: the first split). From
    /// empty, each split then holds its target share of each label to within one item.
    /// </summary>
    private static void PlaceStratified(SplitUnits units, double[] ratios, int labelCount, SplitItem[] items, byte[] splits)
    {
        // placed[(stratum + 1) * 3 + j]: items of units of that stratum already in split j; stratum −1 is "unlabeled".
        var placed = new long[(labelCount + 1) * SplitCount];
        for (var i = 0; i < items.Length; i++)
        {
            if (splits[i] < SplitCount)
            {
                placed[((units.Stratum[units.Of[i]] + 1) * SplitCount) + splits[i]]++;
            }
        }
        var pending = new List<int>();
        for (var unit = 0; unit < units.Count; unit++)
        {
            if (units.Split[unit] < 0)
            {
                pending.Add(unit);
            }
        }
        var order = pending.ToArray();
        Array.Sort(order, units.CompareForPlacement);
        foreach (var unit in order)
        {
            var offset = (units.Stratum[unit] + 1) * SplitCount;
            var after = placed[offset] + placed[offset + 1] + placed[offset + 2] + units.Size[unit];
            var chosen = -1;
            var largest = double.NegativeInfinity;
            for (var j = 0; j < SplitCount; j++)
            {
                if (ratios[j] <= 0)
                {
                    continue;
                }
                var deficit = (ratios[j] * after) - placed[offset + j];
                if (deficit > largest)
                {
                    largest = deficit;
                    chosen = j;
                }
            }
            units.Split[unit] = (sbyte)chosen;
            placed[offset + chosen] += units.Size[unit];
        }
    }

    private static SplitSummary Summarize(SplitItem[] items, byte[] splits, double[] ratios, IReadOnlyList<string> labels, SplitUnits units)
    {
        var perSplit = new int[SplitCount];
        var kept = new int[SplitCount];
        // byLabel[(label + 1) * 3 + j]: slot 0 holds the unlabeled items.
        var byLabel = new int[(labels.Count + 1) * SplitCount];
        for (var i = 0; i < items.Length; i++)
        {
            var split = splits[i];
            perSplit[split]++;
            if (items[i].PreviousSplit >= 0)
            {
                kept[split]++;
            }
            byLabel[((items[i].Label + 1) * SplitCount) + split]++;
        }
        var total = items.Length;
        var sizes = new SplitSize[SplitCount];
        for (var j = 0; j < SplitCount; j++)
        {
            sizes[j] = new SplitSize(SplitNames.All[j], ratios[j], perSplit[j], Share(perSplit[j], total), kept[j], perSplit[j] - kept[j]);
        }
        var balances = new List<SplitLabelBalance>(labels.Count + 1);
        for (var label = 0; label < labels.Count; label++)
        {
            balances.Add(Balance(labels[label], byLabel.AsSpan((label + 1) * SplitCount, SplitCount), perSplit));
        }
        var unlabeled = byLabel.AsSpan(0, SplitCount);
        if (unlabeled[0] + unlabeled[1] + unlabeled[2] > 0)
        {
            balances.Add(Balance(null, unlabeled, perSplit));
        }
        var keptTotal = kept.Sum();
        return new SplitSummary(sizes, balances, total, keptTotal, total - keptTotal, units.Count, units.StraddlingGroups);
    }

    private static SplitLabelBalance Balance(string? label, ReadOnlySpan<int> counts, int[] perSplit)
    {
        var items = counts[0] + counts[1] + counts[2];
        var cells = new SplitLabelCount[SplitCount];
        for (var j = 0; j < SplitCount; j++)
        {
            cells[j] = new SplitLabelCount(SplitNames.All[j], counts[j], Share(counts[j], items), Share(counts[j], perSplit[j]));
        }
        return new SplitLabelBalance(label, items, cells);
    }

    private static double Share(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

    private static double ToFraction(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    private static void ValidateRatios(IReadOnlyDictionary<string, double>? ratios, ValidationErrors errors)
    {
        if (ratios is null || ratios.Count == 0)
        {
            errors.Add("split.ratios", "The split ratios must add up to 1.");
            return;
        }
        var sum = 0.0;
        var valid = true;
        foreach (var (name, ratio) in ratios)
        {
            if (!SplitNames.All.Contains(name, StringComparer.Ordinal))
            {
                errors.Add("split.ratios", $"'{name}' is not a split; the splits are train, validation and test.");
                valid = false;
            }
            else if (!double.IsFinite(ratio) || ratio < 0 || ratio > 1)
            {
                errors.Add("split.ratios", $"The ratio of {name} must be a number from 0 to 1.");
                valid = false;
            }
            else
            {
                sum += ratio;
            }
        }
        // A sum of 1 also means at least one split gets items.
        if (valid && Math.Abs(sum - 1) > RatioSumTolerance)
        {
            errors.Add("split.ratios", $"The split ratios must add up to 1; they add up to {sum.ToString("0.#########", CultureInfo.InvariantCulture)}.");
        }
    }

    private static double[] RatiosInOrder(IReadOnlyDictionary<string, double> ratios)
    {
        var ordered = new double[SplitCount];
        for (var j = 0; j < SplitCount; j++)
        {
            ordered[j] = ratios.TryGetValue(SplitNames.All[j], out var ratio) ? ratio : 0;
        }
        return ordered;
    }

    private static void CheckItems(SplitItem[] sorted, int labelCount)
    {
        for (var i = 0; i < sorted.Length; i++)
        {
            var item = sorted[i];
            if (i > 0 && sorted[i - 1].ItemId == item.ItemId)
            {
                throw new ArgumentException($"Item {item.ItemId} is given twice.", nameof(sorted));
            }
            if (item.Label < SplitItem.Unlabeled || item.Label >= labelCount)
            {
                throw new ArgumentException($"Item {item.ItemId} has label index {item.Label}; there are {labelCount} labels.", nameof(sorted));
            }
            if (item.PreviousSplit < SplitItem.NotInPreviousRelease || item.PreviousSplit >= SplitCount)
            {
                throw new ArgumentException($"Item {item.ItemId} has previous split index {item.PreviousSplit}.", nameof(sorted));
            }
        }
    }

    /// <summary>Hashes units of one seed without allocating per unit: the seed's bytes are written once.</summary>
    internal sealed class UnitHasher
    {
        private readonly byte[] input;

        public UnitHasher(string seed)
        {
            ArgumentNullException.ThrowIfNull(seed);
            var seedLength = Encoding.UTF8.GetByteCount(seed);
            input = new byte[seedLength + 1 + sizeof(long)];
            Encoding.UTF8.GetBytes(seed, input);
        }

        public ulong Hash(SplitUnitKind kind, long key)
        {
            input[^9] = (byte)kind;
            BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(input.Length - sizeof(long)), key);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(input, digest);
            return BinaryPrimitives.ReadUInt64BigEndian(digest);
        }
    }
}
