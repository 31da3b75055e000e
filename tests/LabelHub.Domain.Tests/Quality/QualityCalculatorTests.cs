using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

public class QualityCalculatorTests
{
    private static readonly Guid Ann = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Bob = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid Cat = Guid.Parse("00000000-0000-0000-0000-00000000000c");

    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "ORG"], Source = "text" },
            new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"], Source = "image" },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["a", "b"] },
        ],
    };

    private static AnswerRecord Answer(long item, Guid who, string json, int? ms = null) =>
        new(item, who, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!, ms, DateTimeOffset.UnixEpoch);

    private static Agreement Metric(QualityReportData data, string field, string metric) =>
        data.Fields.Single(f => f.Field == field).Metrics.Single(m => m.Metric == metric).Value;

    [Fact]
    public void Spans_are_compared_pair_by_pair_strictly_and_by_overlap()
    {
        var calculator = new QualityCalculator(Schema, new Dictionary<long, Dictionary<string, JsonElement>>());
        // Item 1: the same PER span, and an ORG span whose end differs by one character (overlap, not strict).
        calculator.Add(Answer(1, Ann, """{"entities": [{"start": 0, "end": 5, "label": "PER"}, {"start": 10, "end": 15, "label": "ORG"}]}"""));
        calculator.Add(Answer(1, Bob, """{"entities": [{"start": 0, "end": 5, "label": "PER"}, {"start": 10, "end": 16, "label": "ORG"}]}"""));
        // Item 2: only Ann marked something.
        calculator.Add(Answer(2, Ann, """{"entities": [{"start": 3, "end": 8, "label": "PER"}]}"""));
        calculator.Add(Answer(2, Bob, """{"entities": []}"""));

        var data = calculator.Compute(new Dictionary<Guid, string>(), 1, null, TimeSpan.Zero);

        // Strict: 1 match, Ann 2 unmatched, Bob 1 unmatched: F1 = 2·1 / (2·1 + 2 + 1) = 0.4.
        Assert.Equal(0.4, Metric(data, "entities", "span_f1_strict").Value!.Value, 12);
        // Overlap: 2 matches, Ann 1 unmatched, Bob 0: F1 = 4 / (4 + 1) = 0.8.
        Assert.Equal(0.8, Metric(data, "entities", "span_f1_overlap").Value!.Value, 12);
        var pairs = data.Fields.Single(f => f.Field == "entities").Pairs!;
        Assert.Equal(0.4, pairs.Values[0][1]!.Value!.Value, 12);
        Assert.Equal(pairs.Values[0][1], pairs.Values[1][0]);
        Assert.Null(pairs.Values[0][0]);
    }

    [Fact]
    public void Boxes_match_one_to_one_at_half_overlap_with_the_same_label()
    {
        var calculator = new QualityCalculator(Schema, new Dictionary<long, Dictionary<string, JsonElement>>());
        // Two cars: one nearly identical (IoU 0.81), one shifted by half its width (IoU 1/3, below 0.5).
        calculator.Add(Answer(1, Ann, """{"objects": [{"x": 0, "y": 0, "width": 0.2, "height": 0.2, "label": "car"}, {"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2, "label": "car"}]}"""));
        calculator.Add(Answer(1, Bob, """{"objects": [{"x": 0, "y": 0, "width": 0.18, "height": 0.18, "label": "car"}, {"x": 0.6, "y": 0.5, "width": 0.2, "height": 0.2, "label": "car"}]}"""));

        var data = calculator.Compute(new Dictionary<Guid, string>(), 1, null, TimeSpan.Zero);

        Assert.Equal(0.5, Metric(data, "objects", "box_f1_iou50").Value!.Value, 12);
        Assert.Equal(0.81, Metric(data, "objects", "box_mean_matched_iou").Value!.Value, 9);
        var car = data.Fields.Single(f => f.Field == "objects").Labels.Single(l => l.Label == "car");
        Assert.Equal(0.5, car.Metrics.Single().Value.Value!.Value, 12);
        Assert.False(data.Fields.Single(f => f.Field == "objects").Labels.Single(l => l.Label == "person").Metrics.Single().Value.IsDefined);
    }

    [Fact]
    public void Without_two_answers_to_any_item_every_figure_is_undefined_with_a_reason()
    {
        var calculator = new QualityCalculator(Schema, new Dictionary<long, Dictionary<string, JsonElement>>());
        calculator.Add(Answer(1, Ann, """{"entities": [], "objects": [], "tags": ["a"]}""", ms: 3000));
        calculator.Add(Answer(2, Bob, """{"entities": [], "objects": [], "tags": ["b"]}""", ms: 5000));

        var data = calculator.Compute(new Dictionary<Guid, string> { [Ann] = "Ann", [Bob] = "Bob" }, 0.5, 2, TimeSpan.Zero);

        Assert.All(data.Fields.SelectMany(f => f.Metrics), m =>
        {
            Assert.False(m.Value.IsDefined, m.Metric);
            Assert.False(string.IsNullOrWhiteSpace(m.Value.UndefinedReason));
        });
        Assert.False(data.Kpis.Agreement!.IsDefined);
        Assert.Equal(4.0, data.Kpis.MedianSecondsPerTask);
        Assert.Equal(["Ann", "Bob"], data.Annotators.Select(a => a.Name));
    }

    [Fact]
    public void Multiple_choice_counts_the_whole_set_and_each_label_one_vs_rest()
    {
        var calculator = new QualityCalculator(Schema, new Dictionary<long, Dictionary<string, JsonElement>>());
        foreach (var (item, ann, bob, cat) in new[] { (1L, "[\"a\"]", "[\"a\"]", "[\"a\"]"), (2L, "[\"a\",\"b\"]", "[\"b\",\"a\"]", "[\"a\",\"b\"]"), (3L, "[\"b\"]", "[\"b\"]", "[\"a\",\"b\"]") })
        {
            calculator.Add(Answer(item, Ann, $$"""{"tags": {{ann}}}"""));
            calculator.Add(Answer(item, Bob, $$"""{"tags": {{bob}}}"""));
            calculator.Add(Answer(item, Cat, $$"""{"tags": {{cat}}}"""));
        }

        var data = calculator.Compute(new Dictionary<Guid, string>(), 1, null, TimeSpan.Zero);

        // Sets: items 1 and 2 unanimous (order of ticks does not matter), item 3 split 2 to 1.
        var tags = data.Fields.Single(f => f.Field == "tags");
        Assert.Equal((1 + 1 + (1.0 / 3)) / 3, Metric(data, "tags", "percent_agreement").Value!.Value, 12);
        // Label b is ticked by everyone on items 2 and 3 and by nobody on item 1: perfect one-vs-rest agreement.
        Assert.Equal(1.0, tags.Labels.Single(l => l.Label == "b").Metrics.Single(m => m.Metric == "percent_agreement").Value.Value!.Value, 12);
        Assert.True(tags.Labels.Single(l => l.Label == "a").Metrics.Single(m => m.Metric == "percent_agreement").Value.Value < 1);
    }
}

