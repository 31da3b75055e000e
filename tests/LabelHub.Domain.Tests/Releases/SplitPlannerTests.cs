using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

public sealed class SplitPlannerTests
{
    private static readonly string[] Labels = ["cat", "dog", "bird", "fish", "frog"];

    // SHA-256 vectors computed with Python's hashlib and checked with sha256sum (docs/releases/splits.md):
    // printf '42i\x00\x00\x00\x00\x00\x00\x00\x01' | sha256sum → 56bb1be21d4a1543…
    [Theory]
    [InlineData("42", SplitUnitKind.Item, 1L, 0x56bb1be21d4a1543UL, 0.33879255552646037)]
    [InlineData("42", SplitUnitKind.Item, 2L, 0x158e4f02ba4ed507UL, 0.08420270744891956)]
    [InlineData("42", SplitUnitKind.DuplicateGroup, 1L, 0x7bbccde927cb114cUL, 0.48334967558166064)]
    [InlineData("42", SplitUnitKind.Item, -5L, 0x6793f727e1ba97d3UL, 0.40460152362514124)]
    [InlineData("release-seed", SplitUnitKind.Item, 1_000_000L, 0xab47be1abcab8899UL, 0.669063455131136)]
    [InlineData("시드", SplitUnitKind.DataKey, 8031399540765433556L, 0x51593281a29ad6c6UL, 0.31776729264184245)]
    public void Unit_hash_and_u_match_hand_checked_sha256_vectors(string seed, SplitUnitKind kind, long key, ulong hash, double u)
    {
        Assert.Equal(hash, SplitPlanner.UnitHash(seed, kind, key));
        Assert.Equal(u, SplitPlanner.UnitFraction(seed, kind, key));
    }

    [Fact]
    public void A_data_key_value_hashes_to_the_first_8_bytes_of_its_sha256()
    {
        // printf 'patient-007' | sha256sum → 6f754354848f1ed4…
        Assert.Equal(0x6f754354848f1ed4L, SplitPlanner.DataKeyGroup("patient-007"));
        Assert.NotEqual(SplitPlanner.DataKeyGroup("P01"), SplitPlanner.DataKeyGroup("p01"));
        Assert.Equal(SplitPlanner.DataKeyGroup(new string('x', 1000)), SplitPlanner.DataKeyGroup(new string('x', 1000)));
    }

    [Fact]
    public void Random_splits_follow_the_cumulative_ratio_ranges_of_u()
    {
        // Ranges for 0.3 / 0.3 / 0.4: train [0, 0.3), validation [0.3, 0.6), test [0.6, 1).
        var ratios = Ratios(0.3, 0.3, 0.4);
        var plan = SplitPlanner.Plan(new SplitSettings { Seed = "42", Ratios = ratios }, Labels, [Item(1), Item(2), Item(-5)]);
        Assert.Equal(SplitNames.Validation, plan.SplitOf(1)); // u 0.3388
        Assert.Equal(SplitNames.Train, plan.SplitOf(2)); // u 0.0842
        Assert.Equal(SplitNames.Validation, plan.SplitOf(-5)); // u 0.4046
        var other = SplitPlanner.Plan(new SplitSettings { Seed = "release-seed", Ratios = ratios }, Labels, [Item(1_000_000)]);
        Assert.Equal(SplitNames.Test, other.SplitOf(1_000_000)); // u 0.6691
        // A duplicate group is placed by its own u: group 1 under seed 42 is 0.4833, validation, for every member.
        var grouped = SplitPlanner.Plan(new SplitSettings { Seed = "42", Ratios = ratios, Grouping = SplitGrouping.DuplicateGroups }, Labels,
            [Item(2, group: 1), Item(7, group: 1), Item(9, group: 1)]);
        Assert.All(grouped.SplitIndexes.ToArray(), s => Assert.Equal(1, s));
    }

