using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>Data a statistic cannot judge gives "undefined" with the reason and the items it looked at, never NaN or a crash.</summary>
public sealed class DegenerateCaseTests
{
    private static readonly double[] Values = [1, 2, 3];

    private static IEnumerable<(string Name, Agreement Value)> ChanceCorrected(RatingMatrix ratings)
    {
        yield return ("Fleiss κ", FleissKappa.Compute(ratings));
        foreach (var level in Enum.GetValues<AlphaLevel>())
        {
            yield return ($"α {level}", KrippendorffAlpha.Compute(ratings, level, Values));
        }
        if (ratings.RaterCount >= 2)
        {
            foreach (var weighting in Enum.GetValues<KappaWeighting>())
            {
                yield return ($"κ {weighting}", CohenKappa.Compute(ratings, 0, 1, weighting));
            }
            yield return ("π", ScottPi.Compute(ratings, 0, 1));
        }
    }

    private static IEnumerable<(string Name, Agreement Value)> Everything(RatingMatrix ratings) =>
        ChanceCorrected(ratings).Append(("percent", PercentAgreement.Compute(ratings))).Append(("AC1", GwetAc1.Compute(ratings)));

    private static void AssertUndefined(Agreement agreement, int items, string what)
    {
        Assert.Null(agreement.Value);
        Assert.False(string.IsNullOrWhiteSpace(agreement.UndefinedReason), $"{what}: no reason given");
        Assert.Equal(items, agreement.Items);
    }

    [Fact]
    public void One_category_used_throughout_leaves_the_chance_corrected_figures_undefined()
    {
        // Chance agreement is then complete: κ, π and Fleiss' κ are 0/0, and α has no expected disagreement.
        var ratings = RatingMatrix.FromItems([[1, 1, 1], [1, 1, null], [1, null, null], [1, 1, 1]], 3);

        foreach (var (name, value) in ChanceCorrected(ratings))
        {
            // Items 0, 1 and 3 have two or more ratings, and are the ones raters 0 and 1 both rated.
            AssertUndefined(value, 3, name);
        }
        // Raw agreement is perfect, and AC1's chance term Σ π(1 − π)/(q − 1) is 0, so AC1 = p_a = 1 (Gwet's point).
        Assert.Equal(new Agreement(1, 3), PercentAgreement.Compute(ratings));
        Assert.Equal(new Agreement(1, 3), GwetAc1.Compute(ratings));
        // With a one-category list AC1 has no q − 1 to divide by.
        AssertUndefined(GwetAc1.Compute(RatingMatrix.FromItems([[0, 0], [0, 0]], 1)), 2, "AC1, one category");
        AssertUndefined(FleissKappa.Compute([[3, 0], [2, 0]]), 2, "Fleiss κ from counts");
    }

    [Fact]
    public void No_item_with_two_ratings_leaves_every_figure_undefined()
    {
        var ratings = RatingMatrix.FromItems([[0, null, null], [null, 1, null], [null, null, 2], [1, null, null]], 3);

        foreach (var (name, value) in Everything(ratings))
        {
            AssertUndefined(value, 0, name);
        }
        foreach (var agreement in CohenKappa.PairMatrix(ratings))
        {
            Assert.Null(agreement.Value);
        }
        AssertUndefined(FleissKappa.Compute([[1, 0, 0], [0, 0, 1]]), 0, "Fleiss κ from counts");
    }

    [Fact]
    public void A_single_rater_leaves_every_figure_undefined_and_a_one_by_one_pair_matrix()
    {
        var ratings = RatingMatrix.FromItems([[0], [1], [2], [1]], 3);

        foreach (var (name, value) in Everything(ratings))
        {
            AssertUndefined(value, 0, name);
        }
        var pairs = CohenKappa.PairMatrix(ratings);
        Assert.Equal((1, 1), (pairs.GetLength(0), pairs.GetLength(1)));
        AssertUndefined(pairs[0, 0], 4, "the rater with themselves");
    }

    [Fact]
    public void No_items_at_all_leaves_every_figure_undefined()
    {
        var ratings = RatingMatrix.FromItems([], 3);

        Assert.Equal(0, ratings.RaterCount);
        foreach (var (name, value) in Everything(ratings))
        {
            AssertUndefined(value, 0, name);
        }
        Assert.Empty(CohenKappa.PairMatrix(ratings));
        AssertUndefined(FleissKappa.Compute(Array.Empty<int[]>()), 0, "Fleiss κ from no counts");
        AssertUndefined(CohenKappa.Compute(new ContingencyTable([[0, 0], [0, 0]])), 0, "κ of an empty table");
    }

    [Fact]
    public void Two_raters_who_never_rated_the_same_item_have_no_kappa()
    {
        var ratings = RatingMatrix.FromItems([[0, null, 1], [null, 1, 0], [1, null, 1]], 2);

        var pairs = CohenKappa.PairMatrix(ratings);

        AssertUndefined(pairs[0, 1], 0, "raters 0 and 1");
        Assert.True(pairs[0, 2].IsDefined);
        Assert.Equal(2, pairs[0, 2].Items);
    }

    [Fact]
    public void Interval_alpha_is_undefined_when_every_category_has_the_same_value()
    {
        var ratings = RatingMatrix.FromItems([[0, 1], [1, 2], [2, 2]], 3);

        AssertUndefined(KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, [5, 5, 5]), 3, "interval");
        AssertUndefined(KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, [0, 0, 0]), 3, "ratio at zero");
        Assert.True(KrippendorffAlpha.Compute(ratings, AlphaLevel.Nominal).IsDefined);
    }
}
