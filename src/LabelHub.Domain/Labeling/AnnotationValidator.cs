using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// Checks an answer against the project's label schema before it is accepted, naming the field at fault: each value
/// must read as its field's kind (<see cref="AnswerCodec"/>) and then keep the field's rules.
/// </summary>
public static class AnnotationValidator
{
    /// <summary>How far a box's pixel values may be from its fractions times the image size (rounding).</summary>
    public const double BoxPixelTolerance = 1.0;

    /// <summary>Refuses the answer with every field's problem (<see cref="ValidationException"/>), or returns.</summary>
    public static void Validate(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> values, IReadOnlyDictionary<string, JsonElement>? itemData = null)
    {
        var errors = Collect(schema, values, itemData);
        errors.ThrowIfAny();
    }

    /// <summary>Every field's problem with the answer, keyed "values.field"; empty when the answer is valid.</summary>
    public static IReadOnlyDictionary<string, string[]> Problems(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> values, IReadOnlyDictionary<string, JsonElement>? itemData = null) =>
        Collect(schema, values, itemData).ToDictionary();

    private static ValidationErrors Collect(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> values, IReadOnlyDictionary<string, JsonElement>? itemData)
    {
        var errors = new ValidationErrors();
        foreach (var key in values.Keys.Where(k => schema.Field(k) is null))
        {
            errors.Add($"values.{key}", "The label schema has no such field.");
        }
        foreach (var field in schema.Fields)
        {
            var read = AnswerCodec.Read(field, values);
            var problem = read switch
            {
                { IsEmpty: true } => field.Required ? $"'{field.DisplayTitle}' is required." : null,
                { Problem: { } structural } => structural,
                _ => Check(field, read.Value!, itemData),
            };
            if (problem is not null)
            {
                errors.Add($"values.{field.Name}", problem);
            }
        }
        return errors;
    }

    /// <summary>The field's rules for a value that read as its kind; null when it keeps them.</summary>
    public static string? Check(LabelField field, AnswerValue value, IReadOnlyDictionary<string, JsonElement>? itemData) => value.Match(
        choice: c => field.Labels.Contains(c.Label) ? null : NotALabel(field, c.Label),
        multiChoice: m => CheckLabels(field, m.Labels),
        spans: s => CheckSpans(field, s.Spans, itemData),
        boxes: b => CheckBoxes(field, b.Boxes, itemData),
        text: t => CheckText(field, t.Text),
        number: n => CheckRange(field, n.Value),
        date: _ => null,
        rating: r => r.Stars >= 1 && r.Stars <= field.RatingMax ? null : $"Expected a whole number from 1 to {field.RatingMax}.");

    private static string NotALabel(LabelField field, string label) => $"'{label}' is not one of the labels ({string.Join(", ", field.Labels)}).";

    private static string? CheckLabels(LabelField field, IReadOnlyList<string> labels)
    {
        var picked = new HashSet<string>();
        foreach (var label in labels)
        {
            if (!field.Labels.Contains(label))
            {
                return NotALabel(field, label);
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

    private static string? CheckText(LabelField field, string text)
    {
        if (text.Length > field.TextMaxLength)
        {
            return $"At most {field.TextMaxLength} characters (this has {text.Length}).";
        }
        if (string.IsNullOrEmpty(field.Pattern))
        {
            return null;
        }
        try
        {
            return Regex.IsMatch(text, field.Pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100))
                ? null
                : $"Does not match the required pattern {field.Pattern}.";
        }
        catch (RegexMatchTimeoutException)
        {
            return "The text is too complex to check against the pattern.";
        }
    }

    private static string? CheckRange(LabelField field, double number) =>
        field.Min is { } min && number < min ? $"Must be at least {min.ToString(CultureInfo.InvariantCulture)}."
        : field.Max is { } max && number > max ? $"Must be at most {max.ToString(CultureInfo.InvariantCulture)}."
        : null;

    private static string? CheckSpans(LabelField field, IReadOnlyList<SpanValue> spans, IReadOnlyDictionary<string, JsonElement>? itemData)
    {
        var textLength = AnswerCodec.SourceText(field, itemData)?.Length;
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            if (span.Start < 0 || span.End <= span.Start || (textLength is { } length && span.End > length))
            {
                return $"Span {i + 1}: [{span.Start}, {span.End}) is not a range inside the text.";
            }
            if (!field.Labels.Contains(span.Label))
            {
                return $"Span {i + 1}: '{span.Label}' is not one of the labels.";
            }
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

    private static string? CheckBoxes(LabelField field, IReadOnlyList<BoxValue> boxes, IReadOnlyDictionary<string, JsonElement>? itemData)
    {
        // Uploaded images record their size; the optional pixel values must then agree with the fractions.
        (int Width, int Height)? size = itemData is not null && MediaUrls.TryGetSize(itemData, out var width, out var height) ? (width, height) : null;
        for (var i = 0; i < boxes.Count; i++)
        {
            var box = boxes[i];
            if (!box.LiesInsideImage)
            {
                return $"Box {i + 1}: must lie inside the image (fractions from 0 to 1) and have a positive size.";
            }
            if (!field.Labels.Contains(box.Label))
            {
                return $"Box {i + 1}: '{box.Label}' is not one of the labels.";
            }
            if (CheckBoxPixels(box, i + 1, size) is { } pixelProblem)
            {
                return pixelProblem;
            }
        }
        return null;
    }

    /// <summary>The pixel values are optional, but non-negative with a positive size, and consistent with the fractions.</summary>
    private static string? CheckBoxPixels(BoxValue box, int number, (int Width, int Height)? size)
    {
        if (box is not { XPx: { } xPx, YPx: { } yPx, WidthPx: { } widthPx, HeightPx: { } heightPx })
        {
            return null;
        }
        if (xPx < 0 || yPx < 0 || widthPx <= 0 || heightPx <= 0)
        {
            return $"Box {number}: pixel values must be non-negative with a positive size.";
        }
        if (size is var (w, h))
        {
            var off = Math.Max(
                Math.Max(Math.Abs(xPx - (box.X * w)), Math.Abs(widthPx - (box.Width * w))),
                Math.Max(Math.Abs(yPx - (box.Y * h)), Math.Abs(heightPx - (box.Height * h))));
            if (off > BoxPixelTolerance + 1e-6)
            {
                return $"Box {number}: the pixel values do not match the fractions for a {w}×{h} image.";
            }
            if (xPx + widthPx > w + BoxPixelTolerance || yPx + heightPx > h + BoxPixelTolerance)
            {
                return $"Box {number}: must lie inside the {w}×{h} image.";
            }
        }
        return null;
    }
}
