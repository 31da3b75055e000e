using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

public sealed class LabelStudioWriterTests
{
    [Fact]
    public async Task The_fixed_release_is_written_byte_for_byte_as_its_golden_files()
    {
        GoldenFiles.Match("labelstudio", await ImageFormatFixture.WriteAsync(new LabelStudioWriter()));
    }

    [Fact]
    public async Task Read_back_from_Label_Studio_results_every_field_gives_the_same_final_answer()
    {
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new LabelStudioWriter()));
        var tasks = JsonDocument.Parse(ImageFormatFixture.Text(files, LabelStudioWriter.TasksPath)).RootElement.EnumerateArray().ToList();
        Assert.Equal(ImageFormatFixture.Entries.Select(e => e.ItemId), tasks.Select(t => t.GetProperty("id").GetInt64()));
        foreach (var (entry, task) in ImageFormatFixture.Entries.Zip(tasks))
        {
            var annotations = task.GetProperty("annotations").EnumerateArray().ToList();
            var annotation = Assert.Single(annotations);
            Assert.False(annotation.GetProperty("was_cancelled").GetBoolean());
            var data = task.GetProperty("data");
            var read = ReadResults(annotation.GetProperty("result"), data);
            foreach (var field in ImageFormatFixture.Schema.Fields)
            {
                var expected = AnswerCodec.Read(field, entry.Answers.TryGetValue(field.Name, out var final) ? final.Value : default).Value;
                read.TryGetValue(field.Name, out var actual);
                Assert.True(expected is null ? actual is null : actual is not null && expected.SameAs(actual),
                    $"item {entry.ItemId}, field {field.Name}: expected {Describe(expected)}, read {Describe(actual)}");
            }
            // Split and content hash travel in the task's meta; the item data is kept, its image pointed at the copy.
            Assert.Equal(entry.Split, task.GetProperty("meta").GetProperty("split").GetString());
            Assert.Equal(entry.ContentHash, task.GetProperty("meta").GetProperty("content_hash").GetString());
            Assert.Equal(entry.Data["caption"].GetString(), data.GetProperty("caption").GetString());
            var image = data.GetProperty("image").GetString()!;
            Assert.StartsWith("images/", image, StringComparison.Ordinal);
            Assert.Contains(files, f => f.Path == image);
        }
    }

    /// <summary>
    /// The way back (issue 15): what a release writes for Label Studio, read by LabelHub's own Label Studio import, gives
    /// every final answer again field by field (boxes on the pixel grid), by the import source (the download names no Label Studio user).
    /// </summary>
    [Fact]
    public async Task The_label_studio_import_reads_the_download_back_to_the_same_answers()
    {
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new LabelStudioWriter()));
        var tasks = JsonDocument.Parse(ImageFormatFixture.Text(files, LabelStudioWriter.TasksPath)).RootElement.EnumerateArray().ToList();
        foreach (var (entry, task) in ImageFormatFixture.Entries.Zip(tasks))
        {
            var read = LabelStudioAnswers.Read(
                new LabelStudioTask(task.GetProperty("id").GetInt64(), task.GetProperty("annotations"), task.GetProperty("predictions")),
                ImageFormatFixture.Schema, entry.Data);
            Assert.True(read.Succeeded, read.Error);
            var answer = Assert.Single(read.Answers);
            Assert.Equal(LabelStudioAnnotator.ImportSource, answer.Annotator);
            foreach (var field in ImageFormatFixture.Schema.Fields)
            {
                var expected = AnswerCodec.Read(field, entry.Answers.TryGetValue(field.Name, out var final) ? final.Value : default).Value;
                var actual = answer.Values.TryGetValue(field.Name, out var value) ? AnswerCodec.Read(field, value).Value : null;
                if (expected is BoxesAnswer boxes && actual is BoxesAnswer imported)
                {
                    // The import snaps a box to whole pixels of the image it was drawn on (as the editor draws them), so a
                    // box typed in fractions off the pixel grid comes back within half a pixel.
                    Assert.Equal(boxes.Boxes.Select(b => b.Label), imported.Boxes.Select(b => b.Label));
                    foreach (var (want, got) in boxes.Boxes.Zip(imported.Boxes))
                    {
                        var (w, h) = (got.WidthPx!.Value / got.Width, got.HeightPx!.Value / got.Height);
                        Assert.InRange(Math.Abs(want.X - got.X) * w, 0, 0.5 + 1e-9);
                        Assert.InRange(Math.Abs(want.Y - got.Y) * h, 0, 0.5 + 1e-9);
                        Assert.InRange(Math.Abs(want.X + want.Width - (got.X + got.Width)) * w, 0, 0.5 + 1e-9);
                        Assert.InRange(Math.Abs(want.Y + want.Height - (got.Y + got.Height)) * h, 0, 0.5 + 1e-9);
                    }
                    continue;
                }
                Assert.True(expected is null ? actual is null : actual is not null && expected.SameAs(actual),
                    $"item {entry.ItemId}, field {field.Name}: expected {Describe(expected)}, imported {Describe(actual)}");
            }
        }
    }

    [Fact]
    public async Task Every_result_matches_a_control_tag_of_the_labeling_config_and_its_object()
    {
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new LabelStudioWriter()));
        var view = XDocument.Parse(ImageFormatFixture.Text(files, LabelStudioWriter.ConfigPath)).Root!;
        Assert.Equal("View", view.Name.LocalName);
        var objects = view.Elements().Where(e => e.Name.LocalName is "Image" or "Text")
            .ToDictionary(e => e.Attribute("name")!.Value, e => e.Attribute("value")!.Value);
        Assert.Equal("$image", objects["image"]);
        Assert.Equal("$caption", objects["caption"]);
        var controls = view.Elements().Where(e => e.Attribute("toName") is not null).ToDictionary(e => e.Attribute("name")!.Value);
        Assert.Equal(ImageFormatFixture.Schema.Fields.Select(f => f.Name), controls.Keys);
        foreach (var field in ImageFormatFixture.Schema.Fields.Where(f => f.HasLabels))
        {
            Assert.Equal(field.Labels, controls[field.Name].Elements().Select(e => e.Attribute("value")!.Value));
        }
        Assert.Equal("multiple", controls["tags"].Attribute("choice")!.Value);
        Assert.Equal("date", controls["taken"].Attribute("only")!.Value);
        Assert.Equal("5", controls["stars"].Attribute("maxRating")!.Value);
        Assert.Equal("true", controls["quality"].Attribute("required")!.Value);

        var tasks = JsonDocument.Parse(ImageFormatFixture.Text(files, LabelStudioWriter.TasksPath)).RootElement;
        foreach (var result in tasks.EnumerateArray().SelectMany(t => t.GetProperty("annotations")[0].GetProperty("result").EnumerateArray()))
        {
            var control = controls[result.GetProperty("from_name").GetString()!];
            // The result type is the control tag's name in lower case (labelstud.io/guide/task_format).
            Assert.Equal(control.Name.LocalName.ToLowerInvariant(), result.GetProperty("type").GetString());
            Assert.Equal(control.Attribute("toName")!.Value, result.GetProperty("to_name").GetString());
            Assert.True(objects.ContainsKey(result.GetProperty("to_name").GetString()!));
            Assert.Matches("^[A-Za-z0-9_-]+$", result.GetProperty("id").GetString()!);
        }
    }

    [Fact]
    public async Task A_panel_only_text_project_gets_a_text_object_and_its_answers_point_at_it()
    {
        var schema = new LabelSchema { Fields = [new LabelField { Name = "text", Kind = FieldKind.Choice, Labels = ["spam", "ham"] }] };
        var entry = new ReleaseEntry(5, SplitNames.Test, "h", new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement("Win money now") },
            new Dictionary<string, FinalAnswer> { ["text"] = new(JsonSerializer.SerializeToElement("spam"), 0.67, FinalAnswerSource.Majority, [1, 2]) });
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new LabelStudioWriter(), ImageFormatFixture.Context([entry], schema)));
        var view = XDocument.Parse(ImageFormatFixture.Text(files, LabelStudioWriter.ConfigPath)).Root!;
        // The data key "text" is also a field's name: Label Studio names are unique, so the object gets a suffix.
        Assert.Equal("""<View><Text name="text_object" value="$text" /><Choices name="text" toName="text_object" choice="single"><Choice value="spam" /><Choice value="ham" /></Choices></View>""",
            view.ToString(SaveOptions.DisableFormatting));
        var result = JsonDocument.Parse(ImageFormatFixture.Text(files, LabelStudioWriter.TasksPath)).RootElement[0].GetProperty("annotations")[0].GetProperty("result")[0];
        Assert.Equal("text_object", result.GetProperty("to_name").GetString());
        Assert.Equal("spam", result.GetProperty("value").GetProperty("choices")[0].GetString());
        Assert.DoesNotContain(files, f => f.Path.StartsWith("images/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_linked_image_keeps_its_url_and_its_boxes_carry_the_size_the_item_data_records()
    {
        var entry = ImageFormatFixture.Entries[0];
        var context = ImageFormatFixture.Context([entry], media: new ImageFormatFixture.MemoryMedia(new Dictionary<long, ReleaseImage>()));
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new LabelStudioWriter(), context));
        Assert.DoesNotContain(files, f => f.Path.StartsWith("images/", StringComparison.Ordinal));
        var task = JsonDocument.Parse(ImageFormatFixture.Text(files, LabelStudioWriter.TasksPath)).RootElement[0];
        Assert.Equal(entry.Data["image"].GetString(), task.GetProperty("data").GetProperty("image").GetString());
        var box = task.GetProperty("annotations")[0].GetProperty("result").EnumerateArray().First(r => r.GetProperty("type").GetString() == "rectanglelabels");
        Assert.Equal(640, box.GetProperty("original_width").GetInt32());
        Assert.Equal(480, box.GetProperty("original_height").GetInt32());
    }

    [Fact]
    public async Task An_item_without_final_answers_is_a_task_without_annotations()
    {
        var entry = ImageFormatFixture.Entries[1] with { Answers = new Dictionary<string, FinalAnswer>() };
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new LabelStudioWriter(), ImageFormatFixture.Context([entry])));
        var task = JsonDocument.Parse(ImageFormatFixture.Text(files, LabelStudioWriter.TasksPath)).RootElement[0];
        Assert.Equal(0, task.GetProperty("annotations").GetArrayLength());
        Assert.Equal("images/2.jpg", task.GetProperty("data").GetProperty("image").GetString());
    }

    /// <summary>
    /// A reader written from Label Studio's result format: choices → value.choices; labels → start/end/labels (text is
    /// the covered text); rectanglelabels → x/y/width/height in percent; textarea → text[0]; number, datetime, rating.
    /// </summary>
    private static Dictionary<string, AnswerValue> ReadResults(JsonElement results, JsonElement data)
    {
        var values = new Dictionary<string, AnswerValue>();
        var spans = new Dictionary<string, List<SpanValue>>();
        var boxes = new Dictionary<string, List<BoxValue>>();
        foreach (var result in results.EnumerateArray())
        {
            var field = ImageFormatFixture.Schema.Field(result.GetProperty("from_name").GetString()!)!;
            var value = result.GetProperty("value");
            switch (result.GetProperty("type").GetString())
            {
                case "choices":
                    var labels = value.GetProperty("choices").EnumerateArray().Select(c => c.GetString()!).ToList();
                    values[field.Name] = field.Kind == FieldKind.Choice ? new ChoiceAnswer(Assert.Single(labels)) : new MultiChoiceAnswer(labels);
                    break;
                case "labels":
                    var (start, end) = (value.GetProperty("start").GetInt32(), value.GetProperty("end").GetInt32());
                    Assert.Equal(data.GetProperty(field.SourceKey!).GetString()![start..end], value.GetProperty("text").GetString());
                    Add(spans, field.Name, new SpanValue(start, end, Assert.Single(value.GetProperty("labels").EnumerateArray()).GetString()!));
                    break;
                case "rectanglelabels":
                    Assert.Equal(0, value.GetProperty("rotation").GetDouble());
                    var box = new BoxValue(value.GetProperty("x").GetDouble() / 100, value.GetProperty("y").GetDouble() / 100,
                        value.GetProperty("width").GetDouble() / 100, value.GetProperty("height").GetDouble() / 100,
                        Assert.Single(value.GetProperty("rectanglelabels").EnumerateArray()).GetString()!);
                    Assert.True(result.GetProperty("original_width").GetInt32() > 0 && result.GetProperty("original_height").GetInt32() > 0);
                    Add(boxes, field.Name, box);
                    break;
                case "textarea":
                    values[field.Name] = new TextAnswer(Assert.Single(value.GetProperty("text").EnumerateArray()).GetString()!);
                    break;
                case "number":
                    values[field.Name] = new NumberAnswer(value.GetProperty("number").GetDouble());
                    break;
                case "datetime":
                    values[field.Name] = new DateAnswer(DateOnly.ParseExact(value.GetProperty("datetime").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture));
                    break;
                case "rating":
                    values[field.Name] = new RatingAnswer(value.GetProperty("rating").GetInt32());
                    break;
                case var other:
                    Assert.Fail($"unexpected result type {other}");
                    break;
            }
        }
        foreach (var (name, list) in spans)
        {
            values[name] = new SpansAnswer(list);
        }
        foreach (var (name, list) in boxes)
        {
            values[name] = new BoxesAnswer(list);
        }
        return values;
    }

    private static void Add<T>(Dictionary<string, List<T>> lists, string name, T value)
    {
        if (!lists.TryGetValue(name, out var list))
        {
            lists[name] = list = [];
        }
        list.Add(value);
    }

    private static string Describe(AnswerValue? value) => value is null ? "nothing" : JsonSerializer.Serialize(AnswerCodec.ToJson(value));
}
