using System.Globalization;
using System.Text.Json;
using Bunit;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Labeling;

namespace LabelHub.Web.Tests;

public sealed class SpanFieldTests : ComponentTest
{
    private const string Sentence = "Kim works at Naver in Seoul.";

    private static readonly LabelField Entities = new() { Name = "ents", Kind = FieldKind.Spans, Labels = ["PER", "ORG", "LOC"] };

    private static readonly LabelField Nested = Entities with { Name = "nested", AllowOverlap = true };

    private IRenderedComponent<SpanField> RenderField(LabelField? field = null, string text = Sentence, IReadOnlyList<SpanValue>? spans = null, Action? onSubmit = null, object? taskKey = null) =>
        Render<SpanField>(p =>
        {
            p.Add(c => c.Field, field ?? Entities).Add(c => c.Text, text).Add(c => c.InitialSpans, spans).Add(c => c.TaskKey, taskKey ?? 1L);
            if (onSubmit is not null)
            {
                p.Add(c => c.OnSubmitRequested, onSubmit);
            }
        });

    private static List<(int Start, int End, string Label, string Text)> ValueOf(IRenderedComponent<SpanField> field) =>
        field.Instance.Value is { } value
            ? [.. value.EnumerateArray().Select(s => (s.GetProperty("start").GetInt32(), s.GetProperty("end").GetInt32(), s.GetProperty("label").GetString()!, s.GetProperty("text").GetString()!))]
            : [];

    private static Task Key(IRenderedComponent<SpanField> field, string key, bool ctrl = false, bool shift = false) =>
        field.InvokeAsync(() => field.Instance.OnKey(key, ctrl, shift));

    private static Task Select(IRenderedComponent<SpanField> field, int start, int end) =>
        field.InvokeAsync(() => field.Instance.OnTextSelected(start, end));

    [Fact]
    public void Renders_the_text_exactly_as_segments_with_a_tag_after_each_span()
    {
        var field = RenderField(spans: [new(13, 18, "ORG"), new(0, 3, "PER")]);

        var text = field.Find("[data-testid=span-text-ents]");
        // Encoded text only: nothing between the segments, the tags carry their label in an attribute.
        Assert.Equal(Sentence, text.TextContent);
        Assert.Equal(Sentence.Length.ToString(CultureInfo.InvariantCulture), text.GetAttribute("data-length"));
        var segments = text.QuerySelectorAll("[data-start]");
        Assert.Equal(["0", "3", "13", "18"], segments.Select(s => s.GetAttribute("data-start")));
        Assert.Equal(["Kim", " works at ", "Naver", " in Seoul."], segments.Select(s => s.TextContent));
        Assert.Contains("seg--marked", segments[0].ClassName);
        Assert.DoesNotContain("seg--marked", segments[1].ClassName);
        Assert.Contains("seg--marked", segments[2].ClassName);

        // Sorted by start: PER first. Each tag follows the last segment of its span.
        Assert.Equal("PER", field.Find("[data-testid=span-tag-ents-0]").GetAttribute("data-label"));
        Assert.Equal("ORG", field.Find("[data-testid=span-tag-ents-1]").GetAttribute("data-label"));
        Assert.Equal(segments[0], field.Find("[data-testid=span-tag-ents-0]").PreviousElementSibling);
        Assert.Equal(segments[2], field.Find("[data-testid=span-tag-ents-1]").PreviousElementSibling);

        var rows = field.FindAll("[data-testid=span-list-ents] .span-row");
        Assert.Equal(2, rows.Count);
        Assert.Equal(("0", "3", "PER"), (rows[0].GetAttribute("data-start"), rows[0].GetAttribute("data-end"), rows[0].GetAttribute("data-label")));
        Assert.Contains("Naver", field.Find("[data-testid=span-ents-1]").TextContent);
        Assert.NotNull(field.Find("[data-testid=span-remove-ents-1]"));
    }

