using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// A layout the Hugging Face <c>datasets</c> library loads as it is (<c>load_dataset("path/to/folder")</c>):
/// <c>data/{split}.jsonl</c> with a row per item (item_id, a column per item data key, a column per field with its final
/// answer, null when the field has none) and <c>README.md</c>, a dataset card whose YAML header declares the
/// <c>configs</c> (data files per split) and <c>dataset_info</c> (features, splits with num_examples). Choice fields are
/// <c>class_label</c> features whose names are the schema's labels (and, after them, any other value a final answer
/// holds), written as label names, which <c>datasets</c> turns into class ids on load. Data keys that hold one JSON
/// kind get its dtype; a key with mixed kinds, objects or lists is a string column holding the JSON.
/// </summary>
public sealed class HuggingFaceReleaseWriter : IReleaseFormatWriter
{
    public const string CardFileName = "README.md";

    public ReleaseFormat Format => ReleaseFormat.HuggingFace;

    /// <summary>Every schema fits: each kind has a feature type.</summary>
    public string? CannotWrite(LabelSchema schema) => null;

    public static string DataPath(string split) => $"data/{split}.jsonl";

    /// <summary>What pass one learns of a data key: the JSON kinds its values take.</summary>
    private sealed class DataColumn(string key, string name)
    {
        public string Key { get; } = key;
        public string Name { get; } = name;
        public bool Strings { get; set; }
        public bool Integers { get; set; }
        public bool Floats { get; set; }
        public bool Booleans { get; set; }
        public bool Structured { get; set; }

        /// <summary>One kind only keeps its type; anything else becomes JSON text.</summary>
        public string Dtype => (Strings, Integers, Floats, Booleans, Structured) switch
        {
            (false, true, false, false, false) => "int64",
            (false, _, true, false, false) => "float64",
            (false, false, false, true, false) => "bool",
            _ => "string",
        };
    }

