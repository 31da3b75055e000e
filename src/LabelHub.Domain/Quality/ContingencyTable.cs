namespace LabelHub.Domain.Quality;

/// <summary>
/// Two raters' ratings of the items they both rated, cross-tabulated: row = rater A's category, column = rater B's,
/// over the same explicit category list. Every two-rater statistic here can be computed from it.
/// </summary>
public sealed class ContingencyTable
{
    private readonly int[] counts;

    /// <summary>A square table of non-negative counts, rows = rater A's category, columns = rater B's.</summary>
    public ContingencyTable(int[][] counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfLessThan(counts.Length, 1, nameof(counts));
        var categoryCount = counts.Length;
        this.counts = new int[categoryCount * categoryCount];
        long total = 0;
        for (var a = 0; a < categoryCount; a++)
        {
            if (counts[a].Length != categoryCount)
            {
                throw new ArgumentException($"The table must be square: row {a} has {counts[a].Length} columns, not {categoryCount}.", nameof(counts));
            }
            for (var b = 0; b < categoryCount; b++)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(counts[a][b], nameof(counts));
                this.counts[a * categoryCount + b] = counts[a][b];
                total += counts[a][b];
            }
        }
        CategoryCount = categoryCount;
        Items = total <= int.MaxValue ? (int)total : throw new ArgumentException("The table counts more items than an int holds.", nameof(counts));
    }

    /// <summary>Takes ownership of <paramref name="counts"/> (row-major, already checked by the caller).</summary>
    internal ContingencyTable(int categoryCount, int[] counts, int items)
    {
        CategoryCount = categoryCount;
        this.counts = counts;
        Items = items;
    }

    public int CategoryCount { get; }

    /// <summary>The number of items in the table (both raters rated them).</summary>
    public int Items { get; }

    /// <summary>How many items rater A put in <paramref name="categoryOfA"/> and rater B in <paramref name="categoryOfB"/>.</summary>
    public int this[int categoryOfA, int categoryOfB]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(categoryOfA);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(categoryOfA, CategoryCount);
            ArgumentOutOfRangeException.ThrowIfNegative(categoryOfB);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(categoryOfB, CategoryCount);
            return counts[categoryOfA * CategoryCount + categoryOfB];
        }
    }

    internal ReadOnlySpan<int> Counts => counts;

    /// <summary>The same table seen from rater B (rows and columns swapped).</summary>
    public ContingencyTable Transposed()
    {
        var swapped = new int[counts.Length];
        for (var a = 0; a < CategoryCount; a++)
        {
            for (var b = 0; b < CategoryCount; b++)
            {
                swapped[b * CategoryCount + a] = counts[a * CategoryCount + b];
            }
        }
        return new ContingencyTable(CategoryCount, swapped, Items);
    }

    /// <summary>Cross-tabulates two raters of a matrix over the items both of them rated.</summary>
    public static ContingencyTable Of(RatingMatrix ratings, int raterA, int raterB)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentOutOfRangeException.ThrowIfNegative(raterA);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(raterA, ratings.RaterCount);
        ArgumentOutOfRangeException.ThrowIfNegative(raterB);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(raterB, ratings.RaterCount);
        if (raterA == raterB)
        {
            throw new ArgumentException("Agreement is between two different raters.", nameof(raterB));
        }

        var categoryCount = ratings.CategoryCount;
        var categoryOf = ratings.CategoryOf;
        var codes = ratings.SourceCodes;
        var raterCount = ratings.RaterCount;
        var counts = new int[categoryCount * categoryCount];
        var items = 0;
        for (var offset = 0; offset < codes.Length; offset += raterCount)
        {
            var codeA = codes[offset + raterA];
            var codeB = codes[offset + raterB];
            if (codeA != RatingMatrix.Missing && codeB != RatingMatrix.Missing)
            {
                counts[categoryOf[codeA] * categoryCount + categoryOf[codeB]]++;
                items++;
            }
        }
        return new ContingencyTable(categoryCount, counts, items);
    }

    /// <summary>Rater A's and rater B's totals per category (the table's row and column sums).</summary>
    internal (long[] RowTotals, long[] ColumnTotals) Marginals()
    {
        var rowTotals = new long[CategoryCount];
        var columnTotals = new long[CategoryCount];
        for (var a = 0; a < CategoryCount; a++)
        {
            for (var b = 0; b < CategoryCount; b++)
            {
                var count = counts[a * CategoryCount + b];
                rowTotals[a] += count;
                columnTotals[b] += count;
            }
        }
        return (rowTotals, columnTotals);
    }
}
