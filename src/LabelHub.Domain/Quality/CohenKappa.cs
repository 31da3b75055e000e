namespace LabelHub.Domain.Quality;

/// <summary>How much a disagreement between two categories of an ordered list counts in weighted κ.</summary>
public enum KappaWeighting
{
    /// <summary>Every disagreement counts fully (Cohen 1960).</summary>
    None,

    /// <summary>In proportion to |i − j|, the distance between the categories' positions in the list.</summary>
    Linear,

    /// <summary>In proportion to (i − j)² (Cohen 1968; Fleiss and Cohen 1973).</summary>
    Quadratic,
}

/// <summary>
/// Cohen's κ for two raters (Cohen 1960), weighted κ over the explicit ordered category list (Cohen 1968). In the
/// disagreement form κ_w = 1 − Σ d_ij o_ij / Σ d_ij e_ij, with observed counts o_ij, counts expected from the two
/// raters' own marginals e_ij = r_i c_j / N, and disagreement weights d_ij = [i ≠ j], |i − j| or (i − j)². This is the
/// same figure as (p_o − p_e) / (1 − p_e) with agreement weights 1 − d_ij / d_max (scikit-learn cohen_kappa_score,
/// statsmodels cohens_kappa); the scale of d cancels. κ is symmetric in its raters.
/// </summary>
public static class CohenKappa
{
    public static Agreement Compute(ContingencyTable table, KappaWeighting weighting = KappaWeighting.None)
    {
        ArgumentNullException.ThrowIfNull(table);
        var items = table.Items;
        if (items == 0)
        {
            return Agreement.Undefined(0, "No item was rated by both raters.");
        }
        var categoryCount = table.CategoryCount;
        var counts = table.Counts;
        var (rowTotals, columnTotals) = table.Marginals();
        var observedDisagreement = 0.0;
        var expectedDisagreement = 0.0;
        for (var a = 0; a < categoryCount; a++)
        {
            for (var b = 0; b < categoryCount; b++)
            {
                var weight = DisagreementWeight(a, b, weighting);
                if (weight == 0)
                {
                    continue;
                }
                observedDisagreement += weight * (double)counts[a * categoryCount + b];
                expectedDisagreement += weight * ((double)rowTotals[a] * columnTotals[b]);
            }
        }
        // Zero only when both raters used one and the same category throughout (every term is ≥ 0).
        if (expectedDisagreement == 0)
        {
            return Agreement.Undefined(items,
                "Both raters used one and the same category on every item, so agreement expected by chance is complete and κ is 0/0.");
        }
        return Agreement.Of(1 - items * observedDisagreement / expectedDisagreement, items);
    }

    /// <summary>κ of two raters of a matrix, on the items both rated.</summary>
    public static Agreement Compute(RatingMatrix ratings, int raterA, int raterB, KappaWeighting weighting = KappaWeighting.None) =>
        Compute(ContingencyTable.Of(ratings, raterA, raterB), weighting);

    /// <summary>
    /// κ for every pair of raters, each on the items both rated, as a symmetric rater × rater array (one pass over
    /// the ratings; see <see cref="PairwiseAgreement.Matrix"/>).
    /// </summary>
    public static Agreement[,] PairMatrix(RatingMatrix ratings, KappaWeighting weighting = KappaWeighting.None) =>
        PairwiseAgreement.Matrix(ratings, table => Compute(table, weighting));

    private static double DisagreementWeight(int a, int b, KappaWeighting weighting) => weighting switch
    {
        KappaWeighting.None => a == b ? 0 : 1,
        KappaWeighting.Linear => Math.Abs(a - b),
        KappaWeighting.Quadratic => (double)(a - b) * (a - b),
        _ => throw new ArgumentOutOfRangeException(nameof(weighting), weighting, null),
    };
}
