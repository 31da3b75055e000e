using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// An answer in words, one line per field: what the review history, the gold answer and the gold feedback show.
/// Item data and answers are user content; callers render these strings encoded.
/// </summary>
public static class AnswerText
{
    /// <summary>"Title: value" for every field of the schema the answer has a value for, in schema order.</summary>
    public static IEnumerable<string> Lines(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> answer, IReadOnlyDictionary<string, JsonElement>? itemData = null)
    {
        foreach (var field in schema.Fields)
        {
            if (answer.TryGetValue(field.Name, out var value) && !AnswerCodec.IsEmpty(value))
            {
                yield return $"{field.DisplayTitle}: {Describe(field, value, itemData)}";
            }
        }
    }

    /// <summary>One field's value in words; a value that does not read as the field's kind is shown as stored.</summary>
    public static string Describe(LabelField field, JsonElement value, IReadOnlyDictionary<string, JsonElement>? itemData = null) =>
        AnswerCodec.Read(field, value).Clean is { } answer ? Describe(field, answer, itemData) : Raw(value);

    public static string Describe(LabelField field, AnswerValue value, IReadOnlyDictionary<string, JsonElement>? itemData = null) => value.Match(
        choice: c => c.Label,
        multiChoice: m => string.Join(", ", m.Labels),
        spans: s => string.Join("; ", s.Spans.Select(span => SpanLine(span, AnswerCodec.SourceText(field, itemData)))),
        boxes: b => string.Join("; ", b.Boxes.Select(BoxLine)),
        text: t => t.Text,
        number: n => n.Value.ToString(CultureInfo.InvariantCulture),
        date: d => AnswerCodec.FormatDate(d.Date),
        rating: r => $"{r.Stars} / {field.RatingMax}");

    /// <summary>The text a span covers: cut from the item when it fits, else the copy stored with the span.</summary>
    public static string CoveredText(SpanValue span, string? sourceText) =>
        sourceText is not null && span.Start >= 0 && span.Start <= span.End && span.End <= sourceText.Length ? sourceText[span.Start..span.End]
        : span.Text ?? "";

    /// <summary>"label: covered text [start–end]".</summary>
    private static string SpanLine(SpanValue span, string? sourceText) =>
        string.Create(CultureInfo.InvariantCulture, $"{span.Label}: {CoveredText(span, sourceText)} [{span.Start}–{span.End}]");

    /// <summary>"label (x, y, width×height)" in pixels; a box given only in fractions (typed by hand) in % of the image.</summary>
    private static string BoxLine(BoxValue box) => box is { XPx: { } x, YPx: { } y, WidthPx: { } w, HeightPx: { } h }
        ? string.Create(CultureInfo.InvariantCulture, $"{box.Label} ({x}, {y}, {w}×{h})")
        : string.Create(CultureInfo.InvariantCulture, $"{box.Label} ({Percent(box.X)}, {Percent(box.Y)}, {Percent(box.Width)}×{Percent(box.Height)})");

    private static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Raw(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => value.GetRawText(),
    };
}
