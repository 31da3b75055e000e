using System.Text.Json;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>Every published vector in TestData/agreement-vectors.json for the categorical statistics.</summary>
public sealed class PublishedVectorTests
{
    private static readonly Dictionary<string, AlphaLevel> Levels = new()
    {
        ["nominal"] = AlphaLevel.Nominal,
        ["ordinal"] = AlphaLevel.Ordinal,
        ["interval"] = AlphaLevel.Interval,
        ["ratio"] = AlphaLevel.Ratio,
    };

    [Theory]
    [InlineData("krippendorff-2011-c", 11)]
    [InlineData("wikipedia-krippendorff", 12)]
    public void Krippendorffs_alpha_matches_the_published_values_at_every_level_given(string id, int pairableUnits)
    {
        var vector = AgreementVectors.Get(id);
        var (ratings, values) = AgreementVectors.CodersByUnits(vector);
        var checkedLevels = 0;
        foreach (var source in new[] { "expected", "computed" })
        {
            foreach (var published in vector.GetProperty(source).EnumerateObject())
            {
                var alpha = KrippendorffAlpha.Compute(ratings, Levels[published.Name], values);
                AgreementVectors.AssertToGivenDigits(published.Value, alpha, $"{id} {source} {published.Name}");
                // Units with fewer than two values cannot be paired (counted by hand: unit 12 in the first, units 1, 2 and 14 in the second).
                Assert.Equal(pairableUnits, alpha.Items);
                checkedLevels++;
            }
        }
        Assert.True(checkedLevels >= 4, $"{id}: only {checkedLevels} published figures were found.");
        if (vector.TryGetProperty("nltk_nominal", out var nltk))
        {
            AgreementVectors.AssertToGivenDigits(nltk, KrippendorffAlpha.Compute(ratings, AlphaLevel.Nominal), $"{id} nltk nominal");
        }
    }

    [Fact]
    public void Krippendorffs_alpha_on_the_crowd_kit_toy_answers()
    {
        var vector = AgreementVectors.Get("crowdkit-toy");
        var answers = vector.GetProperty("answers").EnumerateObject().ToArray();
        var tasks = answers.SelectMany(worker => worker.Value.EnumerateObject().Select(answer => answer.Name)).Distinct().Order().ToArray();
        var labels = answers.SelectMany(worker => worker.Value.EnumerateObject().Select(answer => answer.Value.GetString()!)).Distinct().Order().ToArray();
        var triples = answers.SelectMany((worker, rater) => worker.Value.EnumerateObject()
            .Select(answer => (Array.IndexOf(tasks, answer.Name), rater, Array.IndexOf(labels, answer.Value.GetString()))));
        var ratings = RatingMatrix.FromTriples(tasks.Length, answers.Length, labels.Length, triples);

        var alpha = KrippendorffAlpha.Compute(ratings, AlphaLevel.Nominal);

        AgreementVectors.AssertToGivenDigits(vector.GetProperty("expected").GetProperty("krippendorff_alpha_nominal"), alpha, "crowd-kit expected");
        AgreementVectors.AssertToGivenDigits(vector.GetProperty("computed").GetProperty("krippendorff_alpha_nominal"), alpha, "crowd-kit computed");
        Assert.Equal(5, alpha.Items);
    }

    [Fact]
    public void Cohens_kappa_and_observed_agreement_on_the_Wikipedia_two_by_two_table()
    {
        var vector = AgreementVectors.Get("wikipedia-cohen-2x2");
        var table = new ContingencyTable(IntRows(vector.GetProperty("table")));
        var expected = vector.GetProperty("expected");

        var kappa = CohenKappa.Compute(table);
        var observed = PercentAgreement.Compute(table);

        AgreementVectors.AssertToGivenDigits(expected.GetProperty("kappa"), kappa, "κ");
        AgreementVectors.AssertToGivenDigits(vector.GetProperty("computed").GetProperty("kappa"), kappa, "κ computed");
        AgreementVectors.AssertToGivenDigits(expected.GetProperty("observed_agreement"), observed, "p_o");
        // p_e is not returned on its own; κ = (p_o − p_e)/(1 − p_e) gives p_e = (p_o − κ)/(1 − κ).
        var chance = (observed.Value!.Value - kappa.Value!.Value) / (1 - kappa.Value.Value);
        AgreementVectors.AssertToGivenDigits(expected.GetProperty("expected_agreement"), Agreement.Of(chance, 50), "p_e");
        Assert.Equal(50, kappa.Items);
    }

