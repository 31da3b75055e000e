namespace LabelHub.Domain.Quality;

/// <summary>
/// What percent agreement, Scott's π, Fleiss' κ and Gwet's AC1 all rest on: the mean, over the items with two or more
/// ratings (an item with one rating has no pair to agree or disagree), of the share of the item's rater pairs that
/// agree; and the mean, over every item with a rating, of the share of its ratings that fall in each category. With
/// the same number of ratings m on every item these are Fleiss' (1971) P̄ and p_j; with unequal numbers they are Gwet's
/// (2014, Handbook of Inter-Rater Reliability, §2.5 and ch. 4) per-item averages, r_ik(r_ik − 1)/(r_i(r_i − 1)) over
/// the n₂ items with r_i ≥ 2 and r_ik/r_i over all n rated items — the convention of Gwet's irrCAC, where an item rated
/// once still shows which categories raters use.
/// </summary>
internal sealed class AgreementTally
{
    private AgreementTally(int items, int ratedItems, double observedAgreement, double[] categoryShares)
    {
        Items = items;
        RatedItems = ratedItems;
        ObservedAgreement = observedAgreement;
        CategoryShares = categoryShares;
    }

    /// <summary>Items with two or more ratings.</summary>
    public int Items { get; }

    /// <summary>Items with at least one rating: those the category shares are averaged over.</summary>
    public int RatedItems { get; }

    /// <summary>Mean over <see cref="Items"/> of the share of agreeing rater pairs (P̄, p_a).</summary>
    public double ObservedAgreement { get; }

    /// <summary>Per category, the mean over <see cref="RatedItems"/> of the share of ratings in it (p_j, π_k); they sum to 1.</summary>
    public double[] CategoryShares { get; }

    public static AgreementTally Of(RatingMatrix ratings)
    {
        var categoryCount = ratings.CategoryCount;
        var raterCount = ratings.RaterCount;
        var categoryOf = ratings.CategoryOf;
        var codes = ratings.SourceCodes;

        // Integer sums per number of ratings m, so the hot loop only increments and the divisions by m and m(m − 1)
        // happen once per m at the end.
        var itemsByRatings = new long[raterCount + 1];
        var agreeingPairsByRatings = new long[raterCount + 1];
        var categoryCountsByRatings = new long[(raterCount + 1) * categoryCount];
        var seen = new int[categoryCount];
        // Items rated once, per category: they count in the category shares only.
        var singles = new long[categoryCount];

        for (var offset = 0; offset < codes.Length; offset += raterCount)
        {
            var row = codes.Slice(offset, raterCount);
            var ratingCount = 0;
            var agreeingPairs = 0;
            foreach (var code in row)
            {
                if (code != RatingMatrix.Missing)
                {
                    // Each earlier rating in the same category makes one more agreeing (unordered) pair.
                    agreeingPairs += seen[categoryOf[code]]++;
                    ratingCount++;
                }
            }
            if (ratingCount >= 2)
            {
                itemsByRatings[ratingCount]++;
                agreeingPairsByRatings[ratingCount] += agreeingPairs;
                var countsOfThisSize = categoryCountsByRatings.AsSpan(ratingCount * categoryCount, categoryCount);
                foreach (var code in row)
                {
                    if (code != RatingMatrix.Missing)
                    {
                        var category = categoryOf[code];
                        countsOfThisSize[category]++;
                        seen[category] = 0;
                    }
                }
            }
            else if (ratingCount == 1)
            {
                foreach (var code in row)
                {
                    if (code != RatingMatrix.Missing)
                    {
                        var category = categoryOf[code];
                        seen[category] = 0;
                        singles[category]++;
                    }
                }
            }
        }

        long items = 0;
        var agreementSum = 0.0;
        var shareSums = new double[categoryCount];
        long singleItems = 0;
        for (var category = 0; category < categoryCount; category++)
        {
            shareSums[category] = singles[category];
            singleItems += singles[category];
        }
        for (var m = 2; m <= raterCount; m++)
        {
            if (itemsByRatings[m] == 0)
            {
                continue;
            }
            items += itemsByRatings[m];
            agreementSum += agreeingPairsByRatings[m] / (m * (m - 1) / 2.0);
            for (var category = 0; category < categoryCount; category++)
            {
                shareSums[category] += categoryCountsByRatings[m * categoryCount + category] / (double)m;
            }
        }
        return Finish((int)items, (int)(items + singleItems), agreementSum, shareSums);
    }

    /// <summary>Two raters: every item in the table has exactly two ratings.</summary>
    public static AgreementTally Of(ContingencyTable table)
    {
        var categoryCount = table.CategoryCount;
        var counts = table.Counts;
        long agreeingItems = 0;
        for (var category = 0; category < categoryCount; category++)
        {
            agreeingItems += counts[category * categoryCount + category];
        }
        var (rowTotals, columnTotals) = table.Marginals();
        var shareSums = new double[categoryCount];
        for (var category = 0; category < categoryCount; category++)
        {
            // Same arithmetic as the matrix path with m = 2, so two raters give identical figures either way.
            shareSums[category] = (rowTotals[category] + columnTotals[category]) / 2.0;
        }
        return Finish(table.Items, table.Items, agreeingItems, shareSums);
    }

    /// <summary>Subjects × categories counts (Fleiss' layout); a row may sum to any number of ratings.</summary>
    public static AgreementTally Of(int[][] countsPerItem, int categoryCount)
    {
        var items = 0;
        var ratedItems = 0;
        var agreementSum = 0.0;
        var shareSums = new double[categoryCount];
        for (var item = 0; item < countsPerItem.Length; item++)
        {
            var counts = countsPerItem[item];
            if (counts.Length != categoryCount)
            {
                throw new ArgumentException($"Item {item} has {counts.Length} category counts, not {categoryCount}.", nameof(countsPerItem));
            }
            long ratingCount = 0;
            long agreeingPairs = 0;
            foreach (var count in counts)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(countsPerItem));
                ratingCount += count;
                agreeingPairs += (long)count * (count - 1) / 2;
            }
            if (ratingCount == 0)
            {
                continue;
            }
            ratedItems++;
            for (var category = 0; category < categoryCount; category++)
            {
                shareSums[category] += counts[category] / (double)ratingCount;
            }
            if (ratingCount >= 2)
            {
                items++;
                agreementSum += agreeingPairs / (ratingCount * (ratingCount - 1) / 2.0);
            }
        }
        return Finish(items, ratedItems, agreementSum, shareSums);
    }

    private static AgreementTally Finish(int items, int ratedItems, double agreementSum, double[] shareSums)
    {
        if (items == 0)
        {
            return new AgreementTally(0, ratedItems, 0, shareSums);
        }
        for (var category = 0; category < shareSums.Length; category++)
        {
            shareSums[category] /= ratedItems;
        }
        return new AgreementTally(items, ratedItems, agreementSum / items, shareSums);
    }

    public const string NoPairsReason = "No item has two or more ratings, so there is no pair of ratings to compare.";
}
