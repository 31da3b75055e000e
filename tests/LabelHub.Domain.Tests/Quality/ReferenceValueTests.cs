using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>
/// Figures computed by hand (the arithmetic is in the comments) or by Debian's Python libraries (scikit-learn 1.2.1,
/// statsmodels 0.13.5, NLTK 3.8; the call that produced each number is named beside it).
/// </summary>
public sealed class ReferenceValueTests
{
    private const double LibraryTolerance = 1e-12;

    // 13 items × 4 raters over 4 categories, with missing ratings; the last item has one rating and is unpairable.
    private static readonly int?[][] Items =
    [
        [0, 0, 1, null],
        [1, 1, 1, 1],
        [2, 2, 3, 2],
        [3, 3, 3, null],
        [0, 1, null, 0],
        [1, 2, 1, 1],
        [null, 0, 0, 0],
        [2, null, 2, 3],
        [3, 2, 3, 3],
        [0, 0, 0, 1],
        [1, null, null, 1],
        [2, 2, null, null],
        [null, 3, null, null],
    ];

    private static readonly RatingMatrix Ratings = RatingMatrix.FromItems(Items, 4);

    [Theory]
    // nltk AnnotationTask([(rater, item, code) …], distance=binary_distance).alpha()
    [InlineData(AlphaLevel.Nominal, null, 0.5300353356890459)]
    // nltk …alpha() with distance = Krippendorff's ordinal δ² built from the pairable values' category counts
    [InlineData(AlphaLevel.Ordinal, null, 0.8542422347300396)]
    // nltk …alpha() with distance = (v[a] − v[b])², v = [0, 1, 2.5, 4]
    [InlineData(AlphaLevel.Interval, new[] { 0, 1, 2.5, 4 }, 0.8588890608076745)]
    // nltk …alpha() with distance = ((v[a] − v[b])/(v[a] + v[b]))², v = [1, 2, 4, 8]
    [InlineData(AlphaLevel.Ratio, new[] { 1.0, 2, 4, 8 }, 0.8012248666529389)]
    public void Krippendorffs_alpha_with_missing_ratings_matches_NLTK(AlphaLevel level, double[]? values, double nltk)
    {
        var alpha = KrippendorffAlpha.Compute(Ratings, level, values);

        Assert.Equal(nltk, alpha.Value!.Value, LibraryTolerance);
        Assert.Equal(12, alpha.Items);
    }

    [Theory]
    // sklearn.metrics.cohen_kappa_score(a, b, labels=[0, 1, 2, 3], weights=None | "linear" | "quadratic") on the
    // 9 items raters 0 and 1 both rated; statsmodels.stats.inter_rater.cohens_kappa(table, wt=…) gives the same.
    [InlineData(KappaWeighting.None, 0.5573770491803279)]
    [InlineData(KappaWeighting.Linear, 0.7216494845360825)]
    [InlineData(KappaWeighting.Quadratic, 0.8524590163934427)]
    public void Cohens_kappa_of_two_raters_on_the_items_both_rated_matches_scikit_learn(KappaWeighting weighting, double sklearn)
    {
        var kappa = CohenKappa.Compute(Ratings, 0, 1, weighting);

        Assert.Equal(sklearn, kappa.Value!.Value, LibraryTolerance);
        Assert.Equal(9, kappa.Items);
        Assert.Equal(kappa, CohenKappa.PairMatrix(Ratings, weighting)[0, 1]);
    }

    [Theory]
    // sklearn.metrics.cohen_kappa_score on its own weighting example: y1 = [0]*46 + [1]*44 + [2]*10,
    // y2 = [0]*50 + [1]*40 + [2]*10 (scikit-learn's test_cohen_kappa gives 0.9315, 0.9412, 0.9541).
    [InlineData(KappaWeighting.None, 0.9315068493150684)]
    [InlineData(KappaWeighting.Linear, 0.9411764705882353)]
    [InlineData(KappaWeighting.Quadratic, 0.9541284403669725)]
    public void Weighted_kappa_matches_scikit_learns_weighting_example(KappaWeighting weighting, double sklearn)
    {
        int?[] first = [.. Enumerable.Repeat<int?>(0, 46), .. Enumerable.Repeat<int?>(1, 44), .. Enumerable.Repeat<int?>(2, 10)];
        int?[] second = [.. Enumerable.Repeat<int?>(0, 50), .. Enumerable.Repeat<int?>(1, 40), .. Enumerable.Repeat<int?>(2, 10)];

        var kappa = CohenKappa.Compute(RatingMatrix.FromRaters([first, second], 3), 0, 1, weighting);

        Assert.Equal(sklearn, kappa.Value!.Value, LibraryTolerance);
    }

    [Fact]
    public void Scotts_pi_of_two_raters_matches_NLTK()
    {
        // nltk AnnotationTask(two coders on the 9 items raters 0 and 1 both rated).pi()
        Assert.Equal(0.5462184873949579, ScottPi.Compute(Ratings, 0, 1).Value!.Value, LibraryTolerance);
    }

