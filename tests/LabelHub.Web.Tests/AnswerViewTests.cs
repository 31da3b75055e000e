using System.Text.Json;
using Bunit;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Labeling;

namespace LabelHub.Web.Tests;

/// <summary>Answers shown read-only on the review and gold pages: spans marked on the text, boxes drawn on the image.</summary>
public sealed class AnswerViewTests : ComponentTest
{
    private const string Sentence = "Kim <b>works</b> at Naver.";

    private static readonly Guid ProjectId = Guid.Parse("0190a000-0000-7000-8000-000000000001");

    private static readonly LabelField Entities = new() { Name = "ents", Kind = FieldKind.Spans, Labels = ["PER", "ORG"], AllowOverlap = true };

    private static readonly LabelField Objects = new() { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] };

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static Dictionary<string, JsonElement> Data(object data) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(data))!;

    private IRenderedComponent<AnswerView> RenderAnswer(LabelField field, string? value, object data, bool compact = false) =>
        Render<AnswerView>(p => p
            .Add(c => c.Field, field)
            .Add(c => c.Value, value is null ? null : Json(value))
            .Add(c => c.ItemData, Data(data))
            .Add(c => c.ProjectId, ProjectId)
            .Add(c => c.Compact, compact));

    [Fact]
    public void Spans_are_marked_on_the_encoded_text_with_their_labels_after_them()
    {
        // "Kim" is PER; "Naver" is ORG; "Kim <b>works" is a second, overlapping ORG span.
        var view = RenderAnswer(Entities, """
            [{"start": 20, "end": 25, "label": "ORG", "text": "Naver"}, {"start": 0, "end": 3, "label": "PER"}, {"start": 0, "end": 12, "label": "ORG"}]
            """, new { text = Sentence });

        var text = view.Find("[data-testid=answer-spans-ents]");
        Assert.Equal(Sentence, text.TextContent);
        Assert.Empty(text.QuerySelectorAll("b"));
        Assert.Equal("3", text.GetAttribute("data-span-count"));
        var segments = text.QuerySelectorAll(".seg");
        Assert.Equal(["Kim", " <b>works", "</b> at ", "Naver", "."], segments.Select(s => s.TextContent));
        Assert.Equal([true, true, false, true, false], segments.Select(s => s.ClassList.Contains("seg--marked")));
        // Overlapping spans are underlined on two tracks.
        Assert.Contains("calc(100% - 4px)", segments[0].GetAttribute("style"));

        // Sorted by start, then end: PER "Kim", ORG "Kim <b>works", ORG "Naver"; each tag right after its span's last segment.
        var tags = text.QuerySelectorAll(".span-tag");
        Assert.Equal(["PER", "ORG", "ORG"], tags.Select(t => t.GetAttribute("data-label")));
        Assert.Equal(segments[0], view.Find("[data-testid=answer-span-ents-0]").PreviousElementSibling);
        Assert.Equal(segments[1], view.Find("[data-testid=answer-span-ents-1]").PreviousElementSibling);
        Assert.Equal(segments[3], view.Find("[data-testid=answer-span-ents-2]").PreviousElementSibling);
        Assert.Equal(("20", "25"), (view.Find("[data-testid=answer-span-ents-2]").GetAttribute("data-start"), view.Find("[data-testid=answer-span-ents-2]").GetAttribute("data-end")));
        Assert.Equal("Spans: PER × 1, ORG × 2", view.Find("[data-testid=answer-spans-count-ents]").TextContent.Trim());
    }

    [Fact]
    public void Spans_beyond_the_text_are_counted_not_drawn_and_no_spans_still_show_the_text()
    {
        var view = RenderAnswer(Entities, """[{"start": 0, "end": 3, "label": "PER"}, {"start": 20, "end": 99, "label": "ORG"}]""", new { text = Sentence });
        Assert.Single(view.FindAll(".span-tag"));
        Assert.Contains("Not shown, outside the text: 1", view.Find("[data-testid=answer-spans-count-ents]").TextContent);

        var empty = RenderAnswer(Entities, null, new { text = Sentence });
        Assert.Equal(Sentence, empty.Find("[data-testid=answer-spans-ents]").TextContent);
        Assert.Empty(empty.FindAll(".seg--marked"));
        Assert.Equal("No spans.", empty.Find("[data-testid=answer-spans-count-ents]").TextContent.Trim());
    }

    [Fact]
    public void Boxes_are_drawn_on_the_image_as_fractions_of_it_with_their_labels()
    {
        var image = $"/api/v1/projects/{ProjectId}/media/0190a000-0000-7000-8000-0000000000ff";
        var view = RenderAnswer(Objects, """
            [{"x": 0.1, "y": 0.25, "width": 0.5, "height": 0.125, "label": "car", "x_px": 100, "y_px": 200, "width_px": 500, "height_px": 100},
             {"x": 0.7, "y": 0, "width": 0.3, "height": 0.5, "label": "person"}]
            """, new { image, width = 1000, height = 800 });

        var stage = view.Find("[data-testid=answer-boxes-objects]");
        Assert.Equal("2", stage.GetAttribute("data-box-count"));
        Assert.Equal(image, stage.QuerySelector("img")!.GetAttribute("src"));
        var car = view.Find("[data-testid=answer-box-objects-0]");
        Assert.Equal("car", car.GetAttribute("data-label"));
        Assert.Equal("car", car.TextContent.Trim());
        Assert.Contains("left: 10%; top: 25%; width: 50%; height: 12.5%;", car.GetAttribute("style"));
        Assert.Contains("border-color: #e53935", car.GetAttribute("style"));
        Assert.DoesNotContain("answer-box--top", car.ClassName);
        // A box at the top edge keeps its label inside the image; the second label has the second colour.
        var person = view.Find("[data-testid=answer-box-objects-1]");
        Assert.Contains("answer-box--top", person.ClassName);
        Assert.Contains("border-color: #1e88e5", person.GetAttribute("style"));
        Assert.Equal("Boxes: car × 1, person × 1", view.Find("[data-testid=answer-boxes-count-objects]").TextContent.Trim());
    }

    [Fact]
    public void An_image_url_that_is_not_allowed_is_never_shown_only_the_count()
    {
        var view = RenderAnswer(Objects, """[{"x": 0.1, "y": 0.2, "width": 0.5, "height": 0.5, "label": "car"}]""", new { image = "javascript:alert(1)" });
        Assert.Empty(view.FindAll("img"));
        Assert.Equal("Boxes: car × 1", view.Find("[data-testid=answer-summary-objects]").TextContent.Trim());
    }

    [Fact]
    public void Compact_answers_fit_on_a_line()
    {
        var spans = RenderAnswer(Entities, """[{"start": 20, "end": 25, "label": "ORG"}, {"start": 0, "end": 3, "label": "PER"}]""", new { text = Sentence }, compact: true);
        Assert.Empty(spans.FindAll("[data-testid=answer-spans-ents]"));
        var chips = spans.FindAll("[data-testid=answer-summary-ents] .answer-chip");
        Assert.Equal(["PERKim", "ORGNaver"], chips.Select(c => c.TextContent.Replace(" ", "").Trim()));

        // Without the item, a span shows the text stored with it, else its offsets.
        var stored = RenderAnswer(Entities, """[{"start": 0, "end": 3, "label": "PER", "text": "Kim"}, {"start": 4, "end": 9, "label": "ORG"}]""", new { }, compact: true);
        Assert.Equal(["PERKim", "ORG[4–9]"], stored.FindAll(".answer-chip").Select(c => c.TextContent.Replace(" ", "").Trim()));

        var boxes = RenderAnswer(Objects, """[{"x": 0, "y": 0, "width": 0.5, "height": 0.5, "label": "person"}, {"x": 0.5, "y": 0.5, "width": 0.5, "height": 0.5, "label": "person"}]""",
            new { image = "https://example.com/a.png" }, compact: true);
        Assert.Empty(boxes.FindAll("img"));
        Assert.Equal("Boxes: person × 2", boxes.Find("[data-testid=answer-summary-objects]").TextContent.Trim());

        var choice = new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };
        Assert.Equal("negative", RenderAnswer(choice, "\"negative\"", new { }, compact: true).Find(".mud-chip").TextContent.Trim());
        Assert.Equal("(no answer)", RenderAnswer(choice, null, new { }).Find("[data-testid=answer-empty-sentiment]").TextContent.Trim());
        Assert.Equal("(no answer)", RenderAnswer(Entities, "[]", new { }, compact: true).Find("[data-testid=answer-empty-ents]").TextContent.Trim());
    }
}
