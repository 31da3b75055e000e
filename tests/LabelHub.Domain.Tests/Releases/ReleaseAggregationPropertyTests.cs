using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using static LabelHub.Domain.Tests.Releases.AggregationInput;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>Properties of aggregation over generated items: order never matters, and a release-sized run streams.</summary>
public sealed class ReleaseAggregationPropertyTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "animal", Kind = FieldKind.Choice, Labels = ["cat", "dog", "bird"] },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["a", "b", "c"] },
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "LOC"] },
            new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] },
        ],
    };

    /// <summary>
    /// A random item: 1–5 answers drawing from few values, spans and boxes on a small grid so that they often agree
    /// exactly or overlap; sometimes an adjudicated answer. Each list is written in the order given by <paramref name="order"/>.
    /// </summary>
    private static ItemAnswers RandomItem(Random random, long itemId)
    {
        var answers = new List<AggregationAnswer>();
        var count = random.Next(1, 6);
        for (var n = 0; n < count; n++)
        {
            var json = new StringBuilder("{");
            json.Append(CultureInfo.InvariantCulture, $"\"animal\":\"{Schema.Fields[0].Labels[random.Next(3)]}\"");
            json.Append(",\"tags\":[").AppendJoin(',', Schema.Fields[1].Labels.Where(_ => random.Next(2) == 0).Select(t => $"\"{t}\"")).Append(']');
            json.Append(",\"entities\":[").AppendJoin(',', Enumerable.Range(0, random.Next(4)).Select(_ =>
                string.Create(CultureInfo.InvariantCulture, $"{{\"start\":{random.Next(3) * 5},\"end\":{random.Next(1, 3) * 5 + 10},\"label\":\"{(random.Next(2) == 0 ? "PER" : "LOC")}\"}}"))).Append(']');
            json.Append(",\"objects\":[").AppendJoin(',', Enumerable.Range(0, random.Next(4)).Select(_ =>
            {
                int x = random.Next(0, 5) * 10 + random.Next(3), y = random.Next(0, 5) * 10 + random.Next(3), w = 30 + random.Next(4), h = 30 + random.Next(4);
                return string.Create(CultureInfo.InvariantCulture,
                    $"{{\"x\":{x / 100.0},\"y\":{y / 100.0},\"width\":{w / 100.0},\"height\":{h / 100.0},\"label\":\"{(random.Next(3) == 0 ? "person" : "car")}\",\"x_px\":{x},\"y_px\":{y},\"width_px\":{w},\"height_px\":{h}}}");
            })).Append(']');
            json.Append('}');
            answers.Add(Answer(itemId * 10 + n, n + 1, json.ToString(), adjudicated: random.Next(8) == 0));
        }
        return new ItemAnswers(itemId, answers);
    }

    /// <summary>The same item with its answers in another order and every list inside them reversed.</summary>
    private static ItemAnswers Reordered(ItemAnswers item, Random random) => item with
    {
        Answers = [.. item.Answers.OrderBy(_ => random.Next()).Select(answer => answer with
        {
            Values = answer.Values.ToDictionary(v => v.Key, v => v.Value.ValueKind == JsonValueKind.Array
                ? JsonSerializer.SerializeToElement(v.Value.EnumerateArray().Reverse().ToList())
                : v.Value),
        })],
    };

    private static string Serialized(ItemAggregation aggregation) => JsonSerializer.Serialize(aggregation);

    [Fact]
    public void The_same_answers_in_another_order_give_the_same_final_answers_byte_for_byte()
    {
        var random = new Random(2020);
        var aggregation = new ReleaseAggregation(Schema);
        var decided = new Dictionary<FinalAnswerSource, int>();
        for (var itemId = 1; itemId <= 2000; itemId++)
        {
            var item = RandomItem(random, itemId);

            var first = aggregation.Aggregate(item);
            var second = aggregation.Aggregate(Reordered(item, random));

            Assert.Equal(Serialized(first), Serialized(second));
            Assert.Equal(Schema.Fields.Count, first.Answers.Count + first.Missing.Count);
            foreach (var answer in first.Answers.Values)
            {
                decided[answer.Source] = decided.GetValueOrDefault(answer.Source) + 1;
                Assert.InRange(answer.Confidence, 0, 1);
                Assert.Equal(answer.FromAnnotationIds.Order(), answer.FromAnnotationIds);
            }
        }
        // The generator reaches every rule, so the property is not vacuous.
        Assert.All([FinalAnswerSource.Majority, FinalAnswerSource.Adjudicated, FinalAnswerSource.Consensus], source => Assert.True(decided.GetValueOrDefault(source) > 50, source.ToString()));
    }

    [Fact]
    public void A_hundred_thousand_items_with_three_answers_aggregate_by_majority_and_by_a_Dawid_Skene_fit()
    {
        const int Items = 100_000;
        var schema = new LabelSchema { Fields = [Schema.Fields[0]] };
        var values = schema.Fields[0].Labels.Select(label => Values($$"""{"animal":"{{label}}"}""")).ToArray();
        var annotators = Enumerable.Range(1, 20).Select(Annotator).ToArray();
        ItemAnswers Make(long itemId)
        {
            // Annotators rotate; answers follow a fixed pattern with some disagreement.
            var truth = (int)(itemId % 3);
            return new ItemAnswers(itemId,
            [
                new AggregationAnswer(itemId * 3, annotators[itemId % 20], values[truth], false),
                new AggregationAnswer(itemId * 3 + 1, annotators[(itemId + 7) % 20], values[itemId % 7 == 0 ? (truth + 1) % 3 : truth], false),
                new AggregationAnswer(itemId * 3 + 2, annotators[(itemId + 13) % 20], values[itemId % 5 == 0 ? (truth + 2) % 3 : truth], false),
            ]);
        }

        var builder = DawidSkeneFit.Start(schema);
        for (long itemId = 1; itemId <= Items; itemId++)
        {
            builder.Add(Make(itemId));
        }
        Assert.Equal(3L * Items, builder.AnswerCount);
        var dawidSkene = new ReleaseAggregation(schema, AggregationMethod.DawidSkene, builder.Fit());
        var majority = new ReleaseAggregation(schema);
        int byMajority = 0, byDawidSkene = 0, tied = 0;
        for (long itemId = 1; itemId <= Items; itemId++)
        {
            var item = Make(itemId);
            var m = majority.Aggregate(item);
            if (m.Answers.ContainsKey("animal"))
            {
                byMajority++;
            }
            else
            {
                tied += m.Missing["animal"] == NoFinalAnswerReason.Tied ? 1 : 0;
            }
            byDawidSkene += dawidSkene.Aggregate(item).Answers.ContainsKey("animal") ? 1 : 0;
        }
        // Both wrong (three different labels) when the item id is a multiple of 35: a three-way tie.
        Assert.Equal(Items / 35, tied);
        Assert.Equal(Items - tied, byMajority);
        Assert.True(byDawidSkene >= byMajority, $"Dawid–Skene settled {byDawidSkene}, majority {byMajority}.");
    }
}
