using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Labeling;

/// <summary>Checks an answer against the project's label schema before it is accepted, naming the field at fault.</summary>
public static class AnnotationValidator
{
    public const int DefaultRatingMax = 5;
    public const int DefaultTextMaxLength = 10_000;

    /// <summary>How far a box's pixel values may be from its fractions times the image size (rounding).</summary>
    public const double BoxPixelTolerance = 1.0;

    private static readonly string[] BoxPixelKeys = ["x_px", "y_px", "width_px", "height_px"];

    public static void Validate(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> values, IReadOnlyDictionary<string, JsonElement>? itemData = null)
    {
        var errors = new ValidationErrors();
        foreach (var key in values.Keys.Where(k => schema.Field(k) is null))
        {
            errors.Add($"values.{key}", "The label schema has no such field.");
        }
        foreach (var field in schema.Fields)
        {
            var key = $"values.{field.Name}";
            if (!values.TryGetValue(field.Name, out var value) || IsEmpty(value))
            {
                if (field.Required)
                {
                    errors.Add(key, $"'{field.DisplayTitle}' is required.");
                }
                continue;
            }
            var problem = field.Kind switch
            {
                FieldKind.Choice => CheckChoice(field, value),
                FieldKind.MultiChoice => CheckMultiChoice(field, value),
                FieldKind.Text => CheckText(field, value),
                FieldKind.Number => CheckNumber(field, value),
                FieldKind.Date => CheckDate(field, value),
                FieldKind.Rating => CheckRating(field, value),
                FieldKind.Spans => CheckSpans(field, value, itemData),
                FieldKind.Boxes => CheckBoxes(field, value, itemData),
                _ => "Unknown field kind.",
            };
            if (problem is not null)
            {
                errors.Add(key, problem);
            }
        }
        errors.ThrowIfAny();
    }

