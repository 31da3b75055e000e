using System.Text.Json.Serialization;

namespace LabelHub.Domain.Planning;

[JsonConverter(typeof(JsonStringEnumConverter<FieldKind>))]
public enum FieldKind
{
    Choice,
    MultiChoice,
    Spans,
    Boxes,
    Text,
    Number,
    Date,
    Rating,
}

/// <summary>
/// One field of a project's label schema. Which properties apply depends on <see cref="Kind"/>:
/// labels for choice, multi-choice, spans and boxes; Min/Max for number, rating and multi-choice counts;
/// MaxLength and Pattern for text.
/// </summary>
public sealed record LabelField
{
    public required string Name { get; init; }
    public required FieldKind Kind { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public bool Required { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public int? MaxLength { get; init; }
    public string? Pattern { get; init; }

    /// <summary>For spans: whether two spans of this field may overlap.</summary>
    public bool AllowOverlap { get; init; }

    /// <summary>For spans and boxes: which item data key holds the text or image.</summary>
    public string? Source { get; init; }

    public string DisplayTitle => string.IsNullOrWhiteSpace(Title) ? Name : Title;

    public bool HasLabels => Kind is FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes;
}

public sealed record LabelSchema
{
    public IReadOnlyList<LabelField> Fields { get; init; } = [];

    public LabelField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}
