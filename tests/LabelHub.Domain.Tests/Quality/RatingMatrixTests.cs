using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>Building rating matrices, the one-vs-rest view per label, and the annotator × annotator matrix.</summary>
public sealed class RatingMatrixTests
{
    [Fact]
    public void Triples_fill_their_cells_and_leave_the_rest_missing()
    {
        var ratings = RatingMatrix.FromTriples(3, 2, 4, [(0, 1, 3), (2, 0, 0), (1, 1, 2)]);

        Assert.Equal((3, 2, 4), (ratings.ItemCount, ratings.RaterCount, ratings.CategoryCount));
        Assert.Equal(3, ratings[0, 1]);
        Assert.Equal(0, ratings[2, 0]);
        Assert.Equal(2, ratings[1, 1]);
        Assert.Equal(RatingMatrix.Missing, ratings[0, 0]);
        Assert.Equal(RatingMatrix.Missing, ratings[2, 1]);
    }

    [Fact]
    public void Rows_per_item_and_rows_per_rater_are_the_same_matrix_transposed_and_short_rows_end_in_missing()
    {
        var byItem = RatingMatrix.FromItems([[0, null, 2], [1]], 3);
        var byRater = RatingMatrix.FromRaters([[0, 1], [null], [2]], 3);

        foreach (var ratings in new[] { byItem, byRater })
        {
            Assert.Equal((2, 3), (ratings.ItemCount, ratings.RaterCount));
            Assert.Equal([0, RatingMatrix.Missing, 2, 1, RatingMatrix.Missing, RatingMatrix.Missing],
                Enumerable.Range(0, 6).Select(cell => ratings[cell / 3, cell % 3]));
        }
    }

