using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Labeling;

public sealed class AnnotationValidatorTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["pos", "neg"], Required = true },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["a", "b", "c"], Max = 2 },
            new LabelField { Name = "comment", Kind = FieldKind.Text, MaxLength = 5, Pattern = "^[a-z]*$" },
            new LabelField { Name = "age", Kind = FieldKind.Number, Min = 0, Max = 120 },
            new LabelField { Name = "born", Kind = FieldKind.Date },
            new LabelField { Name = "stars", Kind = FieldKind.Rating, Max = 5 },
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "ORG"] },
            new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car"] },
        ],
    };

    private static readonly Dictionary<string, JsonElement> Item = new() { ["text"] = JsonSerializer.SerializeToElement("Kim works at Naver") };

    private static Dictionary<string, JsonElement> Values(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public void A_complete_valid_answer_passes()
    {
        var problems = AnnotationValidator.Problems(Schema, Values("""
            {"sentiment": "pos", "tags": ["a", "c"], "comment": "ok", "age": 33, "born": "1990-02-28", "stars": 4,
             "entities": [{"start": 0, "end": 3, "label": "PER"}, {"start": 13, "end": 18, "label": "ORG"}],
             "objects": [{"x": 0.1, "y": 0.2, "width": 0.5, "height": 0.5, "label": "car"}]}
            """), Item);

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("""{"tags": ["a"]}""", "values.sentiment", "required")]
    [InlineData("""{"sentiment": "meh"}""", "values.sentiment", "not one of the labels")]
    [InlineData("""{"sentiment": 1}""", "values.sentiment", "Expected one label")]
    [InlineData("""{"sentiment": "pos", "tags": ["a", "a"]}""", "values.tags", "picked twice")]
    [InlineData("""{"sentiment": "pos", "tags": ["a", "b", "c"]}""", "values.tags", "at most 2")]
    [InlineData("""{"sentiment": "pos", "comment": "toolong"}""", "values.comment", "At most 5 characters")]
    [InlineData("""{"sentiment": "pos", "comment": "ABC"}""", "values.comment", "pattern")]
    [InlineData("""{"sentiment": "pos", "age": 130}""", "values.age", "at most 120")]
    [InlineData("""{"sentiment": "pos", "age": "33"}""", "values.age", "Expected a number")]
    [InlineData("""{"sentiment": "pos", "born": "28/02/1990"}""", "values.born", "yyyy-MM-dd")]
    [InlineData("""{"sentiment": "pos", "stars": 6}""", "values.stars", "1 to 5")]
    [InlineData("""{"sentiment": "pos", "entities": [{"start": 5, "end": 50, "label": "PER"}]}""", "values.entities", "inside the text")]
    [InlineData("""{"sentiment": "pos", "entities": [{"start": 0, "end": 5, "label": "PER"}, {"start": 3, "end": 8, "label": "ORG"}]}""", "values.entities", "overlap")]
    [InlineData("""{"sentiment": "pos", "objects": [{"x": 0.8, "y": 0, "width": 0.5, "height": 0.1, "label": "car"}]}""", "values.objects", "inside the image")]
    [InlineData("""{"sentiment": "pos", "objects": [{"x": 0, "y": 0, "width": 0.5, "height": 0.1, "label": "bus"}]}""", "values.objects", "not one of the labels")]
    [InlineData("""{"sentiment": "pos", "mood": "x"}""", "values.mood", "no such field")]
    public void Each_problem_is_reported_on_its_field(string json, string field, string message)
    {
        var error = Assert.Throws<ValidationException>(() => AnnotationValidator.Validate(Schema, Values(json), Item));
        Assert.Contains(error.Errors[field], m => m.Contains(message, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once()
    {
        var error = Assert.Throws<ValidationException>(() => AnnotationValidator.Validate(Schema, Values("""{"age": -1, "stars": 0}"""), Item));
        Assert.Equal(["values.age", "values.sentiment", "values.stars"], error.Errors.Keys.Order());
    }
}
