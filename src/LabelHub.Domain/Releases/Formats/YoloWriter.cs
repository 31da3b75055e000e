using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// The Ultralytics YOLO detection layout (docs.ultralytics.com/datasets/detect): <c>images/{split}/{item id}{ext}</c>,
/// <c>labels/{split}/{item id}.txt</c> with one line "class cx cy w h" per box (class from 0 in the field's label order,
/// centre and size as fractions of the image, 6 decimals; an empty file for an image without boxes) and
/// <c>data.yaml</c> naming the splits' image folders and the classes. Ultralytics calls the validation split "val":
/// the <c>val:</c> key points at <c>images/validation</c>.
/// </summary>
public sealed class YoloWriter : IReleaseFormatWriter
{
    private const string FormatName = "YOLO";

    // "0.123456" is 8 bytes; a class index, four numbers, spaces and a newline fit in far less than this.
    private const int LineBytes = 128;

    private static readonly StandardFormat SixDecimals = new('F', 6);

    public ReleaseFormat Format => ReleaseFormat.Yolo;

    public string? CannotWrite(LabelSchema schema) => ReleaseImageFiles.CannotWriteWithoutBoxes(schema, FormatName);

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var field = ReleaseImageFiles.RequireBoxField(context.Schema, FormatName);
        var line = new byte[LineBytes];
        var splitsWithImages = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in context.Entries(ct))
        {
            ReleaseImageFiles.RequireKnownSplit(context, entry);
            if (await ReleaseImageFiles.ResolveAsync(context, entry, field.SourceKey!, ct) is not { } image)
            {
                continue;
            }
            splitsWithImages.Add(entry.Split);
            var boxes = ReleaseImageFiles.Boxes(field, entry);
            var labels = ReleaseZip.Create(zip, $"labels/{entry.Split}/{image.Stem}.txt");
            await using (var stream = await labels.OpenAsync(ct))
            {
                foreach (var box in boxes)
                {
                    var length = FormatLine(line, ReleaseImageFiles.LabelIndex(field, box.Label), box);
                    await stream.WriteAsync(line.AsMemory(0, length), ct);
                }
            }
            await ReleaseImageFiles.CopyAsync(zip, $"images/{entry.Split}/{image.FileName}", image, ct);
        }
        // Written last: it names only the splits that have images (Ultralytics stops on a folder that does not exist).
        await WriteDataYamlAsync(context, zip, field, splitsWithImages, ct);
    }

    /// <summary>"class cx cy w h\n" in ASCII, written into the buffer without a string per box.</summary>
    private static int FormatLine(byte[] line, int classIndex, Labeling.BoxValue box)
    {
        var span = line.AsSpan();
        Utf8Formatter.TryFormat(classIndex, span, out var written);
        var at = written;
        foreach (var value in (ReadOnlySpan<double>)[box.X + (box.Width / 2), box.Y + (box.Height / 2), box.Width, box.Height])
        {
            span[at++] = (byte)' ';
            Utf8Formatter.TryFormat(value, span[at..], out written, SixDecimals);
            at += written;
        }
        span[at++] = (byte)'\n';
        return at;
    }

    private static async Task WriteDataYamlAsync(ReleaseWriteContext context, ZipArchive zip, LabelField field, HashSet<string> splitsWithImages, CancellationToken ct)
    {
        var yaml = new StringBuilder();
        yaml.Append("# ").Append(Quoted(context.ProjectName)).Append(" release ").Append(context.ReleaseNumber.ToString(CultureInfo.InvariantCulture))
            .Append(", field ").Append(Quoted(field.Name)).Append('\n');
        // Ultralytics resolves a relative "path" against its own datasets folder, not this file: left out, the folder
        // this file is in is the dataset root.
        yaml.Append("# path: /absolute/path/to/this/folder\n");
        foreach (var split in context.Splits.Where(splitsWithImages.Contains))
        {
            yaml.Append(YamlKey(split)).Append(": images/").Append(split).Append('\n');
        }
        yaml.Append("nc: ").Append(field.Labels.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        yaml.Append("names:\n");
        for (var i = 0; i < field.Labels.Count; i++)
        {
            yaml.Append("  ").Append(i.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(Quoted(field.Labels[i])).Append('\n');
        }
        var entry = ReleaseZip.Create(zip, "data.yaml");
        await using var stream = await entry.OpenAsync(ct);
        var bytes = new UTF8Encoding(false).GetBytes(yaml.ToString());
        await stream.WriteAsync(bytes, ct);
    }

    /// <summary>The data.yaml key of a split: Ultralytics reads "train", "val" and "test".</summary>
    private static string YamlKey(string split) => split switch
    {
        SplitNames.Validation => "val",
        _ => split,
    };

    /// <summary>A YAML double-quoted scalar: any label text reads back as itself.</summary>
    private static string Quoted(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\r' => quoted.Append("\\r"),
                '\t' => quoted.Append("\\t"),
                _ when char.IsControl(c) => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => quoted.Append(c),
            };
        }
        return quoted.Append('"').ToString();
    }
}