    [Theory]
    [InlineData("artstein-poesio-table1")]
    [InlineData("artstein-poesio-table4")]
    public void Cohens_kappa_on_the_Artstein_and_Poesio_tables(string id)
    {
        var vector = AgreementVectors.Get(id);
        var first = vector.GetProperty("rater1").EnumerateArray().Select(code => (int?)code.GetInt32()).ToArray();
        var second = vector.GetProperty("rater2").EnumerateArray().Select(code => (int?)code.GetInt32()).ToArray();
        var ratings = RatingMatrix.FromRaters([first, second], first.Concat(second).Max()!.Value + 1);

        var kappa = CohenKappa.Compute(ratings, 0, 1);

        AgreementVectors.AssertToGivenDigits(vector.GetProperty("expected").GetProperty("kappa"), kappa, $"{id} expected");
        AgreementVectors.AssertToGivenDigits(vector.GetProperty("computed").GetProperty("kappa"), kappa, $"{id} computed");
        Assert.Equal(first.Length, kappa.Items);
        Assert.Equal(kappa, CohenKappa.Compute(ratings, 1, 0));
    }

    [Fact]
    public void Fleiss_kappa_on_the_Wikipedia_subjects_by_categories_counts_and_on_the_same_ratings_as_a_matrix()
    {
        var vector = AgreementVectors.Get("wikipedia-fleiss");
        var counts = IntRows(vector.GetProperty("table"));

        var fromCounts = FleissKappa.Compute(counts);

        // The same data as raters × items: subject i's 14 ratings laid out in category order across 14 raters.
        var rows = counts.Select(row => row.SelectMany((count, category) => Enumerable.Repeat((int?)category, count)).ToArray()).ToArray();
        var fromMatrix = FleissKappa.Compute(RatingMatrix.FromItems(rows, counts[0].Length));

        foreach (var (name, kappa) in new[] { ("counts", fromCounts), ("matrix", fromMatrix) })
        {
            AgreementVectors.AssertToGivenDigits(vector.GetProperty("expected").GetProperty("kappa"), kappa, $"{name} expected");
            AgreementVectors.AssertToGivenDigits(vector.GetProperty("computed").GetProperty("kappa"), kappa, $"{name} computed");
            Assert.Equal(10, kappa.Items);
        }
    }

    [Fact]
    public void Fleiss_kappa_on_Fleiss_1971_psychiatric_diagnoses()
    {
        var vector = AgreementVectors.Get("fleiss-1971-diagnoses");
        // Diagnoses are coded 1–5 in the paper; category code = diagnosis − 1.
        var rows = vector.GetProperty("data").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(diagnosis => (int?)(diagnosis.GetInt32() - 1)).ToArray())
            .ToArray();

        var kappa = FleissKappa.Compute(RatingMatrix.FromItems(rows, 5));

        AgreementVectors.AssertToGivenDigits(vector.GetProperty("expected").GetProperty("kappa"), kappa, "expected");
        AgreementVectors.AssertToGivenDigits(vector.GetProperty("computed").GetProperty("kappa"), kappa, "computed");
        Assert.Equal(30, kappa.Items);
    }

    private static int[][] IntRows(JsonElement table) =>
        table.EnumerateArray().Select(row => row.EnumerateArray().Select(count => count.GetInt32()).ToArray()).ToArray();
}
