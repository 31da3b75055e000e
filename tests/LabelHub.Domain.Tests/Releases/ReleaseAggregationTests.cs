using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using static LabelHub.Domain.Tests.Releases.AggregationInput;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>
/// Final answers of panel fields (ADR 0020 § Aggregation), against hand-computed vectors: majority vote with its tie
/// rule, exact-value majority for the other kinds, adjudicated answers over the vote, gold over everything, and
/// determinism.
/// </summary>
public sealed class ReleaseAggregationTests
{
    internal static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "animal", Kind = FieldKind.Choice, Labels = ["cat", "dog", "bird"] },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["outdoor", "blurry", "night"] },
            new LabelField { Name = "note", Kind = FieldKind.Text },
            new LabelField { Name = "count", Kind = FieldKind.Number },
            new LabelField { Name = "taken", Kind = FieldKind.Date },
            new LabelField { Name = "quality", Kind = FieldKind.Rating, Max = 5 },
        ],
    };

    private static ItemAggregation Aggregate(params AggregationAnswer[] answers) =>
        new ReleaseAggregation(Schema).Aggregate(Item(1, answers));

    [Fact]
    public void Two_of_three_give_the_label_with_a_two_thirds_share_and_their_answer_ids_ascending()
    {
        var result = Aggregate(Answer(30, 1, """{"animal":"cat"}"""), Answer(10, 2, """{"animal":"dog"}"""), Answer(20, 3, """{"animal":"cat"}"""));

        var animal = result.Answers["animal"];
        Assert.Equal("cat", animal.Value.GetString());
        Assert.Equal(2.0 / 3, animal.Confidence, 12);
        Assert.Equal(FinalAnswerSource.Majority, animal.Source);
        Assert.Equal([20L, 30L], animal.FromAnnotationIds);
    }

    [Theory]
    [InlineData("cat dog")]
    [InlineData("cat dog dog cat")]
    [InlineData("cat dog bird")]
    public void A_tie_for_the_most_votes_leaves_the_field_to_adjudication_never_to_chance(string labels)
    {
        var result = Aggregate([.. labels.Split(' ').Select((label, n) => Answer(n + 1, n + 1, $$"""{"animal":"{{label}}"}"""))]);

        Assert.False(result.Answers.ContainsKey("animal"));
        Assert.Equal(NoFinalAnswerReason.Tied, result.Missing["animal"]);
    }

    [Fact]
    public void A_single_leader_with_half_of_the_votes_or_less_is_no_consensus()
    {
        var result = Aggregate(
            Answer(1, 1, """{"animal":"cat"}"""), Answer(2, 2, """{"animal":"cat"}"""),
            Answer(3, 3, """{"animal":"dog"}"""), Answer(4, 4, """{"animal":"bird"}"""));

        Assert.Equal(NoFinalAnswerReason.NoConsensus, result.Missing["animal"]);
    }

    [Fact]
    public void A_single_answer_agrees_with_itself_with_confidence_one()
    {
        var result = Aggregate(Answer(7, 1, """{"animal":"bird","note":"on a wire"}"""));

        Assert.Equal(("bird", 1.0, FinalAnswerSource.Majority), (result.Answers["animal"].Value.GetString(), result.Answers["animal"].Confidence, result.Answers["animal"].Source));
        Assert.Equal([7L], result.Answers["animal"].FromAnnotationIds);
        Assert.Equal("on a wire", result.Answers["note"].Value.GetString());
    }

    [Fact]
    public void Blank_and_missing_values_are_no_votes_and_a_field_nobody_answered_says_so()
    {
        var result = Aggregate(Answer(1, 1, """{"animal":"cat"}"""), Answer(2, 2, """{"animal":""}"""), Answer(3, 3, """{"note":"x"}"""));

        // One vote of one: the blank and the missing answer do not dilute it.
        Assert.Equal(1.0, result.Answers["animal"].Confidence);
        Assert.Equal(NoFinalAnswerReason.NoAnswers, result.Missing["tags"]);
        Assert.Equal(NoFinalAnswerReason.NoAnswers, result.Missing["quality"]);
        Assert.Equal(["animal", "note"], result.Answers.Keys);
    }

    [Fact]
    public void A_label_the_schema_no_longer_lists_still_wins_its_majority()
    {
        var result = Aggregate(Answer(1, 1, """{"animal":"horse"}"""), Answer(2, 2, """{"animal":"horse"}"""), Answer(3, 3, """{"animal":"cat"}"""));

        Assert.Equal("horse", result.Answers["animal"].Value.GetString());
        Assert.Equal([1L, 2L], result.Answers["animal"].FromAnnotationIds);
    }

    [Fact]
    public void Multiple_choice_agrees_in_any_order_and_is_written_in_the_schemas_order()
    {
        var result = Aggregate(
            Answer(1, 1, """{"tags":["night","outdoor"]}"""), Answer(2, 2, """{"tags":["outdoor","night"]}"""), Answer(3, 3, """{"tags":["outdoor"]}"""));

        var tags = result.Answers["tags"];
        Assert.Equal(["outdoor", "night"], tags.Value.EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2.0 / 3, tags.Confidence, 12);
        Assert.Equal([1L, 2L], tags.FromAnnotationIds);
    }

    [Fact]
    public void Numbers_agree_by_value_and_dates_ratings_and_text_exactly()
    {
        var result = Aggregate(
            Answer(1, 1, """{"count":3.0,"taken":"2025-01-31","quality":4,"note":"ok"}"""),
            Answer(2, 2, """{"count":3,"taken":"2025-01-31","quality":5,"note":"OK"}"""),
            Answer(3, 3, """{"count":4,"taken":"2025-02-01","quality":4,"note":"ok "}"""));

        Assert.Equal(3.0, result.Answers["count"].Value.GetDouble());
        Assert.Equal([1L, 2L], result.Answers["count"].FromAnnotationIds);
        Assert.Equal("2025-01-31", result.Answers["taken"].Value.GetString());
        Assert.Equal(4, result.Answers["quality"].Value.GetInt32());
        Assert.Equal([1L, 3L], result.Answers["quality"].FromAnnotationIds);
        // "ok", "OK" and "ok " are three texts.
        Assert.Equal(NoFinalAnswerReason.Tied, result.Missing["note"]);
    }

    [Fact]
    public void An_adjudicated_answer_beats_the_majority_with_confidence_one()
    {
        var result = Aggregate(
            Answer(1, 1, """{"animal":"cat","count":2}"""), Answer(2, 2, """{"animal":"cat","count":2}"""),
            Answer(3, 3, """{"animal":"dog"}""", adjudicated: true));

        Assert.Equal(("dog", 1.0, FinalAnswerSource.Adjudicated), (result.Answers["animal"].Value.GetString(), result.Answers["animal"].Confidence, result.Answers["animal"].Source));
        Assert.Equal([3L], result.Answers["animal"].FromAnnotationIds);
        // A field the reviewer's answer leaves out goes to the vote.
        Assert.Equal(FinalAnswerSource.Majority, result.Answers["count"].Source);
    }

    [Fact]
    public void Adjudicated_answers_that_disagree_give_their_majority_or_a_tie()
    {
        var majority = Aggregate(
            Answer(1, 1, """{"animal":"cat"}""", adjudicated: true), Answer(2, 2, """{"animal":"dog"}""", adjudicated: true),
            Answer(3, 3, """{"animal":"dog"}""", adjudicated: true), Answer(4, 4, """{"animal":"cat"}"""), Answer(5, 5, """{"animal":"cat"}"""));
        var tie = Aggregate(
            Answer(1, 1, """{"animal":"cat"}""", adjudicated: true), Answer(2, 2, """{"animal":"dog"}""", adjudicated: true), Answer(3, 3, """{"animal":"cat"}"""));

        Assert.Equal(("dog", FinalAnswerSource.Adjudicated), (majority.Answers["animal"].Value.GetString(), majority.Answers["animal"].Source));
        Assert.Equal([2L, 3L], majority.Answers["animal"].FromAnnotationIds);
        Assert.Equal(NoFinalAnswerReason.Tied, tie.Missing["animal"]);
    }

    [Fact]
    public void A_gold_answer_beats_adjudicated_and_voted_answers_and_comes_from_no_annotation()
    {
        var item = new ItemAnswers(1,
            [Answer(1, 1, """{"animal":"cat","count":1}"""), Answer(2, 2, """{"animal":"dog"}""", adjudicated: true)],
            Gold: Values("""{"animal":"bird"}"""));

        var result = new ReleaseAggregation(Schema).Aggregate(item);

        var animal = result.Answers["animal"];
        Assert.Equal(("bird", 1.0, FinalAnswerSource.Gold), (animal.Value.GetString(), animal.Confidence, animal.Source));
        Assert.Empty(animal.FromAnnotationIds);
        // The gold answer only covers its own fields.
        Assert.Equal(FinalAnswerSource.Majority, result.Answers["count"].Source);
    }

    [Fact]
    public void Adjudicated_means_accepted_in_review_or_written_by_a_reviewer_or_cleansing()
    {
        Assert.True(AggregationAnswer.IsAdjudicated(ReviewStatus.Accepted, AnnotationReason.Submit));
        Assert.True(AggregationAnswer.IsAdjudicated(ReviewStatus.Unreviewed, AnnotationReason.ReviewFix));
        Assert.True(AggregationAnswer.IsAdjudicated(ReviewStatus.Unreviewed, AnnotationReason.Cleansing));
        Assert.False(AggregationAnswer.IsAdjudicated(ReviewStatus.Unreviewed, AnnotationReason.Edit));
        Assert.False(AggregationAnswer.IsAdjudicated(ReviewStatus.Rejected, AnnotationReason.Submit));
        var annotation = new Annotation { Id = 9, AnnotatorId = Annotator(4), ReviewStatus = ReviewStatus.Accepted, Values = Values("""{"animal":"cat"}""") };
        Assert.Equal((9L, Annotator(4), true), (AggregationAnswer.From(annotation).AnnotationId, AggregationAnswer.From(annotation).AnnotatorId, AggregationAnswer.From(annotation).Adjudicated));
    }

    [Fact]
    public void Dawid_Skene_without_its_fit_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ReleaseAggregation(Schema, AggregationMethod.DawidSkene));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReleaseAggregation(Schema, (AggregationMethod)7));
    }

    [Fact]
    public void Final_answers_serialise_with_the_release_field_names()
    {
        var result = Aggregate(Answer(5, 1, """{"animal":"cat"}"""), Answer(4, 2, """{"animal":"cat"}"""));

        var json = JsonSerializer.Serialize(result.Answers["animal"]);

        Assert.Equal("""{"value":"cat","confidence":1,"source":"Majority","from":[4,5]}""", json);
    }
}

