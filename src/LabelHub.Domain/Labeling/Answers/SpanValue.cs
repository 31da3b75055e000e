using System.Text.Json.Serialization;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// One labeled character range of a Spans field as it is stored: [Start, End), End exclusive, offsets into the
/// item's text under the field's <see cref="Planning.LabelField.SourceKey"/>. <see cref="Text"/> is the covered text
/// as the annotator saw it, kept with the span so exports read on their own; it is not part of the answer's identity.
/// </summary>
public sealed record SpanValue(
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("text"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null)
{
    [JsonIgnore]
    public int Length => Math.Max(0, End - Start);

    /// <summary>Characters both ranges cover.</summary>
    public int OverlapWith(SpanValue other) => Math.Max(0, Math.Min(End, other.End) - Math.Max(Start, other.Start));

    public bool Overlaps(int start, int end) => Start < end && start < End;

    public bool Covers(int start, int end) => Start <= start && end <= End;
}