    [Fact]
    public void Overlapping_spans_get_stacked_underlines()
    {
        const string text = "Seoul National University Hospital";
        var field = RenderField(Nested, text, [new(0, 25, "ORG"), new(0, 5, "LOC"), new(15, 34, "ORG")]);

        var segments = field.FindAll("[data-testid=span-text-nested] [data-start]");
        Assert.Equal(["0", "5", "15", "25"], segments.Select(s => s.GetAttribute("data-start")));
        Assert.Equal(text, field.Find("[data-testid=span-text-nested]").TextContent);
        // Sorted: LOC [0,5) on track 0, ORG [0,25) on track 1, ORG [15,34) back on track 0.
        var first = segments[0].GetAttribute("style")!;
        Assert.Contains("calc(100% - 0px)", first);
        Assert.Contains("calc(100% - 4px)", first);
        Assert.Contains("--span-tracks: 2", field.Find("[data-testid=span-text-nested]").GetAttribute("style"));
        // [15,25) is under both ORG spans: two lines.
        Assert.Equal(2, segments[2].GetAttribute("style")!.Split("linear-gradient").Length - 1);
        Assert.Equal(1, segments[3].GetAttribute("style")!.Split("linear-gradient").Length - 1);
        Assert.Equal(3, field.FindAll(".span-tag").Count);
    }

