using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Who completed a Label Studio annotation: its <c>completed_by</c>, an object (<c>id</c>, <c>email</c>, <c>username</c>)
/// in a full export, the user's number (the usual export), or an e-mail (what Label Studio's own import accepts). <see cref="Key"/> is the same for every annotation of one person
/// in one export; the e-mail and user name, when given, are what a LabelHub account is matched on.
/// </summary>
public sealed record LabelStudioAnnotator(string Key, long? Id, string? Email, string? UserName)
{
    /// <summary>Service accounts for annotators no member matches are named with this prefix and the annotator's e-mail, name or id.</summary>
    public const string AccountPrefix = "ls-";

    /// <summary>
    /// Who answered when an annotation names nobody: Label Studio's own import gives such an annotation to the importing
    /// user, and LabelHub's release download writes none. Here it is the import itself, a service account "ls-import".
    /// </summary>
    public static readonly LabelStudioAnnotator ImportSource = new("import", null, null, null);

    /// <summary>The longest user name a service account may have.</summary>
    public const int MaxAccountNameLength = 64;

    /// <summary><c>ls-</c> and the e-mail (or user name, or id) in the characters a service account's name may use.</summary>
    public string AccountName
    {
        get
        {
            var from = Email ?? UserName ?? Key;
            var name = new System.Text.StringBuilder(AccountPrefix, MaxAccountNameLength);
            foreach (var c in from)
            {
                if (name.Length == MaxAccountNameLength)
                {
                    break;
                }
                name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '@' or '+' ? c : '_');
            }
            return name.ToString();
        }
    }
}

/// <summary>One annotation of a task, read: its answer keyed by field name, as stored.</summary>
public sealed record LabelStudioAnswer(string? AnnotationId, LabelStudioAnnotator Annotator, Dictionary<string, JsonElement> Values, DateTimeOffset? CreatedAt, int? DurationMs);

/// <summary>One prediction of a task, read.</summary>
public sealed record LabelStudioPrediction(string ModelVersion, double? Score, Dictionary<string, JsonElement> Values, DateTimeOffset? CreatedAt);

