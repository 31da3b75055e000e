using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>Statistics that depend on the list raters chose from, not only on what they used.</summary>
public class QualityCalculatorCategoryListTests
{
    private static readonly Guid Ann = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Bob = Guid.Parse("00000000-0000-0000-0000-00000000000b");

    private static Agreement Metric(QualityReportData data, string field, string metric) =>
        data.Fields.Single(f => f.Field == field).Metrics.Single(m => m.Metric == metric).Value;

    [Fact]
    public void A_choice_fields_whole_label_list_counts_for_AC1_and_the_free_marginal_kappa_and_ratings_get_linear_weights()
    {
        var schema = new LabelSchema
        {
            Fields =
            [
                new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"] },
                new LabelField { Name = "stars", Kind = FieldKind.Rating, Max = 5 },
            ],
        };
        var calculator = new QualityCalculator(schema, new Dictionary<long, Dictionary<string, JsonElement>>());
        // Two raters, "neutral" never used: 4 agreeing items of 5, shares (0.5, 0.5, 0) with a third category in the list.
        foreach (var (item, ann, bob, annStars, bobStars) in new[]
        {
            (1L, "positive", "positive", 5, 5), (2L, "positive", "positive", 4, 5), (3L, "negative", "negative", 1, 2),
            (4L, "negative", "negative", 2, 2), (5L, "positive", "negative", 3, 5),
        })
        {
            calculator.Add(Answer(item, Ann, ann, annStars));
            calculator.Add(Answer(item, Bob, bob, bobStars));
        }

        var data = calculator.Compute(new Dictionary<Guid, string>(), 1, null, TimeSpan.Zero);

        // p_a = 0.8; π = (0.5, 0.5, 0); p_e = (0.25 + 0.25 + 0) / (3 − 1) = 0.25; AC1 = 0.55 / 0.75 (q = 2 would give 0.6).
        Assert.Equal(0.55 / 0.75, Metric(data, "sentiment", "gwet_ac1").Value!.Value, 12);
        // Free-marginal: (0.8 − ⅓) / (1 − ⅓) = 0.7.
        Assert.Equal(0.7, Metric(data, "sentiment", "randolph_kappa").Value!.Value, 12);
        Assert.DoesNotContain(data.Fields.Single(f => f.Field == "sentiment").Metrics, m => m.Metric == "cohen_kappa_linear_mean");

        // Stars over the list 1..5 with linear weights 1 − |i − j| / 4. Observed: (1 + 0.75 + 0.75 + 1 + 0.5) / 5 = 0.8.
        // Ann's shares over 1..5 are 0.2 each; Bob's are (0, 0.4, 0, 0, 0.6). Expected:
        // 0.2 × (0.4 × (0.75 + 1 + 0.75 + 0.5 + 0.25) + 0.6 × (0 + 0.25 + 0.5 + 0.75 + 1)) = 0.2 × (1.3 + 1.5) = 0.56.
        Assert.Equal((0.8 - 0.56) / (1 - 0.56), Metric(data, "stars", "cohen_kappa_linear_mean").Value!.Value, 12);
        // Free-marginal over five stars: observed exact agreement 2 of 5 → (0.4 − 0.2) / 0.8.
        Assert.Equal(0.25, Metric(data, "stars", "randolph_kappa").Value!.Value, 12);
    }

    [Fact]
    public void Ratings_of_ten_stars_keep_their_numeric_order()
    {
        var schema = new LabelSchema { Fields = [new LabelField { Name = "stars", Kind = FieldKind.Rating, Max = 10 }] };
        var calculator = new QualityCalculator(schema, new Dictionary<long, Dictionary<string, JsonElement>>());
        // 10 against 9 is a near miss; 10 against 2 is not. Sorted as text, "10" would sit between "1" and "2".
        foreach (var (item, ann, bob) in new[] { (1L, 10, 9), (2L, 2, 2), (3L, 9, 10), (4L, 1, 1) })
        {
            calculator.Add(Answer(item, Ann, "positive", ann));
            calculator.Add(Answer(item, Bob, "positive", bob));
        }

        var data = calculator.Compute(new Dictionary<Guid, string>(), 1, null, TimeSpan.Zero);

        // Linear weights 1 − |i − j| / 9 over 1..10: observed (8/9 + 1 + 8/9 + 1) / 4 = 17/18; both raters use 1, 2, 9
        // and 10 a quarter of the time each, so expected = (4 + 2 × (8 + 1 + 0 + 2 + 1 + 8) / 9) / 16 = 19/36; κ = 15/17.
        Assert.Equal(15.0 / 17, Metric(data, "stars", "cohen_kappa_linear_mean").Value!.Value, 12);
    }

    private static AnswerRecord Answer(long item, Guid who, string sentiment, int stars) =>
        new(item, who, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>($$"""{"sentiment": "{{sentiment}}", "stars": {{stars}}}""")!, null, DateTimeOffset.UnixEpoch);
}
