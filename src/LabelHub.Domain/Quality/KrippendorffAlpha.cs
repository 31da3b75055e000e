namespace LabelHub.Domain.Quality;

/// <summary>The metric Krippendorff's α measures disagreement with.</summary>
public enum AlphaLevel
{
    /// <summary>Categories are merely different: δ² = 1 for c ≠ k.</summary>
    Nominal,

    /// <summary>
    /// Ranks, in the order of the category list, by how many values lie between them (Krippendorff 2011):
    /// δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)².
    /// </summary>
    Ordinal,

    /// <summary>Numeric values on an interval scale: δ²_ck = (v_c − v_k)².</summary>
    Interval,

    /// <summary>Non-negative numbers with a true zero: δ²_ck = ((v_c − v_k)/(v_c + v_k))².</summary>
    Ratio,
}

/// <summary>
/// Krippendorff's α (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", §C–E) from the coincidence
/// matrix: α = 1 − D_o/D_e = 1 − (n − 1) Σ_{c,k} o_ck δ²_ck / Σ_{c,k} n_c n_k δ²_ck, over the pairable values only,
/// so any number of raters and missing ratings are allowed.
/// </summary>
public static class KrippendorffAlpha
{
    /// <param name="categoryValues">
    /// The numeric value of each category code, required for <see cref="AlphaLevel.Interval"/> and
    /// <see cref="AlphaLevel.Ratio"/> (non-negative for ratio) and ignored by the other levels.
    /// </param>
    public static Agreement Compute(RatingMatrix ratings, AlphaLevel level, double[]? categoryValues = null)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        CheckValues(ratings.CategoryCount, level, categoryValues);
        return Compute(CoincidenceMatrix.Of(ratings), level, categoryValues);
    }

    /// <summary>α of two raters from their contingency table (each item is one unit with two values).</summary>
    public static Agreement Compute(ContingencyTable table, AlphaLevel level, double[]? categoryValues = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        CheckValues(table.CategoryCount, level, categoryValues);
        return Compute(CoincidenceMatrix.Of(table), level, categoryValues);
    }

    /// <summary>α from an already accumulated coincidence matrix, so all levels can share one pass over the ratings.</summary>
    public static Agreement Compute(CoincidenceMatrix coincidences, AlphaLevel level, double[]? categoryValues = null)
    {
        ArgumentNullException.ThrowIfNull(coincidences);
        var categoryCount = coincidences.CategoryCount;
        CheckValues(categoryCount, level, categoryValues);
        var items = coincidences.PairableItems;
        if (items == 0)
        {
            return Agreement.Undefined(0, AgreementTally.NoPairsReason);
        }

        var distance = SquaredDistances(level, coincidences.ValueCounts, categoryValues);
        var observed = coincidences.Coincidences;
        var valueCounts = coincidences.ValueCounts;
        var observedDisagreement = 0.0;
        var expectedDisagreement = 0.0;
        for (var c = 0; c < categoryCount; c++)
        {
            for (var k = 0; k < categoryCount; k++)
            {
                var delta = distance[c * categoryCount + k];
                if (delta == 0)
                {
                    continue;
                }
                observedDisagreement += observed[c * categoryCount + k] * delta;
                expectedDisagreement += (double)valueCounts[c] * valueCounts[k] * delta;
            }
        }
        if (expectedDisagreement == 0)
        {
            return Agreement.Undefined(items,
                "All ratings on items with two or more ratings have the same value, so no disagreement is expected by chance and α is 0/0.");
        }
        return Agreement.Of(1 - (coincidences.PairableValues - 1) * observedDisagreement / expectedDisagreement, items);
    }

    /// <summary>δ²_ck for every pair of categories, row-major.</summary>
    private static double[] SquaredDistances(AlphaLevel level, ReadOnlySpan<long> valueCounts, double[]? categoryValues)
    {
        var categoryCount = valueCounts.Length;
        var distance = new double[categoryCount * categoryCount];
        if (level == AlphaLevel.Ordinal)
        {
            // Σ_{g=c..k} n_g through running totals: before[g] = Σ_{h<g} n_h.
            var before = new double[categoryCount + 1];
            for (var g = 0; g < categoryCount; g++)
            {
                before[g + 1] = before[g] + valueCounts[g];
            }
            for (var c = 0; c < categoryCount; c++)
            {
                for (var k = c + 1; k < categoryCount; k++)
                {
                    var between = before[k + 1] - before[c] - (valueCounts[c] + valueCounts[k]) / 2.0;
                    distance[c * categoryCount + k] = distance[k * categoryCount + c] = between * between;
                }
            }
            return distance;
        }
        for (var c = 0; c < categoryCount; c++)
        {
            for (var k = c + 1; k < categoryCount; k++)
            {
                distance[c * categoryCount + k] = distance[k * categoryCount + c] = level switch
                {
                    AlphaLevel.Nominal => 1,
                    AlphaLevel.Interval => Square(categoryValues![c] - categoryValues[k]),
                    // 0/0 when both values are 0: they are the same value, no disagreement.
                    AlphaLevel.Ratio => categoryValues![c] + categoryValues[k] == 0
                        ? 0
                        : Square((categoryValues[c] - categoryValues[k]) / (categoryValues[c] + categoryValues[k])),
                    _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
                };
            }
        }
        return distance;
    }

    private static double Square(double x) => x * x;

    private static void CheckValues(int categoryCount, AlphaLevel level, double[]? categoryValues)
    {
        if (!Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, null);
        }
        if (level is not (AlphaLevel.Interval or AlphaLevel.Ratio))
        {
            return;
        }
        if (categoryValues is null)
        {
            throw new ArgumentNullException(nameof(categoryValues), $"The {level} level needs the numeric value of each category.");
        }
        if (categoryValues.Length != categoryCount)
        {
            throw new ArgumentException($"Expected one value per category ({categoryCount}), got {categoryValues.Length}.", nameof(categoryValues));
        }
        foreach (var value in categoryValues)
        {
            if (!double.IsFinite(value) || (level == AlphaLevel.Ratio && value < 0))
            {
                throw new ArgumentException(
                    $"Category values must be finite{(level == AlphaLevel.Ratio ? " and non-negative on the ratio level" : "")}; got {value}.",
                    nameof(categoryValues));
            }
        }
    }
}
