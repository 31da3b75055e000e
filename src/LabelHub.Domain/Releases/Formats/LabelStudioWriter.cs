using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// Label Studio's JSON task export (labelstud.io/guide/task_format): <c>labelstudio.json</c> is one array of tasks
/// {id: item id, data, annotations: [one annotation holding the final answers], predictions: [], meta: {split,
/// content_hash, release}}, and <c>labelstudio-config.xml</c> is the labeling config that reads them (LabelStudioConfig),
/// so a Label Studio project made with it opens every task. Result types: choice and multiple choice → "choices"; spans
/// → "labels" {start, end, text, labels}; boxes → "rectanglelabels" {x, y, width, height in percent of the image,
/// rotation 0} with original_width/original_height; text → "textarea" {text: [..]}; number → "number"; date →
/// "datetime" (DateTime only="date", "yyyy-MM-dd"); rating → "rating". Stored images are copied to <c>images/</c> and
/// the task's image key names them ("images/{item id}{ext}", relative to the archive); linked images keep their URL.
/// </summary>
public sealed class LabelStudioWriter : IReleaseFormatWriter
{
    public const string TasksPath = "labelstudio.json";
    public const string ConfigPath = "labelstudio-config.xml";
    private const string ImageFolder = "images";

    public ReleaseFormat Format => ReleaseFormat.LabelStudio;

    // Every field kind has a Label Studio tag, so every schema can be written.
    public string? CannotWrite(LabelSchema schema) => null;

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var config = await LabelStudioConfig.ForAsync(context, ct);
        await config.WriteAsync(zip, ConfigPath, ct);
        var imageKey = config.ImageKey;

        var zipEntry = ReleaseZip.Create(zip, TasksPath);
        await using (var stream = await zipEntry.OpenAsync(ct))
        {
            await using var json = new Utf8JsonWriter(stream, ReleaseImageFiles.JsonOptions);
            json.WriteStartArray();
            await foreach (var entry in context.Entries(ct))
            {
                var image = imageKey is null ? null : await ReleaseImageFiles.ResolveAsync(context, entry, imageKey, ct);
                WriteTask(json, context, config, entry, image);
                if (json.BytesPending > ReleaseImageFiles.FlushThreshold)
                {
                    await json.FlushAsync(ct);
                }
            }
            json.WriteEndArray();
            await json.FlushAsync(ct);
        }

