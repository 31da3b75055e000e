using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// The release as one <c>release.csv</c>, UTF-8 with a byte order mark so Excel opens Hangul correctly: item_id, split,
/// content_hash, a <c>data.{key}</c> column per item data key (the union over the release, in first-seen order, so the
/// entries are read twice), a column per schema field with its final answer (<see cref="AnnotationExporter.AnswerCell"/>),
/// a <c>confidence.{field}</c> column per field, and when the release holds synthetic items <c>synthetic.generator</c>,
/// <c>synthetic.class</c> and <c>synthetic.seed</c> (blank for collected items). An empty answer cell is a field without a final answer (tied or
/// unanswered). Every cell is made formula-safe (<see cref="AnnotationExporter.FormulaSafe"/>).
/// </summary>
public sealed class CsvReleaseWriter : IReleaseFormatWriter
{
    public const string FileName = "release.csv";

    public ReleaseFormat Format => ReleaseFormat.Csv;

    /// <summary>Every schema fits: each kind has a cell form.</summary>
    public string? CannotWrite(LabelSchema schema) => null;

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (dataKeys, anySynthetic) = await SurveyAsync(context, ct);
        var fields = context.Schema.Fields;
        await using var stream = await ReleaseZip.Create(zip, FileName).OpenAsync(ct);
        await using var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16);
        // Rows are handed on asynchronously: the archive may be the response body, which refuses synchronous writes.
        await using (var csv = AnnotationExporter.CsvWriter(text))
        {
            await using (var header = csv.NewRow(ct))
            {
                string[] names = ["item_id", "split", "content_hash", .. dataKeys.Select(k => "data." + k), .. fields.Select(f => f.Name), .. fields.Select(f => "confidence." + f.Name),
                    .. anySynthetic ? SyntheticColumns : []];
                for (var i = 0; i < names.Length; i++)
                {
                    header[i].Set(AnnotationExporter.FormulaSafe(names[i]));
                }
            }
            // Confidence in its shortest round-trip form, written into this instead of a new string per cell.
            var number = new char[32];
            await foreach (var entry in context.Entries(ct).WithCancellation(ct))
            {
                await using var row = csv.NewRow(ct);
                row[0].Format(entry.ItemId);
                row[1].Set(AnnotationExporter.FormulaSafe(entry.Split));
                row[2].Set(AnnotationExporter.FormulaSafe(entry.ContentHash));
                var column = 3;
                foreach (var key in dataKeys)
                {
                    row[column++].Set(entry.Data.TryGetValue(key, out var value) ? AnnotationExporter.FormulaSafe(AnnotationExporter.Cell(value)) : "");
                }
                foreach (var field in fields)
                {
                    row[column++].Set(entry.Answers.TryGetValue(field.Name, out var answer) ? AnnotationExporter.FormulaSafe(Cell(field, answer.Value)) : "");
                }
                foreach (var field in fields)
                {
                    if (entry.Answers.TryGetValue(field.Name, out var answer) && answer.Confidence.TryFormat(number, out var length, "R", CultureInfo.InvariantCulture))
                    {
                        row[column++].Set(number.AsSpan(0, length));
                    }
                    else
                    {
                        row[column++].Set("");
                    }
                }
                if (anySynthetic)
                {
                    row[column++].Set(entry.Synthetic is { } origin ? AnnotationExporter.FormulaSafe(origin.Generator) : "");
                    row[column++].Set(entry.Synthetic is { } asked ? AnnotationExporter.FormulaSafe(asked.Class) : "");
                    if (entry.Synthetic is { } seeded)
                    {
                        row[column].Format(seeded.Seed);
                    }
                    else
                    {
                        row[column].Set("");
                    }
                }
            }
        }
        await text.FlushAsync(ct);
    }

    /// <summary>
    /// A final answer's cell. Spans and boxes are JSON lists, so "no spans" is "[]", told apart from an empty cell (no final
    /// answer); an empty multiple choice is an empty cell with a confidence beside it.
    /// </summary>
    private static string Cell(LabelField field, JsonElement value) =>
        field.Kind is FieldKind.Spans or FieldKind.Boxes && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0
            ? "[]"
            : AnnotationExporter.AnswerCell(field, value);

    /// <summary>The columns of a synthetic item's origin, written only when the release holds one (blank for collected items).</summary>
    private static readonly string[] SyntheticColumns = ["synthetic.generator", "synthetic.class", "synthetic.seed"];

    /// <summary>The union of the entries' data keys, in first-seen order (by the first entry with the key, then its place there).</summary>
    public static async Task<List<string>> DataKeysAsync(ReleaseWriteContext context, CancellationToken ct) => (await SurveyAsync(context, ct)).Keys;

    /// <summary>Pass one: the data keys (<see cref="DataKeysAsync"/>) and whether any entry is synthetic.</summary>
    private static async Task<(List<string> Keys, bool AnySynthetic)> SurveyAsync(ReleaseWriteContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var anySynthetic = false;
        await foreach (var entry in context.Entries(ct).WithCancellation(ct))
        {
            anySynthetic |= entry.Synthetic is not null;
            foreach (var key in entry.Data.Keys)
            {
                if (seen.Add(key))
                {
                    keys.Add(key);
                }
            }
        }
        return (keys, anySynthetic);
    }
}
