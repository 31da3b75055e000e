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

/// <summary>Where a field's answer is given: on the item's text, on its image, or in the panel beside the item.</summary>
public enum FieldPlacement
{
    Panel,
    OnText,
    OnImage,
}

/// <summary>
/// What each field kind is, in one place: which schema settings it uses and where its answer is given. Every switch
/// here is exhaustive without a default arm, so a new kind does not compile until each property says what it is.
/// </summary>
public static class FieldKinds
{
    public const int DefaultRatingMax = 5;
    public const int DefaultTextMaxLength = 10_000;

    /// <summary>The item data key a span field marks when the schema names none.</summary>
    public const string DefaultTextKey = "text";

    /// <summary>The item data key a box field draws on when the schema names none (an image item's picture).</summary>
    public const string DefaultImageKey = Collection.MediaUrls.ImageKey;

    /// <summary>Choice, multiple choice, spans and boxes pick from the field's labels.</summary>
    public static bool HasLabels(this FieldKind kind) => kind switch
    {
        FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes => true,
        FieldKind.Text or FieldKind.Number or FieldKind.Date or FieldKind.Rating => false,
    };

    /// <summary>Min applies to numbers and to how many labels a multiple choice picks.</summary>
    public static bool HasMin(this FieldKind kind) => kind switch
    {
        FieldKind.MultiChoice or FieldKind.Number => true,
        FieldKind.Choice or FieldKind.Spans or FieldKind.Boxes or FieldKind.Text or FieldKind.Date or FieldKind.Rating => false,
    };

    /// <summary>Max applies to numbers, multiple-choice counts and the top of a rating scale.</summary>
    public static bool HasMax(this FieldKind kind) => kind switch
    {
        FieldKind.MultiChoice or FieldKind.Number or FieldKind.Rating => true,
        FieldKind.Choice or FieldKind.Spans or FieldKind.Boxes or FieldKind.Text or FieldKind.Date => false,
    };

    /// <summary>Max length and a pattern apply to free text only.</summary>
    public static bool HasTextRules(this FieldKind kind) => kind switch
    {
        FieldKind.Text => true,
        FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes or FieldKind.Number or FieldKind.Date or FieldKind.Rating => false,
    };

    public static FieldPlacement Placement(this FieldKind kind) => kind switch
    {
        FieldKind.Spans => FieldPlacement.OnText,
        FieldKind.Boxes => FieldPlacement.OnImage,
        FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Text or FieldKind.Number or FieldKind.Date or FieldKind.Rating => FieldPlacement.Panel,
    };

    /// <summary>Kinds whose value is typed in: a burst of keystrokes is one change (one undo step), not one per key.</summary>
    public static bool IsTyped(this FieldKind kind) => kind switch
    {
        FieldKind.Text or FieldKind.Number => true,
        FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes or FieldKind.Date or FieldKind.Rating => false,
    };

    /// <summary>Numbers and ratings are ordered and have distances (ordinal, interval and ratio statistics apply).</summary>
    public static bool IsNumeric(this FieldKind kind) => kind switch
    {
        FieldKind.Number or FieldKind.Rating => true,
        FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes or FieldKind.Text or FieldKind.Date => false,
    };
}

/// <summary>
/// One field of a project's label schema. Which properties apply depends on <see cref="Kind"/> (see
/// <see cref="FieldKinds"/>): labels for choice, multi-choice, spans and boxes; Min/Max for number, rating and
/// multi-choice counts; MaxLength and Pattern for text; Source for spans and boxes.
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

    /// <summary>For spans and boxes: which item data key holds the text or image (see <see cref="SourceKey"/>).</summary>
    public string? Source { get; init; }

    public string DisplayTitle => string.IsNullOrWhiteSpace(Title) ? Name : Title;

    public bool HasLabels => Kind.HasLabels();

    /// <summary>
    /// The item data key a span field marks or a box field draws on: <see cref="Source"/> when the schema gives one,
    /// else "text" for spans and "image" for boxes; null for kinds answered beside the item. The one rule every
    /// reader of span and box answers follows.
    /// </summary>
    public string? SourceKey => Kind.Placement() switch
    {
        FieldPlacement.OnText => string.IsNullOrWhiteSpace(Source) ? FieldKinds.DefaultTextKey : Source,
        FieldPlacement.OnImage => string.IsNullOrWhiteSpace(Source) ? FieldKinds.DefaultImageKey : Source,
        FieldPlacement.Panel => null,
    };

    /// <summary>The top of a rating scale (1 to this).</summary>
    public int RatingMax => (int)(Max ?? FieldKinds.DefaultRatingMax);

    /// <summary>The longest free-text answer.</summary>
    public int TextMaxLength => MaxLength ?? FieldKinds.DefaultTextMaxLength;
}

public sealed record LabelSchema
{
    public IReadOnlyList<LabelField> Fields { get; init; } = [];

    public LabelField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}
