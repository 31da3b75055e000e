using System.Numerics;
using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

public sealed class HammingGroupingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(24)]
    public void Multi_index_search_finds_exactly_the_pairs_brute_force_finds(int threshold)
    {
        var hashes = HashesWithPlantedNeighbours(seed: threshold, count: 1500, maxFlips: threshold + 3);
        var expected = BruteForce(hashes, threshold);
        Assert.NotEmpty(expected);

        // Block counts with at most 3 bits of radius per block: wider radii probe millions of buckets per hash.
        foreach (var blocks in new[] { 0, 3, 4, 5, 7, threshold + 1, 64 }.Where(b => b == 0 || (b is >= 3 and <= 64 && threshold / b <= 3)).Distinct())
        {
            var found = new List<(int, int)>();
            HammingGrouping.ForEachPair(hashes, threshold, (i, j) => found.Add((i, j)), blocks);
            found.Sort();
            Assert.True(expected.SequenceEqual(found), $"{blocks} blocks: {found.Count} pairs, brute force {expected.Count}");
        }
        Assert.Equal(expected, HammingGrouping.FindPairs(hashes, threshold));
    }

    [Fact]
    public void Pairs_exactly_at_the_threshold_are_in_and_one_bit_further_are_out()
    {
        ulong a = 0x0123456789ABCDEFUL;
        var atThreshold = a ^ 0b1111111111UL;               // 10 bits
        var beyond = a ^ (0b11111111111UL << 40);           // 11 bits
        ulong[] hashes = [a, atThreshold, beyond];

        foreach (var blocks in new[] { 0, 3, 11, 64 })
        {
            var found = new List<(int, int)>();
            HammingGrouping.ForEachPair(hashes, 10, (i, j) => found.Add((i, j)), blocks);
            Assert.Equal([(0, 1)], found);
        }
        Assert.Empty(HammingGrouping.FindPairs(hashes, 9));
        Assert.Equal([(0, 1), (0, 2)], HammingGrouping.FindPairs(hashes, 11));
        // Complementary hashes are 64 bits apart: only a threshold of 64 pairs them.
        Assert.Empty(HammingGrouping.FindPairs([0UL, ulong.MaxValue], 63));
        Assert.Equal([(0, 1)], HammingGrouping.FindPairs([0UL, ulong.MaxValue], 64));
    }

    [Fact]
    public void Equal_hashes_pair_at_threshold_zero_and_nothing_else_does()
    {
        ulong[] hashes = [5, 7, 5, 5, 1UL << 63];
        Assert.Equal([(0, 2), (0, 3), (2, 3)], HammingGrouping.FindPairs(hashes, 0));
    }

    [Fact]
    public void Groups_are_connected_components_with_sorted_ids_and_singletons_left_out()
    {
        ulong baseHash = 0xF0F0F0F0F0F0F0F0UL;
        HashedItem[] items =
        [
            new(40, baseHash),
            new(7, baseHash ^ 0b111),              // 3 from 40
            new(19, baseHash ^ 0b111_000_000),     // 3 from 40, 6 from 7: joined through 40
            new(3, ~baseHash),                     // alone
            new(25, 0x1234UL),
            new(11, 0x1234UL),                     // equal hashes
        ];

        var groups = HammingGrouping.Group(items, 4);

        Assert.Equal(2, groups.Count);
        Assert.Equal([7L, 19L, 40L], groups[0]);
        Assert.Equal([11L, 25L], groups[1]);
        Assert.DoesNotContain(groups, g => g.Contains(3L));
    }

    [Fact]
    public void Groups_match_components_of_the_brute_force_pairs_and_do_not_depend_on_input_order()
    {
        var hashes = HashesWithPlantedNeighbours(seed: 99, count: 3000, maxFlips: 8);
        var items = hashes.Select((h, i) => new HashedItem(1000 + i, h)).ToArray();
        var expected = ComponentsOf(BruteForce(hashes, 6), hashes.Length).Select(c => c.Select(i => 1000L + i).ToArray()).ToList();

        var groups = HammingGrouping.Group(items, 6);
        var shuffled = HammingGrouping.Group(items.Reverse().ToArray(), 6);

        Assert.Equal(expected.Count, groups.Count);
        Assert.Equal(expected, groups);
        Assert.Equal(groups, shuffled);
    }

    [Fact]
    public void Representative_groups_keep_members_near_their_representative_and_do_not_chain()
    {
        // A chain 0 – 1 – 2 – 3, each 3 bits from the next: one component, but 3 is 9 bits from 0.
        ulong start = 0xAAAA_0000_FFFF_1234UL;
        HashedItem[] chain =
        [
            new(1, start),
            new(2, start ^ 0b111UL),
            new(3, start ^ 0b111_111UL),
            new(4, start ^ 0b111_111_111UL),
            new(5, start ^ 0b111UL),   // equal to item 2's hash
        ];

        Assert.Equal([[1L, 2L, 3L, 4L, 5L]], HammingGrouping.Group(chain, 3));
        var groups = HammingGrouping.GroupAroundRepresentatives(chain, 3);
        // 1 takes 2 and 5 (3 bits); 3 is 6 bits from 1, so it leads its own group and takes 4.
        Assert.Equal(2, groups.Count);
        Assert.Equal(1L, groups[0].RepresentativeId);
        Assert.Equal([1L, 2L, 5L], groups[0].ItemIds);
        Assert.Equal(3L, groups[1].RepresentativeId);
        Assert.Equal([3L, 4L], groups[1].ItemIds);
    }

    [Fact]
    public void Representative_groups_on_random_hashes_satisfy_their_invariants()
    {
        var hashes = HashesWithPlantedNeighbours(seed: 7, count: 3000, maxFlips: 10);
        var items = hashes.Select((h, i) => new HashedItem(5000 - i, h)).ToArray();
        var hashOf = items.ToDictionary(x => x.ItemId, x => x.Hash);
        const int Threshold = 6;

        var groups = HammingGrouping.GroupAroundRepresentatives(items, Threshold);

        Assert.NotEmpty(groups);
        var grouped = groups.SelectMany(g => g.ItemIds).ToList();
        Assert.Equal(grouped.Count, grouped.Distinct().Count());
        foreach (var group in groups)
        {
            Assert.Contains(group.RepresentativeId, group.ItemIds);
            Assert.Equal(group.ItemIds.Order(), group.ItemIds);
            Assert.All(group.ItemIds, id => Assert.InRange(PerceptualHash.Distance(hashOf[id], hashOf[group.RepresentativeId]), 0, Threshold));
        }
        var representatives = groups.Select(g => g.RepresentativeId).ToArray();
        Assert.Equal(representatives.Order(), representatives);
        for (var i = 0; i < representatives.Length; i++)
        {
            for (var j = i + 1; j < representatives.Length; j++)
            {
                Assert.True(PerceptualHash.Distance(hashOf[representatives[i]], hashOf[representatives[j]]) > Threshold);
            }
        }
        // An item left alone was a representative of nothing: every representative is further than the threshold from it.
        var ungrouped = items.Where(x => !grouped.Contains(x.ItemId)).ToArray();
        Assert.All(ungrouped, x => Assert.All(representatives, r => Assert.True(PerceptualHash.Distance(x.Hash, hashOf[r]) > Threshold)));
        // The same groups from any input order.
        Assert.Equal(groups.Select(g => (g.RepresentativeId, string.Join(",", g.ItemIds))),
            HammingGrouping.GroupAroundRepresentatives(items.Reverse().ToArray(), Threshold).Select(g => (g.RepresentativeId, string.Join(",", g.ItemIds))));
    }

    [Fact]
    public void The_block_count_grows_with_the_number_of_hashes_and_brute_force_is_kept_for_few()
    {
        Assert.Equal(0, HammingGrouping.ChooseBlocks(100, 10));
        var forMillion = HammingGrouping.ChooseBlocks(1_000_000, 10);
        Assert.InRange(forMillion, 3, 11);
        Assert.InRange(HammingGrouping.ChooseBlocks(1_000_000, 0), 3, 4);
    }

    // Random hashes, and for half of them a copy with up to maxFlips bits flipped, so that pairs exist at every distance.
    private static ulong[] HashesWithPlantedNeighbours(int seed, int count, int maxFlips)
    {
        var random = new Random(seed);
        var hashes = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && random.Next(2) == 0)
            {
                var hash = hashes[random.Next(i)];
                var flips = random.Next(maxFlips + 1);
                for (var f = 0; f < flips; f++)
                {
                    hash ^= 1UL << random.Next(64);
                }
                hashes[i] = hash;
            }
            else
            {
                hashes[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
            }
        }
        return hashes;
    }

    private static List<(int, int)> BruteForce(ulong[] hashes, int threshold)
    {
        var pairs = new List<(int, int)>();
        for (var i = 0; i < hashes.Length; i++)
        {
            for (var j = i + 1; j < hashes.Length; j++)
            {
                if (BitOperations.PopCount(hashes[i] ^ hashes[j]) <= threshold)
                {
                    pairs.Add((i, j));
                }
            }
        }
        return pairs;
    }

    private static List<int[]> ComponentsOf(List<(int, int)> pairs, int count)
    {
        var neighbours = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        foreach (var (i, j) in pairs)
        {
            neighbours[i].Add(j);
            neighbours[j].Add(i);
        }
        var seen = new bool[count];
        var components = new List<int[]>();
        for (var start = 0; start < count; start++)
        {
            if (seen[start] || neighbours[start].Count == 0)
            {
                continue;
            }
            var component = new List<int>();
            var stack = new Stack<int>([start]);
            seen[start] = true;
            while (stack.Count > 0)
            {
                var node = stack.Pop();
                component.Add(node);
                foreach (var next in neighbours[node].Where(n => !seen[n]))
                {
                    seen[next] = true;
                    stack.Push(next);
                }
            }
            component.Sort();
            components.Add([.. component]);
        }
        return components;
    }
}
