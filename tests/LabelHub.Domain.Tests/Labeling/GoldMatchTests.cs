using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Labeling;

/// <summary>When an answer counts as equal to a gold answer, and the short preview of a gold item.</summary>
public sealed class GoldMatchTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["pos", "neg"] },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["a", "b", "c"] },
            new LabelField { Name = "comment", Kind = FieldKind.Text },
            new LabelField { Name = "age", Kind = FieldKind.Number },
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "ORG"] },
            new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] },
        ],
    };

    private const string Gold = """
        {"sentiment": "pos", "tags": ["a", "c"], "age": 30,
         "entities": [{"start": 0, "end": 3, "label": "PER"}, {"start": 13, "end": 18, "label": "ORG"}],
         "objects": [{"x": 0.1, "y": 0.2, "width": 0.5, "height": 0.25, "label": "car"}]}
        """;

    private static Dictionary<string, JsonElement> Values(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Theory]
    [InlineData("the same answer", Gold)]
    [InlineData("lists in another order, copied span text and box pixels, 30.0 for 30, an empty comment", """
        {"sentiment": "pos", "tags": ["c", "a"], "age": 30.0, "comment": " ",
         "entities": [{"start": 13, "end": 18, "label": "ORG", "text": "Naver"}, {"start": 0, "end": 3, "label": "PER", "text": "Kim"}],
         "objects": [{"x": 0.1, "y": 0.2, "width": 0.5, "height": 0.25, "label": "car", "x_px": 100, "y_px": 150, "width_px": 500, "height_px": 188}]}
        """)]
    public void Equal_answers_match(string why, string answer)
    {
        Assert.True(GoldService.Matches(Schema, Values(Gold), Values(answer)), why);
    }

    [Theory]
    [InlineData("another label", """{"sentiment": "neg"}""")]
    [InlineData("a tag missing", """{"tags": ["a"]}""")]
    [InlineData("a tag too many", """{"tags": ["a", "b", "c"]}""")]
    [InlineData("another number", """{"age": 31}""")]
    [InlineData("a span one character longer", """{"entities": [{"start": 0, "end": 4, "label": "PER"}, {"start": 13, "end": 18, "label": "ORG"}]}""")]
    [InlineData("a span with another label", """{"entities": [{"start": 0, "end": 3, "label": "ORG"}, {"start": 13, "end": 18, "label": "ORG"}]}""")]
    [InlineData("a span missing", """{"entities": [{"start": 0, "end": 3, "label": "PER"}]}""")]
    [InlineData("a box moved", """{"objects": [{"x": 0.11, "y": 0.2, "width": 0.5, "height": 0.25, "label": "car"}]}""")]
    [InlineData("a box relabeled", """{"objects": [{"x": 0.1, "y": 0.2, "width": 0.5, "height": 0.25, "label": "person"}]}""")]
    [InlineData("a field the gold answer leaves empty", """{"comment": "extra"}""")]
    [InlineData("a field left out", """{"age": null}""")]
    public void Any_difference_in_any_field_is_a_miss(string why, string change)
    {
        var answer = Values(Gold);
        foreach (var (field, value) in Values(change))
        {
            answer[field] = value;
        }
        Assert.False(GoldService.Matches(Schema, Values(Gold), answer), why);
    }

    [Fact]
    public void The_preview_is_the_text_else_the_file_name_else_the_first_value_on_one_short_line()
    {
        Assert.Equal("Kim works at Naver", GoldService.Preview(Values("""{"text": "Kim works\n   at Naver", "id": 7}""")));
        Assert.Equal("street.png", GoldService.Preview(Values("""{"image": "/api/v1/projects/x/media/y", "file_name": "street.png"}""")));
        Assert.Equal("title: Hello", GoldService.Preview(Values("""{"title": "Hello", "body": "World"}""")));
        Assert.Equal("", GoldService.Preview(new Dictionary<string, JsonElement>()));

        var preview = GoldService.Preview(Values(JsonSerializer.Serialize(new { text = new string('x', 118) + "😀 and more" })));
        Assert.Equal(GoldService.PreviewLength - 1, preview.Length);
        Assert.EndsWith("x…", preview);
    }
}
