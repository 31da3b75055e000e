using System.Numerics;

namespace LabelHub.Domain.Learning;

/// <summary>
/// Greedy k-center (Sener and Savarese 2018, "Active Learning for Convolutional Neural Networks: A Core-Set
/// Approach", Algorithm 1): repeatedly pick the candidate farthest (Euclidean) from its nearest center, so the picks
/// cover the embedding space instead of crowding into one dense region. A 2-approximation of the k-center optimum.
/// </summary>
public static class KCenterGreedy
{
    // Below this much arithmetic per pass, starting threads costs more than it saves.
    private const long ParallelWork = 1 << 16;

    /// <param name="embeddings">count × <paramref name="dimension"/> values, row-major.</param>
    /// <param name="candidates">Rows that may be picked; repeated rows count once.</param>
    /// <param name="centers">
    /// Rows already covered (the labeled items); never picked. Empty: the first pick is the candidate nearest the
    /// candidates' mean, the most central one, so the result is deterministic.
    /// </param>
    /// <returns>min(k, distinct candidates outside the centers) distinct rows, in pick order.</returns>
    public static int[] Select(ReadOnlySpan<float> embeddings, int dimension, IReadOnlyList<int> candidates, IReadOnlyList<int> centers, int k) =>
        SelectWithDistances(embeddings, dimension, candidates, centers, k).Indices;

    /// <returns>
    /// The picks and, for each, its distance to the nearest center or earlier pick when it was picked: the radius
    /// it closed (0 for a first pick without centers).
    /// </returns>
    internal static (int[] Indices, double[] Distances) SelectWithDistances(ReadOnlySpan<float> embeddings, int dimension,
        IReadOnlyList<int> candidates, IReadOnlyList<int> centers, int k)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(centers);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (embeddings.Length % dimension != 0)
        {
            throw new ArgumentException($"{embeddings.Length} values are not whole rows of {dimension}.", nameof(embeddings));
        }
        var rowCount = embeddings.Length / dimension;
        var centerSet = new HashSet<int>();
        foreach (var center in centers)
        {
            CheckRow(center, rowCount, nameof(centers));
            centerSet.Add(center);
        }
        var rows = new List<int>(candidates.Count);
        var seen = new HashSet<int>();
        foreach (var candidate in candidates)
        {
            CheckRow(candidate, rowCount, nameof(candidates));
            if (!centerSet.Contains(candidate) && seen.Add(candidate))
            {
                rows.Add(candidate);
            }
        }
        var take = Math.Min(k, rows.Count);
        if (take == 0)
        {
            return ([], []);
        }

        // The candidates' rows side by side: scans stay sequential in memory and the parallel loops can share an array.
        var points = Gather(embeddings, dimension, rows);
        var nearest = new float[rows.Count];
        Array.Fill(nearest, float.PositiveInfinity);
        int next;
        if (centerSet.Count > 0)
        {
            next = DistanceToCenters(points, dimension, nearest, Gather(embeddings, dimension, [.. centerSet]));
        }
        else
        {
            next = NearestToMean(points, dimension, rows.Count);
        }

