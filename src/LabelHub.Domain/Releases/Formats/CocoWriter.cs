using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// COCO object detection (cocodataset.org/#format-data): <c>annotations/instances_{split}.json</c> per split with images
/// {id, file_name, width, height}, annotations {id, image_id, category_id, bbox [x, y, width, height] in pixels from the
/// top-left corner, area, iscrowd 0} and categories (the box field's labels, ids from 1 in schema order); the stored
/// images under <c>images/{split}/</c>. The image id is the item id, so an image keeps its id in every release.
/// </summary>
public sealed class CocoWriter : IReleaseFormatWriter
{
    private const string FormatName = "COCO";

    // Pixels to a millionth: exact for whole pixels, and fractions read back to 1e-6 even on tiny images.
    private const int Decimals = 6;

    public ReleaseFormat Format => ReleaseFormat.Coco;

    public string? CannotWrite(LabelSchema schema) => ReleaseImageFiles.CannotWriteWithoutBoxes(schema, FormatName);

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var field = ReleaseImageFiles.RequireBoxField(context.Schema, FormatName);
        foreach (var split in context.Splits)
        {
            await WriteSplitAsync(context, zip, field, split, ct);
        }
        await foreach (var entry in context.Entries(ct))
        {
            if (await ReleaseImageFiles.ResolveAsync(context, entry, field.SourceKey!, ct) is { } image)
            {
                await ReleaseImageFiles.CopyAsync(zip, $"images/{entry.Split}/{image.FileName}", image, ct);
            }
        }
    }

    private static async Task WriteSplitAsync(ReleaseWriteContext context, ZipArchive zip, LabelField field, string split, CancellationToken ct)
    {
        var zipEntry = ReleaseZip.Create(zip, $"annotations/instances_{split}.json");
        await using var stream = await zipEntry.OpenAsync(ct);
        await using var json = new Utf8JsonWriter(stream, ReleaseImageFiles.JsonOptions);
        json.WriteStartObject();
        json.WriteStartObject("info");
        json.WriteString("description", context.ProjectName);
        json.WriteString("version", context.ReleaseNumber.ToString(CultureInfo.InvariantCulture));
        json.WriteString("split", split);
        json.WriteEndObject();
        json.WriteStartArray("licenses");
        json.WriteEndArray();

        // Two passes over the split: COCO lists every image before the boxes on them.
        json.WriteStartArray("images");
        await foreach (var (_, image) in ImagesOf(context, field, split, ct))
        {
            json.WriteStartObject();
            json.WriteNumber("id", long.Parse(image.Stem, CultureInfo.InvariantCulture));
            json.WriteString("file_name", image.FileName);
            json.WriteNumber("width", image.Width);
            json.WriteNumber("height", image.Height);
            if (image.Source is null && image.Url is not null)
            {
                // Linked, not copied: COCO's own field for where the picture is.
                json.WriteString("coco_url", image.Url);
            }
            json.WriteEndObject();
            await FlushWhenFullAsync(json, ct);
        }
        json.WriteEndArray();

        json.WriteStartArray("annotations");
        long annotationId = 0;
        await foreach (var (entry, image) in ImagesOf(context, field, split, ct))
        {
            foreach (var box in ReleaseImageFiles.Boxes(field, entry))
            {
                var (left, top, right, bottom) = ReleaseImageFiles.Pixels(box, image);
                var width = Math.Round(right - left, Decimals);
                var height = Math.Round(bottom - top, Decimals);
                json.WriteStartObject();
                json.WriteNumber("id", ++annotationId);
                json.WriteNumber("image_id", entry.ItemId);
                json.WriteNumber("category_id", ReleaseImageFiles.LabelIndex(field, box.Label) + 1);
                json.WriteStartArray("bbox");
                json.WriteNumberValue(Math.Round(left, Decimals));
                json.WriteNumberValue(Math.Round(top, Decimals));
                json.WriteNumberValue(width);
                json.WriteNumberValue(height);
                json.WriteEndArray();
                json.WriteNumber("area", Math.Round(width * height, Decimals));
                json.WriteNumber("iscrowd", 0);
                json.WriteEndObject();
            }
            await FlushWhenFullAsync(json, ct);
        }
        json.WriteEndArray();

        json.WriteStartArray("categories");
        for (var i = 0; i < field.Labels.Count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", i + 1);
            json.WriteString("name", field.Labels[i]);
            json.WriteString("supercategory", field.Name);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    /// <summary>The split's entries that have an image, read from the start and left as soon as the split is over.</summary>
    private static async IAsyncEnumerable<(ReleaseEntry Entry, ItemImage Image)> ImagesOf(
        ReleaseWriteContext context, LabelField field, string split, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var seen = false;
        await foreach (var entry in context.Entries(ct))
        {
            ReleaseImageFiles.RequireKnownSplit(context, entry);
            if (!string.Equals(entry.Split, split, StringComparison.Ordinal))
            {
                if (seen)
                {
                    // Entries come ordered by split: the rest belong to later splits.
                    yield break;
                }
                continue;
            }
            seen = true;
            if (await ReleaseImageFiles.ResolveAsync(context, entry, field.SourceKey!, ct) is { } image)
            {
                yield return (entry, image);
            }
        }
    }

    private static async Task FlushWhenFullAsync(Utf8JsonWriter json, CancellationToken ct)
    {
        if (json.BytesPending > ReleaseImageFiles.FlushThreshold)
        {
            await json.FlushAsync(ct);
        }
    }
}
