namespace LabelHub.Domain.Quality;

/// <summary>
/// The categorical ratings of one field: items × raters of category codes, held in one flat row-major array so
/// that the agreement statistics can scan a million items without allocating per item. Raters are plain indices
/// (the caller maps user ids to them) and categories are the codes 0..<see cref="CategoryCount"/>−1 in the caller's
/// explicit category order; <see cref="Missing"/> marks an item a rater did not rate.
/// </summary>
public sealed class RatingMatrix
{
    /// <summary>The code of a rating that was not given.</summary>
    public const int Missing = -1;

    // Row-major items × raters of source codes. A one-vs-rest view shares this array with its source and only
    // swaps categoryOf, so a per-label statistic costs no copy of the ratings.
    private readonly int[] codes;

    // Source code → category code of this matrix: the identity, or the one-vs-rest folding.
    private readonly int[] categoryOf;

    /// <summary>Takes a copy of <paramref name="codes"/> (row-major items × raters, <see cref="Missing"/> for no rating).</summary>
    public RatingMatrix(int itemCount, int raterCount, int categoryCount, ReadOnlySpan<int> codes)
        : this(itemCount, raterCount, categoryCount, codes.ToArray(), Identity(categoryCount))
    {
        if ((long)itemCount * raterCount != codes.Length)
        {
            throw new ArgumentException($"Expected {itemCount} items × {raterCount} raters = {(long)itemCount * raterCount} codes, got {codes.Length}.", nameof(codes));
        }
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] < Missing || codes[i] >= categoryCount)
            {
                throw new ArgumentOutOfRangeException(nameof(codes), codes[i],
                    $"Item {i / Math.Max(raterCount, 1)}, rater {i % Math.Max(raterCount, 1)}: a code must be {Missing} (missing) or in 0..{categoryCount - 1}.");
            }
        }
    }

    private RatingMatrix(int itemCount, int raterCount, int categoryCount, int[] codes, int[] categoryOf)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfNegative(raterCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(categoryCount, 1);
        if ((long)itemCount * raterCount > Array.MaxLength)
        {
            throw new ArgumentException($"{itemCount} items × {raterCount} raters do not fit in one array.");
        }
        ItemCount = itemCount;
        RaterCount = raterCount;
        CategoryCount = categoryCount;
        this.codes = codes;
        this.categoryOf = categoryOf;
    }

    public int ItemCount { get; }

    public int RaterCount { get; }

    /// <summary>How many categories the field has (the length of the caller's category list), used or not.</summary>
    public int CategoryCount { get; }

    /// <summary>The category the rater gave the item, or <see cref="Missing"/>.</summary>
    public int this[int item, int rater]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(item);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(item, ItemCount);
            ArgumentOutOfRangeException.ThrowIfNegative(rater);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rater, RaterCount);
            var code = codes[item * RaterCount + rater];
            return code == Missing ? Missing : categoryOf[code];
        }
    }

    /// <summary>Row-major items × raters of source codes; read each non-missing code through <see cref="CategoryOf"/>.</summary>
    internal ReadOnlySpan<int> SourceCodes => codes;

    /// <summary>Maps a non-missing source code to this matrix's category.</summary>
    internal int[] CategoryOf => categoryOf;

    /// <summary>
    /// Builds the matrix from (item, rater, category) triples; pairs that no triple names are missing. A rater rates
    /// an item at most once (pick the current annotation version before calling), so a repeated pair is an error.
    /// </summary>
    public static RatingMatrix FromTriples(int itemCount, int raterCount, int categoryCount, IEnumerable<(int Item, int Rater, int Category)> ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        var matrix = Empty(itemCount, raterCount, categoryCount);
        foreach (var (item, rater, category) in ratings)
        {
            if ((uint)item >= (uint)itemCount || (uint)rater >= (uint)raterCount || (uint)category >= (uint)categoryCount)
            {
                throw new ArgumentOutOfRangeException(nameof(ratings), (item, rater, category),
                    $"Items are 0..{itemCount - 1}, raters 0..{raterCount - 1}, categories 0..{categoryCount - 1}.");
            }
            ref var cell = ref matrix.codes[item * raterCount + rater];
            if (cell != Missing)
            {
                throw new ArgumentException($"Rater {rater} rated item {item} twice.", nameof(ratings));
            }
            cell = category;
        }
        return matrix;
    }

    /// <summary>
    /// Builds the matrix from one row per item holding each rater's category or null; the rater count is the longest
    /// row, and shorter rows are missing for the raters past their end.
    /// </summary>
    public static RatingMatrix FromItems(int?[][] ratingsPerItem, int categoryCount)
    {
        ArgumentNullException.ThrowIfNull(ratingsPerItem);
        var raterCount = ratingsPerItem.Length == 0 ? 0 : ratingsPerItem.Max(row => row.Length);
        var matrix = Empty(ratingsPerItem.Length, raterCount, categoryCount);
        for (var item = 0; item < ratingsPerItem.Length; item++)
        {
            for (var rater = 0; rater < ratingsPerItem[item].Length; rater++)
            {
                matrix.Set(item, rater, ratingsPerItem[item][rater]);
            }
        }
        return matrix;
    }

    /// <summary>
    /// Builds the matrix from one row per rater holding the category they gave each item or null (the "coders × units"
    /// layout of Krippendorff's papers); the item count is the longest row.
    /// </summary>
    public static RatingMatrix FromRaters(int?[][] ratingsPerRater, int categoryCount)
    {
        ArgumentNullException.ThrowIfNull(ratingsPerRater);
        var itemCount = ratingsPerRater.Length == 0 ? 0 : ratingsPerRater.Max(row => row.Length);
        var matrix = Empty(itemCount, ratingsPerRater.Length, categoryCount);
        for (var rater = 0; rater < ratingsPerRater.Length; rater++)
        {
            for (var item = 0; item < ratingsPerRater[rater].Length; item++)
            {
                matrix.Set(item, rater, ratingsPerRater[rater][item]);
            }
        }
        return matrix;
    }

    /// <summary>
    /// The binary view "is it <paramref name="category"/>?": that category becomes 1, every other rating 0, missing
    /// stays missing. It shares this matrix's ratings (only a table of <see cref="CategoryCount"/> entries is new),
    /// so any statistic can be computed per label.
    /// </summary>
    public RatingMatrix OneVsRest(int category)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(category);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(category, CategoryCount);
        var folded = new int[categoryOf.Length];
        for (var code = 0; code < folded.Length; code++)
        {
            folded[code] = categoryOf[code] == category ? 1 : 0;
        }
        return new RatingMatrix(ItemCount, RaterCount, 2, codes, folded);
    }

    private static RatingMatrix Empty(int itemCount, int raterCount, int categoryCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfNegative(raterCount);
        if ((long)itemCount * raterCount > Array.MaxLength)
        {
            throw new ArgumentException($"{itemCount} items × {raterCount} raters do not fit in one array.");
        }
        var codes = new int[itemCount * raterCount];
        Array.Fill(codes, Missing);
        return new RatingMatrix(itemCount, raterCount, categoryCount, codes, Identity(categoryCount));
    }

    private void Set(int item, int rater, int? category)
    {
        if (category is not { } code)
        {
            return;
        }
        if ((uint)code >= (uint)CategoryCount)
        {
            throw new ArgumentOutOfRangeException(nameof(category), code, $"Item {item}, rater {rater}: categories are 0..{CategoryCount - 1}.");
        }
        codes[item * RaterCount + rater] = code;
    }

    private static int[] Identity(int categoryCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(categoryCount, 1);
        var identity = new int[categoryCount];
        for (var code = 0; code < categoryCount; code++)
        {
            identity[code] = code;
        }
        return identity;
    }
}