    [Fact]
    public void Stratified_units_in_u_order_go_to_the_split_furthest_below_target()
    {
        // u order under seed 42: item 2 (0.084), item 1 (0.339), item 3 (0.340). With thirds, the first ties everywhere
        // (train), the second is furthest below in validation and test (validation first), the third in test.
        var third = 1.0 / 3;
        var settings = new SplitSettings { Seed = "42", Ratios = Ratios(third, third, third), Mode = SplitMode.Stratified, LabelField = "animal" };
        var plan = SplitPlanner.Plan(settings, Labels, [Item(3, label: 0), Item(1, label: 0), Item(2, label: 0)]);
        Assert.Equal(SplitNames.Train, plan.SplitOf(2));
        Assert.Equal(SplitNames.Validation, plan.SplitOf(1));
        Assert.Equal(SplitNames.Test, plan.SplitOf(3));
        // Item 2 already in test: the other two fill train, then validation.
        var grown = SplitPlanner.Plan(settings, Labels, [Item(3, label: 0), Item(1, label: 0), Item(2, label: 0, previous: 2)]);
        Assert.Equal(SplitNames.Test, grown.SplitOf(2));
        Assert.Equal(SplitNames.Train, grown.SplitOf(1));
        Assert.Equal(SplitNames.Validation, grown.SplitOf(3));
    }

    [Theory]
    [InlineData(SplitMode.Random, SplitGrouping.None)]
    [InlineData(SplitMode.Random, SplitGrouping.DuplicateGroups)]
    [InlineData(SplitMode.Stratified, SplitGrouping.None)]
    [InlineData(SplitMode.Stratified, SplitGrouping.DataKey)]
    public void The_same_items_in_any_order_give_the_same_plan(SplitMode mode, SplitGrouping grouping)
    {
        var settings = Settings(mode, grouping);
        var items = Project(5_000, seed: 1, groupShare: 0.5);
        var first = SplitPlanner.Plan(settings, Labels, items);
        var shuffled = items.ToArray();
        new Random(99).Shuffle(shuffled);
        var second = SplitPlanner.Plan(settings, Labels, shuffled);
        Assert.Equal(first.ItemIds.ToArray(), second.ItemIds.ToArray());
        Assert.Equal(first.SplitIndexes.ToArray(), second.SplitIndexes.ToArray());
        Assert.Equal(first.Summary.Splits, second.Summary.Splits);
        Assert.True(first.ItemIds.ToArray().SequenceEqual(items.Select(i => i.ItemId).Order()));
    }

    [Theory]
    [InlineData(SplitMode.Random, SplitGrouping.None)]
    [InlineData(SplitMode.Random, SplitGrouping.DuplicateGroups)]
    [InlineData(SplitMode.Stratified, SplitGrouping.None)]
    [InlineData(SplitMode.Stratified, SplitGrouping.DuplicateGroups)]
    [InlineData(SplitMode.Stratified, SplitGrouping.DataKey)]
    public void Growing_by_a_fifth_never_moves_an_item_of_the_previous_release(SplitMode mode, SplitGrouping grouping)
    {
        var settings = Settings(mode, grouping);
        var release1Items = Project(10_000, seed: 2, groupShare: 0.6);
        var release1 = SplitPlanner.Plan(settings, Labels, release1Items);
        // Release 2: 5 % of the old items removed, 20 % more items, some of them new members of old groups.
        var random = new Random(3);
        var kept = release1Items.Where(_ => random.NextDouble() >= 0.05)
            .Select(i => i with { PreviousSplit = SplitPlanner.SplitIndex(release1.SplitOf(i.ItemId)) }).ToList();
        var added = Project(2_000, seed: 4, groupShare: 0.6, firstId: 20_001, groupRange: 5_000);
        var release2 = SplitPlanner.Plan(settings, Labels, [.. kept, .. added]);
        Assert.All(kept, i => Assert.Equal(release1.SplitOf(i.ItemId), release2.SplitOf(i.ItemId)));
        Assert.Equal(kept.Count, release2.Summary.KeptItems);
        Assert.Equal(added.Count, release2.Summary.NewItems);
        Assert.Equal(0, release2.Summary.StraddlingGroups);
        if (grouping != SplitGrouping.None)
        {
            AssertNoGroupStraddles(release2, [.. kept, .. added]);
            // The new members of old groups joined them.
            Assert.Contains(added, a => kept.Any(k => k.GroupKey == a.GroupKey));
        }
    }

