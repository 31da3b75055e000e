namespace LabelHub.Domain.Quality;

/// <summary>Any two-rater statistic for every pair of raters of a matrix: the annotator × annotator view.</summary>
public static class PairwiseAgreement
{
    // Upper bound on the ints held for the pairs' tables at once (64 MB); more pairs are done in further passes.
    private const long MaxTableCells = 16L << 20;

    /// <summary>
    /// A symmetric rater × rater array: cell [a, b] (and [b, a]) is <paramref name="statistic"/> of the contingency
    /// table of raters a and b (rows = a) over the items both rated; the statistic must be symmetric in its raters, as
    /// all of this folder's are. The diagonal is undefined (a rater is not compared with themselves) and counts the
    /// items that rater rated. All pairs' tables are filled in one pass over the ratings when they fit in 64 MB.
    /// </summary>
    public static Agreement[,] Matrix(RatingMatrix ratings, Func<ContingencyTable, Agreement> statistic)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentNullException.ThrowIfNull(statistic);
        var raterCount = ratings.RaterCount;
        var categoryCount = ratings.CategoryCount;
        var tableSize = categoryCount * categoryCount;
        var result = new Agreement[raterCount, raterCount];

        var ratedByRater = new int[raterCount];
        var codes = ratings.SourceCodes;
        for (var offset = 0; offset < codes.Length; offset += raterCount)
        {
            for (var rater = 0; rater < raterCount; rater++)
            {
                if (codes[offset + rater] != RatingMatrix.Missing)
                {
                    ratedByRater[rater]++;
                }
            }
        }
        for (var rater = 0; rater < raterCount; rater++)
        {
            result[rater, rater] = Agreement.Undefined(ratedByRater[rater], "A rater is not compared with themselves.");
        }

        // Pairs (a, b), a < b, are done in blocks of consecutive first raters a, as many as fit in the budget.
        var firstRater = 0;
        while (firstRater < raterCount - 1)
        {
            var endRater = firstRater + 1;
            long pairs = raterCount - 1 - firstRater;
            while (endRater < raterCount - 1 && (pairs + raterCount - 1 - endRater) * tableSize <= MaxTableCells)
            {
                pairs += raterCount - 1 - endRater;
                endRater++;
            }
            var tables = CountPairs(ratings, firstRater, endRater, (int)pairs);
            var pair = 0;
            for (var a = firstRater; a < endRater; a++)
            {
                for (var b = a + 1; b < raterCount; b++, pair++)
                {
                    var counts = tables.AsSpan(pair * tableSize, tableSize).ToArray();
                    var items = 0;
                    foreach (var count in counts)
                    {
                        items += count;
                    }
                    var agreement = statistic(new ContingencyTable(categoryCount, counts, items));
                    result[a, b] = agreement;
                    result[b, a] = agreement;
                }
            }
            firstRater = endRater;
        }
        return result;
    }

    /// <summary>
    /// Contingency tables of the pairs (a, b) with firstRater ≤ a &lt; endRater and a &lt; b, laid one after another in
    /// that order, from a single pass that lists each item's ratings once and increments one cell per pair of them.
    /// </summary>
    private static int[] CountPairs(RatingMatrix ratings, int firstRater, int endRater, int pairCount)
    {
        var raterCount = ratings.RaterCount;
        var categoryCount = ratings.CategoryCount;
        var tableSize = categoryCount * categoryCount;
        var tables = new int[checked(pairCount * tableSize)];

        // pairOffset[a] + b is the index of pair (a, b) in this block.
        var pairOffset = new int[raterCount];
        var index = 0;
        for (var a = firstRater; a < endRater; a++)
        {
            pairOffset[a] = index - (a + 1);
            index += raterCount - 1 - a;
        }

        var presentRaters = new int[raterCount];
        var presentCategories = new int[raterCount];
        var categoryOf = ratings.CategoryOf;
        var codes = ratings.SourceCodes;
        for (var offset = 0; offset < codes.Length; offset += raterCount)
        {
            var row = codes.Slice(offset, raterCount);
            var present = 0;
            for (var rater = 0; rater < row.Length; rater++)
            {
                var code = row[rater];
                if (code != RatingMatrix.Missing)
                {
                    presentRaters[present] = rater;
                    presentCategories[present] = categoryOf[code];
                    present++;
                }
            }
            for (var i = 0; i < present - 1; i++)
            {
                var a = presentRaters[i];
                if (a < firstRater)
                {
                    continue;
                }
                if (a >= endRater)
                {
                    break;
                }
                var rowBase = pairOffset[a];
                var cellInTable = presentCategories[i] * categoryCount;
                for (var j = i + 1; j < present; j++)
                {
                    tables[(rowBase + presentRaters[j]) * tableSize + cellInTable + presentCategories[j]]++;
                }
            }
        }
        return tables;
    }
}
