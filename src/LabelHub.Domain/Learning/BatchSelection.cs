using System.Globalization;

namespace LabelHub.Domain.Learning;

/// <summary>One item picked for labeling.</summary>
/// <param name="Index">The item's row in the score and embedding arrays.</param>
/// <param name="Score">Its uncertainty score; 0 for random picks; for cold-start seeds, the distance to the nearest earlier seed.</param>
/// <param name="Rank">1-based position in the batch, in pick order.</param>
/// <param name="Reason">Why it was picked, for the annotator and the round's report.</param>
public sealed record Pick(int Index, double Score, int Rank, string Reason);

/// <summary>A round's batch: which unlabeled items to label next.</summary>
public static class BatchSelection
{
    /// <summary>
    /// Cold start runs k-center over at most this many pool items (a seeded uniform subsample), which keeps it well
    /// under a second; 20,000 random items already cover the feature space about as well as the whole pool.
    /// </summary>
    public const int ColdStartCandidateLimit = 20_000;

    /// <param name="pool">The unlabeled items (rows of <paramref name="scores"/> and <paramref name="embeddings"/>); repeats and labeled rows are ignored.</param>
    /// <param name="scores">One per row, higher = more informative (<see cref="Uncertainty.Score"/>); unused for random.</param>
    /// <param name="embeddings">Rows × <paramref name="dimension"/>; needed only with <paramref name="diversity"/>.</param>
    /// <param name="labeled">Rows already labeled: the centers diversity keeps away from.</param>
    /// <param name="diversity">
    /// Take the top <paramref name="batch"/> × <paramref name="candidateFactor"/> by score, then spread the batch over
    /// them with <see cref="KCenterGreedy"/>, so it is not a batch of near-duplicates the model is unsure about.
    /// Random sampling is diverse on average already and ignores it.
    /// </param>
    /// <param name="seed">For random sampling: the same seed and pool give the same batch.</param>
    public static IReadOnlyList<Pick> Select(SamplingStrategy strategy, IReadOnlyList<int> pool, double[]? scores,
        ReadOnlySpan<float> embeddings, int dimension, IReadOnlyList<int> labeled, int batch, bool diversity, int seed, int candidateFactor = 4)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(labeled);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidateFactor, 1);
        var unlabeled = Unlabeled(pool, labeled);
        if (batch == 0 || unlabeled.Count == 0)
        {
            return [];
        }
        return strategy switch
        {
            SamplingStrategy.Random => RandomPicks(unlabeled, batch, seed),
            SamplingStrategy.LeastConfidence or SamplingStrategy.Margin or SamplingStrategy.Entropy or SamplingStrategy.Bald =>
                diversity
                    ? DiversePicks(StrategyName(strategy), MostInformative(unlabeled, scores), scores!, embeddings, dimension, labeled, batch, candidateFactor)
                    : TopPicks(StrategyName(strategy), MostInformative(unlabeled, scores), scores!, batch),
        };
    }

    /// <summary>
    /// The first batch, before any model exists: k-center over the raw features of the pool (of a seeded subsample
    /// of <see cref="ColdStartCandidateLimit"/> items when the pool is larger), so the seed labels cover the data.
    /// </summary>
    public static IReadOnlyList<Pick> ColdStart(IReadOnlyList<int> pool, ReadOnlySpan<float> features, int dimension, int batch, int seed)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        IReadOnlyList<int> candidates = Unlabeled(pool, []);
        if (candidates.Count > ColdStartCandidateLimit)
        {
            // Sorted so the seed decides which items compete, and ties among them still go to the lower row.
            var sample = SeededSample.Take(candidates, ColdStartCandidateLimit, seed);
            Array.Sort(sample);
            candidates = sample;
        }
        var (indices, distances) = KCenterGreedy.SelectWithDistances(features, dimension, candidates, [], batch);
        var picks = new Pick[indices.Length];
        for (var i = 0; i < picks.Length; i++)
        {
            picks[i] = new Pick(indices[i], distances[i], i + 1, "diverse seed");
        }
        return picks;
    }

    private static List<int> Unlabeled(IReadOnlyList<int> pool, IReadOnlyList<int> labeled)
    {
        var seen = new HashSet<int>(labeled);
        var unlabeled = new List<int>(pool.Count);
        foreach (var row in pool)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row, nameof(pool));
            if (seen.Add(row))
            {
                unlabeled.Add(row);
            }
        }
        return unlabeled;
    }

    private static Pick[] RandomPicks(List<int> unlabeled, int batch, int seed)
    {
        var sample = SeededSample.Take(unlabeled, batch, seed);
        var picks = new Pick[sample.Length];
        for (var i = 0; i < picks.Length; i++)
        {
            picks[i] = new Pick(sample[i], 0, i + 1, "random");
        }
        return picks;
    }

    /// <summary>The unlabeled rows by score, highest first, the lower row first on a tie; a NaN score sorts last.</summary>
    private static int[] MostInformative(List<int> unlabeled, double[]? scores)
    {
        if (scores is null)
        {
            throw new ArgumentException("Uncertainty sampling needs the model's scores.", nameof(scores));
        }
        foreach (var row in unlabeled)
        {
            if (row >= scores.Length)
            {
                throw new ArgumentException($"Row {row} has no score (there are {scores.Length}).", nameof(scores));
            }
        }
        var ordered = unlabeled.ToArray();
        Array.Sort(ordered, (a, b) =>
        {
            double scoreA = double.IsNaN(scores[a]) ? double.NegativeInfinity : scores[a], scoreB = double.IsNaN(scores[b]) ? double.NegativeInfinity : scores[b];
            var byScore = scoreB.CompareTo(scoreA);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });
        return ordered;
    }

    private static Pick[] TopPicks(string strategy, int[] ordered, double[] scores, int batch)
    {
        var picks = new Pick[Math.Min(batch, ordered.Length)];
        for (var i = 0; i < picks.Length; i++)
        {
            var row = ordered[i];
            picks[i] = new Pick(row, scores[row], i + 1,
                string.Create(CultureInfo.InvariantCulture, $"{strategy} {FormatScore(scores[row])} (rank {i + 1:N0} of {ordered.Length:N0})"));
        }
        return picks;
    }

    private static Pick[] DiversePicks(string strategy, int[] ordered, double[] scores, ReadOnlySpan<float> embeddings, int dimension,
        IReadOnlyList<int> labeled, int batch, int candidateFactor)
    {
        if (embeddings.IsEmpty || dimension < 1)
        {
            throw new ArgumentException("Diversity needs the items' embeddings.", nameof(embeddings));
        }
        var candidateCount = (int)Math.Min(ordered.Length, (long)batch * candidateFactor);
        var chosen = KCenterGreedy.Select(embeddings, dimension, new ArraySegment<int>(ordered, 0, candidateCount), labeled, batch);
        var picks = new Pick[chosen.Length];
        for (var i = 0; i < picks.Length; i++)
        {
            var row = chosen[i];
            picks[i] = new Pick(row, scores[row], i + 1,
                string.Create(CultureInfo.InvariantCulture, $"{strategy} {FormatScore(scores[row])}, chosen for diversity among the {candidateCount:N0} most uncertain"));
        }
        return picks;
    }

    private static string FormatScore(double score) => score.ToString("G3", CultureInfo.InvariantCulture);

    private static string StrategyName(SamplingStrategy strategy) => strategy switch
    {
        SamplingStrategy.Random => "random",
        SamplingStrategy.LeastConfidence => "least confidence",
        SamplingStrategy.Margin => "margin",
        SamplingStrategy.Entropy => "entropy",
        SamplingStrategy.Bald => "BALD",
    };
}
