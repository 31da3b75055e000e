using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

/// <summary>The held-out split: a partition, the same every time, stable as items are added, and near the requested share.</summary>
public sealed class ValidationSplitTests
{
    private static HashSet<long> ValidationIds(IReadOnlyList<long> ids, double share, int seed) =>
        [.. ValidationSplit.Split(ids, share, seed).Validation.Select(i => ids[i])];

    [Fact]
    public void Every_item_is_on_exactly_one_side()
    {
        var ids = Enumerable.Range(1, 500).Select(i => (long)i * 37).ToArray();

        var (train, validation) = ValidationSplit.Split(ids, 0.2, 0);

        Assert.Equal(Enumerable.Range(0, 500), train.Concat(validation).Order());
        Assert.Equal(train.Order(), train);
        Assert.Equal(validation.Order(), validation);
    }

    [Fact]
    public void The_same_ids_and_seed_give_the_same_split_and_another_seed_another()
    {
        var ids = Enumerable.Range(1, 1000).Select(i => (long)i).ToArray();

        var (train, validation) = ValidationSplit.Split(ids, 0.2, 4);
        var (trainAgain, validationAgain) = ValidationSplit.Split(ids, 0.2, 4);

        Assert.Equal(train, trainAgain);
        Assert.Equal(validation, validationAgain);
        Assert.NotEqual(ValidationIds(ids, 0.2, 4), ValidationIds(ids, 0.2, 5));
    }

    [Fact]
    public void Items_keep_their_side_as_the_project_grows_and_in_any_order()
    {
        var before = Enumerable.Range(1, 1000).Select(i => (long)i).ToArray();
        var grown = before.Concat(Enumerable.Range(5000, 3000).Select(i => (long)i)).Reverse().ToArray();

        var heldOutBefore = ValidationIds(before, 0.15, 9);
        var heldOutAfter = ValidationIds(grown, 0.15, 9);

        Assert.Equal(heldOutBefore, heldOutAfter.Where(id => id <= 1000).ToHashSet());
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.2)]
    [InlineData(0.5)]
    public void The_share_is_respected_on_ten_thousand_ids(double share)
    {
        var ids = Enumerable.Range(0, 10_000).Select(i => 1_000_000L + i).ToArray();

        var validation = ValidationSplit.Split(ids, share, 1).Validation.Length;

        // Binomial sd is at most 50 here; ±250 is five of them.
        Assert.InRange(validation, share * 10_000 - 250, share * 10_000 + 250);
    }

    [Fact]
    public void Five_items_always_hold_one_out_fewer_may_hold_none()
    {
        // At a 1% share, the hash alone holds none of these out.
        long[] five = [1, 2, 3, 4, 5];
        Assert.Empty(ValidationSplit.Split(five[..4], 0.01, 0).Validation);

        var (train, validation) = ValidationSplit.Split(five, 0.01, 0);

        Assert.Single(validation);
        Assert.Equal(4, train.Length);
    }

    [Fact]
    public void A_repeated_id_is_never_on_both_sides()
    {
        long[] ids = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5];

        var (train, validation) = ValidationSplit.Split(ids, 0.01, 0);

        Assert.Equal(2, validation.Length);
        Assert.Empty(train.Select(i => ids[i]).Intersect(validation.Select(i => ids[i])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.51)]
    [InlineData(double.NaN)]
    public void A_share_outside_zero_to_a_half_is_refused(double share)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.Split([1L, 2L], share, 0));
    }
}