    private static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()),
        JsonValueKind.Array => value.GetArrayLength() == 0,
        _ => false,
    };

    private static string? CheckChoice(LabelField field, JsonElement value) =>
        value.ValueKind != JsonValueKind.String ? "Expected one label as a string."
        : field.Labels.Contains(value.GetString()!) ? null
        : $"'{value.GetString()}' is not one of the labels ({string.Join(", ", field.Labels)}).";

    private static string? CheckMultiChoice(LabelField field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return "Expected a list of labels.";
        }
        var picked = new HashSet<string>();
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                return "Expected a list of labels.";
            }
            var label = element.GetString()!;
            if (!field.Labels.Contains(label))
            {
                return $"'{label}' is not one of the labels ({string.Join(", ", field.Labels)}).";
            }
            if (!picked.Add(label))
            {
                return $"'{label}' is picked twice.";
            }
        }
        if (field.Min is { } min && picked.Count < min)
        {
            return $"Pick at least {min} labels.";
        }
        if (field.Max is { } max && picked.Count > max)
        {
            return $"Pick at most {max} labels.";
        }
        return null;
    }

    private static string? CheckText(LabelField field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return "Expected text.";
        }
        var text = value.GetString()!;
        var maxLength = field.MaxLength ?? DefaultTextMaxLength;
        if (text.Length > maxLength)
        {
            return $"At most {maxLength} characters (this has {text.Length}).";
        }
        if (!string.IsNullOrEmpty(field.Pattern))
        {
            try
            {
                if (!Regex.IsMatch(text, field.Pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100)))
                {
                    return $"Does not match the required pattern {field.Pattern}.";
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return "The text is too complex to check against the pattern.";
            }
        }
        return null;
    }

    private static string? CheckNumber(LabelField field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            return "Expected a number.";
        }
        return CheckRange(field, number);
    }

    private static string? CheckRange(LabelField field, double number) =>
        field.Min is { } min && number < min ? $"Must be at least {min.ToString(CultureInfo.InvariantCulture)}."
        : field.Max is { } max && number > max ? $"Must be at most {max.ToString(CultureInfo.InvariantCulture)}."
        : null;

    private static string? CheckDate(LabelField field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String
            || !DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return "Expected a date as yyyy-MM-dd.";
        }
        return null;
    }

    private static string? CheckRating(LabelField field, JsonElement value)
    {
        var max = (int)(field.Max ?? DefaultRatingMax);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var rating) || rating < 1 || rating > max)
        {
            return $"Expected a whole number from 1 to {max}.";
        }
        return null;
    }

    private static string? CheckSpans(LabelField field, JsonElement value, IReadOnlyDictionary<string, JsonElement>? itemData)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return "Expected a list of spans {start, end, label}.";
        }
        int? textLength = null;
        if (itemData is not null && itemData.TryGetValue(field.Source ?? "text", out var source) && source.ValueKind == JsonValueKind.String)
        {
            textLength = source.GetString()!.Length;
        }
        var spans = new List<(int Start, int End)>();
        var index = 0;
        foreach (var span in value.EnumerateArray())
        {
            if (span.ValueKind != JsonValueKind.Object
                || !TryGetInt(span, "start", out var start) || !TryGetInt(span, "end", out var end)
                || !span.TryGetProperty("label", out var label) || label.ValueKind != JsonValueKind.String)
            {
                return $"Span {index + 1}: expected {{start, end, label}}.";
            }
            if (start < 0 || end <= start || (textLength is { } length && end > length))
            {
                return $"Span {index + 1}: [{start}, {end}) is not a range inside the text.";
            }
            if (!field.Labels.Contains(label.GetString()!))
            {
                return $"Span {index + 1}: '{label.GetString()}' is not one of the labels.";
            }
            spans.Add((start, end));
            index++;
        }
        if (!field.AllowOverlap)
        {
            var ordered = spans.OrderBy(s => s.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Start < ordered[i - 1].End)
                {
                    return "Spans overlap, which this field does not allow.";
                }
            }
        }
        return null;
    }

    private static string? CheckBoxes(LabelField field, JsonElement value, IReadOnlyDictionary<string, JsonElement>? itemData)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return "Expected a list of boxes {x, y, width, height, label}.";
        }
        // Uploaded images record their size; the optional pixel values must then agree with the fractions.
        int? imageWidth = null, imageHeight = null;
        if (itemData is not null && MediaUrls.TryGetSize(itemData, out var knownWidth, out var knownHeight))
        {
            (imageWidth, imageHeight) = (knownWidth, knownHeight);
        }
        var index = 0;
        foreach (var box in value.EnumerateArray())
        {
            index++;
            if (box.ValueKind != JsonValueKind.Object
                || !TryGetDouble(box, "x", out var x) || !TryGetDouble(box, "y", out var y)
                || !TryGetDouble(box, "width", out var width) || !TryGetDouble(box, "height", out var height)
                || !box.TryGetProperty("label", out var label) || label.ValueKind != JsonValueKind.String)
            {
                return $"Box {index}: expected {{x, y, width, height, label}} as fractions of the image.";
            }
            if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > 1.000001 || y + height > 1.000001)
            {
                return $"Box {index}: must lie inside the image (fractions from 0 to 1) and have a positive size.";
            }
            if (!field.Labels.Contains(label.GetString()!))
            {
                return $"Box {index}: '{label.GetString()}' is not one of the labels.";
            }
            if (CheckBoxPixels(box, index, x, y, width, height, imageWidth, imageHeight) is { } pixelProblem)
            {
                return pixelProblem;
            }
        }
        return null;
    }

    /// <summary>The pixel values are optional, but all four or none, non-negative, and consistent with the fractions.</summary>
    private static string? CheckBoxPixels(JsonElement box, int index, double x, double y, double width, double height, int? imageWidth, int? imageHeight)
    {
        var present = BoxPixelKeys.Count(key => box.TryGetProperty(key, out _));
        if (present == 0)
        {
            return null;
        }
        if (present != BoxPixelKeys.Length
            || !TryGetDouble(box, "x_px", out var xPx) || !TryGetDouble(box, "y_px", out var yPx)
            || !TryGetDouble(box, "width_px", out var widthPx) || !TryGetDouble(box, "height_px", out var heightPx))
        {
            return $"Box {index}: x_px, y_px, width_px and height_px go together, as numbers.";
        }
        if (xPx < 0 || yPx < 0 || widthPx <= 0 || heightPx <= 0)
        {
            return $"Box {index}: pixel values must be non-negative with a positive size.";
        }
        if (imageWidth is { } w && imageHeight is { } h)
        {
            var off = Math.Max(
                Math.Max(Math.Abs(xPx - (x * w)), Math.Abs(widthPx - (width * w))),
                Math.Max(Math.Abs(yPx - (y * h)), Math.Abs(heightPx - (height * h))));
            if (off > BoxPixelTolerance + 1e-6)
            {
                return $"Box {index}: the pixel values do not match the fractions for a {w}×{h} image.";
            }
            if (xPx + widthPx > w + BoxPixelTolerance || yPx + heightPx > h + BoxPixelTolerance)
            {
                return $"Box {index}: must lie inside the {w}×{h} image.";
            }
        }
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
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetDouble(out value);
    }
}