    public async Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fields = context.Schema.Fields;
        var (columns, labels) = await SurveyAsync(context, ct);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var files = new SplitFiles<JsonLinesOutput>(zip, context.Splits, DataPath, stream => new JsonLinesOutput(stream)))
        {
            await foreach (var entry in context.Entries(ct).WithCancellation(ct))
            {
                var output = await files.ForAsync(entry.Split, ct);
                counts[entry.Split] = counts.GetValueOrDefault(entry.Split) + 1;
                var json = output.Json;
                json.WriteStartObject();
                json.WriteNumber("item_id", entry.ItemId);
                foreach (var column in columns)
                {
                    json.WritePropertyName(column.Name);
                    WriteData(json, column, entry.Data.TryGetValue(column.Key, out var value) ? value : default);
                }
                foreach (var field in fields)
                {
                    json.WritePropertyName(field.Name);
                    WriteAnswer(json, field, entry);
                }
                json.WriteEndObject();
                await output.EndLineAsync(ct);
            }
        }
        await using var card = new StreamWriter(await ReleaseZip.Create(zip, CardFileName).OpenAsync(ct), new UTF8Encoding(false)) { NewLine = "\n" };
        await card.WriteAsync(Card(context, columns, labels, counts));
    }

    /// <summary>Pass one: the data columns with their kinds, and the values of choice answers that are not schema labels.</summary>
    private static async Task<(List<DataColumn> Columns, Dictionary<string, List<string>> Labels)> SurveyAsync(ReleaseWriteContext context, CancellationToken ct)
    {
        var fields = context.Schema.Fields;
        var taken = new HashSet<string>(fields.Select(f => f.Name), StringComparer.Ordinal) { "item_id" };
        var columns = new List<DataColumn>();
        var byKey = new Dictionary<string, DataColumn>(StringComparer.Ordinal);
        var extra = fields.Where(f => f.Kind == FieldKind.Choice).ToDictionary(f => f.Name, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        await foreach (var entry in context.Entries(ct).WithCancellation(ct))
        {
            foreach (var (key, value) in entry.Data)
            {
                if (!byKey.TryGetValue(key, out var column))
                {
                    // A data key named like a field or item_id keeps its values under "data_{key}".
                    column = new DataColumn(key, taken.Contains(key) ? "data_" + key : key);
                    byKey[key] = column;
                    columns.Add(column);
                }
                switch (value.ValueKind)
                {
                    case JsonValueKind.String:
                        column.Strings = true;
                        break;
                    case JsonValueKind.Number when value.TryGetInt64(out _):
                        column.Integers = true;
                        break;
                    case JsonValueKind.Number:
                        column.Floats = true;
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        column.Booleans = true;
                        break;
                    case JsonValueKind.Object or JsonValueKind.Array:
                        column.Structured = true;
                        break;
                    case JsonValueKind.Null or JsonValueKind.Undefined:
                        break;
                }
            }
            foreach (var (name, seen) in extra)
            {
                if (entry.Answers.TryGetValue(name, out var answer) && answer.Value.ValueKind == JsonValueKind.String)
                {
                    var label = answer.Value.GetString()!;
                    if (!context.Schema.Field(name)!.Labels.Contains(label))
                    {
                        seen.Add(label);
                    }
                }
            }
        }
        var labels = fields.Where(f => f.Kind == FieldKind.Choice).ToDictionary(
            f => f.Name, f => f.Labels.Distinct(StringComparer.Ordinal).Concat(extra[f.Name]).ToList(), StringComparer.Ordinal);
        return (columns, labels);
    }

    private static void WriteData(Utf8JsonWriter json, DataColumn column, JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            json.WriteNullValue();
        }
        else if (column.Dtype == "string" && value.ValueKind != JsonValueKind.String)
        {
            json.WriteStringValue(value.GetRawText());
        }
        else
        {
            value.WriteTo(json);
        }
    }

    private static void WriteAnswer(Utf8JsonWriter json, LabelField field, ReleaseEntry entry)
    {
        if (!entry.Answers.TryGetValue(field.Name, out var answer) || AnswerCodec.Read(field, answer.Value, emptyListIsAnswer: true).Clean is not { } value)
        {
            json.WriteNullValue();
            return;
        }
        switch (value)
        {
            case ChoiceAnswer c:
                json.WriteStringValue(c.Label);
                break;
            case MultiChoiceAnswer m:
                json.WriteStartArray();
                foreach (var label in m.Labels)
                {
                    json.WriteStringValue(label);
                }
                json.WriteEndArray();
                break;
            case SpansAnswer s:
                var text = AnswerCodec.SourceText(field, entry.Data);
                json.WriteStartArray();
                foreach (var span in s.Spans)
                {
                    json.WriteStartObject();
                    json.WriteNumber("start", span.Start);
                    json.WriteNumber("end", span.End);
                    json.WriteString("label", span.Label);
                    // The covered text read from the item, so a row reads on its own; the stored text when the offsets do not fit.
                    var covered = text is not null && span.Start >= 0 && span.Start <= span.End && span.End <= text.Length ? text[span.Start..span.End] : span.Text;
                    json.WriteString("text", covered);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case BoxesAnswer b:
                json.WriteStartArray();
                foreach (var box in b.Boxes)
                {
                    json.WriteStartObject();
                    json.WriteNumber("x", box.X);
                    json.WriteNumber("y", box.Y);
                    json.WriteNumber("width", box.Width);
                    json.WriteNumber("height", box.Height);
                    json.WriteString("label", box.Label);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case TextAnswer t:
                json.WriteStringValue(t.Text);
                break;
            case NumberAnswer n:
                json.WriteNumberValue(n.Value);
                break;
            case DateAnswer d:
                json.WriteStringValue(AnswerCodec.FormatDate(d.Date));
                break;
            case RatingAnswer r:
                json.WriteNumberValue(r.Stars);
                break;
            default:
                throw new InvalidOperationException($"No Hugging Face column form for {value.GetType().Name}.");
        }
    }

    /// <summary>The dataset card: the YAML header <c>datasets</c> reads, then a few lines for people.</summary>
    private static string Card(ReleaseWriteContext context, List<DataColumn> columns, Dictionary<string, List<string>> labels, Dictionary<string, long> counts)
    {
        var splits = context.Splits.Where(s => counts.GetValueOrDefault(s) > 0).ToList();
        var card = new StringBuilder();
        card.Append("---\nconfigs:\n- config_name: default\n  data_files:\n");
        foreach (var split in splits)
        {
            card.Append("  - split: ").Append(Quote(split)).Append('\n');
            card.Append("    path: ").Append(Quote(DataPath(split))).Append('\n');
        }
        card.Append("dataset_info:\n  features:\n");
        Feature(card, "item_id", "int64");
        foreach (var column in columns)
        {
            Feature(card, column.Name, column.Dtype);
        }
        foreach (var field in context.Schema.Fields)
        {
            card.Append("  - name: ").Append(Quote(field.Name)).Append('\n');
            switch (field.Kind)
            {
                case FieldKind.Choice:
                    card.Append("    dtype:\n      class_label:\n        names:\n");
                    var names = labels[field.Name];
                    for (var i = 0; i < names.Count; i++)
                    {
                        card.Append("          ").Append(Quote(i.ToString(CultureInfo.InvariantCulture))).Append(": ").Append(Quote(names[i])).Append('\n');
                    }
                    break;
                case FieldKind.MultiChoice:
                    card.Append("    sequence: string\n");
                    break;
                case FieldKind.Spans:
                    card.Append("    list:\n");
                    Member(card, "start", "int64");
                    Member(card, "end", "int64");
                    Member(card, "label", "string");
                    Member(card, "text", "string");
                    break;
                case FieldKind.Boxes:
                    card.Append("    list:\n");
                    Member(card, "x", "float64");
                    Member(card, "y", "float64");
                    Member(card, "width", "float64");
                    Member(card, "height", "float64");
                    Member(card, "label", "string");
                    break;
                case FieldKind.Text or FieldKind.Date:
                    card.Append("    dtype: string\n");
                    break;
                case FieldKind.Number:
                    card.Append("    dtype: float64\n");
                    break;
                case FieldKind.Rating:
                    card.Append("    dtype: int64\n");
                    break;
            }
        }
        card.Append("  splits:\n");
        foreach (var split in splits)
        {
            card.Append("  - name: ").Append(Quote(split)).Append('\n');
            card.Append("    num_examples: ").Append(counts[split].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        card.Append("---\n\n");
        card.Append("# ").Append(context.ProjectName).Append(" — release ").Append(context.ReleaseNumber.ToString(CultureInfo.InvariantCulture)).Append("\n\n");
        card.Append("Exported by LabelHub. Load it with `datasets.load_dataset(\"<this folder>\")`. Each row is one item: `item_id`, ");
        card.Append("the item's data and one column per field holding its final answer (null when the field was tied or unanswered). ");
        card.Append("`datasheet.md` in the same download describes how the release was made.\n");
        return card.ToString();
    }

    private static void Feature(StringBuilder card, string name, string dtype) =>
        card.Append("  - name: ").Append(Quote(name)).Append("\n    dtype: ").Append(dtype).Append('\n');

    private static void Member(StringBuilder card, string name, string dtype) =>
        card.Append("    - name: ").Append(name).Append("\n      dtype: ").Append(dtype).Append('\n');

    /// <summary>A YAML single-quoted scalar: any text (Hangul, colons, '#') reads back as itself; a quote is doubled.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "'" + text.Replace("'", "''", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal) + "'";
    }
}
