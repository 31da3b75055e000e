using System.Diagnostics;
using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

/// <summary>Greedy k-center: a hand-traced layout, the no-repeat and no-center rules, and the parallel path against a plain loop.</summary>
public sealed class KCenterGreedyTests
{
    // Cluster A near the origin, cluster B around (20, 20).
    private static readonly float[] TwoClusters =
    [
        0, 0,   // 0
        1, 0,   // 1
        0, 2,   // 2
        20, 20, // 3
        21, 20, // 4
        20, 23, // 5
    ];

    [Fact]
    public void Picks_the_far_cluster_first_then_fills_the_largest_gaps_as_traced_by_hand()
    {
        // Squared distances to center 0: 1→1, 2→4, 3→800, 4→841, 5→929: pick 5.
        // To 5 as well: 3→9, 4→10: pick 4. To 4 as well: 3→1: now 1→1, 2→4, 3→1: pick 2.
        // Then 1 and 3 tie at 1: the earlier candidate, 1, then 3.
        var picks = KCenterGreedy.Select(TwoClusters, 2, [1, 2, 3, 4, 5], [0], 5);

        Assert.Equal([5, 4, 2, 1, 3], picks);
    }

    [Fact]
    public void Returns_at_most_the_candidates_there_are()
    {
        Assert.Equal(5, KCenterGreedy.Select(TwoClusters, 2, [1, 2, 3, 4, 5], [0], 50).Length);
        Assert.Equal([5, 4], KCenterGreedy.Select(TwoClusters, 2, [1, 2, 3, 4, 5], [0], 2));
        Assert.Empty(KCenterGreedy.Select(TwoClusters, 2, [1, 2], [0], 0));
        Assert.Empty(KCenterGreedy.Select(TwoClusters, 2, [], [0], 3));
    }

    [Fact]
    public void Never_returns_a_center_even_when_it_is_also_a_candidate()
    {
        var picks = KCenterGreedy.Select(TwoClusters, 2, [0, 1, 2, 3, 4, 5], [0, 5], 10);

        Assert.Equal(4, picks.Length);
        Assert.DoesNotContain(0, picks);
        Assert.DoesNotContain(5, picks);
    }

    [Fact]
    public void Without_centers_it_starts_from_the_candidate_nearest_the_mean()
    {
        // Mean of (0,0), (4,0), (1,0), (2,0) is (1.75, 0): nearest is (2,0), row 3.
        // (0,0) and (4,0) are then both 2 away: the earlier candidate, row 0, then (4,0), then (1,0).
        float[] points = [0, 0, 4, 0, 1, 0, 2, 0];

        Assert.Equal([3, 0, 1, 2], KCenterGreedy.Select(points, 2, [0, 1, 2, 3], [], 4));
    }

    [Fact]
    public void Repeated_candidates_and_identical_points_never_give_a_row_twice()
    {
        float[] points = [0, 0, 0, 0, 0, 0, 5, 5];

        var picks = KCenterGreedy.Select(points, 2, [0, 0, 1, 1, 2, 3, 3], [], 10);

        Assert.Equal(4, picks.Length);
        Assert.Equal(picks.Length, picks.Distinct().Count());
        Assert.Equal([0, 1, 2, 3], picks.Order());
    }

    [Fact]
    public void Identical_points_come_after_every_point_that_still_adds_coverage()
    {
        // Rows 0–2 share one place; after one of them is picked the other two add nothing.
        float[] points = [0, 0, 0, 0, 0, 0, 5, 5, 9, 0];

        var picks = KCenterGreedy.Select(points, 2, [0, 1, 2, 3, 4], [], 3);

        Assert.Single(picks, p => p <= 2);
    }

    [Fact]
    public void Rows_outside_the_embeddings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KCenterGreedy.Select(TwoClusters, 2, [6], [], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => KCenterGreedy.Select(TwoClusters, 2, [1], [-1], 1));
        Assert.Throws<ArgumentException>(() => KCenterGreedy.Select(TwoClusters, 5, [1], [], 1));
    }

    [Fact]
    public void The_parallel_path_picks_exactly_what_a_plain_loop_picks()
    {
        // Small integer coordinates keep every squared distance exact, so both sides see the same ties.
        const int rows = 6000, dimension = 24;
        var random = new Random(7);
        var points = new float[rows * dimension];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = random.Next(0, 50);
        }
        var candidates = Enumerable.Range(0, rows).Where(i => i % 7 != 0).ToArray();
        int[] centers = [0, 7, 14, 700];

        var picks = KCenterGreedy.Select(points, dimension, candidates, centers, 40);

        Assert.Equal(PlainKCenter(points, dimension, candidates, centers, 40), picks);
        Assert.Equal(picks, KCenterGreedy.Select(points, dimension, candidates, centers, 40));
    }

    [Fact]
    public void A_hundred_thousand_candidates_of_64_dimensions_take_well_under_the_generous_bound()
    {
        const int rows = 100_000, dimension = 64;
        var random = new Random(3);
        var points = new float[rows * dimension];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = (float)random.NextDouble();
        }
        var candidates = Enumerable.Range(0, rows).ToArray();

        var clock = Stopwatch.StartNew();
        var picks = KCenterGreedy.Select(points, dimension, candidates, [], 50);
        clock.Stop();

        Assert.Equal(50, picks.Distinct().Count());
        // Typically ~0.1 s on 2 cores (bench has the figure); the bound only catches an accidentally quadratic loop.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Algorithm 1 of Sener and Savarese, written plainly (ties to the earlier candidate).</summary>
    private static int[] PlainKCenter(float[] points, int dimension, int[] candidates, int[] centers, int k)
    {
        double Distance(int a, int b)
        {
            var sum = 0.0;
            for (var d = 0; d < dimension; d++)
            {
                var difference = points[a * dimension + d] - points[b * dimension + d];
                sum += difference * difference;
            }
            return sum;
        }

        var chosen = new List<int>(centers);
        var picks = new List<int>();
        while (picks.Count < k)
        {
            int best = -1;
            var bestDistance = -1.0;
            foreach (var candidate in candidates)
            {
                if (chosen.Contains(candidate))
                {
                    continue;
                }
                var nearest = chosen.Min(c => Distance(candidate, c));
                if (nearest > bestDistance)
                {
                    best = candidate;
                    bestDistance = nearest;
                }
            }
            chosen.Add(best);
            picks.Add(best);
        }
        return [.. picks];
    }
}