    [Theory]
    [InlineData(SplitMode.Random, SplitGrouping.DuplicateGroups)]
    [InlineData(SplitMode.Random, SplitGrouping.DataKey)]
    [InlineData(SplitMode.Stratified, SplitGrouping.DuplicateGroups)]
    [InlineData(SplitMode.Stratified, SplitGrouping.DataKey)]
    public void Groups_never_straddle_splits(SplitMode mode, SplitGrouping grouping)
    {
        var items = Project(20_000, seed: 5, groupShare: 0.8, groupRange: 2_000);
        var plan = SplitPlanner.Plan(Settings(mode, grouping), Labels, items);
        AssertNoGroupStraddles(plan, items);
        Assert.Equal(items.Where(i => i.GroupKey is not null).Select(i => i.GroupKey).Distinct().Count() + items.Count(i => i.GroupKey is null), plan.Summary.Units);
        Assert.All(plan.Summary.Splits, s => Assert.True(s.Items > 0));
    }

    [Fact]
    public void Without_grouping_group_keys_are_ignored()
    {
        var items = Project(2_000, seed: 6, groupShare: 1, groupRange: 10);
        var plan = SplitPlanner.Plan(Settings(SplitMode.Random, SplitGrouping.None), Labels, items);
        Assert.Equal(items.Count, plan.Summary.Units);
        Assert.Equal(3, plan.SplitIndexes.ToArray().Distinct().Count());
    }

    [Fact]
    public void A_group_takes_the_split_most_of_its_earlier_members_had_and_a_tie_takes_the_first_split()
    {
        var settings = Settings(SplitMode.Random, SplitGrouping.DuplicateGroups);
        SplitItem[] items =
        [
            // Group 10: two in test, one in train → the new member goes to test.
            Item(1, group: 10, previous: 2), Item(2, group: 10, previous: 0), Item(3, group: 10, previous: 2), Item(4, group: 10),
            // Group 20: one in validation, one in test → tie → validation (it comes before test).
            Item(5, group: 20, previous: 2), Item(6, group: 20, previous: 1), Item(7, group: 20),
            // Group 30: all earlier members in train.
            Item(8, group: 30, previous: 0), Item(9, group: 30),
        ];
        var plan = SplitPlanner.Plan(settings, Labels, items);
        Assert.Equal([SplitNames.Test, SplitNames.Train, SplitNames.Test, SplitNames.Test], new long[] { 1, 2, 3, 4 }.Select(plan.SplitOf));
        Assert.Equal([SplitNames.Test, SplitNames.Validation, SplitNames.Validation], new long[] { 5, 6, 7 }.Select(plan.SplitOf));
        Assert.Equal([SplitNames.Train, SplitNames.Train], new long[] { 8, 9 }.Select(plan.SplitOf));
        Assert.Equal(2, plan.Summary.StraddlingGroups);
        Assert.Equal(3, plan.Summary.NewItems);
    }

    [Fact]
    public void Random_shares_are_within_binomial_tolerance_at_100000_items()
    {
        var plan = SplitPlanner.Plan(new SplitSettings { Seed = "binomial" }, Labels, Project(100_000, seed: 7, groupShare: 0));
        foreach (var split in plan.Summary.Splits)
        {
            // Five standard deviations of a binomial count: a fair hash fails this about once in 1.7 million runs.
            var expected = 100_000 * split.Ratio;
            var sigma = Math.Sqrt(100_000 * split.Ratio * (1 - split.Ratio));
            Assert.InRange(split.Items, expected - (5 * sigma), expected + (5 * sigma));
        }
    }

