using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// What reading one field's stored JSON gave. <see cref="Value"/> is null when the field is empty (missing, null,
/// blank text, empty list) or could not be read at all. For lists, <see cref="Value"/> holds the entries that read,
/// <see cref="Problem"/> names the first that did not and <see cref="Unreadable"/> counts them: a submitted answer
/// with a problem is refused, while a draft or a suggestion keeps what it can.
/// </summary>
public readonly record struct AnswerRead(AnswerValue? Value, string? Problem = null, int Unreadable = 0)
{
    public static readonly AnswerRead Empty = new(null);

    public bool IsEmpty => Value is null && Problem is null;

    /// <summary>A value that read completely.</summary>
    public AnswerValue? Clean => Problem is null ? Value : null;
}

/// <summary>
/// The one way between a stored answer (JSON keyed by field name) and typed <see cref="AnswerValue"/>s: validation,
/// gold matching, quality, export and the editors all read and write answers here. Shapes: choice "label";
/// multiple choice ["label", …]; spans [{start, end, label, text?}]; boxes [{x, y, width, height, label, x_px?, y_px?,
/// width_px?, height_px?}] in fractions of the image (pixels all four or none); text "…"; number 1.5; date
/// "yyyy-MM-dd"; rating 1 to the scale's top, whole.
/// </summary>
public static class AnswerCodec
{
    /// <summary>The one date format of date answers.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    private static readonly string[] BoxPixelKeys = ["x_px", "y_px", "width_px", "height_px"];

