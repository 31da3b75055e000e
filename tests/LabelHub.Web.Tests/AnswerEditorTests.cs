using System.Text.Json;
using Bunit;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Labeling;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;

namespace LabelHub.Web.Tests;

/// <summary>
/// The one answer editor (labeling, review's fix, gold answers): every kind has its input, span and box fields are
/// answered on the item, and what the editors hold comes back as the answer.
/// </summary>
public sealed class AnswerEditorTests : ComponentTest
{
    private const string Sentence = "Kim works at Naver.";
    private const string ImageUrl = "https://images.example.com/street.png";

    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"], Required = true };
    private static readonly LabelField Topics = new() { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service"] };
    private static readonly LabelField Comment = new() { Name = "comment", Kind = FieldKind.Text };
    private static readonly LabelField Amount = new() { Name = "amount", Kind = FieldKind.Number, Min = 0, Max = 10 };
    private static readonly LabelField Day = new() { Name = "day", Kind = FieldKind.Date };
    private static readonly LabelField Stars = new() { Name = "stars", Kind = FieldKind.Rating };
    private static readonly LabelField Entities = new() { Name = "ents", Kind = FieldKind.Spans, Labels = ["PER", "ORG"] };
    private static readonly LabelField Objects = new() { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] };

    private static readonly LabelSchema Schema = new() { Fields = [Sentiment, Topics, Comment, Amount, Day, Stars, Entities, Objects] };

    private static readonly Dictionary<string, JsonElement> Item = new()
    {
        ["text"] = JsonSerializer.SerializeToElement(Sentence),
        ["image"] = JsonSerializer.SerializeToElement(ImageUrl),
        ["width"] = JsonSerializer.SerializeToElement(1000),
        ["height"] = JsonSerializer.SerializeToElement(750),
        ["source"] = JsonSerializer.SerializeToElement("app store"),
    };

    private int changes;

    private IRenderedComponent<AnswerEditor> RenderEditor(AnswerDraft draft, string prefix = "", IReadOnlyDictionary<string, string[]>? errors = null, bool numberKeys = false) =>
        Render<AnswerEditor>(p => p
            .Add(c => c.Draft, draft)
            .Add(c => c.ItemData, Item)
            .Add(c => c.TaskKey, 7L)
            .Add(c => c.TestIdPrefix, prefix)
            .Add(c => c.ErrorTestIdPrefix, prefix)
            .Add(c => c.NumberKeys, numberKeys)
            .Add(c => c.FieldErrors, errors ?? new Dictionary<string, string[]>())
            .Add(c => c.OnChanged, () => changes++));

    [Fact]
    public void Every_kind_has_its_input_with_the_pages_test_ids_and_spans_and_boxes_sit_on_the_item()
    {
        var editor = RenderEditor(new AnswerDraft(Schema), prefix: "fix-");

        foreach (var id in new[] { "fix-choice-sentiment-positive", "fix-multichoice-topics-price", "fix-text-comment", "fix-number-amount", "fix-date-day", "fix-rating-stars", "fix-box-summary-objects" })
        {
            Assert.NotNull(editor.Find($"[data-testid={id}]"));
        }
        // Spans are marked on the item's text, boxes drawn on its image; the rest of the item is a table.
        var item = editor.Find("[data-testid=item]");
        Assert.NotNull(item.QuerySelector("[data-testid=fix-field-ents] [data-testid=span-text-ents]"));
        Assert.NotNull(item.QuerySelector("[data-testid=box-canvas-objects]"));
        Assert.Equal(["width", "height", "source"], item.QuerySelectorAll("[data-testid=item-data-row] th").Select(th => th.TextContent));
        Assert.Empty(editor.Find("[data-testid=fields]").QuerySelectorAll("[data-testid=span-text-ents]"));
    }

