using System.Globalization;
using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// An item's image as the image formats name and measure it: <see cref="FileName"/> is "{item id}{extension}" (unique and
/// the same in every release), the size is the image's natural size in pixels. <see cref="Source"/> is null when the
/// picture is only linked by URL: its annotations are written, the file itself is not copied.
/// </summary>
internal sealed record ItemImage(string Stem, string FileName, int Width, int Height, string? Url, ReleaseImage? Source);

/// <summary>What COCO, YOLO, Pascal VOC and Label Studio share: image names, box geometry, reading final answers.</summary>
internal static class ReleaseImageFiles
{
    /// <summary>The one JSON setting of every release file (<see cref="JsonLinesOutput.Options"/>): compact, Hangul readable.</summary>
    public static readonly JsonWriterOptions JsonOptions = JsonLinesOutput.Options;

    /// <summary>Bytes a JSON writer may hold before it hands them to the archive: memory stays flat on a million items.</summary>
    public const int FlushThreshold = 1 << 16;

    /// <summary>The field the box formats write: the schema's first Boxes field.</summary>
    public static LabelField? BoxField(LabelSchema schema) => schema.Fields.FirstOrDefault(f => f.Kind == FieldKind.Boxes);

    public static string? CannotWriteWithoutBoxes(LabelSchema schema, string formatName) =>
        BoxField(schema) is null ? $"The {formatName} format needs a boxes field in the schema." : null;

    public static LabelField RequireBoxField(LabelSchema schema, string formatName) =>
        BoxField(schema) ?? throw new ValidationException("format", $"The {formatName} format needs a boxes field in the schema.");

    /// <summary>
    /// The entry's image: the stored file when the host has one, else the URL in the item data when the data records the
    /// image's size; null when the item has neither (it is left out of the image formats).
    /// </summary>
    public static async Task<ItemImage?> ResolveAsync(ReleaseWriteContext context, ReleaseEntry entry, string imageKey, CancellationToken ct)
    {
        var stem = entry.ItemId.ToString(CultureInfo.InvariantCulture);
        var url = entry.Data.TryGetValue(imageKey, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (context.Media is not null && await context.Media.ImageAsync(entry, ct) is { Width: > 0, Height: > 0 } image)
        {
            return new ItemImage(stem, stem + Extension(image.FileName, image.ContentType), image.Width, image.Height, url, image);
        }
        if (!string.IsNullOrEmpty(url) && MediaUrls.TryGetSize(entry.Data, out var width, out var height))
        {
            return new ItemImage(stem, stem + Extension(UrlPath(url), null), width, height, url, null);
        }
        return null;
    }

    /// <summary>Copies a stored image into the archive; a linked one has nothing to copy.</summary>
    public static async Task CopyAsync(ZipArchive zip, string path, ItemImage image, CancellationToken ct)
    {
        if (image.Source is null)
        {
            return;
        }
        var zipEntry = ReleaseZip.Create(zip, path);
        await using var target = await zipEntry.OpenAsync(ct);
        await using var source = await image.Source.OpenAsync(ct);
        await source.CopyToAsync(target, ct);
    }

    /// <summary>
    /// The entry's final boxes of the field (empty when it has none). A value that does not read, or a box whose label
    /// the field no longer has, is refused: the download would silently lose it.
    /// </summary>
    public static IReadOnlyList<BoxValue> Boxes(LabelField field, ReleaseEntry entry)
    {
        if (!entry.Answers.TryGetValue(field.Name, out var final))
        {
            return [];
        }
        var read = AnswerCodec.Read(field, final.Value);
        if (read.Problem is { } problem)
        {
            throw new ValidationException(field.Name, $"Item {entry.ItemId} has a final answer that does not read: {problem}");
        }
        if (read.Value is not BoxesAnswer boxes)
        {
            return [];
        }
        foreach (var box in boxes.Boxes)
        {
            if (LabelIndex(field, box.Label) < 0)
            {
                throw new ValidationException(field.Name, $"Item {entry.ItemId} has a box labeled {box.Label}, which is not one of the field's labels.");
            }
        }
        return boxes.Boxes;
    }

    /// <summary>The label's place in the field's list (0-based), or -1.</summary>
    public static int LabelIndex(LabelField field, string label)
    {
        for (var i = 0; i < field.Labels.Count; i++)
        {
            if (string.Equals(field.Labels[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// The box's edges in pixels of the image, 0-based and continuous (left/top edge of the box to its right/bottom edge):
    /// the fractions are what the answer means, so they are scaled by the image's size.
    /// </summary>
    public static (double Left, double Top, double Right, double Bottom) Pixels(BoxValue box, ItemImage image) =>
        (box.X * image.Width, box.Y * image.Height, (box.X + box.Width) * image.Width, (box.Y + box.Height) * image.Height);

    /// <summary>Stops a release whose entry names a split the release does not have (a format would lose the item).</summary>
    public static void RequireKnownSplit(ReleaseWriteContext context, ReleaseEntry entry)
    {
        foreach (var split in context.Splits)
        {
            if (string.Equals(split, entry.Split, StringComparison.Ordinal))
            {
                return;
            }
        }
        throw new ValidationException("split", $"Item {entry.ItemId} is in split {entry.Split}, which this release does not have.");
    }

    /// <summary>The upload's extension when it is a plain one, else the content type's, else none.</summary>
    public static string Extension(string? fileName, string? contentType)
    {
        var extension = Path.GetExtension(fileName ?? "");
        if (extension.Length is >= 2 and <= 6 && extension.Skip(1).All(char.IsAsciiLetterOrDigit))
        {
            return extension.ToLowerInvariant();
        }
        return contentType?.ToLowerInvariant() switch
        {
            "image/png" => ".png",
            "image/jpeg" or "image/jpg" => ".jpg",
            "image/gif" => ".gif",
            "image/webp" => ".webp",
            "image/bmp" => ".bmp",
            "image/tiff" => ".tif",
            _ => "",
        };
    }

    private static string UrlPath(string url)
    {
        var end = url.IndexOfAny(['?', '#']);
        return end < 0 ? url : url[..end];
    }
}