    /// <summary>An answer left empty: missing, null, blank text or an empty list. Validation, gold and quality agree on it.</summary>
    public static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()),
        JsonValueKind.Array => value.GetArrayLength() == 0,
        _ => false,
    };

    /// <param name="emptyListIsAnswer">
    /// An empty list given for a list kind is an answer ("no spans here"), not a field left empty: agreement counts it.
    /// </param>
    public static AnswerRead Read(LabelField field, JsonElement value, bool emptyListIsAnswer = false) =>
        IsEmpty(value) && !(emptyListIsAnswer && value.ValueKind == JsonValueKind.Array) ? AnswerRead.Empty : field.Kind switch
        {
            FieldKind.Choice => value.ValueKind == JsonValueKind.String ? new(new ChoiceAnswer(value.GetString()!)) : Fail("Expected one label as a string."),
            FieldKind.MultiChoice => ReadLabels(value),
            FieldKind.Spans => ReadList<SpanValue>(value, "Expected a list of spans {start, end, label}.", TryReadSpan, spans => new SpansAnswer(spans)),
            FieldKind.Boxes => ReadList<BoxValue>(value, "Expected a list of boxes {x, y, width, height, label}.", TryReadBox, boxes => new BoxesAnswer(boxes)),
            FieldKind.Text => value.ValueKind == JsonValueKind.String ? new(new TextAnswer(value.GetString()!)) : Fail("Expected text."),
            FieldKind.Number => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
                ? new(new NumberAnswer(number))
                : Fail("Expected a number."),
            FieldKind.Date => value.ValueKind == JsonValueKind.String && TryParseDate(value.GetString(), out var date)
                ? new(new DateAnswer(date))
                : Fail($"Expected a date as {DateFormat}."),
            FieldKind.Rating => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var stars)
                ? new(new RatingAnswer(stars))
                : Fail($"Expected a whole number from 1 to {field.RatingMax}."),
        };

    /// <summary>The field's value in an answer, read; empty when the answer leaves the field out.</summary>
    public static AnswerRead Read(LabelField field, IReadOnlyDictionary<string, JsonElement> answer, bool emptyListIsAnswer = false) =>
        answer.TryGetValue(field.Name, out var value) ? Read(field, value, emptyListIsAnswer) : AnswerRead.Empty;

    /// <summary>
    /// Every field of the schema that has a value, as far as it reads (the lenient reading drafts and suggestions get).
    /// Fields the schema does not have are left out.
    /// </summary>
    public static Dictionary<string, AnswerValue> ReadAll(LabelSchema schema, IReadOnlyDictionary<string, JsonElement>? answer)
    {
        var values = new Dictionary<string, AnswerValue>();
        if (answer is null)
        {
            return values;
        }
        foreach (var field in schema.Fields)
        {
            if (Read(field, answer).Value is { } value)
            {
                values[field.Name] = value;
            }
        }
        return values;
    }

    public static JsonElement ToJson(AnswerValue value) => value.Match(
        choice: c => JsonSerializer.SerializeToElement(c.Label),
        multiChoice: m => JsonSerializer.SerializeToElement(m.Labels),
        spans: s => JsonSerializer.SerializeToElement(s.Spans, JsonColumn.Options),
        boxes: b => JsonSerializer.SerializeToElement(b.Boxes, JsonColumn.Options),
        text: t => JsonSerializer.SerializeToElement(t.Text),
        number: n => JsonSerializer.SerializeToElement(n.Value),
        date: d => JsonSerializer.SerializeToElement(FormatDate(d.Date)),
        rating: r => JsonSerializer.SerializeToElement(r.Stars));

    /// <summary>An answer as it is stored and sent: only the fields that have a value.</summary>
    public static Dictionary<string, JsonElement> ToJson(IEnumerable<KeyValuePair<string, AnswerValue>> values) =>
        values.ToDictionary(v => v.Key, v => ToJson(v.Value));

    /// <summary>
    /// Whether two stored values of a field are the same answer (see <see cref="AnswerValue.SameAs"/>); values that do
    /// not read as the field's kind, or of a field the schema no longer has, must be equal as JSON.
    /// </summary>
    public static bool Same(LabelField? field, JsonElement a, JsonElement b) =>
        field is not null && Read(field, a).Clean is { } first && Read(field, b).Clean is { } second
            ? first.SameAs(second)
            : JsonElement.DeepEquals(a, b);

    /// <summary>A made-up answer of the field's kind, showing its JSON shape to someone writing answers by hand.</summary>
    public static JsonElement Example(LabelField field)
    {
        var label = field.Labels.FirstOrDefault() ?? "label";
        return ToJson(field.Kind switch
        {
            FieldKind.Choice => new ChoiceAnswer(label),
            FieldKind.MultiChoice => new MultiChoiceAnswer([.. field.Labels.Take(2)]),
            FieldKind.Spans => new SpansAnswer([new SpanValue(0, 5, label)]),
            FieldKind.Boxes => new BoxesAnswer([new BoxValue(0.1, 0.2, 0.3, 0.4, label)]),
            FieldKind.Text => new TextAnswer("text"),
            FieldKind.Number => new NumberAnswer(field.Min ?? 0),
            FieldKind.Date => new DateAnswer(new DateOnly(2025, 1, 31)),
            FieldKind.Rating => new RatingAnswer(Math.Min(3, field.RatingMax)),
        });
    }

    /// <summary>The field left empty, in the shape its kind takes: an empty list, null, or an empty string.</summary>
    public static JsonElement Blank(LabelField field) => field.Kind switch
    {
        FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes => JsonSerializer.SerializeToElement(Array.Empty<object>()),
        FieldKind.Number or FieldKind.Rating => JsonSerializer.SerializeToElement<object?>(null),
        FieldKind.Choice or FieldKind.Text or FieldKind.Date => JsonSerializer.SerializeToElement(""),
    };

    /// <summary>The text a span field marks: the item's string under the field's <see cref="LabelField.SourceKey"/>.</summary>
    public static string? SourceText(LabelField field, IReadOnlyDictionary<string, JsonElement>? itemData) =>
        itemData is not null && field.SourceKey is { } key && itemData.TryGetValue(key, out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : null;

    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static string FormatDate(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static AnswerRead Fail(string problem) => new(null, problem);

    private static AnswerRead ReadLabels(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return Fail("Expected a list of labels.");
        }
        var labels = new List<string>(value.GetArrayLength());
        var unreadable = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.String)
            {
                labels.Add(element.GetString()!);
            }
            else
            {
                unreadable++;
            }
        }
        return new(new MultiChoiceAnswer(labels), unreadable == 0 ? null : "Expected a list of labels.", unreadable);
    }

    private delegate string? EntryReader<T>(JsonElement element, int number, out T entry);

    private static AnswerRead ReadList<T>(JsonElement value, string notAList, EntryReader<T> read, Func<List<T>, AnswerValue> create)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return Fail(notAList);
        }
        var entries = new List<T>(value.GetArrayLength());
        string? problem = null;
        var unreadable = 0;
        var number = 0;
        foreach (var element in value.EnumerateArray())
        {
            number++;
            if (read(element, number, out var entry) is { } entryProblem)
            {
                problem ??= entryProblem;
                unreadable++;
            }
            else
            {
                entries.Add(entry);
            }
        }
        return new(create(entries), problem, unreadable);
    }

    private static string? TryReadSpan(JsonElement element, int number, out SpanValue span)
    {
        span = default!;
        if (element.ValueKind != JsonValueKind.Object
            || !TryGetInt(element, "start", out var start) || !TryGetInt(element, "end", out var end)
            || !TryGetString(element, "label", out var label))
        {
            return $"Span {number}: expected {{start, end, label}}.";
        }
        span = new SpanValue(start, end, label, TryGetString(element, "text", out var text) ? text : null);
        return null;
    }

    private static string? TryReadBox(JsonElement element, int number, out BoxValue box)
    {
        box = default!;
        if (element.ValueKind != JsonValueKind.Object
            || !TryGetDouble(element, "x", out var x) || !TryGetDouble(element, "y", out var y)
            || !TryGetDouble(element, "width", out var width) || !TryGetDouble(element, "height", out var height)
            || !TryGetString(element, "label", out var label))
        {
            return $"Box {number}: expected {{x, y, width, height, label}} as fractions of the image.";
        }
        var present = BoxPixelKeys.Count(key => element.TryGetProperty(key, out _));
        if (present == 0)
        {
            box = new BoxValue(x, y, width, height, label);
            return null;
        }
        if (present != BoxPixelKeys.Length
            || !TryGetDouble(element, "x_px", out var xPx) || !TryGetDouble(element, "y_px", out var yPx)
            || !TryGetDouble(element, "width_px", out var widthPx) || !TryGetDouble(element, "height_px", out var heightPx))
        {
            return $"Box {number}: x_px, y_px, width_px and height_px go together, as numbers.";
        }
        box = new BoxValue(x, y, width, height, label, xPx, yPx, widthPx, heightPx);
        return null;
    }

    private static bool TryGetInt(JsonElement element, string name, out int value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out value);
    }

    private static bool TryGetDouble(JsonElement element, string name, out double value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number
            && property.TryGetDouble(out value) && double.IsFinite(value);
    }

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        value = "";
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        value = property.GetString()!;
        return true;
    }
}