        var picks = new int[take];
        var distances = new double[take];
        var newCenter = new float[dimension];
        for (var pick = 0; pick < take; pick++)
        {
            picks[pick] = rows[next];
            distances[pick] = float.IsPositiveInfinity(nearest[next]) ? 0 : Math.Sqrt(nearest[next]);
            // Marked below every real distance, so an unpicked duplicate point (distance 0) still wins over it.
            nearest[next] = -1;
            if (pick + 1 < take)
            {
                Array.Copy(points, next * dimension, newCenter, 0, dimension);
                next = MoveNearestAndFindFarthest(points, dimension, nearest, newCenter);
            }
        }
        return (picks, distances);
    }

    /// <summary>Squared Euclidean distance, vectorised.</summary>
    internal static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var i = 0;
        var total = 0f;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var sum = Vector<float>.Zero;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var difference = new Vector<float>(a[i..]) - new Vector<float>(b[i..]);
                sum += difference * difference;
            }
            total = Vector.Sum(sum);
        }
        for (; i < a.Length; i++)
        {
            var difference = a[i] - b[i];
            total += difference * difference;
        }
        return total;
    }

    private static float[] Gather(ReadOnlySpan<float> embeddings, int dimension, IReadOnlyList<int> rows)
    {
        var gathered = GC.AllocateUninitializedArray<float>(rows.Count * dimension);
        for (var i = 0; i < rows.Count; i++)
        {
            embeddings.Slice(rows[i] * dimension, dimension).CopyTo(gathered.AsSpan(i * dimension, dimension));
        }
        return gathered;
    }

    /// <summary>Sets each candidate's squared distance to its nearest center; returns the farthest candidate.</summary>
    private static int DistanceToCenters(float[] points, int dimension, float[] nearest, float[] centerPoints)
    {
        var centerCount = centerPoints.Length / dimension;
        return InChunks(nearest, (long)nearest.Length * centerCount * dimension, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                var point = points.AsSpan(i * dimension, dimension);
                var best = float.PositiveInfinity;
                for (var c = 0; c < centerCount; c++)
                {
                    best = Math.Min(best, SquaredDistance(point, centerPoints.AsSpan(c * dimension, dimension)));
                }
                nearest[i] = best;
            }
        });
    }

    /// <summary>Lowers each unpicked candidate's distance by the new center; returns the farthest candidate.</summary>
    private static int MoveNearestAndFindFarthest(float[] points, int dimension, float[] nearest, float[] center) =>
        InChunks(nearest, (long)nearest.Length * dimension, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                if (nearest[i] > 0)
                {
                    nearest[i] = Math.Min(nearest[i], SquaredDistance(points.AsSpan(i * dimension, dimension), center));
                }
            }
        });

    /// <summary>The candidate with the largest distance in [start, end), the first on a tie; -1 when all are picked.</summary>
    private static int Farthest(float[] nearest, int start, int end)
    {
        var best = -1;
        var bestDistance = -1f;
        for (var i = start; i < end; i++)
        {
            if (nearest[i] > bestDistance)
            {
                best = i;
                bestDistance = nearest[i];
            }
        }
        return best;
    }

    /// <summary>
    /// Runs <paramref name="update"/> over consecutive ranges of the candidates (in parallel when the work is large),
    /// then combines the ranges' farthest candidates in range order, so ties go to the lowest position whatever the
    /// thread timing.
    /// </summary>
    private static int InChunks(float[] nearest, long work, Action<int, int> update)
    {
        var count = nearest.Length;
        var chunkCount = work < ParallelWork ? 1 : Math.Min(count, Environment.ProcessorCount * 4);
        if (chunkCount == 1)
        {
            update(0, count);
            return Farthest(nearest, 0, count);
        }
        var farthest = new int[chunkCount];
        Parallel.For(0, chunkCount, chunk =>
        {
            int start = (int)((long)count * chunk / chunkCount), end = (int)((long)count * (chunk + 1) / chunkCount);
            update(start, end);
            farthest[chunk] = Farthest(nearest, start, end);
        });
        var best = -1;
        foreach (var candidate in farthest)
        {
            if (candidate >= 0 && (best < 0 || nearest[candidate] > nearest[best]))
            {
                best = candidate;
            }
        }
        return best;
    }

    private static int NearestToMean(float[] points, int dimension, int count)
    {
        var sum = new double[dimension];
        for (var i = 0; i < count; i++)
        {
            for (var d = 0; d < dimension; d++)
            {
                sum[d] += points[i * dimension + d];
            }
        }
        var mean = new float[dimension];
        for (var d = 0; d < dimension; d++)
        {
            mean[d] = (float)(sum[d] / count);
        }
        var best = 0;
        var bestDistance = float.PositiveInfinity;
        for (var i = 0; i < count; i++)
        {
            var distance = SquaredDistance(points.AsSpan(i * dimension, dimension), mean);
            if (distance < bestDistance)
            {
                best = i;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static void CheckRow(int row, int rowCount, string parameter)
    {
        if ((uint)row >= (uint)rowCount)
        {
            throw new ArgumentOutOfRangeException(parameter, row, $"Row {row} is outside the {rowCount} embeddings.");
        }
    }
}
