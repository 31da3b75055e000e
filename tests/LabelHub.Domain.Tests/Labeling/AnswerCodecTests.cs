using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Labeling;

/// <summary>The one way between stored answers (JSON) and typed values, for every field kind.</summary>
public sealed class AnswerCodecTests
{
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };
    private static readonly LabelField Topics = new() { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service"] };
    private static readonly LabelField Entities = new() { Name = "ents", Kind = FieldKind.Spans, Labels = ["PER", "ORG"] };
    private static readonly LabelField Objects = new() { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] };
    private static readonly LabelField Note = new() { Name = "note", Kind = FieldKind.Text };
    private static readonly LabelField Amount = new() { Name = "amount", Kind = FieldKind.Number };
    private static readonly LabelField Day = new() { Name = "day", Kind = FieldKind.Date };
    private static readonly LabelField Stars = new() { Name = "stars", Kind = FieldKind.Rating, Max = 7 };

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static TheoryData<string, string> RoundTrips => new()
    {
        { "sentiment", "\"negative\"" },
        { "topics", "[\"service\",\"price\"]" },
        { "ents", "[{\"start\":0,\"end\":3,\"label\":\"PER\",\"text\":\"Kim\"},{\"start\":13,\"end\":18,\"label\":\"ORG\"}]" },
        { "objects", "[{\"x\":0.1,\"y\":0.2,\"width\":0.3,\"height\":0.4,\"label\":\"car\",\"x_px\":100,\"y_px\":150,\"width_px\":300,\"height_px\":300},{\"x\":0.5,\"y\":0.5,\"width\":0.2,\"height\":0.2,\"label\":\"person\"}]" },
        { "note", "\"배송이 빨라요\"" },
        { "amount", "2.5" },
        { "day", "\"2025-02-28\"" },
        { "stars", "6" },
    };

    private static LabelField Field(string name) => new[] { Sentiment, Topics, Entities, Objects, Note, Amount, Day, Stars }.Single(f => f.Name == name);

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Every_kind_reads_to_its_typed_value_and_writes_back_the_same_json(string field, string json)
    {
        var read = AnswerCodec.Read(Field(field), Json(json));

        Assert.Null(read.Problem);
        Assert.Equal(Field(field).Kind, read.Value!.Kind);
        Assert.True(JsonElement.DeepEquals(Json(json), AnswerCodec.ToJson(read.Value)), AnswerCodec.ToJson(read.Value).GetRawText());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"  \"")]
    [InlineData("[]")]
    public void Missing_null_blank_and_empty_lists_are_empty_for_every_kind(string json)
    {
        foreach (var field in new[] { Sentiment, Topics, Entities, Objects, Note, Amount, Day, Stars })
        {
            Assert.True(AnswerCodec.Read(field, Json(json)).IsEmpty, field.Name);
        }
        Assert.True(AnswerCodec.Read(Note, new Dictionary<string, JsonElement>()).IsEmpty);
    }

    [Theory]
    [InlineData("sentiment", "3", "Expected one label as a string.")]
    [InlineData("topics", "\"price\"", "Expected a list of labels.")]
    [InlineData("note", "[\"a\"]", "Expected text.")]
    [InlineData("amount", "\"2.5\"", "Expected a number.")]
    [InlineData("day", "\"28.02.2025\"", "Expected a date as yyyy-MM-dd.")]
    [InlineData("day", "\"2025-02-30\"", "Expected a date as yyyy-MM-dd.")]
    [InlineData("stars", "4.5", "Expected a whole number from 1 to 7.")]
    [InlineData("ents", "{\"start\": 0}", "Expected a list of spans {start, end, label}.")]
    [InlineData("objects", "\"car\"", "Expected a list of boxes {x, y, width, height, label}.")]
    public void A_value_of_the_wrong_shape_is_a_problem_naming_the_shape(string field, string json, string problem)
    {
        var read = AnswerCodec.Read(Field(field), Json(json));

        Assert.Null(read.Value);
        Assert.Equal(problem, read.Problem);
    }

    [Fact]
    public void Boxes_that_read_are_kept_and_the_first_that_does_not_is_named()
    {
        var json = JsonSerializer.SerializeToElement(new object[]
        {
            new { x = 0.1, y = 0.2, width = 0.3, height = 0.4, label = "car", x_px = 100, y_px = 150, width_px = 300, height_px = 300 },
            new { x = 0.5, y = 0.5, width = 0.2, height = 0.2, label = "bus" },
            new { x = "left", y = 0.5, width = 0.2, height = 0.2, label = "car" },
            new { x = 0.5, y = 0.5, width = 0.2, label = "car" },
            "car",
        });

        var read = AnswerCodec.Read(Objects, json);

        var boxes = Assert.IsType<BoxesAnswer>(read.Value).Boxes;
        Assert.Equal([new BoxValue(0.1, 0.2, 0.3, 0.4, "car", 100, 150, 300, 300), new BoxValue(0.5, 0.5, 0.2, 0.2, "bus")], boxes);
        Assert.Equal(3, read.Unreadable);
        Assert.Equal("Box 3: expected {x, y, width, height, label} as fractions of the image.", read.Problem);
        Assert.Null(read.Clean);
        // Reading is not fitting: the unknown label is for the field's editor and rules to refuse.
        Assert.False(boxes[1].Fits(Objects));
        Assert.True(boxes[0].Fits(Objects));
    }

    [Fact]
    public void Box_pixels_come_all_four_or_none()
    {
        var read = AnswerCodec.Read(Objects, Json("""[{"x": 0.1, "y": 0.1, "width": 0.1, "height": 0.1, "label": "car", "x_px": 10}]"""));
        Assert.Equal("Box 1: x_px, y_px, width_px and height_px go together, as numbers.", read.Problem);
    }

    [Fact]
    public void A_span_keeps_the_text_stored_with_it_but_it_does_not_make_another_answer()
    {
        var stored = AnswerCodec.Read(Entities, Json("""[{"start": 0, "end": 3, "label": "PER", "text": "Kim"}]""")).Clean!;
        var typed = AnswerCodec.Read(Entities, Json("""[{"start": 0, "end": 3, "label": "PER"}]""")).Clean!;

        Assert.Equal("Kim", ((SpansAnswer)stored).Spans[0].Text);
        Assert.True(stored.SameAs(typed));
        Assert.NotEqual(stored, typed);
    }

    [Fact]
    public void Same_answers_are_compared_as_sets_and_boxes_to_a_millionth()
    {
        Assert.True(AnswerCodec.Same(Topics, Json("""["price", "service"]"""), Json("""["service", "price"]""")));
        Assert.False(AnswerCodec.Same(Topics, Json("""["price"]"""), Json("""["price", "service"]""")));
        Assert.True(AnswerCodec.Same(Objects,
            Json("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car"}]"""),
            Json("""[{"x": 0.1000000004, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 100, "y_px": 150, "width_px": 300, "height_px": 300}]""")));
        Assert.False(AnswerCodec.Same(Objects,
            Json("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car"}]"""),
            Json("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "person"}]""")));
        Assert.True(AnswerCodec.Same(Amount, Json("2"), Json("2.0")));
        // Values that do not read as the field's kind must be equal as JSON.
        Assert.True(AnswerCodec.Same(Amount, Json("\"two\""), Json("\"two\"")));
        Assert.False(AnswerCodec.Same(Amount, Json("\"two\""), Json("2")));
        Assert.True(AnswerCodec.Same(null, Json("{\"a\": 1}"), Json("{\"a\": 1}")));
    }

    [Fact]
    public void Span_and_box_fields_read_their_item_key_by_one_rule()
    {
        Assert.Equal("text", Entities.SourceKey);
        Assert.Equal("image", Objects.SourceKey);
        Assert.Equal("title", (Entities with { Source = "title" }).SourceKey);
        Assert.Equal("text", (Entities with { Source = "  " }).SourceKey);
        Assert.Equal("photo", (Objects with { Source = "photo" }).SourceKey);
        Assert.Null(Sentiment.SourceKey);
        var item = new Dictionary<string, JsonElement> { ["title"] = Json("\"Kim\""), ["text"] = Json("\"Naver\"") };
        Assert.Equal("Kim", AnswerCodec.SourceText(Entities with { Source = "title" }, item));
        Assert.Equal("Naver", AnswerCodec.SourceText(Entities, item));
    }

    [Fact]
    public void Examples_and_blanks_have_the_shape_of_their_kind()
    {
        foreach (var field in new[] { Sentiment, Topics, Entities, Objects, Note, Amount, Day, Stars })
        {
            var example = AnswerCodec.Read(field, AnswerCodec.Example(field));
            Assert.True(example.Clean is not null, field.Name);
            Assert.True(AnswerCodec.Read(field, AnswerCodec.Blank(field)).IsEmpty, field.Name);
        }
    }

    [Fact]
    public void Answers_read_in_words_one_line_per_field()
    {
        var schema = new LabelSchema { Fields = [Sentiment, Topics, Entities, Objects, Stars] };
        var answer = new Dictionary<string, JsonElement>
        {
            ["sentiment"] = Json("\"positive\""),
            ["topics"] = Json("""["price", "service"]"""),
            ["ents"] = Json("""[{"start": 0, "end": 3, "label": "PER"}]"""),
            ["objects"] = Json("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car"}, {"x": 0, "y": 0, "width": 0.5, "height": 0.5, "label": "person", "x_px": 0, "y_px": 0, "width_px": 320, "height_px": 240}]"""),
            ["stars"] = Json("5"),
        };
        var item = new Dictionary<string, JsonElement> { ["text"] = Json("\"Kim works at Naver.\"") };

        Assert.Equal(
            [
                "sentiment: positive",
                "topics: price, service",
                "ents: PER: Kim [0–3]",
                "objects: car (10%, 20%, 30%×40%); person (0, 0, 320×240)",
                "stars: 5 / 7",
            ],
            AnswerText.Lines(schema, answer, item));
    }
}
