using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Labeling;

namespace LabelHub.Web.Tests;

/// <summary>The answer editor's draft model on its own, without a browser: values per field, one undo history.</summary>
public sealed class AnswerDraftTests
{
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"] };
    private static readonly LabelField Topics = new() { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service", "delivery"] };
    private static readonly LabelField Comment = new() { Name = "comment", Kind = FieldKind.Text };
    private static readonly LabelField Amount = new() { Name = "amount", Kind = FieldKind.Number };
    private static readonly LabelField Day = new() { Name = "day", Kind = FieldKind.Date };
    private static readonly LabelField Stars = new() { Name = "stars", Kind = FieldKind.Rating };
    private static readonly LabelField Entities = new() { Name = "ents", Kind = FieldKind.Spans, Labels = ["PER", "ORG"] };
    private static readonly LabelField Objects = new() { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] };

    private static readonly LabelSchema Schema = new() { Fields = [Sentiment, Topics, Comment, Amount, Day, Stars, Entities, Objects] };

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string Values(AnswerDraft draft) => JsonSerializer.Serialize(draft.ToValues());

    [Fact]
    public void A_stored_answer_loads_what_fits_the_schema_and_writes_back_in_schema_order()
    {
        var draft = new AnswerDraft(Schema);
        draft.Reset(new Dictionary<string, JsonElement>
        {
            ["stars"] = Json("4"),
            ["sentiment"] = Json("\"furious\""),
            ["topics"] = Json("""["delivery", "gone", "price"]"""),
            ["day"] = Json("\"2025-03-01\""),
            ["objects"] = Json("""[{"x": 0.1, "y": 0.1, "width": 0.2, "height": 0.2, "label": "car"}, {"x": 0.9, "y": 0.1, "width": 0.5, "height": 0.2, "label": "car"}]"""),
            ["unknown"] = Json("1"),
        });

        Assert.Null(draft["sentiment"]);
        Assert.Equal(
            """{"topics":["price","delivery"],"day":"2025-03-01","stars":4,"objects":[{"x":0.1,"y":0.1,"width":0.2,"height":0.2,"label":"car"}]}""",
            Values(draft));
        Assert.False(draft.CanUndo);
    }

    [Fact]
    public void Each_change_is_one_step_and_undo_goes_back_newest_first()
    {
        var draft = new AnswerDraft(Schema);
        draft.ToggleChoice(Sentiment, "positive");
        draft.SetPicked(Topics, "service", true);
        draft.SetPicked(Topics, "price", true);
        draft.Set(Day, new DateAnswer(new DateOnly(2025, 1, 2)));
        Assert.Equal("""{"sentiment":"positive","topics":["price","service"],"day":"2025-01-02"}""", Values(draft));

        Assert.Equal([], draft.Undo());
        Assert.Equal("""{"sentiment":"positive","topics":["price","service"]}""", Values(draft));
        draft.Undo();
        Assert.Equal("""{"sentiment":"positive","topics":["service"]}""", Values(draft));
        draft.Undo();
        draft.Undo();
        Assert.Equal("{}", Values(draft));
        Assert.False(draft.CanUndo);
        Assert.Null(draft.Undo());
    }

    [Fact]
    public void Picking_the_picked_choice_clears_it_and_the_same_value_again_is_no_step()
    {
        var draft = new AnswerDraft(Schema);
        draft.ToggleChoice(Sentiment, "neutral");
        draft.Set(Sentiment, new ChoiceAnswer("neutral"));
        draft.Set(Stars, new RatingAnswer(0));
        draft.SetPicked(Topics, "price", false);

        draft.Undo();
        Assert.False(draft.CanUndo);
        Assert.Null(draft["sentiment"]);

        draft.ToggleChoice(Sentiment, "neutral");
        draft.ToggleChoice(Sentiment, "neutral");
        Assert.Null(draft["sentiment"]);
        draft.Undo();
        Assert.Equal(new ChoiceAnswer("neutral"), draft["sentiment"]);
    }