    [Theory]
    [InlineData(0.8, 0.1, 0.1)]
    [InlineData(0.7, 0.2, 0.1)]
    [InlineData(0.5, 0.5, 0)]
    [InlineData(0.34, 0.33, 0.33)]
    public void Stratified_shares_per_label_are_within_one_item_of_target_from_empty_and_after_growth(double train, double validation, double test)
    {
        var settings = new SplitSettings { Seed = "strata", Ratios = Ratios(train, validation, test), Mode = SplitMode.Stratified, LabelField = "animal" };
        // Skewed labels: thousands, hundreds, tens, a handful; some items unlabeled.
        var items = Skewed(firstId: 1, [4_000, 700, 61, 9, 2], unlabeled: 37);
        var plan = SplitPlanner.Plan(settings, Labels, items);
        AssertWithinOneItemOfTarget(plan.Summary, settings);

        var grown = items.Select(i => i with { PreviousSplit = SplitPlanner.SplitIndex(plan.SplitOf(i.ItemId)) })
            .Concat(Skewed(firstId: 100_000, [800, 140, 12, 2, 1], unlabeled: 8)).ToList();
        var next = SplitPlanner.Plan(settings, Labels, grown);
        AssertWithinOneItemOfTarget(next.Summary, settings);
        Assert.All(items, i => Assert.Equal(plan.SplitOf(i.ItemId), next.SplitOf(i.ItemId)));
    }

    [Fact]
    public void Stratified_growth_after_a_random_release_moves_the_balance_towards_target()
    {
        // Release 1 was random; release 2 is stratified and may only place the new items: their placement evens out
        // what chance left, so each label ends closer to its target than the kept items alone were.
        var items = Skewed(firstId: 1, [300, 100, 40], unlabeled: 0);
        var random = SplitPlanner.Plan(new SplitSettings { Seed = "s" }, Labels, items);
        var stratified = new SplitSettings { Seed = "s", Mode = SplitMode.Stratified, LabelField = "animal" };
        var grown = items.Select(i => i with { PreviousSplit = SplitPlanner.SplitIndex(random.SplitOf(i.ItemId)) })
            .Concat(Skewed(firstId: 10_000, [300, 100, 40], unlabeled: 0)).ToList();
        var next = SplitPlanner.Plan(stratified, Labels, grown);
        for (var label = 0; label < 3; label++)
        {
            Assert.True(WorstDeviation(next.Summary.Labels[label], stratified) <= Math.Max(1, WorstDeviation(random.Summary.Labels[label], stratified)));
        }
    }

    [Fact]
    public void A_groups_stratum_is_the_majority_label_of_its_labeled_members_and_a_tie_takes_the_first_label()
    {
        // One unit per stratum and ratios 0.5 / 0.5: the first unit of each stratum goes to train. If group 1 were
        // counted under dog (its tie) or unlabeled, it would share a stratum with another unit and one would go to validation.
        var settings = new SplitSettings { Seed = "g", Ratios = Ratios(0.5, 0.5, 0), Mode = SplitMode.Stratified, LabelField = "animal", Grouping = SplitGrouping.DuplicateGroups };
        SplitItem[] items =
        [
            Item(1, group: 1, label: 1), Item(2, group: 1, label: 0), Item(3, group: 1), Item(4, group: 1), // cat/dog tie → cat
            Item(5, label: 1), // dog
            Item(6, group: 2), Item(7, group: 2), // unlabeled
            Item(8, group: 3, label: 2), Item(9, group: 3, label: 2), Item(10, group: 3, label: 0), // bird
        ];
        var plan = SplitPlanner.Plan(settings, Labels, items);
        Assert.All(plan.SplitIndexes.ToArray(), s => Assert.Equal(0, s));
        // The summary counts items by their own label.
        Assert.Equal([2, 2, 2, 0, 0], plan.Summary.Labels.Take(5).Select(l => l.Items));
        Assert.Equal(4, plan.Summary.Labels[^1].Items);
        Assert.Null(plan.Summary.Labels[^1].Label);
    }

