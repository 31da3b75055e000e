namespace LabelHub.Domain.Quality;

/// <summary>
/// Scott's π (Scott 1955) for two raters: (P_o − P_e) / (1 − P_e), where chance agreement P_e = Σ_k π_k² uses the two
/// raters' pooled category shares π_k = (row_k + column_k) / 2N. Fleiss' κ is its generalisation to many raters, and
/// on two raters the two coincide.
/// </summary>
public static class ScottPi
{
    public static Agreement Compute(ContingencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return FleissKappa.FromTally(AgreementTally.Of(table));
    }

    /// <summary>Scott's π of two raters of a matrix, on the items both rated.</summary>
    public static Agreement Compute(RatingMatrix ratings, int raterA, int raterB) =>
        Compute(ContingencyTable.Of(ratings, raterA, raterB));
}
