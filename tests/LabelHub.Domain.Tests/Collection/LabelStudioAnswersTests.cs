using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Collection;

/// <summary>
/// Label Studio results (as its docs and JSON export write them) read as answers of the project's schema; values are
/// hand-computed from the documented meaning (percent of the image, [start, end) character offsets, lead_time in seconds).
/// </summary>
public sealed class LabelStudioAnswersTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["Positive", "Negative"] },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["a", "b", "c"] },
            new LabelField { Name = "ner", Kind = FieldKind.Spans, Labels = ["PER", "LOC"], AllowOverlap = true },
            new LabelField { Name = "box", Kind = FieldKind.Boxes, Labels = ["Airplane", "Car"] },
            new LabelField { Name = "comment", Kind = FieldKind.Text },
            new LabelField { Name = "stars", Kind = FieldKind.Rating },
            new LabelField { Name = "count", Kind = FieldKind.Number },
            new LabelField { Name = "when", Kind = FieldKind.Date },
        ],
    };

    private static readonly Dictionary<string, JsonElement> TextItem = new() { ["text"] = JsonSerializer.SerializeToElement("Anna lives in Paris") };

    private static LabelStudioRead Read(string annotations, string predictions = "[]", Dictionary<string, JsonElement>? item = null) =>
        LabelStudioAnswers.Read(
            new LabelStudioTask(7, JsonDocument.Parse(annotations).RootElement.Clone(), JsonDocument.Parse(predictions).RootElement.Clone()),
            Schema, item ?? TextItem);

    private static string Annotation(string result, string by = """{"id": 1, "email": "anna@example.com"}""", string extra = "") =>
        $$"""[{"id": 3, "completed_by": {{by}}, "was_cancelled": false, "lead_time": 2.5, "created_at": "2021-03-11T13:39:58.478475Z" {{extra}}, "result": {{result}}}]""";

    [Fact]
    public void Every_result_type_becomes_the_typed_answer_of_its_field()
    {
        var read = Read(Annotation("""
            [
              {"id": "r1", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}},
              {"id": "r2", "from_name": "tags", "to_name": "text", "type": "choices", "value": {"choices": ["c", "a"]}},
              {"id": "r3", "from_name": "ner", "to_name": "text", "type": "labels", "value": {"start": 14, "end": 19, "text": "Paris", "labels": ["LOC"]}},
              {"id": "r4", "from_name": "ner", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER", "LOC"]}},
              {"id": "r5", "from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": ["first", "second"]}},
              {"id": "r6", "from_name": "stars", "to_name": "text", "type": "rating", "value": {"rating": 4}},
              {"id": "r7", "from_name": "count", "to_name": "text", "type": "number", "value": {"number": 2.5}},
              {"id": "r8", "from_name": "when", "to_name": "text", "type": "datetime", "value": {"datetime": "2024-02-29T10:00"}}
            ]
            """));

        Assert.True(read.Succeeded, read.Error);
        var answer = Assert.Single(read.Answers);
        var values = AnswerCodec.ReadAll(Schema, answer.Values);
        Assert.Equal(new ChoiceAnswer("Positive"), values["sentiment"]);
        Assert.Equal(new MultiChoiceAnswer(["c", "a"]), values["tags"]);
        // Spans in text order; a span with two labels is two spans.
        Assert.Equal(
            new SpansAnswer([new SpanValue(0, 4, "PER", "Anna"), new SpanValue(0, 4, "LOC", "Anna"), new SpanValue(14, 19, "LOC", "Paris")]),
            values["ner"]);
        Assert.Equal(new TextAnswer("first\nsecond"), values["comment"]);
        Assert.Equal(new RatingAnswer(4), values["stars"]);
        Assert.Equal(new NumberAnswer(2.5), values["count"]);
        Assert.Equal(new DateAnswer(new DateOnly(2024, 2, 29)), values["when"]);
        Assert.Equal(new DateTimeOffset(2021, 3, 11, 13, 39, 58, TimeSpan.Zero).AddTicks(4_784_750), answer.CreatedAt);
        Assert.Equal(2500, answer.DurationMs);
        Assert.Equal("3", answer.AnnotationId);
        Assert.Equal(new LabelStudioAnnotator("1", 1, "anna@example.com", null), answer.Annotator);
    }

    [Fact]
    public void Rectangles_in_percent_become_boxes_snapped_to_the_pixels_of_the_image_they_were_drawn_on()
    {
        // The example of Label Studio's export docs: 800 x 600, x 23.4 %, y 45.2 %, 12.3 % x 10.5 %.
        var read = Read(Annotation("""
            [{"id": "b", "from_name": "box", "to_name": "image", "type": "rectanglelabels", "original_width": 800, "original_height": 600,
              "image_rotation": 0, "value": {"x": 23.4, "y": 45.2, "width": 12.3, "height": 10.5, "rotation": 0, "rectanglelabels": ["Airplane"]}}]
            """), item: new() { ["image"] = JsonSerializer.SerializeToElement("https://example.com/a.jpg") });

        Assert.True(read.Succeeded, read.Error);
        // 0.234 × 800 = 187.2 → 187; (0.234 + 0.123) × 800 = 285.6 → 286; 0.452 × 600 = 271.2 → 271; 0.557 × 600 = 334.2 → 334.
        var box = Assert.Single(AnswerCodec.Read(Schema.Field("box")!, read.Answers[0].Values).Value is BoxesAnswer b ? b.Boxes : []);
        Assert.Equal(new BoxValue(187 / 800.0, 271 / 600.0, 99 / 800.0, 63 / 600.0, "Airplane", 187, 271, 99, 63), box);
    }

    [Fact]
    public void Without_the_image_size_a_box_keeps_its_fractions_and_no_pixels()
    {
        var read = Read(Annotation("""
            [{"id": "b", "from_name": "box", "to_name": "image", "type": "rectanglelabels",
              "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rectanglelabels": ["Car"]}}]
            """), item: new() { ["image"] = JsonSerializer.SerializeToElement("https://example.com/a.jpg") });

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal("""[{"x":0.1,"y":0.2,"width":0.3,"height":0.4,"label":"Car"}]""", read.Answers[0].Values["box"].GetRawText());
    }

    [Fact]
    public void An_annotation_that_names_nobody_is_the_import_sources_as_label_studio_gives_it_to_the_importing_user()
    {
        var read = Read("""
            [{"id": 1, "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]},
             {"id": 2, "completed_by": null, "result": []}]
            """);

        Assert.False(read.Succeeded); // two annotations of one task by the same (unnamed) user
        read = Read("""[{"id": 1, "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]}]""");
        Assert.True(read.Succeeded, read.Error);
        Assert.Equal(LabelStudioAnnotator.ImportSource, Assert.Single(read.Answers).Annotator);
        Assert.Equal("ls-import", read.Answers[0].Annotator.AccountName);
        Assert.Equal("Positive", read.Answers[0].Values["sentiment"].GetString());
    }

    [Fact]
    public void Cancelled_annotations_are_counted_not_kept_and_a_bare_user_number_is_the_annotator()
    {
        var read = Read("""
            [{"id": 1, "completed_by": 5, "was_cancelled": true, "result": []},
             {"id": 2, "completed_by": 6, "result": [{"id": "x", "from_name": "sentiment", "type": "choices", "value": {"choices": ["Negative"]}}]}]
            """);

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal(1, read.Cancelled);
        Assert.Equal(new LabelStudioAnnotator("6", 6, null, null), Assert.Single(read.Answers).Annotator);
        Assert.Null(read.Answers[0].CreatedAt);
        Assert.Null(read.Answers[0].DurationMs);
    }

    [Fact]
    public void The_documented_task_reads_with_its_string_annotation_id_and_an_email_annotator_is_matched_by_email()
    {
        // Label Studio's task-format docs write the annotation id as a string; its import takes completed_by as an e-mail.
        var read = Read("""
            [{"id": "1001", "completed_by": "anna@example.com", "was_cancelled": false, "lead_time": 4.288,
              "result": [{"from_name": "sentiment", "id": "Dx_aB91ISN", "to_name": "text", "type": "choices", "value": {"choices": ["Negative"]}}]},
             {"id": "1002", "completed_by": "bob", "result": []}]
            """);

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal(["1001", "1002"], read.Answers.Select(a => a.AnnotationId));
        Assert.Equal(new LabelStudioAnnotator("anna@example.com", null, "anna@example.com", null), read.Answers[0].Annotator);
        Assert.Equal(new LabelStudioAnnotator("bob", null, null, "bob"), read.Answers[1].Annotator);
        Assert.Equal(4288, read.Answers[0].DurationMs);
        Assert.Empty(read.Answers[1].Values);
    }

    [Fact]
    public void Predictions_keep_model_version_and_score_and_their_results_read_the_same_way()
    {
        var read = Read("[]", """
            [{"id": 9, "model_version": "v2", "score": 0.75, "created_at": "2024-01-01T00:00:00Z",
              "result": [{"from_name": "sentiment", "type": "choices", "value": {"choices": ["Positive"]}}]},
             {"id": 10, "model_version": "v3", "score": 7.5, "result": [{"from_name": "stars", "type": "rating", "value": {"rating": 2}}]}]
            """);

        Assert.True(read.Succeeded, read.Error);
        Assert.Equal(["v2", "v3"], read.Predictions.Select(p => p.ModelVersion));
        // A score outside 0 to 1 is not a confidence: left out.
        Assert.Equal([0.75, null], read.Predictions.Select(p => p.Score));
        Assert.Equal("Positive", read.Predictions[0].Values["sentiment"].GetString());
    }

    [Theory]
    [InlineData("""[{"id": "r", "from_name": "mood", "type": "choices", "value": {"choices": ["Positive"]}}]""",
        "task 7, annotation 3, result \"r\": the label schema has no field \"mood\"")]
    [InlineData("""[{"id": "r", "from_name": "sentiment", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["PER"]}}]""",
        "task 7, annotation 3, result \"r\": a \"labels\" result cannot answer the Choice field \"sentiment\"")]
    [InlineData("""[{"id": "r", "from_name": "ner", "type": "labels", "value": {"start": 0, "end": 4, "text": "Emma", "labels": ["PER"]}}]""",
        "task 7, annotation 3, result \"r\": the text \"Emma\" is not what characters 0 to 4 of the item hold (\"Anna\")")]
    [InlineData("""[{"id": "r", "from_name": "ner", "type": "labels", "value": {"start": 15, "end": 40, "labels": ["PER"]}}]""",
        "task 7, annotation 3, result \"r\": characters 15 to 40 are not inside the item's text (19 characters)")]
    [InlineData("""[{"id": "r", "from_name": "sentiment", "type": "choices", "value": {"choices": ["Meh"]}}]""",
        "task 7, annotation 3, field \"sentiment\": 'Meh' is not one of the labels (Positive, Negative).")]
    [InlineData("""[{"id": "r", "from_name": "sentiment", "type": "choices", "value": {"choices": ["Positive", "Negative"]}}]""",
        "task 7, annotation 3, field \"sentiment\": one choice expected, 2 given")]
    [InlineData("""[{"id": "r", "from_name": "box", "type": "rectanglelabels", "value": {"x": 1, "y": 1, "width": 5, "height": 5, "rotation": 30, "rectanglelabels": ["Car"]}}]""",
        "task 7, annotation 3, result \"r\": a rotated box cannot be kept (boxes here are upright)")]
    [InlineData("""[{"id": "r", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]""",
        "task 7, annotation 3, result \"r\": no \"from_name\"")]
    public void A_result_that_does_not_fit_the_schema_names_the_task_the_annotation_and_the_result(string result, string error)
    {
        var read = Read(Annotation(result));

        Assert.Equal(error, read.Error);
        Assert.Empty(read.Answers);
    }

    [Fact]
    public void Two_annotations_by_one_user_on_one_task_are_refused()
    {
        var read = Read("""[{"id": 1, "completed_by": 5, "result": []}, {"id": 2, "completed_by": 5, "result": []}]""");

        Assert.Equal("task 7, annotation 2: a second annotation by the same user (5); keep one per user", read.Error);
    }

    [Theory]
    [InlineData("alice@example.com", null, "1", "ls-alice@example.com")]
    [InlineData(null, "Kim Minji", "2", "ls-Kim_Minji")]
    [InlineData(null, null, "42", "ls-42")]
    public void Unmatched_annotators_are_named_from_their_email_user_name_or_id(string? email, string? userName, string key, string expected)
    {
        Assert.Equal(expected, new LabelStudioAnnotator(key, null, email, userName).AccountName);
    }
}
