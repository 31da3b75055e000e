using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// Pascal VOC (the VOC2012 development kit's layout): <c>Annotations/{item id}.xml</c> per image with folder, filename,
/// size (width, height, depth 3: the depth is not read from the file) and one object per box (name, pose Unspecified,
/// truncated 0, difficult 0, bndbox); <c>JPEGImages/{item id}{ext}</c> keeping the upload's own format (PNG stays PNG);
/// <c>ImageSets/Main/{split}.txt</c> listing each split's image ids. Box corners are whole pixels, 1-based as VOC
/// counts them: xmin = left edge + 1, xmax = right edge (the last pixel column inside the box), likewise y.
/// </summary>
public sealed class PascalVocWriter : IReleaseFormatWriter
{
    private const string FormatName = "Pascal VOC";
    private const string ImageFolder = "JPEGImages";

    private static readonly XmlWriterSettings XmlSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        IndentChars = "\t",
        NewLineChars = "\n",
        OmitXmlDeclaration = true,
        Async = true,
    };

    public ReleaseFormat Format => ReleaseFormat.PascalVoc;

    public string? CannotWrite(LabelSchema schema) => ReleaseImageFiles.CannotWriteWithoutBoxes(schema, FormatName);

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var field = ReleaseImageFiles.RequireBoxField(context.Schema, FormatName);
        await foreach (var entry in context.Entries(ct))
        {
            ReleaseImageFiles.RequireKnownSplit(context, entry);
            if (await ReleaseImageFiles.ResolveAsync(context, entry, field.SourceKey!, ct) is not { } image)
            {
                continue;
            }
            await WriteAnnotationAsync(context, zip, field, entry, image);
            await ReleaseImageFiles.CopyAsync(zip, $"{ImageFolder}/{image.FileName}", image, ct);
        }
        await WriteImageSetsAsync(context, zip, field, ct);
    }

    private static async Task WriteAnnotationAsync(ReleaseWriteContext context, ZipArchive zip, LabelField field, ReleaseEntry entry, ItemImage image)
    {
        var boxes = ReleaseImageFiles.Boxes(field, entry);
        var zipEntry = ReleaseZip.Create(zip, $"Annotations/{image.Stem}.xml");
        await using var stream = zipEntry.Open();
        await using var xml = XmlWriter.Create(stream, XmlSettings);
        await xml.WriteStartElementAsync(null, "annotation", null);
        await xml.WriteElementStringAsync(null, "folder", null, ImageFolder);
        await xml.WriteElementStringAsync(null, "filename", null, image.FileName);
        await xml.WriteStartElementAsync(null, "source", null);
        await xml.WriteElementStringAsync(null, "database", null, context.ProjectName);
        await xml.WriteElementStringAsync(null, "annotation", null, $"LabelHub release {context.ReleaseNumber.ToString(CultureInfo.InvariantCulture)}");
        await xml.WriteElementStringAsync(null, "image", null, image.Url ?? image.FileName);
        await xml.WriteEndElementAsync();
        await xml.WriteStartElementAsync(null, "size", null);
        await xml.WriteElementStringAsync(null, "width", null, Number(image.Width));
        await xml.WriteElementStringAsync(null, "height", null, Number(image.Height));
        await xml.WriteElementStringAsync(null, "depth", null, "3");
        await xml.WriteEndElementAsync();
        await xml.WriteElementStringAsync(null, "segmented", null, "0");
        foreach (var box in boxes)
        {
            var (xmin, ymin, xmax, ymax) = Corners(box, image);
            await xml.WriteStartElementAsync(null, "object", null);
            await xml.WriteElementStringAsync(null, "name", null, box.Label);
            await xml.WriteElementStringAsync(null, "pose", null, "Unspecified");
            await xml.WriteElementStringAsync(null, "truncated", null, "0");
            await xml.WriteElementStringAsync(null, "difficult", null, "0");
            await xml.WriteStartElementAsync(null, "bndbox", null);
            await xml.WriteElementStringAsync(null, "xmin", null, Number(xmin));
            await xml.WriteElementStringAsync(null, "ymin", null, Number(ymin));
            await xml.WriteElementStringAsync(null, "xmax", null, Number(xmax));
            await xml.WriteElementStringAsync(null, "ymax", null, Number(ymax));
            await xml.WriteEndElementAsync();
            await xml.WriteEndElementAsync();
        }
        await xml.WriteEndElementAsync();
        await xml.FlushAsync();
    }

    /// <summary>
    /// VOC's 1-based inclusive pixel corners of a box: edges rounded to whole pixels (at least one pixel wide), then the
    /// first pixel inside counted from 1 and the last pixel inside.
    /// </summary>
    internal static (int XMin, int YMin, int XMax, int YMax) Corners(Labeling.BoxValue box, ItemImage image)
    {
        var (left, top, right, bottom) = ReleaseImageFiles.Pixels(box, image);
        var (x0, x1) = WholePixels(left, right, image.Width);
        var (y0, y1) = WholePixels(top, bottom, image.Height);
        return (x0 + 1, y0 + 1, x1, y1);
    }

    private static (int Start, int End) WholePixels(double start, double end, int size)
    {
        var from = (int)Math.Clamp(Math.Round(start, MidpointRounding.AwayFromZero), 0, size - 1);
        var to = (int)Math.Clamp(Math.Round(end, MidpointRounding.AwayFromZero), from + 1, size);
        return (from, to);
    }

    /// <summary>One pass writes every split's list in turn: entries come ordered by split.</summary>
    private static async Task WriteImageSetsAsync(ReleaseWriteContext context, ZipArchive zip, LabelField field, CancellationToken ct)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        Stream? list = null;
        string? current = null;
        var newline = "\n"u8.ToArray();
        try
        {
            await foreach (var entry in context.Entries(ct))
            {
                if (!string.Equals(entry.Split, current, StringComparison.Ordinal))
                {
                    if (list is not null)
                    {
                        await list.DisposeAsync();
                    }
                    current = entry.Split;
                    written.Add(current);
                    list = ReleaseZip.Create(zip, $"ImageSets/Main/{current}.txt").Open();
                }
                if (await ReleaseImageFiles.ResolveAsync(context, entry, field.SourceKey!, ct) is { } image)
                {
                    await list!.WriteAsync(Encoding.UTF8.GetBytes(image.Stem), ct);
                    await list.WriteAsync(newline, ct);
                }
            }
        }
        finally
        {
            if (list is not null)
            {
                await list.DisposeAsync();
            }
        }
        // A split with no items still gets its (empty) list, so every split named in the release has one.
        foreach (var split in context.Splits)
        {
            if (written.Add(split))
            {
                await ReleaseZip.Create(zip, $"ImageSets/Main/{split}.txt").Open().DisposeAsync();
            }
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
