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
        public string Name { get; set; } = name;
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
        var (columns, labels, anySynthetic) = await SurveyAsync(context, ct);
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
                if (anySynthetic)
                {
                    // Every row has the column once any item is synthetic (datasets wants one schema): null for collected items.
                    if (entry.Synthetic is { } origin)
                    {
                        origin.WriteTo(json);
                    }
                    else
                    {
                        json.WriteNull(SyntheticColumn);
                    }
                }
                json.WriteEndObject();
                await output.EndLineAsync(ct);
            }
        }
        await using var card = new StreamWriter(await ReleaseZip.Create(zip, CardFileName).OpenAsync(ct), new UTF8Encoding(false)) { NewLine = "\n" };
        await card.WriteAsync(Card(context, columns, labels, counts, anySynthetic));
    }

    /// <summary>The column of a synthetic item's origin ({generator, class, seed}), present only when the release holds one.</summary>
    public const string SyntheticColumn = "synthetic";

    /// <summary>Pass one: the data columns with their kinds, the values of choice answers that are not schema labels, and whether any item is synthetic.</summary>
    private static async Task<(List<DataColumn> Columns, Dictionary<string, List<string>> Labels, bool AnySynthetic)> SurveyAsync(ReleaseWriteContext context, CancellationToken ct)
    {
        var fields = context.Schema.Fields;
        var taken = new HashSet<string>(fields.Select(f => f.Name), StringComparer.Ordinal) { "item_id" };
        var columns = new List<DataColumn>();
        var byKey = new Dictionary<string, DataColumn>(StringComparer.Ordinal);
        var extra = fields.Where(f => f.Kind == FieldKind.Choice).ToDictionary(f => f.Name, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var anySynthetic = false;
        await foreach (var entry in context.Entries(ct).WithCancellation(ct))
        {
            anySynthetic |= entry.Synthetic is not null;
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
        if (anySynthetic && !taken.Contains(SyntheticColumn) && byKey.TryGetValue(SyntheticColumn, out var clash))
        {
            clash.Name = "data_" + SyntheticColumn;
        }
        return (columns, labels, anySynthetic);
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
        // A switch expression names every kind: a new one does not compile until it has a column form here. Static
        // writers, so no closure per value.
        _ = value.Kind switch
        {
            FieldKind.Choice => Write(json, ((ChoiceAnswer)value).Label),
            FieldKind.MultiChoice => WriteLabels(json, (MultiChoiceAnswer)value),
            FieldKind.Spans => WriteSpans(json, (SpansAnswer)value, AnswerCodec.SourceText(field, entry.Data)),
            FieldKind.Boxes => WriteBoxes(json, (BoxesAnswer)value),
            FieldKind.Text => Write(json, ((TextAnswer)value).Text),
            FieldKind.Number => Write(json, ((NumberAnswer)value).Value),
            FieldKind.Date => Write(json, AnswerCodec.FormatDate(((DateAnswer)value).Date)),
            FieldKind.Rating => Write(json, ((RatingAnswer)value).Stars),
        };
    }

    private static bool Write(Utf8JsonWriter json, string text)
    {
        json.WriteStringValue(text);
        return true;
    }

    private static bool Write(Utf8JsonWriter json, double number)
    {
        json.WriteNumberValue(number);
        return true;
    }

    private static bool WriteLabels(Utf8JsonWriter json, MultiChoiceAnswer answer)
    {
        json.WriteStartArray();
        foreach (var label in answer.Labels)
        {
            json.WriteStringValue(label);
        }
        json.WriteEndArray();
        return true;
    }

    private static bool WriteSpans(Utf8JsonWriter json, SpansAnswer answer, string? text)
    {
        json.WriteStartArray();
        foreach (var span in answer.Spans)
        {
            json.WriteStartObject();
            json.WriteNumber("start", span.Start);
            json.WriteNumber("end", span.End);
            json.WriteString("label", span.Label);
            // The covered text read from the item, so a row reads on its own; the stored text when the offsets do not fit.
            if (text is not null && span.Start >= 0 && span.Start <= span.End && span.End <= text.Length)
            {
                json.WriteString("text", text.AsSpan(span.Start, span.End - span.Start));
            }
            else
            {
                json.WriteString("text", span.Text);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        return true;
    }

    private static bool WriteBoxes(Utf8JsonWriter json, BoxesAnswer answer)
    {
        json.WriteStartArray();
        foreach (var box in answer.Boxes)
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
        return true;
    }

    /// <summary>The dataset card: the YAML header <c>datasets</c> reads, then a few lines for people.</summary>
    private static string Card(ReleaseWriteContext context, List<DataColumn> columns, Dictionary<string, List<string>> labels, Dictionary<string, long> counts, bool anySynthetic)
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
            card.Append(field.Kind switch
            {
                FieldKind.Choice => ClassLabel(labels[field.Name]),
                FieldKind.MultiChoice => "    sequence: string\n",
                FieldKind.Spans => "    list:\n" + Member("start", "int64") + Member("end", "int64") + Member("label", "string") + Member("text", "string"),
                FieldKind.Boxes => "    list:\n" + Member("x", "float64") + Member("y", "float64") + Member("width", "float64") + Member("height", "float64")
                    + Member("label", "string"),
                FieldKind.Text or FieldKind.Date => "    dtype: string\n",
                FieldKind.Number => "    dtype: float64\n",
                FieldKind.Rating => "    dtype: int64\n",
            });
        }
        if (anySynthetic)
        {
            card.Append("  - name: ").Append(Quote(SyntheticColumn)).Append("\n    struct:\n")
                .Append(Member("generator", "string")).Append(Member("class", "string")).Append(Member("seed", "int64"));
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
        if (anySynthetic)
        {
            card.Append("\nSome items are synthetic: `synthetic` names the generator, the class it was asked for and the seed (null for collected items); ");
            card.Append("annotators confirmed each one's class.\n");
        }
        return card.ToString();
    }

    private static void Feature(StringBuilder card, string name, string dtype) =>
        card.Append("  - name: ").Append(Quote(name)).Append("\n    dtype: ").Append(dtype).Append('\n');

    private static string Member(string name, string dtype) => $"    - name: {name}\n      dtype: {dtype}\n";

    /// <summary>A class_label feature: names keyed by their class id, as the Hub writes them ('0': name).</summary>
    private static string ClassLabel(List<string> names)
    {
        var yaml = new StringBuilder("    dtype:\n      class_label:\n        names:\n");
        for (var i = 0; i < names.Count; i++)
        {
            yaml.Append("          ").Append(Quote(i.ToString(CultureInfo.InvariantCulture))).Append(": ").Append(Quote(names[i])).Append('\n');
        }
        return yaml.ToString();
    }

    /// <summary>A YAML single-quoted scalar: any text (Hangul, colons, '#') reads back as itself; a quote is doubled.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "'" + text.Replace("'", "''", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal) + "'";
    }
}