    [Fact]
    public void Fleiss_kappa_on_the_fully_rated_items_matches_statsmodels()
    {
        var complete = Items.Where(row => row.All(code => code is not null)).ToArray();

        var kappa = FleissKappa.Compute(RatingMatrix.FromItems(complete, 4));

        // statsmodels fleiss_kappa(aggregate_raters(complete, n_cat=4)[0]); nltk AnnotationTask(...).pi() agrees.
        Assert.Equal(0.4405594405594405, kappa.Value!.Value, LibraryTolerance);
        Assert.Equal(5, kappa.Items);
    }

    [Fact]
    public void Two_by_two_table_by_hand()
    {
        // Rater A rows, rater B columns: [[7, 1], [2, 10]], N = 20. Row totals (8, 12), column totals (9, 11).
        var table = new ContingencyTable([[7, 1], [2, 10]]);

        // p_o = (7 + 10)/20 = 17/20.
        Assert.Equal(17 / 20.0, PercentAgreement.Compute(table).Value!.Value, 1e-15);
        // Cohen: p_e = (8·9 + 12·11)/20² = 204/400; κ = (17/20 − 204/400)/(1 − 204/400) = 136/196 = 34/49.
        // (sklearn cohen_kappa_score on the same 20 pairs: 0.6938775510204083.)
        Assert.Equal(34 / 49.0, CohenKappa.Compute(table).Value!.Value, 1e-15);
        // Scott: pooled shares π = (8 + 9, 12 + 11)/40 = (17/40, 23/40); p_e = (17² + 23²)/40² = 409/800;
        // π = (680/800 − 409/800)/(391/800) = 271/391. (nltk AnnotationTask.pi(): 0.6930946291560102.)
        Assert.Equal(271 / 391.0, ScottPi.Compute(table).Value!.Value, 1e-15);
        // Gwet AC1: p_e = (17/40·23/40 + 23/40·17/40)/(2 − 1) = 391/800; AC1 = (680/800 − 391/800)/(409/800) = 289/409.
        Assert.Equal(289 / 409.0, GwetAc1.Compute(table).Value!.Value, 1e-15);
    }

    [Fact]
    public void Many_raters_with_a_missing_rating_by_hand()
    {
        // 4 items × 3 raters, 3 categories; item 3 has two ratings.
        var ratings = RatingMatrix.FromItems([[0, 0, 0], [0, 0, 1], [1, 1, null], [2, 1, 0]], 3);

        // Share of agreeing pairs per item: 3/3, 1/3, 1/1, 0/3 → p_a = (1 + 1/3 + 1 + 0)/4 = 7/12.
        Assert.Equal(7 / 12.0, PercentAgreement.Compute(ratings).Value!.Value, 1e-15);
        // Category shares per item: (1, 0, 0), (2/3, 1/3, 0), (0, 1, 0), (1/3, 1/3, 1/3); mean π = (1/2, 5/12, 1/12).
        // AC1: p_e = Σ π(1 − π)/(q − 1) = (1/4 + 35/144 + 11/144)/2 = 41/144;
        //      AC1 = (84/144 − 41/144)/(103/144) = 43/103.
        var ac1 = GwetAc1.Compute(ratings);
        Assert.Equal(43 / 103.0, ac1.Value!.Value, 1e-15);
        Assert.Equal(4, ac1.Items);
        // Fleiss (Gwet's generalisation): p_e = Σ π² = 36/144 + 25/144 + 1/144 = 31/72;
        //      κ = (42/72 − 31/72)/(41/72) = 11/41.
        Assert.Equal(11 / 41.0, FleissKappa.Compute(ratings).Value!.Value, 1e-15);
        // The same items in Fleiss' subjects × categories layout, rows summing to 3, 3, 2 and 3 ratings.
        Assert.Equal(11 / 41.0, FleissKappa.Compute([[3, 0, 0], [2, 1, 0], [0, 2, 0], [1, 1, 1]]).Value!.Value, 1e-15);
    }

    [Fact]
    public void Gwets_ac1_uses_the_whole_category_list_even_where_categories_go_unused()
    {
        // The 2×2 table above inside a 3-category list: p_e = 2·(17/40)(23/40)/(3 − 1) = 391/1600;
        // AC1 = (1360/1600 − 391/1600)/(1209/1600) = 969/1209 = 323/403, not 289/409 as with q = 2.
        var table = new ContingencyTable([[7, 1, 0], [2, 10, 0], [0, 0, 0]]);

        Assert.Equal(323 / 403.0, GwetAc1.Compute(table).Value!.Value, 1e-15);
        // κ and π do not depend on unused categories.
        Assert.Equal(34 / 49.0, CohenKappa.Compute(table).Value!.Value, 1e-15);
        Assert.Equal(271 / 391.0, ScottPi.Compute(table).Value!.Value, 1e-15);
    }
}
