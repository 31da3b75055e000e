using System.Globalization;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using static LabelHub.Domain.Tests.Releases.AggregationInput;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>
/// Spans by exact agreement and boxes by matched, median-merged consensus (ADR 0020 § Aggregation), against
/// hand-computed vectors. Boxes are drawn on a 100 × 200 pixel image so fractions and pixels are easy to check.
/// </summary>
public sealed class ReleaseAggregationConsensusTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "LOC"] },
            new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] },
        ],
    };

    private static ItemAggregation Aggregate(params AggregationAnswer[] answers) => new ReleaseAggregation(Schema).Aggregate(Item(1, answers));

    /// <summary>A box as the editor stores it on a 100 × 200 image: pixels and the fractions derived from them.</summary>
    private static string Box(string label, int x, int y, int width, int height) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"x":{{x / 100.0}},"y":{{y / 200.0}},"width":{{width / 100.0}},"height":{{height / 200.0}},"label":"{{label}}","x_px":{{x}},"y_px":{{y}},"width_px":{{width}},"height_px":{{height}}}""");

    private static BoxValue Expected(string label, int x, int y, int width, int height) =>
        new(x / 100.0, y / 200.0, width / 100.0, height / 200.0, label, x, y, width, height);

    private static AggregationAnswer Drawn(long id, int annotator, params string[] boxes) =>
        Answer(id, annotator, $$"""{"objects":[{{string.Join(",", boxes)}}]}""");

    [Fact]
    public void A_span_more_than_half_of_the_annotators_marked_exactly_is_kept_two_of_three()
    {
        // "Alice met Bob in Paris": Alice 0–5, Bob 10–13, Paris 17–22.
        var result = Aggregate(
            Answer(1, 1, """{"entities":[{"start":10,"end":13,"label":"PER"},{"start":0,"end":5,"label":"PER","text":"Alice"}]}"""),
            Answer(2, 2, """{"entities":[{"start":0,"end":5,"label":"PER"},{"start":17,"end":22,"label":"LOC"}]}"""),
            Answer(3, 3, """{"entities":[{"start":0,"end":5,"label":"PER"},{"start":10,"end":13,"label":"PER"},{"start":17,"end":22,"label":"PER"}]}"""));

        var entities = result.Answers["entities"];
        Assert.Equal([new SpanValue(0, 5, "PER", "Alice"), new SpanValue(10, 13, "PER")], Spans(entities));
        Assert.Equal(FinalAnswerSource.Consensus, entities.Source);
        // Kept: Alice 3/3, Bob 2/3; dropped: Paris as LOC and as PER, each 1/3 (2/3 did not mark it). The least is 2/3.
        Assert.Equal(2.0 / 3, entities.Confidence, 12);
        Assert.Equal([1L, 2L, 3L], entities.FromAnnotationIds);
    }

    [Fact]
    public void One_of_two_annotators_is_not_enough_and_nearly_the_same_span_is_another_span()
    {
        var oneOfTwo = Aggregate(Answer(1, 1, """{"entities":[{"start":0,"end":5,"label":"PER"}]}"""), Answer(2, 2, """{"entities":[]}"""));
        var offByOne = Aggregate(
            Answer(1, 1, """{"entities":[{"start":0,"end":5,"label":"PER"}]}"""), Answer(2, 2, """{"entities":[{"start":0,"end":4,"label":"PER"}]}"""),
            Answer(3, 3, """{"entities":[{"start":0,"end":5,"label":"LOC"}]}"""));

        Assert.Empty(Spans(oneOfTwo.Answers["entities"]));
        Assert.Equal(0.5, oneOfTwo.Answers["entities"].Confidence);
        // Nothing kept: the answers it came from are those that marked nothing.
        Assert.Equal([2L], oneOfTwo.Answers["entities"].FromAnnotationIds);
        Assert.Empty(Spans(offByOne.Answers["entities"]));
        Assert.Empty(offByOne.Answers["entities"].FromAnnotationIds);
    }

    [Fact]
    public void Annotators_who_all_marked_nothing_agree_on_no_spans_and_an_item_without_answers_has_none()
    {
        var nothing = Aggregate(Answer(1, 1, """{"entities":[]}"""), Answer(2, 2, "{}"));
        var unanswered = Aggregate();

        Assert.Empty(Spans(nothing.Answers["entities"]));
        Assert.Equal((1.0, FinalAnswerSource.Consensus), (nothing.Answers["entities"].Confidence, nothing.Answers["entities"].Source));
        Assert.Equal([1L, 2L], nothing.Answers["entities"].FromAnnotationIds);
        Assert.Equal(NoFinalAnswerReason.NoAnswers, unanswered.Missing["entities"]);
        Assert.Equal(NoFinalAnswerReason.NoAnswers, unanswered.Missing["objects"]);
    }

    [Fact]
    public void Matched_boxes_merge_into_the_median_of_each_edge_in_two_clusters_and_a_lone_box_is_dropped()
    {
        var result = Aggregate(
            Drawn(1, 1, Box("car", 10, 20, 30, 40), Box("car", 60, 100, 20, 20), Box("person", 10, 20, 30, 40)),
            Drawn(2, 2, Box("car", 62, 102, 20, 20), Box("car", 12, 20, 30, 40)),
            Drawn(3, 3, Box("car", 11, 22, 28, 40), Box("car", 80, 150, 10, 10)));

        var objects = result.Answers["objects"];
        // Cluster 1 (3 of 3): left 10/11/12 → 11, top 20/20/22 → 20, right 40/42/39 → 40, bottom 60/60/62 → 60.
        // Cluster 2 (2 of 3, IoU 324/476 = 0.68): the middle of two is their mean: 61, 101, 81, 121.
        // The person box (1 of 3) and the car at (80, 150) (1 of 3) are dropped.
        Assert.Equal([Expected("car", 11, 20, 29, 40), Expected("car", 61, 101, 20, 20)], Boxes(objects));
        Assert.Equal(2.0 / 3, objects.Confidence, 12);
        Assert.Equal(FinalAnswerSource.Consensus, objects.Source);
        Assert.Equal([1L, 2L, 3L], objects.FromAnnotationIds);
    }

    [Fact]
    public void A_cluster_holds_one_box_per_annotator()
    {
        // Annotator 1 drew the same car twice; the closer copy (IoU 1) joins annotator 2's box, the other is alone.
        var result = Aggregate(
            Drawn(1, 1, Box("car", 10, 20, 30, 40), Box("car", 12, 22, 30, 40)),
            Drawn(2, 2, Box("car", 10, 20, 30, 40)));

        Assert.Equal([Expected("car", 10, 20, 30, 40)], Boxes(result.Answers["objects"]));
        Assert.Equal(0.5, result.Answers["objects"].Confidence);
    }

    [Fact]
    public void Boxes_overlapping_less_than_half_or_of_another_label_do_not_match()
    {
        // IoU of (10, 20, 30×40) and (25, 20, 30×40): 15·40 / (2·1200 − 600) = 1/3.
        var result = Aggregate(
            Drawn(1, 1, Box("car", 10, 20, 30, 40)), Drawn(2, 2, Box("car", 25, 20, 30, 40)),
            Drawn(3, 3, Box("person", 10, 20, 30, 40)));

        Assert.Empty(Boxes(result.Answers["objects"]));
        Assert.Equal(2.0 / 3, result.Answers["objects"].Confidence, 12);
    }

    [Fact]
    public void Boxes_typed_in_fractions_only_merge_in_fractions_without_pixels()
    {
        var result = Aggregate(
            Answer(1, 1, """{"objects":[{"x":0.1,"y":0.1,"width":0.4,"height":0.4,"label":"car"}]}"""),
            Answer(2, 2, """{"objects":[{"x":0.12,"y":0.1,"width":0.4,"height":0.42,"label":"car"}]}"""));

        var box = Assert.Single(Boxes(result.Answers["objects"]));
        Assert.Equal((0.11, 0.1, 0.4, 0.41), (Math.Round(box.X, 12), Math.Round(box.Y, 12), Math.Round(box.Width, 12), Math.Round(box.Height, 12)));
        Assert.Null(box.XPx);
        Assert.Equal(1.0, result.Answers["objects"].Confidence);
    }

    [Fact]
    public void An_adjudicated_box_answer_is_taken_as_it_is()
    {
        var result = Aggregate(
            Drawn(1, 1, Box("car", 10, 20, 30, 40)), Drawn(2, 2, Box("car", 10, 20, 30, 40)),
            Answer(3, 3, $$"""{"objects":[{{Box("person", 50, 50, 10, 10)}}]}""", adjudicated: true));

        Assert.Equal([Expected("person", 50, 50, 10, 10)], Boxes(result.Answers["objects"]));
        Assert.Equal((1.0, FinalAnswerSource.Adjudicated), (result.Answers["objects"].Confidence, result.Answers["objects"].Source));
        Assert.Equal([3L], result.Answers["objects"].FromAnnotationIds);
    }
}
