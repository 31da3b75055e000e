namespace LabelHub.Domain.Quality;

/// <summary>
/// Fleiss' κ (Fleiss 1971, "Measuring nominal scale agreement among many raters"): κ = (P̄ − P̄_e) / (1 − P̄_e) with
/// P̄ the mean share of agreeing rater pairs per item and P̄_e = Σ_j p_j² from the category shares p_j.
/// </summary>
/// <remarks>
/// Items may have different numbers of ratings; then P̄ and p_j are per-item averages, P̄ = mean_i Σ_j n_ij(n_ij − 1) /
/// (n_i(n_i − 1)) over the items with two or more ratings and p_j = mean_i n_ij / n_i over every rated item, which is
/// Gwet's (2014) generalised Fleiss' κ as his irrCAC computes it: an item rated once holds no pair, but its rating
/// still counts in the category shares. It equals Fleiss' formula exactly when every item has the same number of
/// ratings. (Krippendorff's α, by its own definition, leaves such unpairable values out altogether.)
/// </remarks>
public static class FleissKappa
{
    public static Agreement Compute(RatingMatrix ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        return FromTally(AgreementTally.Of(ratings));
    }

    /// <summary>
    /// Fleiss' layout: one row per item (subject) with how many raters put it in each category. Rows may sum to
    /// different numbers of ratings (see the remarks on the class).
    /// </summary>
    public static Agreement Compute(int[][] countsPerItem)
    {
        ArgumentNullException.ThrowIfNull(countsPerItem);
        if (countsPerItem.Length == 0)
        {
            return Agreement.Undefined(0, AgreementTally.NoPairsReason);
        }
        return FromTally(AgreementTally.Of(countsPerItem, countsPerItem[0].Length));
    }

    internal static Agreement FromTally(AgreementTally tally)
    {
        if (tally.Items == 0)
        {
            return Agreement.Undefined(0, AgreementTally.NoPairsReason);
        }
        var chanceAgreement = 0.0;
        foreach (var share in tally.CategoryShares)
        {
            chanceAgreement += share * share;
        }
        // Only when every rating is in one category is chance agreement 1 (the shares are then exactly 0 and 1).
        if (chanceAgreement >= 1)
        {
            return Agreement.Undefined(tally.Items, SingleCategoryReason);
        }
        return Agreement.Of((tally.ObservedAgreement - chanceAgreement) / (1 - chanceAgreement), tally.Items);
    }

    internal const string SingleCategoryReason =
        "Every rating is in the same category, so agreement expected by chance is complete and the coefficient is 0/0.";
}
