namespace LabelHub.Domain.Quality;

/// <summary>
/// Krippendorff's coincidence matrix (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", §C):
/// o_ck = Σ_u (number of ordered pairs of values c, k from different raters in unit u) / (m_u − 1), over the units
/// with m_u ≥ 2 values. It is accumulated item by item in O(categories²) memory, and holds everything α needs at
/// any level, so one matrix serves all four.
/// </summary>
public sealed class CoincidenceMatrix
{
    private readonly double[] coincidences;
    private readonly long[] valueCounts;

    private CoincidenceMatrix(int categoryCount, double[] coincidences, long[] valueCounts, int pairableItems)
    {
        CategoryCount = categoryCount;
        this.coincidences = coincidences;
        this.valueCounts = valueCounts;
        PairableItems = pairableItems;
        foreach (var count in valueCounts)
        {
            PairableValues += count;
        }
    }

    public int CategoryCount { get; }

    /// <summary>Items with two or more ratings (Krippendorff's pairable units).</summary>
    public int PairableItems { get; }

    /// <summary>Ratings on those items, n = Σ_c n_c.</summary>
    public long PairableValues { get; }

    /// <summary>o_ck, symmetric; row c sums to <see cref="ValueCount"/>(c).</summary>
    public double this[int category, int otherCategory]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(category);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(category, CategoryCount);
            ArgumentOutOfRangeException.ThrowIfNegative(otherCategory);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(otherCategory, CategoryCount);
            return coincidences[category * CategoryCount + otherCategory];
        }
    }

    /// <summary>n_c: ratings in the category on items with two or more ratings.</summary>
    public long ValueCount(int category) => valueCounts[category];

    internal ReadOnlySpan<double> Coincidences => coincidences;

    internal ReadOnlySpan<long> ValueCounts => valueCounts;

    public static CoincidenceMatrix Of(RatingMatrix ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        var categoryCount = ratings.CategoryCount;
        var raterCount = ratings.RaterCount;
        var categoryOf = ratings.CategoryOf;
        var codes = ratings.SourceCodes;

        // Only one triangle per unordered category pair is accumulated in the loop (whichever order the item listed
        // them in); the matrix is made symmetric once at the end.
        var halfCoincidences = new double[categoryCount * categoryCount];
        var valueCounts = new long[categoryCount];
        var countInItem = new int[categoryCount];
        var categoriesInItem = new int[Math.Min(raterCount, categoryCount)];
        var pairWeight = new double[raterCount + 1];
        for (var m = 2; m <= raterCount; m++)
        {
            pairWeight[m] = 1.0 / (m - 1);
        }

        var pairableItems = 0;
        for (var offset = 0; offset < codes.Length; offset += raterCount)
        {
            var row = codes.Slice(offset, raterCount);
            var ratingCount = 0;
            var distinct = 0;
            foreach (var code in row)
            {
                if (code != RatingMatrix.Missing)
                {
                    var category = categoryOf[code];
                    if (countInItem[category]++ == 0)
                    {
                        categoriesInItem[distinct++] = category;
                    }
                    ratingCount++;
                }
            }
            if (ratingCount >= 2)
            {
                pairableItems++;
                var weight = pairWeight[ratingCount];
                for (var i = 0; i < distinct; i++)
                {
                    var category = categoriesInItem[i];
                    var count = countInItem[category];
                    valueCounts[category] += count;
                    var rowBase = category * categoryCount;
                    // Ordered pairs within the category: n(n − 1); across categories n_c·n_k (mirrored later).
                    halfCoincidences[rowBase + category] += count * (count - 1) * weight;
                    for (var j = i + 1; j < distinct; j++)
                    {
                        var other = categoriesInItem[j];
                        halfCoincidences[rowBase + other] += count * countInItem[other] * weight;
                    }
                }
            }
            for (var i = 0; i < distinct; i++)
            {
                countInItem[categoriesInItem[i]] = 0;
            }
        }

        var coincidences = new double[categoryCount * categoryCount];
        for (var c = 0; c < categoryCount; c++)
        {
            coincidences[c * categoryCount + c] = halfCoincidences[c * categoryCount + c];
            for (var k = c + 1; k < categoryCount; k++)
            {
                var both = halfCoincidences[c * categoryCount + k] + halfCoincidences[k * categoryCount + c];
                coincidences[c * categoryCount + k] = both;
                coincidences[k * categoryCount + c] = both;
            }
        }
        return new CoincidenceMatrix(categoryCount, coincidences, valueCounts, pairableItems);
    }

    /// <summary>Two raters: each item contributes the pair (a, b) and (b, a) with weight 1/(2 − 1), so o = T + Tᵀ.</summary>
    public static CoincidenceMatrix Of(ContingencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var categoryCount = table.CategoryCount;
        var counts = table.Counts;
        var coincidences = new double[categoryCount * categoryCount];
        var valueCounts = new long[categoryCount];
        for (var a = 0; a < categoryCount; a++)
        {
            for (var b = 0; b < categoryCount; b++)
            {
                var count = counts[a * categoryCount + b];
                coincidences[a * categoryCount + b] += count;
                coincidences[b * categoryCount + a] += count;
                valueCounts[a] += count;
                valueCounts[b] += count;
            }
        }
        return new CoincidenceMatrix(categoryCount, coincidences, valueCounts, table.Items);
    }
}