public class QualityCalculatorGoldTests
{
    [Fact]
    public void Gold_items_score_each_annotator_per_field_with_a_confusion_matrix_and_stay_out_of_agreement()
    {
        var schema = new LabelSchema { Fields = [new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"] }] };
        var gold = new Dictionary<long, Dictionary<string, JsonElement>>
        {
            [7] = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"sentiment": "neutral"}""")!,
        };
        var calculator = new QualityCalculator(schema, gold);
        var right = Guid.NewGuid();
        var wrong = Guid.NewGuid();
        calculator.Add(new AnswerRecord(7, right, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"sentiment": "neutral"}""")!, null, DateTimeOffset.UnixEpoch));
        calculator.Add(new AnswerRecord(7, wrong, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"sentiment": "negative"}""")!, null, DateTimeOffset.UnixEpoch));

        var data = calculator.Compute(new Dictionary<Guid, string>(), 0, null, TimeSpan.Zero);

        var wrongScore = data.GoldByField.Single(g => g.AnnotatorId == wrong);
        Assert.Equal(0.0, wrongScore.Accuracy.Value);
        Assert.Equal(1, wrongScore.Confusion[wrongScore.Categories.IndexOf("neutral")][wrongScore.Categories.IndexOf("negative")]);
        Assert.Equal(1.0, data.GoldByField.Single(g => g.AnnotatorId == right).Accuracy.Value);
        Assert.Equal(0.5, data.Kpis.GoldAccuracy!.Value);
        Assert.False(data.Fields.Single().Metrics.First().Value.IsDefined);
    }
}
