namespace LabelHub.Domain.Releases;

/// <summary>
/// The units a split plan places (a group, or an item alone) as parallel arrays: per unit its hash, size, stratum and
/// split (−1 until placed), and per item (item id order) its unit.
/// </summary>
internal sealed class SplitUnits
{
    private const int SplitCount = 3;

    private SplitUnits(int itemCount, int unitCount)
    {
        Of = new int[itemCount];
        Hash = new ulong[unitCount];
        Kind = new SplitUnitKind[unitCount];
        Key = new long[unitCount];
        Size = new int[unitCount];
        Stratum = new int[unitCount];
        Split = new sbyte[unitCount];
        Array.Fill(Split, (sbyte)-1);
    }

    public int Count => Hash.Length;

    public int[] Of { get; }

    public ulong[] Hash { get; }

    public SplitUnitKind[] Kind { get; }

    public long[] Key { get; }

    public int[] Size { get; }

    /// <summary>The unit's label index, −1 when unlabeled.</summary>
    public int[] Stratum { get; }

    /// <summary>The unit's split index, −1 while it has none.</summary>
    public sbyte[] Split { get; }

    public int StraddlingGroups { get; private set; }

    /// <param name="items">Sorted by item id.</param>
    public static SplitUnits Build(SplitItem[] items, SplitGrouping grouping, SplitPlanner.UnitHasher hasher)
    {
        var groupKind = grouping switch
        {
            SplitGrouping.None => (SplitUnitKind?)null,
            SplitGrouping.DuplicateGroups => SplitUnitKind.DuplicateGroup,
            SplitGrouping.DataKey => SplitUnitKind.DataKey,
        };
        // Groups are numbered 0..G−1 in the order their first (smallest) item id comes; items alone follow.
        var groupOf = new Dictionary<long, int>();
        var groupKeys = new List<long>();
        var groupedItems = 0;
        if (groupKind is not null)
        {
            foreach (var item in items)
            {
                if (item.GroupKey is { } key)
                {
                    groupedItems++;
                    if (!groupOf.ContainsKey(key))
                    {
                        groupOf.Add(key, groupKeys.Count);
                        groupKeys.Add(key);
                    }
                }
            }
        }
        var groupCount = groupKeys.Count;
        var units = new SplitUnits(items.Length, groupCount + items.Length - groupedItems);
        for (var g = 0; g < groupCount; g++)
        {
            units.Kind[g] = groupKind!.Value;
            units.Key[g] = groupKeys[g];
        }
        // Per group: its earlier members' splits, counted; and (group, label) pairs to find its majority label.
        var earlier = new int[groupCount * SplitCount];
        var memberLabels = new long[groupedItems];
        var nextAlone = groupCount;
        var nextPair = 0;
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            int unit;
            if (groupKind is not null && item.GroupKey is { } key)
            {
                unit = groupOf[key];
                if (item.PreviousSplit >= 0)
                {
                    earlier[(unit * SplitCount) + item.PreviousSplit]++;
                }
                memberLabels[nextPair++] = ((long)unit << 32) | (uint)(item.Label + 1);
            }
            else
            {
                unit = nextAlone++;
                units.Kind[unit] = SplitUnitKind.Item;
                units.Key[unit] = item.ItemId;
                units.Stratum[unit] = item.Label;
                units.Split[unit] = (sbyte)item.PreviousSplit;
            }
            units.Of[i] = unit;
            units.Size[unit]++;
        }
        units.TakeEarlierMembersSplit(earlier);
        units.TakeMajorityLabels(memberLabels);
        for (var unit = 0; unit < units.Count; unit++)
        {
            units.Hash[unit] = hasher.Hash(units.Kind[unit], units.Key[unit]);
        }
        return units;
    }

    /// <summary>Stratum, then u, then the unit's kind and key: the order new units are placed in.</summary>
    public int CompareForPlacement(int a, int b)
    {
        var byStratum = Stratum[a].CompareTo(Stratum[b]);
        if (byStratum != 0)
        {
            return byStratum;
        }
        var byHash = Hash[a].CompareTo(Hash[b]);
        if (byHash != 0)
        {
            return byHash;
        }
        var byKind = ((byte)Kind[a]).CompareTo((byte)Kind[b]);
        return byKind != 0 ? byKind : Key[a].CompareTo(Key[b]);
    }

    /// <summary>A group with members in the previous release takes the split most of them had; a tie goes to the first split in <see cref="SplitNames.All"/> order.</summary>
    private void TakeEarlierMembersSplit(int[] earlier)
    {
        for (var group = 0; group < earlier.Length / SplitCount; group++)
        {
            var counts = earlier.AsSpan(group * SplitCount, SplitCount);
            var chosen = -1;
            var splitsUsed = 0;
            for (var j = 0; j < SplitCount; j++)
            {
                if (counts[j] == 0)
                {
                    continue;
                }
                splitsUsed++;
                if (chosen < 0 || counts[j] > counts[chosen])
                {
                    chosen = j;
                }
            }
            Split[group] = (sbyte)chosen;
            if (splitsUsed > 1)
            {
                StraddlingGroups++;
            }
        }
    }

    /// <summary>
    /// A group's stratum is the label most of its labeled members have (a tie goes to the label first in the label
    /// list); a group with no labeled member is unlabeled.
    /// </summary>
    /// <param name="memberLabels">(group &lt;&lt; 32) | (label + 1) per grouped item.</param>
    private void TakeMajorityLabels(long[] memberLabels)
    {
        Array.Sort(memberLabels);
        var start = 0;
        while (start < memberLabels.Length)
        {
            var group = (int)(memberLabels[start] >> 32);
            var best = SplitItem.Unlabeled;
            var bestCount = 0;
            var end = start;
            while (end < memberLabels.Length && (int)(memberLabels[end] >> 32) == group)
            {
                var runStart = end;
                var slot = memberLabels[end];
                while (end < memberLabels.Length && memberLabels[end] == slot)
                {
                    end++;
                }
                var label = (int)(uint)slot - 1;
                // Runs come in label order, so a strict > keeps the first label on a tie.
                if (label != SplitItem.Unlabeled && end - runStart > bestCount)
                {
                    best = label;
                    bestCount = end - runStart;
                }
            }
            Stratum[group] = best;
            start = end;
        }
    }
}
