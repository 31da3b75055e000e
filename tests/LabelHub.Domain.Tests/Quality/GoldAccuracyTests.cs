using LabelHub.Domain.Labeling;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>Accuracy against gold answers, per annotator, for each field kind.</summary>
public sealed class GoldAccuracyTests
{
    private static readonly Guid Ann = MajorityVoteTests.Annotator(1);
    private static readonly Guid Bob = MajorityVoteTests.Annotator(2);
    private static readonly Guid Cid = MajorityVoteTests.Annotator(3);

    [Fact]
    public void Categories_give_accuracy_and_a_gold_by_answered_confusion_matrix()
    {
        var gold = new Dictionary<long, string> { [1] = "pos", [2] = "neg", [3] = "neu", [4] = "pos" };
        var answers = new List<(Guid, long, string)>
        {
            (Ann, 1, "pos"), (Ann, 2, "neg"), (Ann, 3, "pos"), (Ann, 4, "pos"), (Ann, 99, "neg"),
            (Bob, 1, "neg"), (Bob, 2, "neg"), (Bob, 3, "meh"),
            (Cid, 99, "pos"),
        };

        var result = GoldAccuracy.ForCategories(answers, gold, ["pos", "neg", "neu"]);

        Assert.Equal([Ann, Bob, Cid], result.Select(r => r.Annotator));
        var ann = result[0];
        Assert.Equal((0.75, 4), (ann.Accuracy.Value, ann.Accuracy.Items));
        Assert.Equal((2, 1, 1), (ann.Confusion.Count("pos", "pos"), ann.Confusion.Count("neg", "neg"), ann.Confusion.Count("neu", "pos")));
        Assert.Equal((4, 3), (ann.Confusion.Total, ann.Confusion.Correct));
        // An answer the schema does not list gets its own column after the listed categories.
        var bob = result[1];
        Assert.Equal(["pos", "neg", "neu", "meh"], bob.Confusion.Categories);
        Assert.Equal((1, 1), (bob.Confusion.Count("pos", "neg"), bob.Confusion.Count("neu", "meh")));
        Assert.Equal(1.0 / 3, bob.Accuracy.Value!.Value, 12);
        // Only item 99, which is not gold.
        var cid = result[2];
        Assert.Null(cid.Accuracy.Value);
        Assert.Contains("no gold item", cid.Accuracy.UndefinedReason);
        Assert.Equal(0, cid.Confusion.Total);
    }

    [Fact]
    public void Multiple_choice_counts_exact_sets_and_each_option_on_its_own()
    {
        var gold = new Dictionary<long, IReadOnlyCollection<string>> { [1] = ["a", "c"], [2] = ["b"], [3] = [] };
        var answers = new List<(Guid, long, IReadOnlyCollection<string>)>
        {
            (Ann, 1, ["c", "a"]), (Ann, 2, ["b", "c"]), (Ann, 3, []),
        };

        var ann = GoldAccuracy.ForMultipleChoice(answers, gold, ["a", "b", "c"]).Single();

        Assert.Equal(2.0 / 3, ann.ExactMatch.Value!.Value, 12);
        Assert.Equal(["a", "b", "c"], ann.ByOption.Select(o => o.Option));
        var c = ann.ByOption[2];
        Assert.Equal((1, 1, 0, 1), (c.TruePositives, c.FalsePositives, c.FalseNegatives, c.TrueNegatives));
        Assert.Equal((2.0 / 3, 0.5, 1.0), (c.Accuracy.Value!.Value, c.Precision.Value!.Value, c.Recall.Value!.Value));
        Assert.Equal(2.0 / 3, c.F1.Value!.Value, 12);
        var a = ann.ByOption[0];
        Assert.Equal((1.0, 1.0), (a.Accuracy.Value, a.F1.Value));
    }

    [Fact]
    public void An_option_nobody_picks_has_no_precision_recall_or_f1_but_a_perfect_accuracy()
    {
        var gold = new Dictionary<long, IReadOnlyCollection<string>> { [1] = ["a"] };
        var answers = new List<(Guid, long, IReadOnlyCollection<string>)> { (Ann, 1, ["a"]) };

        var b = GoldAccuracy.ForMultipleChoice(answers, gold, ["a", "b"]).Single().ByOption[1];

        Assert.Equal(1.0, b.Accuracy.Value);
        Assert.All(new[] { b.Precision, b.Recall, b.F1 }, figure => Assert.False(string.IsNullOrEmpty(figure.UndefinedReason)));
    }

    [Fact]
    public void Spans_are_matched_against_gold_with_gold_as_the_reference()
    {
        var gold = new Dictionary<long, IReadOnlyList<SpanValue>>
        {
            [1] = [new(0, 3, "PER"), new(13, 18, "ORG")],
            [2] = [new(4, 9, "LOC")],
        };
        var answers = new List<(Guid, long, IReadOnlyList<SpanValue>)>
        {
            (Ann, 1, [new(0, 3, "PER"), new(13, 17, "ORG")]),
            (Ann, 2, [new(4, 9, "LOC"), new(20, 25, "PER")]),
        };

        var strict = GoldAccuracy.ForSpans(answers, gold, SpanMatchMode.Strict).Single().Summary.Overall;
        var overlap = GoldAccuracy.ForSpans(answers, gold, SpanMatchMode.Overlap).Single().Summary.Overall;

        // Precision: of the annotator's 4 spans, how many gold has; recall: of gold's 3, how many the annotator found.
        Assert.Equal((0.5, 2.0 / 3), (strict.Precision.Value!.Value, strict.Recall.Value!.Value));
        Assert.Equal((0.75, 1.0), (overlap.Precision.Value!.Value, overlap.Recall.Value!.Value));
        Assert.Equal(2, strict.F1.Items);
    }

    [Fact]
    public void Boxes_are_matched_against_gold_at_the_iou_threshold()
    {
        var gold = new Dictionary<long, IReadOnlyList<BoxValue>> { [1] = [new(0.1, 0.1, 0.4, 0.4, "car", 0, 0, 0, 0)] };
        var answers = new List<(Guid, long, IReadOnlyList<BoxValue>)>
        {
            (Ann, 1, [new(0.1, 0.1, 0.4, 0.3, "car", 0, 0, 0, 0)]),
            (Bob, 1, [new(0.1, 0.1, 0.4, 0.4, "truck", 0, 0, 0, 0)]),
        };

        var result = GoldAccuracy.ForBoxes(answers, gold);

        Assert.Equal(1.0, result[0].Summary.Overall.F1.Value);
        Assert.Equal(0.75, result[0].Summary.Overall.MeanMatchedIou.Value!.Value, 12);
        Assert.Equal(0.0, result[1].Summary.Overall.F1.Value);
        Assert.Equal(1.0, GoldAccuracy.ForBoxes(answers, gold, requireSameLabel: false)[1].Summary.Overall.F1.Value);
        Assert.Equal(0.0, GoldAccuracy.ForBoxes(answers, gold, iouThreshold: 0.8)[0].Summary.Overall.F1.Value);
    }

    [Fact]
    public void Two_answers_of_one_annotator_to_one_gold_item_are_refused()
    {
        var gold = new Dictionary<long, string> { [1] = "pos" };

        Assert.Throws<ArgumentException>(() => GoldAccuracy.ForCategories([(Ann, 1, "pos"), (Ann, 1, "neg")], gold, ["pos", "neg"]));
    }
}
