namespace LabelHub.Domain.Quality;

/// <summary>
/// Observed agreement without any chance correction. For many raters it is the mean, over the items with two or more
/// ratings, of the share of the item's rater pairs that agree (Fleiss 1971, P̄; Gwet 2014, p_a); for two raters that is
/// simply the share of the items both rated on which they agree.
/// </summary>
public static class PercentAgreement
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

    private static Agreement FromTally(AgreementTally tally) =>
        tally.Items == 0
            ? Agreement.Undefined(0, AgreementTally.NoPairsReason)
            : Agreement.Of(tally.ObservedAgreement, tally.Items);
}