/// <summary>A task's annotations and predictions as answers of the project's schema, or the first problem with them.</summary>
public sealed record LabelStudioRead(long? TaskId, IReadOnlyList<LabelStudioAnswer> Answers, IReadOnlyList<LabelStudioPrediction> Predictions, int Cancelled, string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Turns a Label Studio task's annotations and predictions into typed answers of the project's schema. Each result is
/// matched to the field named by its <c>from_name</c> and read by its <c>type</c>: <c>choices</c> (Choice, MultiChoice),
/// <c>labels</c> (Spans, checked against the item's text), <c>rectanglelabels</c> (Boxes; percent of the image, snapped to
/// pixels when the image's size came with it), <c>textarea</c> (Text), <c>number</c>, <c>rating</c>, <c>datetime</c> (Date).
/// Each answer then keeps the field's rules (<see cref="AnnotationValidator.Check"/>). Cancelled (skipped) annotations are
/// counted, not kept.
/// </summary>
public static class LabelStudioAnswers
{
    /// <summary>The longest model version a prediction keeps (its column's size).</summary>
    public const int MaxModelVersionLength = 100;

    public static LabelStudioRead Read(LabelStudioTask task, LabelSchema schema, IReadOnlyDictionary<string, JsonElement> itemData)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(schema);
        var answers = new List<LabelStudioAnswer>();
        var predictions = new List<LabelStudioPrediction>();
        var cancelled = 0;
        var annotators = new HashSet<string>(StringComparer.Ordinal);
        if (task.Annotations.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var annotation in task.Annotations.EnumerateArray())
            {
                index++;
                var name = $"{task.Name}, annotation {NameOf(annotation, index)}";
                if (annotation.ValueKind != JsonValueKind.Object)
                {
                    return Failed(task, $"{name}: not a JSON object");
                }
                if (annotation.TryGetProperty("was_cancelled"u8, out var wasCancelled) && wasCancelled.ValueKind == JsonValueKind.True)
                {
                    cancelled++;
                    continue;
                }
                if (ReadAnnotator(annotation) is not { } annotator)
                {
                    return Failed(task, $"{name}: \"completed_by\" names no user");
                }
                if (!annotators.Add(annotator.Key))
                {
                    return Failed(task, $"{name}: a second annotation by the same user ({annotator.Key}); keep one per user");
                }
                var (values, error) = ReadValues(annotation, schema, itemData, name);
                if (error is not null)
                {
                    return Failed(task, error);
                }
                answers.Add(new LabelStudioAnswer(IdText(annotation), annotator, values!, Time(annotation, "created_at"u8), Duration(annotation)));
            }
        }
        if (task.Predictions.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var prediction in task.Predictions.EnumerateArray())
            {
                index++;
                var name = $"{task.Name}, prediction {NameOf(prediction, index)}";
                if (prediction.ValueKind != JsonValueKind.Object)
                {
                    return Failed(task, $"{name}: not a JSON object");
                }
                var (values, error) = ReadValues(prediction, schema, itemData, name);
                if (error is not null)
                {
                    return Failed(task, error);
                }
                if (values!.Count == 0)
                {
                    continue;
                }
                var version = prediction.TryGetProperty("model_version"u8, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
                double? score = prediction.TryGetProperty("score"u8, out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetDouble(out var sc)
                    && sc is >= 0 and <= 1 ? sc : null;
                predictions.Add(new LabelStudioPrediction(
                    version.Length > MaxModelVersionLength ? version[..MaxModelVersionLength] : version, score, values, Time(prediction, "created_at"u8)));
            }
        }
        return new LabelStudioRead(task.TaskId, answers, predictions, cancelled, null);
    }

    private static LabelStudioRead Failed(LabelStudioTask task, string error) => new(task.TaskId, [], [], 0, error);

    private static string NameOf(JsonElement element, int index) => element.ValueKind == JsonValueKind.Object && IdText(element) is { } id ? id : $"#{index}";

    private static long? Id(JsonElement element) =>
        element.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var value) ? value : null;

    /// <summary>An id as Label Studio wrote it: a number, or a string (its docs show annotation ids both ways).</summary>
    private static string? IdText(JsonElement element) =>
        Id(element)?.ToString(CultureInfo.InvariantCulture) ?? Text(element, "id"u8);

    /// <summary>The annotator: an object with id/email/username (a full export), a bare user number, or none (the import source).</summary>
    private static LabelStudioAnnotator? ReadAnnotator(JsonElement annotation)
    {
        if (!annotation.TryGetProperty("completed_by"u8, out var by) || by.ValueKind == JsonValueKind.Null)
        {
            return LabelStudioAnnotator.ImportSource;
        }
        if (by.ValueKind == JsonValueKind.Number && by.TryGetInt64(out var number))
        {
            return new LabelStudioAnnotator(number.ToString(CultureInfo.InvariantCulture), number, null, null);
        }
        if (by.ValueKind == JsonValueKind.String && by.GetString() is { } named && !string.IsNullOrWhiteSpace(named))
        {
            var trimmed = named.Trim();
            return trimmed.Contains('@', StringComparison.Ordinal)
                ? new LabelStudioAnnotator(trimmed, null, trimmed, null)
                : new LabelStudioAnnotator(trimmed, null, null, trimmed);
        }
        if (by.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var id = Id(by);
        var email = Text(by, "email"u8);
        var userName = Text(by, "username"u8);
        var key = id?.ToString(CultureInfo.InvariantCulture) ?? email ?? userName;
        return key is null ? null : new LabelStudioAnnotator(key, id, email, userName);
    }

    private static string? Text(JsonElement element, ReadOnlySpan<byte> name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { } text
            && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    private static DateTimeOffset? Time(JsonElement element, ReadOnlySpan<byte> name) =>
        Text(element, name) is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    /// <summary>Label Studio's <c>lead_time</c> is in seconds.</summary>
    private static int? Duration(JsonElement annotation) =>
        annotation.TryGetProperty("lead_time"u8, out var lead) && lead.ValueKind == JsonValueKind.Number && lead.TryGetDouble(out var seconds)
            && double.IsFinite(seconds) && seconds >= 0
            ? (int)Math.Min(int.MaxValue, Math.Round(seconds * 1000, MidpointRounding.AwayFromZero))
            : null;

    /// <summary>An annotation's or prediction's <c>result</c> list as the answer of each field it names.</summary>
    private static (Dictionary<string, JsonElement>? Values, string? Error) ReadValues(JsonElement owner, LabelSchema schema, IReadOnlyDictionary<string, JsonElement> itemData, string name)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (!owner.TryGetProperty("result"u8, out var results) || results.ValueKind == JsonValueKind.Null)
        {
            return (values, null);
        }
        if (results.ValueKind != JsonValueKind.Array)
        {
            return (null, $"{name}: \"result\" is not a list");
        }
        // Results of one field gathered first: Label Studio writes one result per span, box or choice group.
        var byField = new Dictionary<string, FieldResults>(StringComparer.Ordinal);
        var index = 0;
        foreach (var result in results.EnumerateArray())
        {
            index++;
            var resultName = result.ValueKind == JsonValueKind.Object && Text(result, "id"u8) is { } resultId ? $"result \"{resultId}\"" : $"result #{index}";
            if (result.ValueKind != JsonValueKind.Object || Text(result, "from_name"u8) is not { } fromName)
            {
                return (null, $"{name}, {resultName}: no \"from_name\"");
            }
            var type = Text(result, "type"u8) ?? "";
            if (schema.Field(fromName) is not { } field)
            {
                return (null, $"{name}, {resultName}: the label schema has no field \"{fromName}\"");
            }
            if (!Fits(type, field.Kind))
            {
                return (null, $"{name}, {resultName}: a \"{type}\" result cannot answer the {field.Kind} field \"{fromName}\"");
            }
            if (!result.TryGetProperty("value"u8, out var value) || value.ValueKind != JsonValueKind.Object)
            {
                return (null, $"{name}, {resultName}: no \"value\" object");
            }
            if (!byField.TryGetValue(fromName, out var gathered))
            {
                byField[fromName] = gathered = new FieldResults(field);
            }
            if (gathered.Add(result, value, itemData) is { } problem)
            {
                return (null, $"{name}, {resultName}: {problem}");
            }
        }
        foreach (var (fieldName, gathered) in byField)
        {
            var (answer, problem) = gathered.Answer();
            problem ??= AnnotationValidator.Check(gathered.Field, answer!, itemData);
            if (problem is not null)
            {
                return (null, $"{name}, field \"{fieldName}\": {problem}");
            }
            values[fieldName] = AnswerCodec.ToJson(answer!);
        }
        return (values, null);
    }

    /// <summary>Which Label Studio result types answer which field kinds.</summary>
    private static bool Fits(string type, FieldKind kind) => kind switch
    {
        FieldKind.Choice or FieldKind.MultiChoice => type == "choices",
        FieldKind.Spans => type == "labels",
        FieldKind.Boxes => type == "rectanglelabels",
        FieldKind.Text => type == "textarea",
        FieldKind.Number => type == "number",
        FieldKind.Date => type == "datetime",
        FieldKind.Rating => type == "rating",
    };

    /// <summary>The results of one field, gathered into one answer.</summary>
    private sealed class FieldResults(LabelField target)
    {
        private readonly List<string> labels = [];
        private readonly List<SpanValue> spans = [];
        private readonly List<BoxValue> boxes = [];
        private readonly List<string> texts = [];
        private AnswerValue? single;

        public LabelField Field => target;

        /// <summary>Adds one result's value; the problem with it, if any.</summary>
        public string? Add(JsonElement result, JsonElement value, IReadOnlyDictionary<string, JsonElement> itemData) => target.Kind switch
        {
            FieldKind.Choice or FieldKind.MultiChoice => AddStrings(value, "choices"u8, labels),
            FieldKind.Spans => AddSpan(value, itemData),
            FieldKind.Boxes => AddBox(result, value, itemData),
            FieldKind.Text => AddStrings(value, "text"u8, texts),
            FieldKind.Number => SetSingle(value.TryGetProperty("number"u8, out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetDouble(out var number)
                ? new NumberAnswer(number) : null, "\"number\" is not a number"),
            FieldKind.Date => SetSingle(Text(value, "datetime"u8) is { Length: >= 10 } date && AnswerCodec.TryParseDate(date[..10], out var day)
                ? new DateAnswer(day) : null, $"\"datetime\" does not start with a date as {AnswerCodec.DateFormat}"),
            FieldKind.Rating => SetSingle(value.TryGetProperty("rating"u8, out var r) && r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var stars)
                ? new RatingAnswer(stars) : null, "\"rating\" is not a whole number"),
        };

        public (AnswerValue? Answer, string? Problem) Answer() => target.Kind switch
        {
            FieldKind.Choice => labels.Count == 1 ? (new ChoiceAnswer(labels[0]), null) : (null, $"one choice expected, {labels.Count} given"),
            FieldKind.MultiChoice => (new MultiChoiceAnswer([.. labels]), null),
            FieldKind.Spans => (new SpansAnswer([.. spans.OrderBy(s => s.Start).ThenBy(s => s.End)]), null),
            FieldKind.Boxes => (new BoxesAnswer([.. boxes]), null),
            // A textarea may hold several lines (one per submitted entry); the field keeps them as one text.
            FieldKind.Text => (new TextAnswer(string.Join('\n', texts)), null),
            FieldKind.Number or FieldKind.Date or FieldKind.Rating => single is null ? (null, "no value") : (single, null),
        };

        private string? SetSingle(AnswerValue? value, string problem)
        {
            if (value is null)
            {
                return problem;
            }
            if (single is not null)
            {
                return "a second value for a field that takes one";
            }
            single = value;
            return null;
        }

        private static string? AddStrings(JsonElement value, ReadOnlySpan<byte> name, List<string> into)
        {
            var key = System.Text.Encoding.UTF8.GetString(name);
            if (!value.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return $"\"{key}\" is not a list";
            }
            foreach (var entry in list.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.String)
                {
                    return $"\"{key}\" holds something other than text";
                }
                into.Add(entry.GetString()!);
            }
            return null;
        }

        private string? AddSpan(JsonElement value, IReadOnlyDictionary<string, JsonElement> itemData)
        {
            if (!(value.TryGetProperty("start"u8, out var s) && s.TryGetInt32(out var start) && value.TryGetProperty("end"u8, out var e) && e.TryGetInt32(out var end)))
            {
                return "\"start\" and \"end\" must be whole numbers (character offsets)";
            }
            var source = AnswerCodec.SourceText(target, itemData);
            if (source is null)
            {
                return $"the item has no text under \"{target.SourceKey}\" to mark";
            }
            if (start < 0 || end <= start || end > source.Length)
            {
                return $"characters {start} to {end} are not inside the item's text ({source.Length} characters)";
            }
            var covered = source[start..end];
            var text = Text(value, "text"u8) is not null ? value.GetProperty("text"u8).GetString() : null;
            if (text is not null && !string.Equals(text, covered, StringComparison.Ordinal))
            {
                return $"the text \"{text}\" is not what characters {start} to {end} of the item hold (\"{covered}\")";
            }
            var spanLabels = new List<string>();
            if (AddStrings(value, "labels"u8, spanLabels) is { } problem)
            {
                return problem;
            }
            foreach (var label in spanLabels)
            {
                spans.Add(new SpanValue(start, end, label, covered));
            }
            return null;
        }

        private string? AddBox(JsonElement result, JsonElement value, IReadOnlyDictionary<string, JsonElement> itemData)
        {
            double x = 0, y = 0, width = 0, height = 0;
            if (!(Number(value, "x"u8, ref x) && Number(value, "y"u8, ref y) && Number(value, "width"u8, ref width) && Number(value, "height"u8, ref height)))
            {
                return "\"x\", \"y\", \"width\" and \"height\" must be numbers (percent of the image)";
            }
            var rotation = 0.0;
            if (Number(value, "rotation"u8, ref rotation) && Math.Abs(rotation) > 1e-9)
            {
                return "a rotated box cannot be kept (boxes here are upright)";
            }
            var boxLabels = new List<string>();
            if (AddStrings(value, "rectanglelabels"u8, boxLabels) is { } problem)
            {
                return problem;
            }
            // The image's size: as Label Studio saw it, else as the item records it (uploaded images).
            double imageWidth = 0, imageHeight = 0;
            var sized = Number(result, "original_width"u8, ref imageWidth) && Number(result, "original_height"u8, ref imageHeight)
                && imageWidth >= 1 && imageHeight >= 1 && imageWidth <= int.MaxValue && imageHeight <= int.MaxValue;
            if (!sized && MediaUrls.TryGetSize(itemData, out var storedWidth, out var storedHeight))
            {
                (imageWidth, imageHeight, sized) = (storedWidth, storedHeight, true);
            }
            foreach (var label in boxLabels)
            {
                // Percent of the image, as Label Studio keeps them; with the image's size, snapped to whole pixels like the editor's boxes.
                boxes.Add(sized
                    ? BoxValue.FromFractions(x / 100, y / 100, width / 100, height / 100, label, (int)imageWidth, (int)imageHeight)
                    : new BoxValue(x / 100, y / 100, width / 100, height / 100, label));
            }
            return null;
        }

        private static bool Number(JsonElement element, ReadOnlySpan<byte> name, ref double value)
        {
            if (element.TryGetProperty(name, out var number) && number.ValueKind == JsonValueKind.Number && number.TryGetDouble(out var read) && double.IsFinite(read))
            {
                value = read;
                return true;
            }
            return false;
        }
    }
}