    [Fact]
    public void A_different_seed_gives_a_different_assignment()
    {
        var items = Project(2_000, seed: 8, groupShare: 0);
        var one = SplitPlanner.Plan(new SplitSettings { Seed = "1" }, Labels, items).SplitIndexes.ToArray();
        var two = SplitPlanner.Plan(new SplitSettings { Seed = "2" }, Labels, items).SplitIndexes.ToArray();
        // Independent 0.8/0.1/0.1 draws differ for 34 % of the items.
        var differing = one.Zip(two).Count(p => p.First != p.Second);
        Assert.InRange(differing, 500, 860);
    }

    [Theory]
    [InlineData(SplitMode.Random)]
    [InlineData(SplitMode.Stratified)]
    public void A_split_with_ratio_zero_gets_no_new_items(SplitMode mode)
    {
        var settings = new SplitSettings { Seed = "z", Ratios = Ratios(0.9, 0, 0.1), Mode = mode, LabelField = "animal" };
        var items = Project(3_000, seed: 9, groupShare: 0).Append(Item(50_000, previous: 1)).ToList();
        var plan = SplitPlanner.Plan(settings, Labels, items);
        Assert.Equal(1, plan.Summary.Splits[1].Items);
        Assert.Equal(1, plan.Summary.Splits[1].KeptItems);
        Assert.Equal(SplitNames.Validation, plan.SplitOf(50_000));
    }

    [Fact]
    public void The_summary_counts_items_per_split_and_label_with_their_shares()
    {
        SplitItem[] items =
        [
            Item(1, label: 0, previous: 0), Item(2, label: 0, previous: 0), Item(3, label: 0, previous: 1), Item(4, label: 1, previous: 0),
            Item(5, label: 1, previous: 2), Item(6, previous: 2),
        ];
        var plan = SplitPlanner.Plan(new SplitSettings { Seed = "sum" }, ["cat", "dog", "bird"], items);
        var summary = plan.Summary;
        Assert.Equal(6, summary.Items);
        Assert.Equal(6, summary.KeptItems);
        Assert.Equal(0, summary.NewItems);
        Assert.Equal(new SplitSize(SplitNames.Train, 0.8, 3, 0.5, 3, 0), summary.Splits[0]);
        Assert.Equal(new SplitSize(SplitNames.Validation, 0.1, 1, 1.0 / 6, 1, 0), summary.Splits[1]);
        Assert.Equal(new SplitSize(SplitNames.Test, 0.1, 2, 2.0 / 6, 2, 0), summary.Splits[2]);
        Assert.Equal(["cat", "dog", "bird", null], summary.Labels.Select(l => l.Label));
        var cat = summary.Labels[0];
        Assert.Equal(3, cat.Items);
        Assert.Equal(new SplitLabelCount(SplitNames.Train, 2, 2.0 / 3, 2.0 / 3), cat.Splits[0]);
        Assert.Equal(new SplitLabelCount(SplitNames.Validation, 1, 1.0 / 3, 1), cat.Splits[1]);
        Assert.Equal(new SplitLabelCount(SplitNames.Test, 0, 0, 0), cat.Splits[2]);
        Assert.Equal(new SplitLabelCount(SplitNames.Test, 0, 0, 0), summary.Labels[2].Splits[2]);
        Assert.Equal(new SplitLabelCount(SplitNames.Test, 1, 1, 0.5), summary.Labels[3].Splits[2]);
    }

    [Fact]
    public void An_empty_release_plans_nothing()
    {
        var plan = SplitPlanner.Plan(new SplitSettings { Seed = "e" }, Labels, []);
        Assert.Equal(0, plan.Count);
        Assert.All(plan.Summary.Splits, s => Assert.Equal(0, s.Share));
        Assert.Equal(5, plan.Summary.Labels.Count);
    }

