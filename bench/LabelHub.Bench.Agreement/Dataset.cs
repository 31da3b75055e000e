using System.Buffers.Binary;
using LabelHub.Domain.Quality;

namespace LabelHub.Bench.Agreement;

/// <summary>
/// Seeded synthetic ratings, items × raters of category codes 0..K−1 (−1 missing), built so the statistics land
/// somewhere typical rather than at 0: each item has a true category drawn with prevalences ∝ K, K−1, …, 1 (for five
/// categories 33 / 27 / 20 / 13 / 7 %); rater r gives it with probability 0.55 + 0.30·r/(R−1) (0.55 … 0.85),
/// otherwise half the time a neighbouring category and half the time a uniformly random one; then every rating is
/// dropped independently with probability <see cref="BenchOptions.Missing"/>.
/// </summary>
public sealed class Dataset
{
    private Dataset(int items, int raters, int categories, int[] codes)
    {
        Items = items;
        Raters = raters;
        Categories = categories;
        Codes = codes;
        Ratings = new RatingMatrix(items, raters, categories, codes);
    }

    public int Items { get; }
    public int Raters { get; }
    public int Categories { get; }

    /// <summary>Row-major items × raters, <see cref="RatingMatrix.Missing"/> for no rating.</summary>
    public int[] Codes { get; }

    public RatingMatrix Ratings { get; }

    public long MissingCount => Codes.LongCount(code => code == RatingMatrix.Missing);

    public static Dataset Generate(int items, int raters, int categories, double missing, int seed)
    {
        var random = new Random(seed);
        var cumulative = new double[categories];
        var total = categories * (categories + 1) / 2.0;
        var running = 0.0;
        for (var c = 0; c < categories; c++)
        {
            running += (categories - c) / total;
            cumulative[c] = running;
        }
        var accuracy = new double[raters];
        for (var r = 0; r < raters; r++)
        {
            accuracy[r] = 0.55 + 0.30 * r / Math.Max(raters - 1, 1);
        }

        var codes = new int[checked(items * raters)];
        for (var item = 0; item < items; item++)
        {
            var draw = random.NextDouble();
            var truth = 0;
            while (truth < categories - 1 && draw >= cumulative[truth])
            {
                truth++;
            }
            for (var r = 0; r < raters; r++)
            {
                int code;
                if (random.NextDouble() < accuracy[r])
                {
                    code = truth;
                }
                else if (random.NextDouble() < 0.5)
                {
                    code = truth == 0 ? 1 : truth == categories - 1 ? categories - 2 : truth + (random.NextDouble() < 0.5 ? -1 : 1);
                }
                else
                {
                    code = random.Next(categories);
                }
                codes[item * raters + r] = random.NextDouble() < missing ? RatingMatrix.Missing : code;
            }
        }
        return new Dataset(items, raters, categories, codes);
    }

    /// <summary>The items every rater rated, in order (the only items statsmodels' fleiss_kappa accepts).</summary>
    public Dataset CompleteItems()
    {
        var kept = new List<int>(Codes.Length);
        for (var offset = 0; offset < Codes.Length; offset += Raters)
        {
            var row = Codes.AsSpan(offset, Raters);
            if (!row.Contains(RatingMatrix.Missing))
            {
                kept.AddRange(row);
            }
        }
        return new Dataset(kept.Count / Raters, Raters, Categories, kept.ToArray());
    }

    /// <summary>The first <paramref name="count"/> items.</summary>
    public Dataset FirstItems(int count)
    {
        count = Math.Min(count, Items);
        return count == Items ? this : new Dataset(count, Raters, Categories, Codes.AsSpan(0, count * Raters).ToArray());
    }

    /// <summary>Raw little-endian int32, row-major: what compare.py reads with numpy.fromfile.</summary>
    public void WriteRaw(string path)
    {
        var bytes = new byte[Codes.Length * sizeof(int)];
        for (var i = 0; i < Codes.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), Codes[i]);
        }
        File.WriteAllBytes(path, bytes);
    }
}
