using System.Text.Json.Serialization;

namespace LabelHub.Domain.Quality;

/// <summary>
/// One labeled character range of a Spans field as it is stored: [Start, End), End exclusive, offsets into the
/// item's text (see <see cref="Labeling.AnnotationValidator"/>).
/// </summary>
public sealed record Span(
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("label")] string Label)
{
    public int Length => Math.Max(0, End - Start);

    /// <summary>Characters both ranges cover.</summary>
    public int OverlapWith(Span other) => Math.Max(0, Math.Min(End, other.End) - Math.Max(Start, other.Start));
}
