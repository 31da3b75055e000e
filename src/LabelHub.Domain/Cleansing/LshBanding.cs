namespace LabelHub.Domain.Cleansing;

/// <summary>
/// LSH banding of a MinHash signature: <see cref="Bands"/> bands of <see cref="Rows"/> positions; two texts become a
/// candidate pair when all rows of at least one band agree. A pair of Jaccard similarity s does so with probability
/// 1 − (1 − s^r)^b (the S-curve).
/// </summary>
public readonly record struct LshBanding(int Bands, int Rows)
{
    /// <summary>The chooser's default: the S-curve at the threshold itself is at least this.</summary>
    public const double DefaultProbabilityAtThreshold = 0.8;

    public int HashesUsed => Bands * Rows;

    /// <summary>Probability that a pair of Jaccard similarity <paramref name="similarity"/> becomes a candidate.</summary>
    public double CandidateProbability(double similarity) =>
        1 - Math.Pow(1 - Math.Pow(similarity, Rows), Bands);

    /// <summary>The similarity where the S-curve crosses one half, (1 − 0.5^(1/b))^(1/r).</summary>
    public double HalfwaySimilarity => Math.Pow(1 - Math.Pow(0.5, 1.0 / Bands), 1.0 / Rows);

    /// <summary>
    /// Picks (b, r) for a Jaccard threshold within a budget of k hashes: the most rows r (so the fewest dissimilar
    /// candidates) with b = ⌊k / r⌋ bands whose S-curve at the threshold is still at least
    /// <paramref name="probabilityAtThreshold"/>. Candidates are verified afterwards, so a missed pair (a false
    /// negative, unrecoverable) costs more than an extra candidate (a verification); the curve therefore crosses one
    /// half somewhat below the threshold.
    /// </summary>
    public static LshBanding Choose(double threshold, int hashBudget, double probabilityAtThreshold = DefaultProbabilityAtThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashBudget, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(probabilityAtThreshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(probabilityAtThreshold, 1);
        var best = new LshBanding(hashBudget, 1);
        for (var rows = 1; rows <= hashBudget; rows++)
        {
            var banding = new LshBanding(hashBudget / rows, rows);
            if (banding.CandidateProbability(threshold) >= probabilityAtThreshold)
            {
                best = banding;
            }
        }
        return best;
    }
}
