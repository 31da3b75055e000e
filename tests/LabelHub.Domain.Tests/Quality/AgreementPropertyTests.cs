using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>What must hold for any data: perfect agreement, invariances, symmetry, and the exact relations between the statistics.</summary>
public sealed class AgreementPropertyTests
{
    private static readonly double[] Values = [0, 1, 2.5, 4, 7];
    private static readonly double[] RatioValues = [1, 2, 3, 5, 8];

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.3)]
    public void Perfect_agreement_gives_one_for_every_statistic(int seed, double missing)
    {
        var ratings = SyntheticRatings.Matrix(seed, items: 200, raters: 5, categories: 5, missing, accuracy: 1);

        foreach (var (name, value) in SyntheticRatings.MultiRaterStatistics(ratings, Values, RatioValues))
        {
            Assert.True(value.IsDefined, $"{name}: {value.UndefinedReason}");
            Assert.Equal(1, value.Value!.Value, 1e-12);
        }
        for (var a = 0; a < ratings.RaterCount; a++)
        {
            for (var b = a + 1; b < ratings.RaterCount; b++)
            {
                foreach (var (name, value) in SyntheticRatings.PairStatistics(ContingencyTable.Of(ratings, a, b), Values, RatioValues))
                {
                    Assert.True(value.IsDefined, $"{name} of raters {a}, {b}: {value.UndefinedReason}");
                    Assert.Equal(1, value.Value!.Value, 1e-12);
                }
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Item_order_and_rater_order_change_no_statistic(int seed)
    {
        var rows = SyntheticRatings.Generate(seed, items: 300, raters: 6, categories: 5, missing: 0.25, accuracy: 0.6);
        var random = new Random(seed);
        var raterAt = Enumerable.Range(0, 6).OrderBy(_ => random.Next()).ToArray();
        var shuffled = rows.OrderBy(_ => random.Next()).Select(row => raterAt.Select(rater => row[rater]).ToArray()).ToArray();
        var original = RatingMatrix.FromItems(rows, 5);
        var reordered = RatingMatrix.FromItems(shuffled, 5);

        var before = SyntheticRatings.MultiRaterStatistics(original, Values, RatioValues).ToArray();
        var after = SyntheticRatings.MultiRaterStatistics(reordered, Values, RatioValues).ToArray();
        for (var i = 0; i < before.Length; i++)
        {
            SyntheticRatings.AssertClose(before[i].Value, after[i].Value, before[i].Name);
        }

        // Rater j of the reordered matrix is rater raterAt[j] of the original.
        foreach (var weighting in Enum.GetValues<KappaWeighting>())
        {
            var originalPairs = CohenKappa.PairMatrix(original, weighting);
            var reorderedPairs = CohenKappa.PairMatrix(reordered, weighting);
            for (var a = 0; a < 6; a++)
            {
                for (var b = a + 1; b < 6; b++)
                {
                    SyntheticRatings.AssertClose(originalPairs[raterAt[a], raterAt[b]], reorderedPairs[a, b], $"κ {weighting} of raters {a}, {b}");
                }
            }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Kappa_of_every_weighting_is_symmetric_in_its_raters(int seed)
    {
        var ratings = SyntheticRatings.Matrix(seed, items: 150, raters: 2, categories: 6, missing: 0.2, accuracy: 0.5);
        var table = ContingencyTable.Of(ratings, 0, 1);

        foreach (var weighting in Enum.GetValues<KappaWeighting>())
        {
            SyntheticRatings.AssertClose(CohenKappa.Compute(table, weighting), CohenKappa.Compute(table.Transposed(), weighting), $"{weighting} transposed");
            SyntheticRatings.AssertClose(CohenKappa.Compute(ratings, 0, 1, weighting), CohenKappa.Compute(ratings, 1, 0, weighting), $"{weighting} raters swapped");
        }
        // Not trivially so: the table is not symmetric, so the two orders really do different arithmetic.
        var transposed = table.Transposed();
        Assert.Contains(Enumerable.Range(0, 36), cell => table[cell / 6, cell % 6] != transposed[cell / 6, cell % 6]);
    }

    /// <summary>
    /// With every item rated by all m raters (n items, N = n·m values), Krippendorff's observed disagreement is
    /// D_o = (1/N) Σ_u Σ_{c≠k} n_uc n_uk/(m − 1) = 1 − P̄ and the expected one is D_e = (N² − Σ_c n_c²)/(N(N − 1))
    /// = N(1 − P̄_e)/(N − 1), where P̄ and P̄_e are Fleiss'. Hence α = 1 − D_o/D_e = 1 − (1 − κ_Fleiss)·(N − 1)/N exactly
    /// (for m = 2 this is Krippendorff's α = 1 − (1 − π)(2n − 1)/(2n) against Scott's π), and α → κ_Fleiss as n grows.
    /// </summary>
    [Theory]
    [InlineData(8, 2, 3)]
    [InlineData(9, 5, 4)]
    [InlineData(10, 14, 5)]
    public void Nominal_alpha_is_one_minus_one_minus_Fleiss_kappa_times_N_minus_1_over_N_on_complete_data(int seed, int raters, int categories)
    {
        foreach (var items in new[] { 3, 40, 2000 })
        {
            var ratings = SyntheticRatings.Matrix(seed, items, raters, categories, missing: 0, accuracy: 0.5);
            var fleiss = FleissKappa.Compute(ratings).Value!.Value;
            var alpha = KrippendorffAlpha.Compute(ratings, AlphaLevel.Nominal).Value!.Value;
            double values = items * raters;

            Assert.Equal(1 - (1 - fleiss) * (values - 1) / values, alpha, 1e-12);
            Assert.True(Math.Abs(alpha - fleiss) <= Math.Abs(1 - fleiss) / values + 1e-15);
        }
    }

    [Fact]
    public void Alpha_approaches_Fleiss_kappa_as_the_number_of_items_grows()
    {
        // The gap α − κ = (1 − κ)/N shrinks like 1/N; on 20 items × 3 raters it is visible, on 20,000 it is not.
        var small = SyntheticRatings.Matrix(11, items: 20, raters: 3, categories: 3, missing: 0, accuracy: 0.6);
        var large = SyntheticRatings.Matrix(11, items: 20_000, raters: 3, categories: 3, missing: 0, accuracy: 0.6);

        double Gap(RatingMatrix ratings) =>
            Math.Abs(KrippendorffAlpha.Compute(ratings, AlphaLevel.Nominal).Value!.Value - FleissKappa.Compute(ratings).Value!.Value);

        Assert.True(Gap(small) > 1e-3, $"gap on 20 items: {Gap(small)}");
        Assert.True(Gap(large) < 2e-5, $"gap on 20,000 items: {Gap(large)}");
    }

    [Theory]
    [InlineData(12, 0.0)]
    [InlineData(13, 0.3)]
    public void On_two_raters_Fleiss_kappa_is_Scotts_pi_and_every_matrix_figure_equals_the_contingency_table_figure(int seed, double missing)
    {
        // Fleiss (1971) built κ as Scott's π for many raters; with two raters the two are one formula. The table holds
        // only the items both rated, so items rated once are left out of the matrix too (irrCAC would count their
        // ratings in the category shares: see the hand-computed test below).
        var all = SyntheticRatings.Matrix(seed, items: 250, raters: 2, categories: 5, missing, accuracy: 0.6);
        var table = ContingencyTable.Of(all, 0, 1);
        var ratings = RatingMatrix.FromItems([.. Enumerable.Range(0, all.ItemCount)
            .Where(item => all[item, 0] != RatingMatrix.Missing && all[item, 1] != RatingMatrix.Missing)
            .Select(item => new int?[] { all[item, 0], all[item, 1] })], all.CategoryCount);

        SyntheticRatings.AssertClose(ScottPi.Compute(table), FleissKappa.Compute(ratings), "π vs Fleiss κ", 1e-15);
        SyntheticRatings.AssertClose(PercentAgreement.Compute(table), PercentAgreement.Compute(all), "percent", 1e-15);
        SyntheticRatings.AssertClose(GwetAc1.Compute(table), GwetAc1.Compute(ratings), "AC1", 1e-15);
        foreach (var level in Enum.GetValues<AlphaLevel>())
        {
            var values = level == AlphaLevel.Ratio ? RatioValues : Values;
            SyntheticRatings.AssertClose(KrippendorffAlpha.Compute(table, level, values), KrippendorffAlpha.Compute(all, level, values), $"α {level}");
        }
    }

    [Fact]
    public void Items_rated_once_count_in_the_category_shares_and_unused_categories_count_in_q_as_in_irrCAC()
    {
        // Three categories in the field's list; A–A, A–B, and B rated once. p_a = (1 + 0) / 2 = ½ over the two items with
        // a pair; π = (1 + ½ + 0, 0 + ½ + 1, 0) / 3 = (½, ½, 0) over all three rated items.
        var ratings = RatingMatrix.FromItems([[0, 0], [0, 1], [1, null]], categoryCount: 3);

        // Fleiss: p_e = ¼ + ¼ = ½, κ = 0 (without the single rating: π = (¾, ¼), κ = −⅓).
        Assert.Equal(0, FleissKappa.Compute(ratings).Value!.Value, 12);
        // AC1: p_e = (¼ + ¼ + 0) / (3 − 1) = ¼, AC1 = (½ − ¼) / ¾ = ⅓ (with q = 2 used categories it would be 0.2).
        Assert.Equal(1.0 / 3, GwetAc1.Compute(ratings).Value!.Value, 12);
        // Free-marginal: (½ − ⅓) / (1 − ⅓) = ¼.
        Assert.Equal(0.25, RandolphKappa.Compute(ratings).Value!.Value, 12);
        Assert.Equal(2, FleissKappa.Compute(ratings).Items);
    }

    [Fact]
    public void Cohens_kappa_equals_Scotts_pi_when_both_raters_have_the_same_marginals()
    {
        // Rater B gives the same multiset of categories as rater A, shuffled over the items, so r_k = c_k and Cohen's
        // chance term Σ r_k c_k / N² equals Scott's Σ ((r_k + c_k)/2N)².
        var random = new Random(14);
        var first = Enumerable.Range(0, 120).Select(_ => (int?)random.Next(4)).ToArray();
        var second = first.Select((code, item) => item % 3 == 0 ? code : null).ToArray();
        var moved = first.Where((_, item) => item % 3 != 0).OrderBy(_ => random.Next()).ToArray();
        for (int item = 0, next = 0; item < second.Length; item++)
        {
            second[item] ??= moved[next++];
        }
        var table = ContingencyTable.Of(RatingMatrix.FromRaters([first, second], 4), 0, 1);

        SyntheticRatings.AssertClose(ScottPi.Compute(table), CohenKappa.Compute(table), "κ vs π");
        Assert.True(CohenKappa.Compute(table).Value < 0.9, "the raters must not agree trivially");
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    public void With_two_categories_every_kappa_weighting_gives_the_same_value(int seed)
    {
        // |i − j| and (i − j)² are both [i ≠ j] when the only codes are 0 and 1.
        var table = ContingencyTable.Of(SyntheticRatings.Matrix(seed, items: 90, raters: 2, categories: 2, missing: 0.1, accuracy: 0.6), 0, 1);

        var unweighted = CohenKappa.Compute(table);
        SyntheticRatings.AssertClose(unweighted, CohenKappa.Compute(table, KappaWeighting.Linear), "linear");
        SyntheticRatings.AssertClose(unweighted, CohenKappa.Compute(table, KappaWeighting.Quadratic), "quadratic");
    }

    [Fact]
    public void Weighting_matters_with_more_than_two_categories()
    {
        var table = ContingencyTable.Of(SyntheticRatings.Matrix(17, items: 200, raters: 2, categories: 5, missing: 0.1, accuracy: 0.6), 0, 1);

        var unweighted = CohenKappa.Compute(table).Value!.Value;
        var linear = CohenKappa.Compute(table, KappaWeighting.Linear).Value!.Value;
        var quadratic = CohenKappa.Compute(table, KappaWeighting.Quadratic).Value!.Value;

        Assert.NotEqual(unweighted, linear, 1e-6);
        Assert.NotEqual(linear, quadratic, 1e-6);
    }

    [Theory]
    [InlineData(18)]
    [InlineData(19)]
    public void On_binary_ratings_every_alpha_level_is_the_nominal_alpha(int seed)
    {
        // With two categories there is one distance δ²_01, and α = 1 − (n − 1)·o_01·δ²/(n_0·n_1·δ²) does not depend on it.
        var ratings = SyntheticRatings.Matrix(seed, items: 200, raters: 4, categories: 2, missing: 0.3, accuracy: 0.7);

        var nominal = KrippendorffAlpha.Compute(ratings, AlphaLevel.Nominal);
        SyntheticRatings.AssertClose(nominal, KrippendorffAlpha.Compute(ratings, AlphaLevel.Ordinal), "ordinal");
        SyntheticRatings.AssertClose(nominal, KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, [3, -1.5]), "interval");
        SyntheticRatings.AssertClose(nominal, KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, [0.25, 4]), "ratio");
    }

    [Fact]
    public void Interval_alpha_ignores_the_unit_and_origin_of_the_values_and_ratio_alpha_ignores_the_unit()
    {
        // δ² scales by a² under v → a·v + b (interval) and is unchanged under v → a·v (ratio); α is a ratio of δ² sums.
        var ratings = SyntheticRatings.Matrix(20, items: 300, raters: 5, categories: 5, missing: 0.2, accuracy: 0.6);

        SyntheticRatings.AssertClose(
            KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, Values),
            KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, Values.Select(value => -3.5 * value + 100).ToArray()), "interval");
        SyntheticRatings.AssertClose(
            KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, RatioValues),
            KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, RatioValues.Select(value => 1000 * value).ToArray()), "ratio");
        Assert.NotEqual(
            KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, RatioValues).Value!.Value,
            KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, RatioValues.Select(value => value + 10).ToArray()).Value!.Value, 1e-6);
    }

    [Fact]
    public void One_coincidence_matrix_serves_every_alpha_level()
    {
        var ratings = SyntheticRatings.Matrix(21, items: 100, raters: 4, categories: 5, missing: 0.3);
        var coincidences = CoincidenceMatrix.Of(ratings);

        foreach (var level in Enum.GetValues<AlphaLevel>())
        {
            var values = level == AlphaLevel.Ratio ? RatioValues : Values;
            Assert.Equal(KrippendorffAlpha.Compute(ratings, level, values), KrippendorffAlpha.Compute(coincidences, level, values));
        }
        // Krippendorff's checks on the matrix: symmetric, row c sums to n_c, and Σ n_c = n.
        long total = 0;
        for (var c = 0; c < 5; c++)
        {
            var row = 0.0;
            for (var k = 0; k < 5; k++)
            {
                Assert.Equal(coincidences[c, k], coincidences[k, c], 1e-12);
                row += coincidences[c, k];
            }
            Assert.Equal(coincidences.ValueCount(c), row, 1e-9);
            total += coincidences.ValueCount(c);
        }
        Assert.Equal(coincidences.PairableValues, total);
    }
}
