using System.Numerics;

namespace LabelHub.Domain.Cleansing;

/// <summary>An item and one of its 64-bit perceptual hashes.</summary>
public readonly record struct HashedItem(long ItemId, ulong Hash);

/// <summary>A group around one representative item: every member's hash is within the threshold of the representative's.</summary>
public sealed record RepresentativeGroup(long RepresentativeId, long[] ItemIds);

/// <summary>
/// Finds every pair of 64-bit hashes within a Hamming distance, and groups items transitively (single linkage) over
/// those pairs, without comparing all n² pairs.
/// </summary>
/// <remarks>
/// Multi-index hashing (Norouzi, Punjani and Fleet 2012): the 64 bits are cut into m contiguous blocks. If two hashes
/// differ in at most d bits, some block differs in at most ⌊d / m⌋ bits (pigeonhole). Each block indexes the hashes
/// by its value (a counting sort into 2^b buckets); each hash probes, per block, every bucket within ⌊d / m⌋ bits of
/// its own value and verifies the full distance of the hashes it finds there. A pair is reported only from the first
/// block in which it meets the block radius, so exactly once. m is chosen to minimise the expected probes plus
/// verifications for uniformly spread hashes (falling back to comparing all pairs when that is cheaper, as for
/// large d or few hashes). The result does not depend on m: it is every pair, in a fixed order.
/// </remarks>
public static class HammingGrouping
{
    // 2^22 buckets per block at most: 16 MB of offsets for each of the (three) blocks that many bits.
    private const int MaxBlockBits = 22;

    private const int MinBlocks = (PerceptualHash.Bits + MaxBlockBits - 1) / MaxBlockBits;