    [Fact]
    public void An_answer_to_fix_shows_in_every_editor_and_comes_back_unchanged()
    {
        var stored = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""
            {"sentiment": "negative", "topics": ["service"], "comment": "slow", "amount": 2.5, "day": "2025-02-28", "stars": 4,
             "ents": [{"start": 0, "end": 3, "label": "PER", "text": "Kim"}],
             "objects": [{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 100, "y_px": 150, "width_px": 300, "height_px": 300}]}
            """)!;
        var draft = new AnswerDraft(Schema);
        draft.Reset(stored);

        var editor = RenderEditor(draft, prefix: "fix-");

        Assert.Equal("true", editor.Find("[data-testid=fix-choice-sentiment-negative]").GetAttribute("data-selected"));
        Assert.Equal("slow", editor.FindComponent<MudTextField<string>>().Instance.GetState(x => x.Value));
        Assert.Equal([(0, 3, "PER")], editor.FindComponent<SpanField>().Instance.Spans.Select(s => (s.Start, s.End, s.Label)));
        Assert.Contains("1 boxes on the image: car × 1", editor.Find("[data-testid=fix-box-summary-objects]").TextContent);
        var init = JsonSerializer.SerializeToElement(JSInterop.Invocations.Single(i => i.Identifier == "labelHub.boxes.init").Arguments[4]);
        Assert.Equal(1, init.GetProperty("initialBoxes").GetArrayLength());
        var values = editor.Instance.Values();
        Assert.Equal(stored.Keys.Order(), values.Keys.Order());
        Assert.All(stored, pair => Assert.True(JsonElement.DeepEquals(pair.Value, values[pair.Key]), pair.Key));
    }

    [Fact]
    public void Changes_go_to_the_draft_with_their_undo_and_tell_the_page()
    {
        var draft = new AnswerDraft(Schema);
        var editor = RenderEditor(draft);

        editor.Find("[data-testid=choice-sentiment-positive]").Click();
        var spans = editor.FindComponent<SpanField>();
        spans.InvokeAsync(() => spans.Instance.OnTextSelected(13, 18));

        Assert.Equal(new ChoiceAnswer("positive"), draft["sentiment"]);
        var values = editor.Instance.Values();
        Assert.Equal("""[{"start":13,"end":18,"label":"PER","text":"Naver"}]""", values["ents"].GetRawText());
        Assert.True(changes >= 2);

        editor.InvokeAsync(editor.Instance.UndoAsync);
        Assert.Empty(spans.Instance.Spans);
        editor.InvokeAsync(editor.Instance.UndoAsync);
        Assert.Null(draft["sentiment"]);
        Assert.False(draft.CanUndo);
    }

    [Fact]
    public void Server_errors_show_under_their_fields()
    {
        var editor = RenderEditor(new AnswerDraft(Schema), prefix: "gold-", errors: new Dictionary<string, string[]>
        {
            ["sentiment"] = ["'Sentiment' is required."],
            ["ents"] = ["Span 1: [0, 99) is not a range inside the text."],
        });

        Assert.Equal("'Sentiment' is required.", editor.Find("[data-testid=gold-field-error-sentiment]").TextContent);
        Assert.Contains("not a range", editor.Find("[data-testid=gold-field-error-ents]").TextContent);
        Assert.Contains("span-field--error", editor.Find("[data-testid=span-field-ents]").ClassName);
    }

    [Fact]
    public async Task A_suggestion_fills_every_field_and_boxes_that_do_not_fit_are_said_to_be_left_out()
    {
        var draft = new AnswerDraft(Schema);
        var editor = RenderEditor(draft, numberKeys: true);
        var suggestion = new Suggestion(9, "model-v2", 0.8, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""
            {"sentiment": "negative", "ents": [{"start": 0, "end": 3, "label": "PER"}],
             "objects": [{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2, "label": "car"}, {"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2, "label": "bus"}, 7]}
            """)!);

        await editor.InvokeAsync(() => editor.Instance.UseSuggestionAsync(suggestion));

        Assert.Equal(9, draft.AcceptedPredictionId);
        Assert.Equal(new ChoiceAnswer("negative"), draft["sentiment"]);
        Assert.Equal([(0, 3, "PER")], editor.FindComponent<SpanField>().Instance.Spans.Select(s => (s.Start, s.End, s.Label)));
        Assert.Single(JSInterop.Invocations, i => i.Identifier == "labelHub.boxes.replace");
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message!.StartsWith("2 of the suggested boxes", StringComparison.Ordinal));

        // One step: undo takes the whole suggestion back, in the editors too.
        await editor.InvokeAsync(editor.Instance.UndoAsync);
        Assert.Null(draft["sentiment"]);
        Assert.Empty(editor.FindComponent<SpanField>().Instance.Spans);
        Assert.Single(JSInterop.Invocations, i => i.Identifier == "labelHub.boxes.undo");
        Assert.Null(draft.AcceptedPredictionId);
    }
}
