using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Tests.Quality;
using static LabelHub.Domain.Tests.Releases.AggregationInput;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>
/// Dawid–Skene in a release: fitted once over compact triples, then read per item. Its final answers must be exactly
/// <see cref="DawidSkene"/>'s own on the same answers (crowd-kit's toy), and differ from majority vote where a
/// reliable annotator is outvoted.
/// </summary>
public sealed class ReleaseAggregationDawidSkeneTests
{
    private static readonly LabelSchema ToySchema = new()
    {
        Fields = [new LabelField { Name = "answer", Kind = FieldKind.Choice, Labels = CrowdKitToy.Categories }],
    };

    private static readonly LabelSchema Sentiment = new()
    {
        Fields = [new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["pos", "neg"] }],
    };

    /// <summary>Triples as items: one answer per annotator, annotation id = item·100 + annotator's place.</summary>
    private static List<ItemAnswers> Items(string field, IEnumerable<(Guid Annotator, long Item, string Answer)> answers) =>
        [.. answers.GroupBy(a => a.Item).OrderBy(g => g.Key).Select(g => new ItemAnswers(g.Key,
            [.. g.Select((a, n) => new AggregationAnswer(g.Key * 100 + n, a.Annotator, Values($$"""{"{{field}}":"{{a.Answer}}"}"""), false))]))];

    private static DawidSkeneFit Fit(LabelSchema schema, IEnumerable<ItemAnswers> items)
    {
        var builder = DawidSkeneFit.Start(schema);
        foreach (var item in items)
        {
            builder.Add(item);
        }
        return builder.Fit();
    }

    [Fact]
    public void On_crowd_kits_toy_the_final_answers_are_dawid_skenes_own_posteriors_and_published_labels()
    {
        var items = Items("answer", CrowdKitToy.Answers());
        var aggregation = new ReleaseAggregation(ToySchema, AggregationMethod.DawidSkene, Fit(ToySchema, items));

        var reference = DawidSkene.Aggregate(CrowdKitToy.Answers(), CrowdKitToy.Categories);
        var published = CrowdKitToy.Expected("dawid_skene_converged_labels");
        for (var i = 0; i < items.Count; i++)
        {
            var final = aggregation.Aggregate(items[i]).Answers["answer"];
            Assert.Equal(FinalAnswerSource.DawidSkene, final.Source);
            Assert.Equal(reference.Items[i].Label, final.Value.GetString());
            Assert.Equal(reference.Items[i].Confidence, final.Confidence);
            Assert.Equal(published.GetProperty($"t{items[i].ItemId}").GetString(), final.Value.GetString());
            Assert.Equal(items[i].Answers.Where(a => a.Values["answer"].GetString() == final.Value.GetString()).Select(a => a.AnnotationId).Order(), final.FromAnnotationIds);
        }
    }

    /// <summary>
    /// 100 items, true label alternating. Annotator 1 is always right. Annotators 2 and 3 are each wrong on 8 items in
    /// 20 (2: i ≡ 0–6, 11; 3: i ≡ 0, 7–13 mod 20), both together on i ≡ 0 and 11, where they outvote the reliable one.
    /// Majority vote's start rates annotator 1 at 0.9 (odds 9) and the others at 0.7 (odds (7/3)² ≈ 5.4 for two): so
    /// Dawid–Skene believes annotator 1 there, and its later rounds only firm that up.
    /// </summary>
    private static List<(Guid Annotator, long Item, string Answer)> OutvotedCrowd()
    {
        var answers = new List<(Guid, long, string)>();
        for (var i = 0; i < 100; i++)
        {
            var truth = i % 2 == 0 ? "pos" : "neg";
            var wrong = truth == "pos" ? "neg" : "pos";
            answers.Add((Annotator(1), i + 1, truth));
            answers.Add((Annotator(2), i + 1, i % 20 is <= 6 or 11 ? wrong : truth));
            answers.Add((Annotator(3), i + 1, i % 20 is 0 or (>= 7 and <= 13) ? wrong : truth));
        }
        return answers;
    }

    [Fact]
    public void Where_two_noisy_annotators_outvote_a_reliable_one_Dawid_Skene_sides_with_the_reliable_one()
    {
        var items = Items("sentiment", OutvotedCrowd());
        var dawidSkene = new ReleaseAggregation(Sentiment, AggregationMethod.DawidSkene, Fit(Sentiment, items));
        var majority = new ReleaseAggregation(Sentiment);
        var reference = DawidSkene.Aggregate(OutvotedCrowd(), ["pos", "neg"]);

        var outvoted = items.Where(item => (item.ItemId - 1) % 20 is 0 or 11).ToList();
        Assert.Equal(10, outvoted.Count);
        foreach (var item in outvoted)
        {
            var truth = (item.ItemId - 1) % 2 == 0 ? "pos" : "neg";
            var byMajority = majority.Aggregate(item).Answers["sentiment"];
            var byDawidSkene = dawidSkene.Aggregate(item).Answers["sentiment"];
            Assert.NotEqual(truth, byMajority.Value.GetString());
            Assert.Equal(2.0 / 3, byMajority.Confidence, 12);
            Assert.Equal(truth, byDawidSkene.Value.GetString());
            Assert.Equal([item.ItemId * 100], byDawidSkene.FromAnnotationIds);
            Assert.True(byDawidSkene.Confidence > 0.5);
        }
        // Every item, not just those: the release's answer is the fit's arg-max and posterior, bit for bit.
        for (var i = 0; i < items.Count; i++)
        {
            var final = dawidSkene.Aggregate(items[i]).Answers["sentiment"];
            Assert.Equal((reference.Items[i].Label, reference.Items[i].Confidence), (final.Value.GetString()!, final.Confidence));
        }
    }

    [Fact]
    public void Gold_answers_enter_the_fit_as_known_labels_and_stay_final_on_their_items()
    {
        var answers = OutvotedCrowd();
        var gold = new Dictionary<long, string> { [1] = "pos", [12] = "neg", [23] = "pos" };
        var items = Items("sentiment", answers).Select(item => gold.TryGetValue(item.ItemId, out var label)
            ? item with { Gold = Values($$"""{"sentiment":"{{label}}"}""") }
            : item).ToList();
        var fit = Fit(Sentiment, items);
        var aggregation = new ReleaseAggregation(Sentiment, AggregationMethod.DawidSkene, fit);

        var reference = DawidSkene.Aggregate(answers, ["pos", "neg"], gold);
        Assert.Equal(reference.LowerBounds, fit.Results["sentiment"].LowerBounds);
        for (var i = 0; i < items.Count; i++)
        {
            var final = aggregation.Aggregate(items[i]).Answers["sentiment"];
            var expectedSource = gold.ContainsKey(items[i].ItemId) ? FinalAnswerSource.Gold : FinalAnswerSource.DawidSkene;
            Assert.Equal(expectedSource, final.Source);
            Assert.Equal(reference.Items[i].Label, final.Value.GetString());
        }
    }

    [Fact]
    public void Equal_posteriors_are_a_tie_and_an_item_the_fit_did_not_see_is_refused()
    {
        var items = new List<ItemAnswers>
        {
            Item(1, Answer(1, 1, """{"sentiment":"pos"}"""), Answer(2, 2, """{"sentiment":"neg"}""")),
            Item(2, Answer(3, 1, "{}")),
        };
        var aggregation = new ReleaseAggregation(Sentiment, AggregationMethod.DawidSkene, Fit(Sentiment, items));

        Assert.Equal(NoFinalAnswerReason.Tied, aggregation.Aggregate(items[0]).Missing["sentiment"]);
        Assert.Equal(NoFinalAnswerReason.NoAnswers, aggregation.Aggregate(items[1]).Missing["sentiment"]);
        Assert.Throws<InvalidOperationException>(() => aggregation.Aggregate(Item(3, Answer(4, 1, """{"sentiment":"pos"}"""))));
    }

    [Fact]
    public void The_fit_does_not_depend_on_the_order_items_or_answers_arrive_in()
    {
        var crowd = SyntheticCrowd.Generate(seed: 11, items: 400, categories: 3, accuracies: [0.85, 0.6, 0.5]);
        var schema = new LabelSchema { Fields = [new LabelField { Name = "c", Kind = FieldKind.Choice, Labels = crowd.Categories }] };
        var items = Items("c", crowd.Answers);
        var shuffled = items.AsEnumerable().Reverse().Select(item => item with { Answers = [.. item.Answers.Reverse()] }).ToList();

        var first = new ReleaseAggregation(schema, AggregationMethod.DawidSkene, Fit(schema, items));
        var second = new ReleaseAggregation(schema, AggregationMethod.DawidSkene, Fit(schema, shuffled));

        foreach (var (a, b) in items.Zip(shuffled.AsEnumerable().Reverse()))
        {
            var x = first.Aggregate(a);
            var y = second.Aggregate(b);
            Assert.Equal(x.Answers.Keys, y.Answers.Keys);
            foreach (var (field, answer) in x.Answers)
            {
                Assert.Equal((answer.Value.GetString(), answer.Confidence), (y.Answers[field].Value.GetString(), y.Answers[field].Confidence));
                Assert.Equal(answer.FromAnnotationIds, y.Answers[field].FromAnnotationIds);
            }
        }
    }
}