    /// <summary>Every pair (First &lt; Second, indices into <paramref name="hashes"/>) whose distance is at most <paramref name="threshold"/>, ordered by First then Second.</summary>
    public static IReadOnlyList<(int First, int Second)> FindPairs(IReadOnlyList<ulong> hashes, int threshold)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var pairs = new List<(int First, int Second)>();
        ForEachPair(hashes.ToArray(), threshold, (first, second) => pairs.Add((first, second)));
        pairs.Sort();
        return pairs;
    }

    /// <summary>
    /// Groups of two or more items connected by chains of hashes within <paramref name="threshold"/> bits (items with
    /// equal hashes are always together). Each group's ids are ascending; groups are ordered by their smallest id.
    /// Chains can join two images that are further apart than the threshold through images between them.
    /// </summary>
    public static IReadOnlyList<long[]> Group(IReadOnlyList<HashedItem> items, int threshold)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);

        // Equal hashes need no search: index the distinct ones.
        var sortedHashes = new ulong[items.Count];
        var order = new int[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            sortedHashes[i] = items[i].Hash;
            order[i] = i;
        }
        Array.Sort(sortedHashes, order);
        var distinctOf = new int[items.Count];
        var distinct = new List<ulong>();
        for (var i = 0; i < sortedHashes.Length; i++)
        {
            if (i == 0 || sortedHashes[i] != sortedHashes[i - 1])
            {
                distinct.Add(sortedHashes[i]);
            }
            distinctOf[order[i]] = distinct.Count - 1;
        }

        var sets = new DisjointSets(distinct.Count);
        ForEachPair(distinct.ToArray(), threshold, sets.Union);

        var members = new Dictionary<int, List<long>>();
        for (var i = 0; i < items.Count; i++)
        {
            var root = sets.Find(distinctOf[i]);
            if (!members.TryGetValue(root, out var list))
            {
                list = [];
                members.Add(root, list);
            }
            list.Add(items[i].ItemId);
        }
        var groups = new List<long[]>();
        foreach (var list in members.Values)
        {
            if (list.Count >= 2)
            {
                var ids = list.ToArray();
                Array.Sort(ids);
                groups.Add(ids);
            }
        }
        groups.Sort((a, b) => a[0].CompareTo(b[0]));
        return groups;
    }

    /// <summary>
    /// Groups without chaining: items are visited by ascending id; an item not yet in a group becomes a representative
    /// and takes every item within <paramref name="threshold"/> bits of it that is not yet in a group. Every member is
    /// within the threshold of its representative (so two members are at most twice the threshold apart), and no two
    /// representatives are within the threshold of each other. Use it where <see cref="Group"/> would chain many
    /// similar-looking images into one group (60,000 Fashion-MNIST images chain into one group of 40,884 at pHash ≤ 8,
    /// docs/cleansing/near-duplicates-images.md). Groups of two or more items, ids ascending, ordered by representative.
    /// </summary>
    public static IReadOnlyList<RepresentativeGroup> GroupAroundRepresentatives(IReadOnlyList<HashedItem> items, int threshold)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);

        // Distinct hashes, each with its items, ordered by their smallest item id.
        var byId = items.Select((item, index) => (item.ItemId, item.Hash, Index: index)).OrderBy(x => x.ItemId).ThenBy(x => x.Index).ToArray();
        var distinctIndex = new Dictionary<ulong, int>();
        var distinctHashes = new List<ulong>();
        var itemsOf = new List<List<long>>();
        foreach (var (itemId, hash, _) in byId)
        {
            if (!distinctIndex.TryGetValue(hash, out var d))
            {
                d = distinctHashes.Count;
                distinctIndex.Add(hash, d);
                distinctHashes.Add(hash);
                itemsOf.Add([]);
            }
            itemsOf[d].Add(itemId);
        }

        // Neighbour lists (compressed rows) over the distinct hashes.
        var pairs = new List<(int, int)>();
        ForEachPair([.. distinctHashes], threshold, (i, j) => pairs.Add((i, j)));
        var degree = new int[distinctHashes.Count + 1];
        foreach (var (i, j) in pairs)
        {
            degree[i + 1]++;
            degree[j + 1]++;
        }
        for (var d = 0; d < distinctHashes.Count; d++)
        {
            degree[d + 1] += degree[d];
        }
        var neighbours = new int[pairs.Count * 2];
        var fill = degree[..^1];
        foreach (var (i, j) in pairs)
        {
            neighbours[fill[i]++] = j;
            neighbours[fill[j]++] = i;
        }

        var taken = new bool[distinctHashes.Count];
        var groups = new List<RepresentativeGroup>();
        for (var leader = 0; leader < distinctHashes.Count; leader++)
        {
            if (taken[leader])
            {
                continue;
            }
            taken[leader] = true;
            var members = new List<long>(itemsOf[leader]);
            for (var position = degree[leader]; position < degree[leader + 1]; position++)
            {
                var neighbour = neighbours[position];
                if (!taken[neighbour])
                {
                    taken[neighbour] = true;
                    members.AddRange(itemsOf[neighbour]);
                }
            }
            if (members.Count >= 2)
            {
                members.Sort();
                groups.Add(new RepresentativeGroup(itemsOf[leader][0], [.. members]));
            }
        }
        return groups;
    }

    /// <summary>
    /// Calls <paramref name="onPair"/>(i, j), i &lt; j, once for every pair of hashes within <paramref name="threshold"/>
    /// bits. <paramref name="blocks"/> overrides <see cref="ChooseBlocks"/> (0 compares all pairs, else 3 to 64 blocks);
    /// it changes the work done, never the pairs.
    /// </summary>
    public static void ForEachPair(ulong[] hashes, int threshold, Action<int, int> onPair, int? blocks = null)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        ArgumentNullException.ThrowIfNull(onPair);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        var blockCount = blocks ?? ChooseBlocks(hashes.Length, threshold);
        if (blockCount != 0)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, MinBlocks, nameof(blocks));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(blockCount, PerceptualHash.Bits, nameof(blocks));
        }
        SearchBlocks(hashes, threshold, onPair, blockCount);
    }

    private static void SearchBlocks(ulong[] hashes, int threshold, Action<int, int> onPair, int blocks)
    {
        if (blocks == 0)
        {
            CompareAllPairs(hashes, threshold, onPair);
            return;
        }
        var radius = threshold / blocks;
        var layout = BlockLayout(blocks);
        var indexes = new BlockIndex[blocks];
        for (var k = 0; k < blocks; k++)
        {
            indexes[k] = BlockIndex.Build(hashes, layout[k].Shift, layout[k].Width);
        }
        var probesByWidth = new Dictionary<int, uint[]>();
        foreach (var (_, width) in layout)
        {
            if (!probesByWidth.ContainsKey(width))
            {
                probesByWidth.Add(width, MasksWithinRadius(width, radius));
            }
        }

        for (var i = 0; i < hashes.Length; i++)
        {
            var hash = hashes[i];
            for (var k = 0; k < blocks; k++)
            {
                var index = indexes[k];
                var key = index.KeyOf(hash);
                foreach (var mask in probesByWidth[layout[k].Width])
                {
                    var bucket = key ^ mask;
                    var end = index.Offsets[bucket + 1];
                    for (var position = index.Offsets[bucket]; position < end; position++)
                    {
                        var j = index.Members[position];
                        if (j <= i)
                        {
                            continue;
                        }
                        var other = hashes[j];
                        if (BitOperations.PopCount(hash ^ other) <= threshold && !MetRadiusInEarlierBlock(indexes, k, hash, other, radius))
                        {
                            onPair(i, j);
                        }
                    }
                }
            }
        }
    }

    private static bool MetRadiusInEarlierBlock(BlockIndex[] indexes, int block, ulong first, ulong second, int radius)
    {
        for (var k = 0; k < block; k++)
        {
            if (BitOperations.PopCount(indexes[k].KeyOf(first) ^ indexes[k].KeyOf(second)) <= radius)
            {
                return true;
            }
        }
        return false;
    }

    private static void CompareAllPairs(ulong[] hashes, int threshold, Action<int, int> onPair)
    {
        for (var i = 0; i < hashes.Length; i++)
        {
            for (var j = i + 1; j < hashes.Length; j++)
            {
                if (BitOperations.PopCount(hashes[i] ^ hashes[j]) <= threshold)
                {
                    onPair(i, j);
                }
            }
        }
    }

    /// <summary>The number of blocks with the least expected work, or 0 when comparing all pairs is cheaper.</summary>
    public static int ChooseBlocks(int count, int threshold)
    {
        var best = 0;
        var bestCost = (double)count * count / 2;
        for (var blocks = MinBlocks; blocks <= Math.Max(MinBlocks, Math.Min(threshold + 1, PerceptualHash.Bits)); blocks++)
        {
            var radius = threshold / blocks;
            var narrowest = PerceptualHash.Bits / blocks;
            var widest = narrowest + (PerceptualHash.Bits % blocks == 0 ? 0 : 1);
            var probes = BallVolume(widest, radius);
            // Per hash and block: the probes, and the hashes found in them (count / 2^bits each when spread evenly).
            var cost = (double)count * blocks * probes * (1.0 + (count / Math.Pow(2, narrowest)));
            // Building the indexes: a pass over the hashes and the offsets of every block.
            cost += (double)blocks * (count + Math.Pow(2, widest));
            if (cost < bestCost)
            {
                best = blocks;
                bestCost = cost;
            }
        }
        return best;
    }

    // Contiguous blocks, the wider ones (when 64 does not divide evenly) first, the first block in the top bits.
    private static (int Shift, int Width)[] BlockLayout(int blocks)
    {
        var layout = new (int Shift, int Width)[blocks];
        var top = PerceptualHash.Bits;
        for (var k = 0; k < blocks; k++)
        {
            var width = (PerceptualHash.Bits / blocks) + (k < PerceptualHash.Bits % blocks ? 1 : 0);
            top -= width;
            layout[k] = (top, width);
        }
        return layout;
    }

    private static double BallVolume(int bits, int radius)
    {
        var volume = 0.0;
        var binomial = 1.0;
        for (var r = 0; r <= Math.Min(radius, bits); r++)
        {
            volume += binomial;
            binomial = binomial * (bits - r) / (r + 1);
        }
        return volume;
    }

    // Every mask of `width` bits with at most `radius` bits set, fewest bits first.
    private static uint[] MasksWithinRadius(int width, int radius)
    {
        var masks = new List<uint> { 0 };
        var frontier = new List<uint> { 0 };
        for (var r = 1; r <= Math.Min(radius, width); r++)
        {
            var next = new List<uint>();
            foreach (var mask in frontier)
            {
                // Add bits above the highest set one, so each mask is generated once.
                var lowest = mask == 0 ? 0 : 32 - BitOperations.LeadingZeroCount(mask);
                for (var bit = lowest; bit < width; bit++)
                {
                    next.Add(mask | (1u << bit));
                }
            }
            masks.AddRange(next);
            frontier = next;
        }
        return [.. masks];
    }

    /// <summary>The hashes bucketed by one block's value: Members[Offsets[v] .. Offsets[v + 1]) hold value v, ascending.</summary>
    private sealed class BlockIndex
    {
        private readonly int shift;
        private readonly ulong mask;

        private BlockIndex(int shift, int width, int[] offsets, int[] members)
        {
            this.shift = shift;
            mask = (1UL << width) - 1;
            Offsets = offsets;
            Members = members;
        }

        public int[] Offsets { get; }

        public int[] Members { get; }

        public uint KeyOf(ulong hash) => (uint)((hash >> shift) & mask);

        public static BlockIndex Build(ulong[] hashes, int shift, int width)
        {
            var offsets = new int[(1 << width) + 1];
            var members = new int[hashes.Length];
            var index = new BlockIndex(shift, width, offsets, members);
            foreach (var hash in hashes)
            {
                offsets[index.KeyOf(hash) + 1]++;
            }
            for (var v = 0; v < (1 << width); v++)
            {
                offsets[v + 1] += offsets[v];
            }
            var next = offsets[..^1];
            for (var i = 0; i < hashes.Length; i++)
            {
                members[next[index.KeyOf(hashes[i])]++] = i;
            }
            return index;
        }
    }

    /// <summary>Union–find with path halving; the smaller index becomes the root, so the structure does not depend on the order of unions.</summary>
    private sealed class DisjointSets(int count)
    {
        private readonly int[] parent = Enumerable.Range(0, count).ToArray();

        public int Find(int element)
        {
            while (parent[element] != element)
            {
                parent[element] = parent[parent[element]];
                element = parent[element];
            }
            return element;
        }

        public void Union(int first, int second)
        {
            var a = Find(first);
            var b = Find(second);
            if (a != b)
            {
                parent[Math.Max(a, b)] = Math.Min(a, b);
            }
        }
    }
}
