using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>The K-fold split: stratified by label, balanced, deterministic per seed, independent of input order.</summary>
public sealed class StratifiedFoldsTests
{
    private static (long[] Ids, int[] Labels) Examples(int count, int seed)
    {
        var random = new Random(seed);
        // Unbalanced classes: 0 is common, 3 is rare.
        var labels = Enumerable.Range(0, count).Select(_ => random.NextDouble() switch { < 0.5 => 0, < 0.8 => 1, < 0.97 => 2, _ => 3 }).ToArray();
        var ids = Enumerable.Range(0, count).Select(i => 1000L + (i * 7L)).ToArray();
        return (ids, labels);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(3, 2)]
    [InlineData(10, 3)]
    public void Each_label_is_spread_over_the_folds_as_evenly_as_it_divides(int foldCount, int seed)
    {
        var (ids, labels) = Examples(1003, seed);

        var folds = StratifiedFolds.Assign(ids, labels, foldCount, seed);

        Assert.All(folds, f => Assert.InRange(f, 0, foldCount - 1));
        foreach (var label in labels.Distinct())
        {
            var perFold = Enumerable.Range(0, foldCount).Select(f => Enumerable.Range(0, labels.Length).Count(x => labels[x] == label && folds[x] == f)).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"label {label}: {string.Join(", ", perFold)}");
        }
        var sizes = Enumerable.Range(0, foldCount).Select(f => folds.Count(x => x == f)).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(", ", sizes));
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var (ids, labels) = Examples(500, 4);

        var first = StratifiedFolds.Assign(ids, labels, 5, 42);
        var again = StratifiedFolds.Assign(ids, labels, 5, 42);
        var other = StratifiedFolds.Assign(ids, labels, 5, 43);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void An_examples_fold_does_not_depend_on_the_input_order()
    {
        var (ids, labels) = Examples(400, 5);
        var permutation = Enumerable.Range(0, ids.Length).OrderBy(x => (x * 7919) % 401).ToArray();

        var folds = StratifiedFolds.Assign(ids, labels, 4, 9);
        var shuffled = StratifiedFolds.Assign([.. permutation.Select(p => ids[p])], [.. permutation.Select(p => labels[p])], 4, 9);

        for (var i = 0; i < permutation.Length; i++)
        {
            Assert.Equal(folds[permutation[i]], shuffled[i]);
        }
    }

    [Fact]
    public void A_fold_holds_out_its_examples_and_trains_on_the_rest()
    {
        var (ids, labels) = Examples(100, 6);
        var folds = StratifiedFolds.Assign(ids, labels, 5, 1);

        var heldOutEverywhere = new List<int>();
        for (var fold = 0; fold < 5; fold++)
        {
            var (train, heldOut) = StratifiedFolds.Split(folds, fold);
            Assert.Empty(train.Intersect(heldOut));
            Assert.Equal(100, train.Length + heldOut.Length);
            heldOutEverywhere.AddRange(heldOut);
        }
        Assert.Equal(Enumerable.Range(0, 100), heldOutEverywhere.Order());
    }

    [Fact]
    public void Mismatched_inputs_and_fewer_than_two_folds_are_refused()
    {
        Assert.Throws<ArgumentException>(() => StratifiedFolds.Assign([1, 2], [0], 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedFolds.Assign([1, 2], [0, 1], 1, 0));
    }
}
