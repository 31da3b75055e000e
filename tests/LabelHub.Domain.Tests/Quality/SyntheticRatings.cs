using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>Seeded random ratings for the property tests.</summary>
internal static class SyntheticRatings
{
    /// <summary>
    /// Each item has a hidden true category; each rater skips it with probability <paramref name="missing"/>, else gives
    /// the true category with probability <paramref name="accuracy"/> and a uniformly random one otherwise.
    /// </summary>
    public static int?[][] Generate(int seed, int items, int raters, int categories, double missing, double accuracy)
    {
        var random = new Random(seed);
        var rows = new int?[items][];
        for (var item = 0; item < items; item++)
        {
            var truth = random.Next(categories);
            rows[item] = new int?[raters];
            for (var rater = 0; rater < raters; rater++)
            {
                if (random.NextDouble() < missing)
                {
                    continue;
                }
                rows[item][rater] = random.NextDouble() < accuracy ? truth : random.Next(categories);
            }
        }
        return rows;
    }

    public static RatingMatrix Matrix(int seed, int items, int raters, int categories, double missing = 0.1, double accuracy = 0.7) =>
        RatingMatrix.FromItems(Generate(seed, items, raters, categories, missing, accuracy), categories);

    /// <summary>Every statistic over all raters, by name, for comparing two matrices.</summary>
    public static IEnumerable<(string Name, Agreement Value)> MultiRaterStatistics(RatingMatrix ratings, double[] values, double[] ratioValues)
    {
        yield return ("percent", PercentAgreement.Compute(ratings));
        yield return ("Fleiss κ", FleissKappa.Compute(ratings));
        yield return ("AC1", GwetAc1.Compute(ratings));
        yield return ("α nominal", KrippendorffAlpha.Compute(ratings, AlphaLevel.Nominal));
        yield return ("α ordinal", KrippendorffAlpha.Compute(ratings, AlphaLevel.Ordinal));
        yield return ("α interval", KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, values));
        yield return ("α ratio", KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, ratioValues));
    }

    /// <summary>Every two-rater statistic of one contingency table, by name.</summary>
    public static IEnumerable<(string Name, Agreement Value)> PairStatistics(ContingencyTable table, double[] values, double[] ratioValues)
    {
        yield return ("percent", PercentAgreement.Compute(table));
        yield return ("κ", CohenKappa.Compute(table));
        yield return ("κ linear", CohenKappa.Compute(table, KappaWeighting.Linear));
        yield return ("κ quadratic", CohenKappa.Compute(table, KappaWeighting.Quadratic));
        yield return ("π", ScottPi.Compute(table));
        yield return ("AC1", GwetAc1.Compute(table));
        yield return ("α nominal", KrippendorffAlpha.Compute(table, AlphaLevel.Nominal));
        yield return ("α ordinal", KrippendorffAlpha.Compute(table, AlphaLevel.Ordinal));
        yield return ("α interval", KrippendorffAlpha.Compute(table, AlphaLevel.Interval, values));
        yield return ("α ratio", KrippendorffAlpha.Compute(table, AlphaLevel.Ratio, ratioValues));
    }

    public static void AssertClose(Agreement expected, Agreement actual, string what, double tolerance = 1e-12)
    {
        Assert.True(expected.IsDefined, $"{what}: expected a value, but it is undefined ({expected.UndefinedReason}).");
        Assert.True(actual.IsDefined, $"{what}: undefined ({actual.UndefinedReason}), expected {expected.Value:R}.");
        Assert.True(Math.Abs(expected.Value!.Value - actual.Value!.Value) <= tolerance, $"{what}: {actual.Value:R} ≠ {expected.Value:R}.");
        Assert.Equal(expected.Items, actual.Items);
    }
}