    [Fact]
    public void Bad_items_are_programming_errors()
    {
        var settings = new SplitSettings { Seed = "x" };
        Assert.Throws<ArgumentException>(() => SplitPlanner.Plan(settings, Labels, [Item(1), Item(1)]));
        Assert.Throws<ArgumentException>(() => SplitPlanner.Plan(settings, Labels, [Item(1, label: 5)]));
        Assert.Throws<ArgumentException>(() => SplitPlanner.Plan(settings, Labels, [Item(1, previous: 3)]));
        Assert.Throws<ArgumentException>(() => SplitPlanner.SplitIndex("dev"));
        Assert.Throws<ArgumentException>(() => SplitPlanner.Plan(settings, Labels, [Item(1)]).SplitOf(2));
        Assert.Equal([0, 1, 2, -1], new[] { "train", "validation", "test", null }.Select(SplitPlanner.SplitIndex));
    }

    private static SplitItem Item(long id, long? group = null, int label = SplitItem.Unlabeled, int previous = SplitItem.NotInPreviousRelease) =>
        new(id, group, label, previous);

    private static IReadOnlyDictionary<string, double> Ratios(double train, double validation, double test) =>
        new Dictionary<string, double> { [SplitNames.Train] = train, [SplitNames.Validation] = validation, [SplitNames.Test] = test };

    private static SplitSettings Settings(SplitMode mode, SplitGrouping grouping) => new()
    {
        Seed = "property",
        Mode = mode,
        Grouping = grouping,
        GroupKeyName = grouping == SplitGrouping.DataKey ? "patient" : null,
        LabelField = "animal",
    };

    /// <summary>Items with random labels (a tenth unlabeled); a share of them in groups keyed 0..groupRange−1.</summary>
    private static List<SplitItem> Project(int count, int seed, double groupShare, long firstId = 1, int groupRange = 0)
    {
        var random = new Random(seed);
        var range = groupRange > 0 ? groupRange : Math.Max(1, count / 3);
        var items = new List<SplitItem>(count);
        for (var i = 0; i < count; i++)
        {
            var label = random.NextDouble() < 0.1 ? SplitItem.Unlabeled : random.Next(Labels.Length);
            long? group = random.NextDouble() < groupShare ? random.Next(range) : null;
            items.Add(Item(firstId + i, group, label));
        }
        return items;
    }

    private static List<SplitItem> Skewed(long firstId, int[] perLabel, int unlabeled)
    {
        var items = new List<SplitItem>();
        var id = firstId;
        for (var label = 0; label < perLabel.Length; label++)
        {
            for (var k = 0; k < perLabel[label]; k++)
            {
                items.Add(Item(id++, label: label));
            }
        }
        for (var k = 0; k < unlabeled; k++)
        {
            items.Add(Item(id++));
        }
        return items;
    }

    private static void AssertNoGroupStraddles(SplitPlan plan, IEnumerable<SplitItem> items)
    {
        foreach (var group in items.Where(i => i.GroupKey is not null).GroupBy(i => i.GroupKey))
        {
            Assert.Single(group.Select(i => plan.SplitOf(i.ItemId)).Distinct());
        }
    }

    private static void AssertWithinOneItemOfTarget(SplitSummary summary, SplitSettings settings)
    {
        foreach (var balance in summary.Labels)
        {
            Assert.True(WorstDeviation(balance, settings) <= 1, $"{balance.Label ?? "unlabeled"}: {string.Join(", ", balance.Splits.Select(s => s.Items))} of {balance.Items}");
        }
    }

    private static double WorstDeviation(SplitLabelBalance balance, SplitSettings settings) =>
        balance.Splits.Max(s => Math.Abs(s.Items - (settings.Ratios[s.Split] * balance.Items)));
}