    [Fact]
    public void Typing_is_one_step_until_another_field_changes()
    {
        var draft = new AnswerDraft(Schema);
        draft.Set(Comment, new TextAnswer("f"));
        draft.Set(Comment, new TextAnswer("fa"));
        draft.Set(Comment, new TextAnswer("fast"));
        draft.Set(Amount, new NumberAnswer(1));
        draft.Set(Amount, new NumberAnswer(12));
        draft.ToggleChoice(Sentiment, "positive");
        draft.Set(Comment, new TextAnswer("fast!"));

        draft.Undo();
        Assert.Equal(new TextAnswer("fast"), draft["comment"]);
        draft.Undo();
        Assert.Null(draft["sentiment"]);
        draft.Undo();
        Assert.Null(draft["amount"]);
        draft.Undo();
        Assert.Null(draft["comment"]);
        Assert.False(draft.CanUndo);
    }

    [Fact]
    public void Blank_text_is_no_answer()
    {
        var draft = new AnswerDraft(Schema);
        draft.Set(Comment, new TextAnswer("   "));
        Assert.Equal("{}", Values(draft));
        Assert.False(draft.CanUndo);
    }

    [Fact]
    public void Editor_steps_take_their_turn_and_are_handed_back_to_the_editor()
    {
        var draft = new AnswerDraft(Schema);
        draft.SetFromEditor(Entities, new SpansAnswer([new SpanValue(0, 3, "PER", "Kim")]));
        draft.RecordEditorStep("ents");
        draft.ToggleChoice(Sentiment, "negative");
        draft.SetFromEditor(Objects, new BoxesAnswer([new BoxValue(0.1, 0.1, 0.2, 0.2, "car", 10, 10, 20, 20)]));
        draft.RecordEditorStep("objects");
        Assert.Contains("\"ents\":[{\"start\":0,\"end\":3,\"label\":\"PER\",\"text\":\"Kim\"}]", Values(draft));

        Assert.Equal(["objects"], draft.Undo());
        Assert.Equal(new ChoiceAnswer("negative"), draft["sentiment"]);
        draft.Undo();
        Assert.Null(draft["sentiment"]);
        Assert.Equal(["ents"], draft.Undo());
        Assert.False(draft.CanUndo);
    }

    [Fact]
    public void An_editor_undoing_its_own_step_takes_it_out_of_the_history()
    {
        var draft = new AnswerDraft(Schema);
        draft.RecordEditorStep("objects");
        draft.ToggleChoice(Sentiment, "neutral");
        draft.ForgetEditorStep("objects");

        draft.Undo();
        Assert.Null(draft["sentiment"]);
        Assert.False(draft.CanUndo);
    }

    [Fact]
    public void A_suggestion_is_one_step_that_sets_every_panel_field_and_remembers_where_it_came_from()
    {
        var draft = new AnswerDraft(Schema);
        draft.ToggleChoice(Sentiment, "negative");
        draft.Set(Comment, new TextAnswer("meh"));
        var suggestion = new Suggestion(42, "model-v1", 0.9, new Dictionary<string, JsonElement>
        {
            ["sentiment"] = Json("\"positive\""),
            ["topics"] = Json("""["price", "nope"]"""),
        });

        draft.ApplySuggestion(suggestion, ["ents"]);

        Assert.Equal(42, draft.AcceptedPredictionId);
        Assert.Equal("""{"sentiment":"positive","topics":["price"]}""", Values(draft));
        Assert.Equal(["ents"], draft.Undo());
        Assert.Null(draft.AcceptedPredictionId);
        Assert.Equal("""{"sentiment":"negative","comment":"meh"}""", Values(draft));
    }

    [Fact]
    public void Server_errors_are_split_into_the_fields_and_the_rest()
    {
        var draft = new AnswerDraft(Schema);
        var error = new ValidationException(new Dictionary<string, string[]>
        {
            ["values.sentiment"] = ["'x' is not one of the labels."],
            ["values.nope"] = ["The label schema has no such field."],
            ["comment"] = ["Say why."],
        });

        var (fields, other) = draft.SplitErrors(error, "comment");

        Assert.Equal(["comment", "sentiment"], fields.Keys.Order());
        Assert.Equal("The label schema has no such field.", other);
    }
}