public sealed class AggregationTallyTests
{
    [Fact]
    public void The_tally_counts_each_fields_sources_reasons_and_mean_confidence()
    {
        var schema = new LabelSchema { Fields = [ReleaseAggregationTests.Schema.Fields[0], ReleaseAggregationTests.Schema.Fields[2]] };
        var aggregation = new ReleaseAggregation(schema);
        var tally = new AggregationTally(schema);

        tally.Add(aggregation.Aggregate(Item(1, Answer(1, 1, """{"animal":"cat","note":"a"}"""), Answer(2, 2, """{"animal":"cat","note":"b"}"""), Answer(3, 3, """{"animal":"dog"}"""))));
        tally.Add(aggregation.Aggregate(Item(2, Answer(4, 1, """{"animal":"cat"}"""), Answer(5, 2, """{"animal":"dog"}"""))));
        tally.Add(aggregation.Aggregate(Item(3, Answer(6, 1, """{"animal":"dog"}""", adjudicated: true), Answer(7, 2, """{"animal":"cat"}"""))));

        Assert.Equal(3, tally.Items);
        var animal = tally.Fields[0];
        Assert.Equal(("animal", 1L, 1L, 1L, 0L), (animal.Field, animal.Answered[FinalAnswerSource.Majority], animal.Answered[FinalAnswerSource.Adjudicated], animal.Missing[NoFinalAnswerReason.Tied], animal.Missing[NoFinalAnswerReason.NoAnswers]));
        // (2/3 + 1) / 2.
        Assert.Equal(5.0 / 6, animal.MeanConfidence!.Value, 12);
        var note = tally.Fields[1];
        Assert.Equal((0L, 1L, 2L, 3L), (note.AnsweredTotal, note.Missing[NoFinalAnswerReason.Tied], note.Missing[NoFinalAnswerReason.NoAnswers], note.MissingTotal));
        Assert.Null(note.MeanConfidence);
    }
}
