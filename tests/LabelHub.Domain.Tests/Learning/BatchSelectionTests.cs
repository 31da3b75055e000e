using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

/// <summary>A round's batch: seeded random samples, the top by score with its tie rule, diversity within the top, cold start.</summary>
public sealed class BatchSelectionTests
{
    private static readonly int[] Pool1000 = [.. Enumerable.Range(0, 1000)];

    [Fact]
    public void Random_batches_repeat_with_the_seed_and_never_repeat_an_item()
    {
        var first = BatchSelection.Select(SamplingStrategy.Random, Pool1000, null, [], 0, [], 50, diversity: false, seed: 11);
        var again = BatchSelection.Select(SamplingStrategy.Random, Pool1000, null, [], 0, [], 50, diversity: false, seed: 11);
        var other = BatchSelection.Select(SamplingStrategy.Random, Pool1000, null, [], 0, [], 50, diversity: false, seed: 12);

        Assert.Equal(first, again);
        Assert.NotEqual(first.Select(p => p.Index), other.Select(p => p.Index));
        Assert.Equal(50, first.Select(p => p.Index).Distinct().Count());
        Assert.All(first, p => Assert.Equal((0.0, "random"), (p.Score, p.Reason)));
        Assert.Equal(Enumerable.Range(1, 50), first.Select(p => p.Rank));
    }

    [Fact]
    public void Random_batches_draw_the_whole_pool_evenly()
    {
        // 2,000 batches of 10 from 20 items: each item about 1,000 times (binomial sd ≈ 22).
        var pool = Enumerable.Range(100, 20).ToArray();
        var counts = new int[20];
        for (var seed = 0; seed < 2000; seed++)
        {
            foreach (var pick in BatchSelection.Select(SamplingStrategy.Random, pool, null, [], 0, [], 10, false, seed))
            {
                counts[pick.Index - 100]++;
            }
        }

        Assert.All(counts, count => Assert.InRange(count, 880, 1120));
    }

    [Fact]
    public void Labeled_and_repeated_pool_items_are_never_picked()
    {
        var picks = BatchSelection.Select(SamplingStrategy.Random, [1, 1, 2, 2, 3, 4], null, [], 0, [3, 4], 10, false, 5);

        Assert.Equal([1, 2], picks.Select(p => p.Index).Order());
    }

    [Fact]
    public void Uncertainty_takes_the_top_scores_and_breaks_ties_by_the_lower_index()
    {
        double[] scores = [0.1, 0.9, 0.5, 0.9, 0.3, double.NaN];

        var picks = BatchSelection.Select(SamplingStrategy.Margin, [5, 4, 3, 2, 1, 0], scores, [], 0, [], 3, false, 0);

        Assert.Equal([1, 3, 2], picks.Select(p => p.Index));
        Assert.Equal([0.9, 0.9, 0.5], picks.Select(p => p.Score));
        Assert.Equal([1, 2, 3], picks.Select(p => p.Rank));
        Assert.Equal("margin 0.9 (rank 1 of 6)", picks[0].Reason);
        Assert.Equal("margin 0.5 (rank 3 of 6)", picks[2].Reason);
    }

    [Fact]
    public void A_nan_score_comes_last_and_the_reason_counts_the_pool_in_thousands()
    {
        var scores = Enumerable.Range(0, 9500).Select(i => i == 0 ? double.NaN : 1.0 / i).ToArray();

        var picks = BatchSelection.Select(SamplingStrategy.Entropy, Enumerable.Range(0, 9500).ToArray(), scores, [], 0, [], 9500, false, 0);

        Assert.Equal(0, picks[^1].Index);
        Assert.Equal("entropy 0.25 (rank 4 of 9,500)", picks[3].Reason);
    }

