using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Web.Components.Pages.Labeling;

/// <summary>
/// A label's colour, the same while labeling and while reviewing: by the label's place in the field's schema (labels
/// the schema no longer has come after its own), repeated when a field has more labels than colours.
/// </summary>
public static class LabelColours
{
    private static readonly (string Line, string Tint)[] SpanPalette =
    [
        ("#1e88e5", "rgba(30, 136, 229, .16)"),
        ("#e53935", "rgba(229, 57, 53, .16)"),
        ("#43a047", "rgba(67, 160, 71, .18)"),
        ("#8e24aa", "rgba(142, 36, 170, .15)"),
        ("#fb8c00", "rgba(251, 140, 0, .2)"),
        ("#00897b", "rgba(0, 137, 123, .17)"),
        ("#d81b60", "rgba(216, 27, 96, .15)"),
        ("#6d4c41", "rgba(109, 76, 65, .17)"),
        ("#3949ab", "rgba(57, 73, 171, .16)"),
        ("#7cb342", "rgba(124, 179, 66, .2)"),
    ];

    private static readonly string[] BoxPalette =
        ["#e53935", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#d81b60", "#6d4c41", "#3949ab", "#7cb342"];

    /// <summary>A span label's underline colour and the tint of the text it covers.</summary>
    public static (string Line, string Tint) Span(LabelField field, string label) => SpanPalette[IndexOf(field, label) % SpanPalette.Length];

    /// <summary>The CSS variables the span styles read.</summary>
    public static string SpanStyle(LabelField field, string label)
    {
        var (line, tint) = Span(field, label);
        return $"--span-color: {line}; --span-tint: {tint};";
    }

    /// <summary>
    /// A run of marked text: a tint of the innermost span over it, and one underline per covering span on its own track
    /// (<see cref="SpanText.Tracks"/>), stacked downwards. Null for unmarked text.
    /// </summary>
    public static string? SegmentStyle(LabelField field, TextSegment segment, IReadOnlyList<SpanValue> spans, int[] tracks)
    {
        if (segment.SpanIndexes.Count == 0)
        {
            return null;
        }
        var innermost = segment.SpanIndexes.MinBy(i => spans[i].Length);
        var lines = string.Join(", ", segment.SpanIndexes.Select(i => $"linear-gradient({Span(field, spans[i].Label).Line}, {Span(field, spans[i].Label).Line})"));
        var positions = string.Join(", ", segment.SpanIndexes.Select(i => $"0 calc(100% - {tracks[i] * 4}px)"));
        return $"background-color: {Span(field, spans[innermost].Label).Tint}; background-image: {lines}; background-position: {positions};";
    }

    public static string Box(LabelField field, string label) => Box(IndexOf(field, label));

    public static string Box(int labelIndex) => BoxPalette[labelIndex % BoxPalette.Length];

    private static int IndexOf(LabelField field, string label)
    {
        var index = 0;
        while (index < field.Labels.Count && field.Labels[index] != label)
        {
            index++;
        }
        return index;
    }
}