    [Fact]
    public void The_flat_constructor_copies_and_checks_its_codes()
    {
        int[] codes = [0, 1, -1, 2];
        var ratings = new RatingMatrix(2, 2, 3, codes);
        codes[0] = 2;

        Assert.Equal(0, ratings[0, 0]);
        Assert.Throws<ArgumentException>(() => new RatingMatrix(2, 2, 3, [0, 1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RatingMatrix(2, 2, 3, [0, 1, 3, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RatingMatrix(2, 2, 3, [0, -2, 1, 0]));
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_offending_place()
    {
        var twice = Assert.Throws<ArgumentException>(() => RatingMatrix.FromTriples(2, 2, 2, [(1, 0, 1), (1, 0, 0)]));
        Assert.Contains("Rater 0 rated item 1 twice", twice.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RatingMatrix.FromTriples(2, 2, 2, [(0, 2, 0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RatingMatrix.FromTriples(2, 2, 2, [(0, 0, 2)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RatingMatrix.FromItems([[0, 5]], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => RatingMatrix.FromItems([[0]], 0));
        Assert.Throws<ArgumentException>(() => ContingencyTable.Of(RatingMatrix.FromItems([[0, 1]], 2), 1, 1));
        Assert.Throws<ArgumentException>(() => new ContingencyTable([[1, 2], [3]]));
    }

    [Fact]
    public void Interval_and_ratio_alpha_need_one_usable_value_per_category()
    {
        var ratings = RatingMatrix.FromItems([[0, 1], [1, 1]], 2);

        Assert.Throws<ArgumentNullException>(() => KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval));
        Assert.Throws<ArgumentException>(() => KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, [1, double.NaN]));
        Assert.Throws<ArgumentException>(() => KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, [-1, 2]));
        Assert.True(KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, [-1, 2]).IsDefined);
    }

    [Fact]
    public void One_vs_rest_marks_the_label_as_one_every_other_rating_as_zero_and_keeps_missing()
    {
        var ratings = RatingMatrix.FromItems([[2, 0, null], [1, 2, 2]], 3);

        var label2 = ratings.OneVsRest(2);

        Assert.Equal(2, label2.CategoryCount);
        Assert.Equal([1, 0, RatingMatrix.Missing, 0, 1, 1], Enumerable.Range(0, 6).Select(cell => label2[cell / 3, cell % 3]));
        // A view of a view folds again: "is it 0?" of the binary view is "anything but label 2".
        Assert.Equal([0, 1, RatingMatrix.Missing, 1, 0, 0], Enumerable.Range(0, 6).Select(cell => label2.OneVsRest(0)[cell / 3, cell % 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ratings.OneVsRest(3));
    }

    [Theory]
    [InlineData(22)]
    [InlineData(23)]
    public void Every_statistic_of_a_one_vs_rest_view_equals_that_of_a_binary_copy_of_the_ratings(int seed)
    {
        var rows = SyntheticRatings.Generate(seed, items: 200, raters: 5, categories: 4, missing: 0.2, accuracy: 0.6);
        var ratings = RatingMatrix.FromItems(rows, 4);
        double[] binaryValues = [0, 1];

        for (var label = 0; label < 4; label++)
        {
            var copy = RatingMatrix.FromItems(rows.Select(row => row.Select(code => code is { } c ? c == label ? 1 : 0 : (int?)null).ToArray()).ToArray(), 2);
            var view = ratings.OneVsRest(label);

            Assert.Equal(SyntheticRatings.MultiRaterStatistics(copy, binaryValues, [1, 2]), SyntheticRatings.MultiRaterStatistics(view, binaryValues, [1, 2]));
            Assert.Equal(CohenKappa.PairMatrix(copy).Cast<Agreement>(), CohenKappa.PairMatrix(view).Cast<Agreement>());
        }
    }

    [Fact]
    public void Pair_matrix_cells_are_the_statistic_of_each_pair_on_the_items_both_rated()
    {
        var ratings = SyntheticRatings.Matrix(24, items: 400, raters: 6, categories: 5, missing: 0.4);

        var kappas = CohenKappa.PairMatrix(ratings, KappaWeighting.Quadratic);
        var alphas = PairwiseAgreement.Matrix(ratings, table => KrippendorffAlpha.Compute(table, AlphaLevel.Ordinal));

        for (var a = 0; a < 6; a++)
        {
            Assert.False(kappas[a, a].IsDefined);
            Assert.Equal(Enumerable.Range(0, 400).Count(item => ratings[item, a] != RatingMatrix.Missing), kappas[a, a].Items);
            for (var b = 0; b < 6; b++)
            {
                if (a == b)
                {
                    continue;
                }
                var alone = CohenKappa.Compute(ratings, Math.Min(a, b), Math.Max(a, b), KappaWeighting.Quadratic);
                Assert.Equal(alone, kappas[a, b]);
                Assert.Equal(Enumerable.Range(0, 400).Count(item => ratings[item, a] != RatingMatrix.Missing && ratings[item, b] != RatingMatrix.Missing), alone.Items);
                Assert.Equal(KrippendorffAlpha.Compute(ContingencyTable.Of(ratings, Math.Min(a, b), Math.Max(a, b)), AlphaLevel.Ordinal), alphas[a, b]);
            }
        }
    }

    [Fact]
    public void Pair_matrix_is_the_same_when_its_tables_need_several_passes()
    {
        // 60 raters × 100 categories need 1,770 tables of 10,000 cells, more than one pass holds, so the pairs are
        // counted in blocks of first raters. Each item is rated by 4 of the 60 raters.
        var random = new Random(25);
        var triples = Enumerable.Range(0, 600).SelectMany(item =>
        {
            var truth = random.Next(100);
            return Enumerable.Range(0, 60).OrderBy(_ => random.Next()).Take(4)
                .Select(rater => (item, rater, random.NextDouble() < 0.7 ? truth : random.Next(100)));
        }).ToArray();
        var ratings = RatingMatrix.FromTriples(600, 60, 100, triples);

        var pairs = CohenKappa.PairMatrix(ratings);

        var compared = 0;
        for (var a = 0; a < 60; a++)
        {
            for (var b = a + 1; b < 60; b++)
            {
                var alone = CohenKappa.Compute(ratings, a, b);
                Assert.Equal(alone, pairs[a, b]);
                Assert.Equal(alone, pairs[b, a]);
                compared += alone.IsDefined ? 1 : 0;
            }
        }
        Assert.True(compared > 100, $"only {compared} pairs had a defined κ");
    }
}
