using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>
/// Each annotator pair's Cohen's κ, observed agreement and n, as the report lists them (issue 13, point 18). The expected
/// κ values are scikit-learn 1.2.1's, computed from the answers below:
/// <c>cohen_kappa_score(SentimentAnn, SentimentBob)</c> = 0.5384615384615384 and
/// <c>cohen_kappa_score(StarsAnn, StarsBob, labels=[1, 2, 3, 4, 5], weights="quadratic")</c> = 0.7593984962406015.
/// </summary>
public class PairAgreementTests
{
    private static readonly Guid Ann = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Bob = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid Cat = Guid.Parse("00000000-0000-0000-0000-00000000000c");

    private static readonly string[] SentimentAnn = ["pos", "pos", "neg", "neu", "pos", "neg", "neg", "neu", "pos", "pos"];
    private static readonly string[] SentimentBob = ["pos", "neg", "neg", "neu", "pos", "neg", "pos", "neu", "pos", "neu"];
    private static readonly int[] StarsAnn = [5, 4, 3, 1, 2, 5, 4, 3];
    private static readonly int[] StarsBob = [4, 4, 2, 1, 3, 5, 5, 1];

    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["pos", "neg", "neu"] },
            new LabelField { Name = "stars", Kind = FieldKind.Rating, Min = 1, Max = 5 },
        ],
    };

    private static readonly Dictionary<Guid, string> Names = new() { [Ann] = "ann", [Bob] = "bob", [Cat] = "cat" };

    private static Dictionary<string, JsonElement> Values(string sentiment, int? stars) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(stars is { } s
            ? $$"""{"sentiment": "{{sentiment}}", "stars": {{s}}}"""
            : $$"""{"sentiment": "{{sentiment}}"}""")!;

    private static QualityReportData Report()
    {
        var calculator = new QualityCalculator(Schema, new Dictionary<long, Dictionary<string, JsonElement>>());
        for (var item = 0; item < SentimentAnn.Length; item++)
        {
            calculator.Add(new AnswerRecord(item + 1, Ann, Values(SentimentAnn[item], item < StarsAnn.Length ? StarsAnn[item] : null), null, DateTimeOffset.UnixEpoch));
            calculator.Add(new AnswerRecord(item + 1, Bob, Values(SentimentBob[item], item < StarsBob.Length ? StarsBob[item] : null), null, DateTimeOffset.UnixEpoch));
        }
        // Cat answers the first three items as Ann did, without stars.
        for (var item = 0; item < 3; item++)
        {
            calculator.Add(new AnswerRecord(item + 1, Cat, Values(SentimentAnn[item], null), null, DateTimeOffset.UnixEpoch));
        }
        return calculator.Compute(Names, 1, null, TimeSpan.Zero);
    }

    private static AnnotatorPairAgreement Pair(QualityReportData data, string field, Guid a, Guid b) =>
        data.Fields.Single(f => f.Field == field).PairAgreements!
            .Single(p => (p.AnnotatorA, p.AnnotatorB) == (a, b) || (p.AnnotatorA, p.AnnotatorB) == (b, a));

    [Fact]
    public void Each_pair_states_cohens_kappa_its_observed_agreement_and_the_items_both_answered()
    {
        var data = Report();

        var annBob = Pair(data, "sentiment", Ann, Bob);
        Assert.Equal("cohen_kappa", annBob.Statistic);
        Assert.Equal(0.5384615384615384, annBob.CohensKappa!.Value, 12);
        Assert.Equal(annBob.CohensKappa, annBob.Value);
        Assert.Equal(0.7, annBob.PercentAgreement!.Value, 12);
        Assert.Equal(10, annBob.Items);
        Assert.Equal(("ann", "bob"), annBob.AnnotatorA == Ann ? (annBob.AnnotatorAName, annBob.AnnotatorBName) : (annBob.AnnotatorBName, annBob.AnnotatorAName));

        var annCat = Pair(data, "sentiment", Ann, Cat);
        Assert.Equal((1.0, 1.0, 3), (annCat.CohensKappa, annCat.PercentAgreement, annCat.Items));

        // Ratings: quadratic-weighted κ over the whole 1–5 list, named as such.
        var stars = Pair(data, "stars", Ann, Bob);
        Assert.Equal("cohen_kappa_quadratic", stars.Statistic);
        Assert.Equal(0.7593984962406015, stars.CohensKappa!.Value, 12);
        Assert.Equal(0.375, stars.PercentAgreement!.Value, 12);
        Assert.Equal(8, stars.Items);
        // Cat gave no stars: no pair with Cat in that field.
        Assert.DoesNotContain(data.Fields.Single(f => f.Field == "stars").PairAgreements!, p => p.AnnotatorA == Cat || p.AnnotatorB == Cat);
        // The heatmap names the same statistic its cells hold.
        Assert.Equal("cohen_kappa", data.Fields.Single(f => f.Field == "sentiment").Pairs!.Metric);
    }

    [Fact]
    public void One_pair_computed_alone_gives_the_reports_figures()
    {
        var answers = Enumerable.Range(0, SentimentAnn.Length).Select(item => (
            (long)item + 1,
            (IReadOnlyDictionary<string, JsonElement>)Values(SentimentAnn[item], null),
            (IReadOnlyDictionary<string, JsonElement>)Values(SentimentBob[item], null)));

        var pair = QualityCalculator.PairAgreement(Schema.Fields[0], (Ann, "ann"), (Bob, "bob"), answers);

        Assert.Equal(("cohen_kappa", 10, 0.7), (pair.Statistic, pair.Items, pair.PercentAgreement));
        Assert.Equal(0.5384615384615384, pair.Value!.Value, 12);
        var none = QualityCalculator.PairAgreement(Schema.Fields[1], (Ann, "ann"), (Bob, "bob"), answers);
        Assert.Equal(("cohen_kappa_quadratic", 0, null), (none.Statistic, none.Items, none.Value));
        Assert.NotNull(none.UndefinedReason);
    }

    [Fact]
    public void The_pairs_csv_names_the_statistic_and_both_annotators_by_name_and_id()
    {
        var lines = QualityCsv.Write(Report(), "pairs")!.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("field,statistic,annotator_a,annotator_a_id,annotator_b,annotator_b_id,value,items,cohens_kappa,percent_agreement,undefined_reason", lines[0]);
        var annBob = lines.Single(l => l.StartsWith("sentiment,", StringComparison.Ordinal) && l.Contains(Ann.ToString(), StringComparison.Ordinal) && l.Contains(Bob.ToString(), StringComparison.Ordinal)).Split(',');
        Assert.Equal("cohen_kappa", annBob[1]);
        Assert.Equal(0.5384615384615384, double.Parse(annBob[8], CultureInfo.InvariantCulture), 12);
        Assert.Equal(("10", "0.7"), (annBob[7], annBob[9]));
        // Three pairs for the sentiment (Bob and Cat share items 1–3), one for the stars.
        Assert.Equal(4, lines.Length - 1);
    }
}