        if (imageKey is not null)
        {
            await foreach (var entry in context.Entries(ct))
            {
                if (await ReleaseImageFiles.ResolveAsync(context, entry, imageKey, ct) is { } image)
                {
                    await ReleaseImageFiles.CopyAsync(zip, $"{ImageFolder}/{image.FileName}", image, ct);
                }
            }
        }
    }

    private static void WriteTask(Utf8JsonWriter json, ReleaseWriteContext context, LabelStudioConfig config, ReleaseEntry entry, ItemImage? image)
    {
        json.WriteStartObject();
        json.WriteNumber("id", entry.ItemId);
        json.WriteStartObject("data");
        foreach (var (key, value) in entry.Data)
        {
            if (image?.Source is not null && string.Equals(key, config.ImageKey, StringComparison.Ordinal))
            {
                // The copy inside the archive, so the download reads on its own.
                json.WriteString(key, $"{ImageFolder}/{image.FileName}");
            }
            else
            {
                json.WritePropertyName(key);
                value.WriteTo(json);
            }
        }
        json.WriteEndObject();

        json.WriteStartArray("annotations");
        if (entry.Answers.Count > 0)
        {
            json.WriteStartObject();
            json.WriteNumber("id", entry.ItemId);
            json.WriteStartArray("result");
            for (var f = 0; f < context.Schema.Fields.Count; f++)
            {
                WriteResults(json, config, context.Schema.Fields[f], f, entry, image);
            }
            json.WriteEndArray();
            json.WriteBoolean("was_cancelled", false);
            json.WriteBoolean("ground_truth", false);
            json.WriteNumber("task", entry.ItemId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("predictions");
        json.WriteEndArray();

        json.WriteStartObject("meta");
        json.WriteString("split", entry.Split);
        json.WriteString("content_hash", entry.ContentHash);
        json.WriteNumber("release", context.ReleaseNumber);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The field's final answer as Label Studio results: one per region (span, box), one for a panel answer.</summary>
    private static void WriteResults(Utf8JsonWriter json, LabelStudioConfig config, LabelField field, int fieldIndex, ReleaseEntry entry, ItemImage? image)
    {
        if (!entry.Answers.TryGetValue(field.Name, out var final))
        {
            return;
        }
        // An empty list ("no spans here", no tags picked) is no result in Label Studio.
        var read = AnswerCodec.Read(field, final.Value);
        if (read.Problem is { } problem)
        {
            throw new ValidationException(field.Name, $"Item {entry.ItemId} has a final answer that does not read: {problem}");
        }
        if (read.Value is not { } value)
        {
            return;
        }
        var toName = config.ObjectNameFor(field);
        var regionId = $"{entry.ItemId.ToString(CultureInfo.InvariantCulture)}_{fieldIndex.ToString(CultureInfo.InvariantCulture)}";
        value.Match(
            choice: c => Result(json, regionId, field.Name, toName, "choices", () => WriteLabels(json, "choices", c.Label)),
            multiChoice: m => Result(json, regionId, field.Name, toName, "choices", () => WriteLabels(json, "choices", m.Labels)),
            spans: s => WriteSpans(json, field, toName, regionId, entry, s),
            boxes: b => WriteBoxes(json, field, toName, regionId, image, b),
            text: t => Result(json, regionId, field.Name, toName, "textarea", () => WriteLabels(json, "text", t.Text)),
            number: n => Result(json, regionId, field.Name, toName, "number", () => json.WriteNumber("number", n.Value)),
            date: d => Result(json, regionId, field.Name, toName, "datetime", () => json.WriteString("datetime", AnswerCodec.FormatDate(d.Date))),
            rating: r => Result(json, regionId, field.Name, toName, "rating", () => json.WriteNumber("rating", r.Stars)));
    }

    private static bool WriteSpans(Utf8JsonWriter json, LabelField field, string toName, string regionId, ReleaseEntry entry, SpansAnswer answer)
    {
        var text = AnswerCodec.SourceText(field, entry.Data);
        for (var i = 0; i < answer.Spans.Count; i++)
        {
            var span = answer.Spans[i];
            Result(json, $"{regionId}_{i.ToString(CultureInfo.InvariantCulture)}", field.Name, toName, "labels", () =>
            {
                json.WriteNumber("start", span.Start);
                json.WriteNumber("end", span.End);
                json.WriteString("text", AnswerText.CoveredText(span, text));
                WriteLabels(json, "labels", span.Label);
            });
        }
        return true;
    }

    private static bool WriteBoxes(Utf8JsonWriter json, LabelField field, string toName, string regionId, ItemImage? image, BoxesAnswer answer)
    {
        for (var i = 0; i < answer.Boxes.Count; i++)
        {
            var box = answer.Boxes[i];
            json.WriteStartObject();
            if (image is not null)
            {
                json.WriteNumber("original_width", image.Width);
                json.WriteNumber("original_height", image.Height);
            }
            json.WriteNumber("image_rotation", 0);
            json.WritePropertyName("value");
            json.WriteStartObject();
            json.WriteNumber("x", Percent(box.X));
            json.WriteNumber("y", Percent(box.Y));
            json.WriteNumber("width", Percent(box.Width));
            json.WriteNumber("height", Percent(box.Height));
            json.WriteNumber("rotation", 0);
            WriteLabels(json, "rectanglelabels", box.Label);
            json.WriteEndObject();
            WriteResultKeys(json, $"{regionId}_{i.ToString(CultureInfo.InvariantCulture)}", field.Name, toName, "rectanglelabels");
            json.WriteEndObject();
        }
        return true;
    }

    /// <summary>Percent of the image, rounded to 1e-9 % so 0.1 × 100 is written as 10, not 10.000000000000002.</summary>
    private static double Percent(double fraction) => Math.Round(fraction * 100, 9);

    private static bool Result(Utf8JsonWriter json, string id, string fromName, string toName, string type, Action writeValue)
    {
        json.WriteStartObject();
        json.WritePropertyName("value");
        json.WriteStartObject();
        writeValue();
        json.WriteEndObject();
        WriteResultKeys(json, id, fromName, toName, type);
        json.WriteEndObject();
        return true;
    }

    private static void WriteResultKeys(Utf8JsonWriter json, string id, string fromName, string toName, string type)
    {
        json.WriteString("id", id);
        json.WriteString("from_name", fromName);
        json.WriteString("to_name", toName);
        json.WriteString("type", type);
        json.WriteString("origin", "manual");
    }

    private static void WriteLabels(Utf8JsonWriter json, string name, string label)
    {
        json.WriteStartArray(name);
        json.WriteStringValue(label);
        json.WriteEndArray();
    }

    private static void WriteLabels(Utf8JsonWriter json, string name, IReadOnlyList<string> labels)
    {
        json.WriteStartArray(name);
        foreach (var label in labels)
        {
            json.WriteStringValue(label);
        }
        json.WriteEndArray();
    }
}