    [Fact]
    public async Task A_selection_becomes_a_span_with_the_active_label_and_the_value_passes_the_validator()
    {
        var field = RenderField();
        Assert.Null(field.Instance.Value);
        Assert.Equal("PER", field.Instance.ActiveLabel);

        await Select(field, 0, 3);
        field.Find("[data-testid=span-label-ents-ORG]").Click();
        await Select(field, 18, 13);

        Assert.Equal([(0, 3, "PER", "Kim"), (13, 18, "ORG", "Naver")], ValueOf(field));
        Assert.Equal("ORG", field.Find("[data-testid=span-field-ents]").GetAttribute("data-active-label"));
        Assert.Equal("true", field.Find("[data-testid=span-label-ents-ORG]").GetAttribute("data-active"));

        // The extra "text" key is for exports; the validator reads start, end and label only.
        var schema = new LabelSchema { Fields = [Entities] };
        var values = new Dictionary<string, JsonElement> { ["ents"] = field.Instance.Value!.Value };
        AnnotationValidator.Validate(schema, values, new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement(Sentence) });
    }

    [Fact]
    public async Task Selections_are_trimmed_of_surrounding_whitespace()
    {
        var field = RenderField();

        await Select(field, 12, 19);
        Assert.Equal([(13, 18, "PER", "Naver")], ValueOf(field));

        await Select(field, 18, 19);
        Assert.Single(ValueOf(field));
        Assert.Contains("whitespace", field.Find("[data-testid=span-message-ents]").TextContent);
    }

    [Fact]
    public async Task A_selection_crossing_a_span_is_refused_unless_the_field_allows_overlap()
    {
        var field = RenderField(spans: [new(13, 18, "ORG")]);
        await Select(field, 10, 15);
        Assert.Equal([(13, 18, "ORG", "Naver")], ValueOf(field));
        Assert.Contains("may not overlap", field.Find("[data-testid=span-message-ents]").TextContent);

        // The next successful action clears the message.
        await Select(field, 0, 3);
        Assert.Empty(field.FindAll("[data-testid=span-message-ents]"));

        var nested = RenderField(Nested, spans: [new(13, 18, "ORG")]);
        await Select(nested, 13, 27);
        Assert.Equal([(13, 18, "ORG", "Naver"), (13, 27, "PER", "Naver in Seoul")], ValueOf(nested));
    }

    [Fact]
    public async Task Selecting_an_existing_span_exactly_selects_it_instead_of_doubling_it()
    {
        var field = RenderField(spans: [new(0, 3, "PER")]);
        await Select(field, 0, 3);
        Assert.Single(ValueOf(field));
        Assert.Equal(new SpanValue(0, 3, "PER"), field.Instance.PickedSpan);
        Assert.Empty(field.FindAll("[data-testid=span-message-ents]"));
    }

    [Fact]
    public async Task A_clicked_span_is_relabeled_by_a_chip_or_a_number_key()
    {
        var field = RenderField(spans: [new(0, 3, "PER"), new(13, 18, "ORG")]);

        // A click on the segment of "Naver".
        await field.InvokeAsync(() => field.Instance.OnTextClicked(15, 13, -1));
        Assert.Equal("true", field.Find("[data-testid=span-ents-1]").GetAttribute("data-selected"));
        Assert.Contains("seg--picked", field.Find("[data-start='13']").ClassName);

        field.Find("[data-testid=span-label-ents-LOC]").Click();
        Assert.Equal([(0, 3, "PER", "Kim"), (13, 18, "LOC", "Naver")], ValueOf(field));

        // A click on a tag selects that span; the number key relabels it.
        await field.InvokeAsync(() => field.Instance.OnTextClicked(3, -1, 0));
        await Key(field, "2");
        Assert.Equal([(0, 3, "ORG", "Kim"), (13, 18, "LOC", "Naver")], ValueOf(field));
        Assert.Equal("ORG", field.Instance.ActiveLabel);

        // A click outside the spans selects none; a chip then only changes the active label.
        await field.InvokeAsync(() => field.Instance.OnTextClicked(6, 3, -1));
        Assert.Null(field.Instance.PickedSpan);
        field.Find("[data-testid=span-label-ents-PER]").Click();
        Assert.Equal([(0, 3, "ORG", "Kim"), (13, 18, "LOC", "Naver")], ValueOf(field));
    }

    [Fact]
    public async Task Spans_are_removed_by_button_by_delete_on_the_selected_span_at_the_caret_or_the_last_one()
    {
        var field = RenderField();
        await Select(field, 0, 3);
        await Select(field, 13, 18);
        await Select(field, 22, 27);
        Assert.Equal(3, ValueOf(field).Count);

        field.Find("[data-testid=span-remove-ents-1]").Click();
        Assert.Equal([0, 22], ValueOf(field).Select(s => s.Start));

        // Caret inside "Seoul": Delete removes that span.
        await field.InvokeAsync(() => field.Instance.OnTextClicked(24, -1, -1));
        await Key(field, "Delete");
        Assert.Equal([0], ValueOf(field).Select(s => s.Start));

        await Select(field, 13, 18);
        // Caret at 18 (after the new span): Backspace takes the span before the caret.
        await Key(field, "Backspace");
        Assert.Equal([0], ValueOf(field).Select(s => s.Start));

        // Caret away from any span: the last one made goes.
        await Select(field, 22, 27);
        await field.InvokeAsync(() => field.Instance.OnTextClicked(8, -1, -1));
        await Key(field, "Delete");
        Assert.Equal([0], ValueOf(field).Select(s => s.Start));

        // A clicked span goes, wherever the caret is.
        await field.InvokeAsync(() => field.Instance.OnTextClicked(1, 0, -1));
        await field.InvokeAsync(() => field.Instance.RemovePicked());
        Assert.Null(field.Instance.Value);
    }

    [Fact]
    public async Task Undo_steps_back_through_every_span_change_of_the_task()
    {
        var field = RenderField();
        await Select(field, 0, 3);
        await Select(field, 13, 18);
        await field.InvokeAsync(() => field.Instance.OnTextClicked(14, 13, -1));
        field.Find("[data-testid=span-label-ents-LOC]").Click();
        field.Find("[data-testid=span-remove-ents-0]").Click();
        Assert.Equal([(13, 18, "LOC", "Naver")], ValueOf(field));

        await Key(field, "z", ctrl: true);
        Assert.Equal([(0, 3, "PER", "Kim"), (13, 18, "LOC", "Naver")], ValueOf(field));
        await field.InvokeAsync(() => field.Instance.Undo());
        Assert.Equal([(0, 3, "PER", "Kim"), (13, 18, "PER", "Naver")], ValueOf(field));
        await Key(field, "Z", ctrl: true);
        await Key(field, "z", ctrl: true);
        Assert.Null(field.Instance.Value);
        await Key(field, "z", ctrl: true);
        Assert.Contains("Nothing to undo", field.Find("[data-testid=span-message-ents]").TextContent);
    }

    [Fact]
    public async Task With_a_page_keeping_the_history_edits_are_reported_and_ctrl_z_is_the_pages()
    {
        var edits = 0;
        var undoKeys = 0;
        var field = Render<SpanField>(p => p
            .Add(c => c.Field, Entities).Add(c => c.Text, Sentence).Add(c => c.TaskKey, 1L)
            .Add(c => c.OnEdited, () => edits++).Add(c => c.OnUndoKey, () => undoKeys++));

        await Select(field, 0, 3);
        await Select(field, 13, 18);
        Assert.Equal(2, edits);
        // A click, a caret move, a refused selection or an active label with nothing picked change no spans.
        await field.InvokeAsync(() => field.Instance.OnTextClicked(6, 3, -1));
        await Key(field, "ArrowRight");
        await Select(field, 1, 2);
        field.Find("[data-testid=span-label-ents-LOC]").Click();
        Assert.Equal(2, edits);

        // Relabeling the picked span by chip or key, and removing one, are edits.
        await field.InvokeAsync(() => field.Instance.OnTextClicked(14, 13, -1));
        field.Find("[data-testid=span-label-ents-ORG]").Click();
        await Key(field, "1");
        field.Find("[data-testid=span-remove-ents-0]").Click();
        Assert.Equal(5, edits);
        Assert.Equal(5, field.Instance.UndoDepth);

        // Ctrl+Z goes to the page, which decides what to undo; the field does not undo by itself.
        await Key(field, "z", ctrl: true);
        Assert.Equal(1, undoKeys);
        Assert.Equal([(13, 18, "PER", "Naver")], ValueOf(field));
        Assert.Equal(5, field.Instance.UndoDepth);

        // What the page asks for itself is not reported back to it.
        await field.InvokeAsync(() => field.Instance.ReplaceSpans([new(0, 3, "ORG")]));
        Assert.Equal([(0, 3, "ORG", "Kim")], ValueOf(field));
        Assert.True(await field.InvokeAsync(() => field.Instance.Undo()));
        Assert.Equal(5, edits);
        Assert.Equal([(13, 18, "PER", "Naver")], ValueOf(field));
    }

    [Fact]
    public async Task A_new_task_starts_with_its_own_spans_and_an_empty_undo_history()
    {
        var field = RenderField(taskKey: 1L);
        await Select(field, 0, 3);
        field.Render(p => p.Add(c => c.TaskKey, 2L).Add(c => c.Text, "Lee visited Busan."));
        Assert.Null(field.Instance.Value);
        Assert.Equal(0, field.Instance.Caret);
        await Key(field, "z", ctrl: true);
        Assert.Null(field.Instance.Value);
        Assert.Equal("Lee visited Busan.", field.Find("[data-testid=span-text-ents]").TextContent);
    }

    [Fact]
    public async Task The_keyboard_moves_the_caret_selects_words_and_marks_them()
    {
        var submitted = 0;
        var field = RenderField(onSubmit: () => submitted++);

        await Key(field, "ArrowRight", ctrl: true);
        Assert.Equal(3, field.Instance.Caret);
        await Key(field, "ArrowRight", ctrl: true);
        await Key(field, "ArrowRight", ctrl: true);
        Assert.Equal(12, field.Instance.Caret);
        await Key(field, "ArrowRight");
        Assert.Equal(13, field.Instance.Caret);
        await Key(field, "ArrowRight", ctrl: true, shift: true);
        Assert.Equal((13, 18), field.Instance.Selection);
        Assert.Contains("seg--selected", field.Find("[data-start='13']").ClassName);

        await Key(field, "2");
        await Key(field, "Enter");
        Assert.Equal([(13, 18, "ORG", "Naver")], ValueOf(field));
        Assert.Null(field.Instance.Selection);
        Assert.Equal(0, submitted);

        // Shift+← by character, then a selection that holds surrounding spaces is trimmed.
        await Key(field, "End");
        await Key(field, "ArrowLeft");
        await Key(field, "ArrowLeft", ctrl: true, shift: true);
        await Key(field, "ArrowLeft", shift: true);
        Assert.Equal((21, 27), field.Instance.Selection);
        await Key(field, "3");
        await Key(field, "Enter");
        Assert.Equal([(13, 18, "ORG", "Naver"), (22, 27, "LOC", "Seoul")], ValueOf(field));

        // Ctrl+← goes to the start of the word; Home to the start of the text.
        await Key(field, "ArrowLeft", ctrl: true);
        Assert.Equal(22, field.Instance.Caret);
        await Key(field, "Home");
        Assert.Equal(0, field.Instance.Caret);
        await Key(field, "ArrowLeft");
        Assert.Equal(0, field.Instance.Caret);

        // Enter with nothing selected asks the page to submit.
        await Key(field, "Enter");
        Assert.Equal(1, submitted);
    }

    [Fact]
    public async Task The_caret_never_splits_a_surrogate_pair()
    {
        const string text = "I 😀 Seoul";
        var field = RenderField(text: text);
        await Key(field, "ArrowRight");
        await Key(field, "ArrowRight");
        await Key(field, "ArrowRight", shift: true);
        Assert.Equal((2, 4), field.Instance.Selection);
        await Key(field, "ArrowLeft");
        Assert.Equal(2, field.Instance.Caret);

        // A selection ending inside the pair is widened to the whole character.
        await Select(field, 2, 3);
        Assert.Equal([(2, 4, "PER", "😀")], ValueOf(field));
    }

    [Fact]
    public void Number_hints_show_only_on_the_field_the_number_keys_go_to()
    {
        var field = RenderField();
        Assert.Empty(field.FindAll("[data-testid=span-label-ents-PER] .kbd"));
        field.Render(p => p.Add(c => c.NumberKeys, true));
        Assert.Equal("1", field.Find("[data-testid=span-label-ents-PER] .kbd").TextContent);
        Assert.Equal("3", field.Find("[data-testid=span-label-ents-LOC] .kbd").TextContent);
    }

    [Fact]
    public async Task Using_a_field_tells_the_page_so_number_keys_follow_it()
    {
        string? used = null;
        var field = Render<SpanField>(p => p.Add(c => c.Field, Entities).Add(c => c.Text, Sentence).Add(c => c.OnUsed, (string name) => used = name));
        await Key(field, "ArrowRight");
        Assert.Equal("ents", used);
    }

    [Fact]
    public void Initial_spans_that_do_not_fit_the_text_or_the_labels_are_left_out()
    {
        var field = RenderField(spans: [new(0, 3, "PER"), new(2, 5, "ORG"), new(20, 99, "LOC"), new(4, 9, "CAT"), new(4, 4, "PER")]);
        Assert.Equal([(0, 3, "PER", "Kim")], ValueOf(field));
    }

    [Fact]
    public void An_item_without_the_source_text_says_so()
    {
        var field = Render<SpanField>(p => p.Add(c => c.Field, Entities with { Source = "body" }).Add(c => c.Text, null));
        Assert.Contains("\"body\"", field.Find("[data-testid=span-no-text-ents]").TextContent);
        Assert.True(field.Find("[data-testid=span-text-ents]").HasAttribute("hidden"));
        Assert.Null(field.Instance.Value);
    }

    [Fact]
    public async Task Markup_in_the_text_stays_text()
    {
        const string text = "<b>Kim</b> & <script>alert(1)</script>";
        var field = RenderField(text: text);
        await Select(field, 3, 6);
        Assert.Equal(text, field.Find("[data-testid=span-text-ents]").TextContent);
        Assert.Empty(field.FindAll("[data-testid=span-text-ents] b, [data-testid=span-text-ents] script"));
        Assert.Equal("Kim", field.Find("[data-testid=span-ents-0] .span-row-text").TextContent);
    }
}

public sealed class SpanFieldKoreanTests() : ComponentTest("ko")
{
    [Fact]
    public void Messages_are_korean()
    {
        var field = Render<SpanField>(p => p.Add(c => c.Field, new LabelField { Name = "ents", Kind = FieldKind.Spans, Labels = ["PER"] }).Add(c => c.Text, "김민수"));
        Assert.Contains("아직", field.Find("[data-testid=span-list-ents]").TextContent);
    }
}
