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

    public ReleaseFormat Format => ReleaseFormat.PascalVoc;

    public string? CannotWrite(LabelSchema schema) => ReleaseImageFiles.CannotWriteWithoutBoxes(schema, FormatName);

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var field = ReleaseImageFiles.RequireBoxField(context.Schema, FormatName);
        var annotation = new AnnotationText(context, field);
        await foreach (var entry in context.Entries(ct))
        {
            ReleaseImageFiles.RequireKnownSplit(context, entry);
            if (await ReleaseImageFiles.ResolveAsync(context, entry, field.SourceKey!, ct) is not { } image)
            {
                continue;
            }
            await annotation.WriteAsync(zip, entry, image, ct);
            await ReleaseImageFiles.CopyAsync(zip, $"{ImageFolder}/{image.FileName}", image, ct);
        }
        await WriteImageSetsAsync(context, zip, field, ct);
    }

    /// <summary>
    /// Writes one annotation file per image into reused buffers: the project name and the labels are escaped once, and
    /// a million images cost no XML writer each. The text is what an indenting XmlWriter (tabs, "\n") writes.
    /// </summary>
    private sealed class AnnotationText(ReleaseWriteContext context, LabelField field)
    {
        private readonly StringBuilder text = new(2048);
        private readonly string database = Escape(context.ProjectName);
        private readonly string release = $"LabelHub release {context.ReleaseNumber.ToString(CultureInfo.InvariantCulture)}";
        private readonly string[] names = [.. field.Labels.Select(Escape)];
        private byte[] bytes = new byte[4096];

        public async Task WriteAsync(ZipArchive zip, ReleaseEntry entry, ItemImage image, CancellationToken ct)
        {
            var boxes = ReleaseImageFiles.Boxes(field, entry);
            text.Clear();
            text.Append("<annotation>\n");
            Element(1, "folder", ImageFolder);
            Element(1, "filename", image.FileName);
            text.Append("\t<source>\n");
            Element(2, "database", database);
            Element(2, "annotation", release);
            Element(2, "image", image.Url is null ? image.FileName : Escape(image.Url));
            text.Append("\t</source>\n\t<size>\n");
            Element(2, "width", image.Width);
            Element(2, "height", image.Height);
            Element(2, "depth", "3");
            text.Append("\t</size>\n");
            Element(1, "segmented", "0");
            foreach (var box in boxes)
            {
                var (xmin, ymin, xmax, ymax) = Corners(box, image);
                text.Append("\t<object>\n");
                Element(2, "name", names[ReleaseImageFiles.LabelIndex(field, box.Label)]);
                Element(2, "pose", "Unspecified");
                Element(2, "truncated", "0");
                Element(2, "difficult", "0");
                text.Append("\t\t<bndbox>\n");
                Element(3, "xmin", xmin);
                Element(3, "ymin", ymin);
                Element(3, "xmax", xmax);
                Element(3, "ymax", ymax);
                text.Append("\t\t</bndbox>\n\t</object>\n");
            }
            text.Append("</annotation>");

            var length = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (bytes.Length < length)
            {
                bytes = new byte[Math.Max(length, bytes.Length * 2)];
            }
            var written = 0;
            foreach (var chunk in text.GetChunks())
            {
                written += Encoding.UTF8.GetBytes(chunk.Span, bytes.AsSpan(written));
            }
            var zipEntry = ReleaseZip.Create(zip, $"Annotations/{image.Stem}.xml");
            await using var stream = await zipEntry.OpenAsync(ct);
            await stream.WriteAsync(bytes.AsMemory(0, written), ct);
        }

        private void Element(int depth, string name, string escapedValue) =>
            text.Append('\t', depth).Append('<').Append(name).Append('>').Append(escapedValue).Append("</").Append(name).Append(">\n");

        private void Element(int depth, string name, int value) =>
            text.Append('\t', depth).Append('<').Append(name).Append('>').Append(CultureInfo.InvariantCulture, $"{value}").Append("</").Append(name).Append(">\n");

        /// <summary>XML text content: &amp;, &lt; and &gt; escaped; a character XML cannot hold becomes U+FFFD.</summary>
        private static string Escape(string value)
        {
            var escaped = new StringBuilder(value.Length);
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], c))
                {
                    escaped.Append(c).Append(value[++i]);
                    continue;
                }
                _ = c switch
                {
                    '&' => escaped.Append("&amp;"),
                    '<' => escaped.Append("&lt;"),
                    '>' => escaped.Append("&gt;"),
                    '\r' => escaped.Append("&#xD;"),
                    _ when !XmlConvert.IsXmlChar(c) => escaped.Append('\uFFFD'),
                    _ => escaped.Append(c),
                };
            }
            return escaped.ToString();
        }
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
                    list = await ReleaseZip.Create(zip, $"ImageSets/Main/{current}.txt").OpenAsync(ct);
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
                await (await ReleaseZip.Create(zip, $"ImageSets/Main/{split}.txt").OpenAsync(ct)).DisposeAsync();
            }
        }
    }

}