    [Fact]
    public void Diversity_spreads_the_batch_over_the_most_uncertain_only()
    {
        // Scores fall with the row: the top 5 × 4 = 20 are rows 0–19. Rows 0–9 are one point, rows 10–19 a line,
        // and row 50, lower in score, is far away: k-center would love it, but it is not among the most uncertain.
        const int rows = 100;
        var scores = Enumerable.Range(0, rows).Select(i => 1 - i / 100.0).ToArray();
        var embeddings = new float[rows * 2];
        for (var i = 10; i < rows; i++)
        {
            embeddings[i * 2] = i;
        }
        embeddings[50 * 2 + 1] = 1000;

        var diverse = BatchSelection.Select(SamplingStrategy.LeastConfidence, Enumerable.Range(0, rows).ToArray(), scores, embeddings, 2, [], 5, true, 0);
        var plain = BatchSelection.Select(SamplingStrategy.LeastConfidence, Enumerable.Range(0, rows).ToArray(), scores, embeddings, 2, [], 5, false, 0);

        Assert.Equal([0, 1, 2, 3, 4], plain.Select(p => p.Index));
        Assert.All(diverse, p => Assert.InRange(p.Index, 0, 19));
        Assert.Single(diverse, p => p.Index < 10);
        Assert.Equal(5, diverse.Select(p => p.Index).Distinct().Count());
        Assert.All(diverse, p => Assert.Equal(scores[p.Index], p.Score));
        Assert.All(diverse, p => Assert.EndsWith(", chosen for diversity among the 20 most uncertain", p.Reason, StringComparison.Ordinal));
        Assert.StartsWith("least confidence ", diverse[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Diversity_keeps_away_from_the_labeled_items()
    {
        // Top 2 × 2 = 4: rows 0–3. Row 0 sits on labeled row 9, so the far rows win.
        double[] scores = [1, 0.9, 0.8, 0.7, 0, 0, 0, 0, 0, 0];
        float[] embeddings = [0, 0, 5, 0, 10, 0, 0.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        var picks = BatchSelection.Select(SamplingStrategy.Bald, Enumerable.Range(0, 9).ToArray(), scores, embeddings, 2, [9], 2, true, 0, candidateFactor: 2);

        Assert.Equal([2, 1], picks.Select(p => p.Index));
    }

    [Fact]
    public void Uncertainty_without_scores_or_diversity_without_embeddings_is_refused()
    {
        Assert.Throws<ArgumentException>(() => BatchSelection.Select(SamplingStrategy.Entropy, [0, 1], null, [], 0, [], 1, false, 0));
        Assert.Throws<ArgumentException>(() => BatchSelection.Select(SamplingStrategy.Entropy, [0, 5], [0.1, 0.2], [], 0, [], 1, false, 0));
        Assert.Throws<ArgumentException>(() => BatchSelection.Select(SamplingStrategy.Entropy, [0, 1], [0.1, 0.2], [], 0, [], 1, true, 0));
    }

    [Fact]
    public void Cold_start_seeds_one_item_in_each_cluster()
    {
        // Three tight clusters of ten on a line: at 0, 100 and 200.
        var features = new float[30];
        for (var i = 0; i < 30; i++)
        {
            features[i] = i / 10 * 100 + i % 10 * 0.1f;
        }

        var picks = BatchSelection.ColdStart(Enumerable.Range(0, 30).ToArray(), features, 1, 3, seed: 0);

        Assert.Equal([0, 1, 2], picks.Select(p => p.Index / 10).Order());
        Assert.All(picks, p => Assert.Equal("diverse seed", p.Reason));
        Assert.Equal([1, 2, 3], picks.Select(p => p.Rank));
    }

    [Fact]
    public void Cold_start_on_a_large_pool_samples_candidates_by_seed()
    {
        const int rows = 30_000;
        var random = new Random(1);
        var features = Enumerable.Range(0, rows * 4).Select(_ => (float)random.NextDouble()).ToArray();
        var pool = Enumerable.Range(0, rows).ToArray();

        var first = BatchSelection.ColdStart(pool, features, 4, 20, seed: 3);
        var again = BatchSelection.ColdStart(pool, features, 4, 20, seed: 3);

        Assert.Equal(first, again);
        Assert.Equal(20, first.Select(p => p.Index).Distinct().Count());
        // Each later seed is farther from the earlier ones than any seed after it (k-center's radii only shrink).
        var radii = first.Skip(1).Select(p => p.Score).ToArray();
        Assert.Equal(radii.OrderDescending(), radii);
    }
}
