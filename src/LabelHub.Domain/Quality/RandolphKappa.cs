namespace LabelHub.Domain.Quality;

/// <summary>
/// Randolph's free-marginal multirater κ (Randolph 2005, "Free-marginal multirater kappa"; Brennan and Prediger 1981 for
/// two raters): κ_free = (P̄ − 1/q) / (1 − 1/q), with P̄ the observed agreement over the items with two or more ratings
/// and q the number of categories raters could choose from. Chance agreement assumes raters were free to use any
/// category, so it does not depend on how often each was used: the figure to read next to Fleiss' κ when one label
/// is rare and κ is dragged down by the prevalence paradox.
/// </summary>
public static class RandolphKappa
{
    public static Agreement Compute(RatingMatrix ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        var tally = AgreementTally.Of(ratings);
        if (tally.Items == 0)
        {
            return Agreement.Undefined(0, AgreementTally.NoPairsReason);
        }
        var categoryCount = ratings.CategoryCount;
        if (categoryCount < 2)
        {
            return Agreement.Undefined(tally.Items, "Free-marginal κ needs at least two categories in the field's category list.");
        }
        var chanceAgreement = 1.0 / categoryCount;
        return Agreement.Of((tally.ObservedAgreement - chanceAgreement) / (1 - chanceAgreement), tally.Items);
    }
}
