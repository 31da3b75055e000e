namespace LabelHub.Domain.Quality;

/// <summary>
/// Gwet's AC1 (Gwet 2008, "Computing inter-rater reliability and its variance in the presence of high agreement",
/// BJMSP 61:29–48): AC1 = (p_a − p_e) / (1 − p_e) with p_e = Σ_k π_k(1 − π_k) / (q − 1), where π_k is the share of
/// ratings in category k and q the number of categories in the field's list (used or not, as in irrCAC with
/// categ.labels). Unlike κ it stays defined when everyone uses one category (then p_e = 0 and AC1 = p_a).
/// </summary>
/// <remarks>
/// p_a is taken over the items with two or more ratings and π_k over every rated item, as for <see cref="FleissKappa"/>
/// and as in irrCAC (see its remarks for unequal numbers of ratings per item). q is the matrix's category count: the
/// caller gives it the field's whole list, so categories nobody used still count.
/// </remarks>
public static class GwetAc1
{
    public static Agreement Compute(RatingMatrix ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        return FromTally(AgreementTally.Of(ratings));
    }

    public static Agreement Compute(ContingencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return FromTally(AgreementTally.Of(table));
    }

    private static Agreement FromTally(AgreementTally tally)
    {
        if (tally.Items == 0)
        {
            return Agreement.Undefined(0, AgreementTally.NoPairsReason);
        }
        var categoryCount = tally.CategoryShares.Length;
        if (categoryCount < 2)
        {
            return Agreement.Undefined(tally.Items, "AC1 needs at least two categories in the field's category list.");
        }
        var spread = 0.0;
        foreach (var share in tally.CategoryShares)
        {
            spread += share * (1 - share);
        }
        // p_e ≤ 1/q < 1, so the denominator never vanishes.
        var chanceAgreement = spread / (categoryCount - 1);
        return Agreement.Of((tally.ObservedAgreement - chanceAgreement) / (1 - chanceAgreement), tally.Items);
    }
}
