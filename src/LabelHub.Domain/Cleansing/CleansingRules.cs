using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Cleansing;

/// <summary>What a rule does with an answer that breaks it: report it, or correct it (only rules that can fix).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RuleMode>))]
public enum RuleMode
{
    Flag,
    Fix,
}

/// <summary>
/// A project's cleansing rules, in the order they run: fixes chain, so a later rule sees what an earlier one fixed.
/// Stored and sent as JSON; each rule names its kind with a stable "kind" discriminator (<see cref="CleansingRule"/>).
/// </summary>
public sealed record CleansingRuleSet
{
    public IReadOnlyList<CleansingRule> Rules { get; init; } = [];

    /// <summary>
    /// camelCase like the API; the "kind" property may come anywhere in a rule, as hand-written JSON puts it; null where
    /// the model has no null (a list of values, a condition) is refused when read rather than failing later.
    /// </summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        AllowOutOfOrderMetadataProperties = true,
        RespectNullableAnnotations = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a stored or posted rule set; malformed JSON, a missing or unknown kind throw <see cref="JsonException"/>.</summary>
    public static CleansingRuleSet FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<CleansingRuleSet>(json, JsonOptions) ?? new CleansingRuleSet();
        }
        catch (NotSupportedException e)
        {
            // A rule without "kind" would be the abstract base type.
            throw new JsonException("Every rule needs a kind.", e);
        }
    }
}

/// <summary>
/// One rule on one field. The kind names (the "kind" discriminator) are stored in projects and used by API clients:
/// never rename one.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(RequiredRule), "required")]
[JsonDerivedType(typeof(RegexRule), "regex")]
[JsonDerivedType(typeof(NumberRangeRule), "number_range")]
[JsonDerivedType(typeof(DateRangeRule), "date_range")]
[JsonDerivedType(typeof(AllowedValuesRule), "allowed_values")]
[JsonDerivedType(typeof(LengthRule), "length")]
[JsonDerivedType(typeof(CrossFieldRule), "cross_field")]
[JsonDerivedType(typeof(SpanMinLengthRule), "span_min_length")]
[JsonDerivedType(typeof(SpanCutsWordRule), "span_cuts_word")]
[JsonDerivedType(typeof(SpanOverlapRule), "span_overlap")]
[JsonDerivedType(typeof(BoxMinSizeRule), "box_min_size")]
[JsonDerivedType(typeof(BoxOverlapRule), "box_overlap")]
[JsonDerivedType(typeof(TrimRule), "trim")]
[JsonDerivedType(typeof(CollapseWhitespaceRule), "collapse_whitespace")]
[JsonDerivedType(typeof(UnicodeNfcRule), "unicode_nfc")]
[JsonDerivedType(typeof(FullWidthToHalfWidthRule), "full_width_to_half_width")]
[JsonDerivedType(typeof(NumberFormatRule), "number_format")]
[JsonDerivedType(typeof(DateFormatRule), "date_format")]
public abstract record CleansingRule
{
    private static readonly Dictionary<Type, string> KindNames = typeof(CleansingRule).GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    /// <summary>Names the rule in results and dry runs; unique within the set.</summary>
    public required string Id { get; init; }

    /// <summary>The field the rule checks or fixes.</summary>
    public required string Field { get; init; }

    public RuleMode Mode { get; init; } = RuleMode.Flag;

    /// <summary>What annotators and reviewers read when the rule flags; the rule's own reason when null.</summary>
    public string? Message { get; init; }

    /// <summary>The stable kind name, as in the JSON.</summary>
    [JsonIgnore]
    public string KindName => KindNames[GetType()];

    /// <summary>Whether <see cref="RuleMode.Fix"/> is allowed: the rule knows one right correction.</summary>
    [JsonIgnore]
    public virtual bool CanFix => false;

    /// <summary>Whether the rule means something on a field of this kind.</summary>
    public abstract bool AppliesTo(FieldKind kind);
}

/// <summary>The field must have a value (for a project that requires what the schema leaves optional).</summary>
public sealed record RequiredRule : CleansingRule
{
    public override bool AppliesTo(FieldKind kind) => true;
}

/// <summary>Text (or a choice's label) must match, or with <see cref="MustMatch"/> false must not match, the pattern.</summary>
public sealed record RegexRule : CleansingRule
{
    public const int DefaultTimeoutMs = 100;
    public const int MaxTimeoutMs = 10_000;

    public required string Pattern { get; init; }
    public bool MustMatch { get; init; } = true;
    public bool IgnoreCase { get; init; }

    /// <summary>How long one match may take before the value is flagged as too complex to check.</summary>
    public int TimeoutMs { get; init; } = DefaultTimeoutMs;

    public override bool AppliesTo(FieldKind kind) => kind is FieldKind.Text or FieldKind.Choice;
}

/// <summary>A number or rating within [Min, Max] (either may be left open): tighter than the schema's own range.</summary>
public sealed record NumberRangeRule : CleansingRule
{
    public double? Min { get; init; }
    public double? Max { get; init; }

    public override bool AppliesTo(FieldKind kind) => kind.IsNumeric();
}

/// <summary>A date within [Min, Max] (either may be left open).</summary>
public sealed record DateRangeRule : CleansingRule
{
    public DateOnly? Min { get; init; }
    public DateOnly? Max { get; init; }

    public override bool AppliesTo(FieldKind kind) => kind == FieldKind.Date;
}

/// <summary>
/// The value must be one of <see cref="Values"/>: a choice's label, each label of a multiple choice, each span's or
/// box's label, or the whole text. Narrower than the schema's labels (labels being retired, a project's subset).
/// </summary>
public sealed record AllowedValuesRule : CleansingRule
{
    public IReadOnlyList<string> Values { get; init; } = [];

    public override bool AppliesTo(FieldKind kind) => kind is FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes or FieldKind.Text;
}

/// <summary>
/// Text length within [Min, Max] in what a reader sees as characters (extended grapheme clusters): "한" is one
/// whether stored as one syllable or as three conjoining jamo, and an emoji with its modifiers is one.
/// </summary>
public sealed record LengthRule : CleansingRule
{
    public int? Min { get; init; }
    public int? Max { get; init; }

    public override bool AppliesTo(FieldKind kind) => kind == FieldKind.Text;
}

/// <summary>How a <see cref="FieldCondition"/> tests the other field.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConditionOperator>))]
public enum ConditionOperator
{
    /// <summary>The value (or one of a list's labels) is Values[0].</summary>
    Is,

    /// <summary>The value (or one of a list's labels) is one of Values.</summary>
    IsOneOf,
    IsEmpty,
    IsNotEmpty,
}

/// <summary>What a <see cref="CrossFieldRule"/> requires of its own field when the condition holds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RequirementOperator>))]
public enum RequirementOperator
{
    IsEmpty,
    IsNotEmpty,

    /// <summary>The value (each of a list's labels) is Values[0].</summary>
    Is,

    /// <summary>The value (each of a list's labels) is one of Values.</summary>
    IsOneOf,

    /// <summary>The text or label matches Pattern.</summary>
    Matches,
}

/// <summary>"When field A …": values are compared as written in the answer (numbers in invariant form, dates yyyy-MM-dd).</summary>
public sealed record FieldCondition
{
    public required string Field { get; init; }
    public ConditionOperator Operator { get; init; }
    public IReadOnlyList<string> Values { get; init; } = [];
}

/// <summary>"… then this field must …".</summary>
public sealed record FieldRequirement
{
    public RequirementOperator Operator { get; init; }
    public IReadOnlyList<string> Values { get; init; } = [];
    public string? Pattern { get; init; }
}

/// <summary>When <see cref="When"/> holds for another field, the rule's field must meet <see cref="Then"/>.</summary>
public sealed record CrossFieldRule : CleansingRule
{
    public required FieldCondition When { get; init; }
    public required FieldRequirement Then { get; init; }

    public override bool AppliesTo(FieldKind kind) => true;
}

/// <summary>Spans (of <see cref="Labels"/>, or all) cover at least <see cref="MinLength"/> characters as a reader sees them.</summary>
public sealed record SpanMinLengthRule : CleansingRule
{
    public int MinLength { get; init; } = 1;
    public IReadOnlyList<string> Labels { get; init; } = [];

    public override bool AppliesTo(FieldKind kind) => kind == FieldKind.Spans;
}

/// <summary>
/// A span must not start or end inside a word of the item's text. Word characters are letters (Hangul, kana and
/// Han included), combining marks, digits and connector punctuation. Korean entities usually leave the particle out
/// ("서울" in "서울에서"): list such endings in <see cref="AllowedSuffixes"/> and a span ending right before one is
/// not a cut. The fix widens the span to the whole word(s).
/// </summary>
public sealed record SpanCutsWordRule : CleansingRule
{
    public IReadOnlyList<string> Labels { get; init; } = [];
    public IReadOnlyList<string> AllowedSuffixes { get; init; } = [];

    public override bool CanFix => true;

    public override bool AppliesTo(FieldKind kind) => kind == FieldKind.Spans;
}

/// <summary>Spans whose labels are both in <see cref="Labels"/> must not overlap (finer than the schema's all-or-nothing AllowOverlap).</summary>
public sealed record SpanOverlapRule : CleansingRule
{
    public IReadOnlyList<string> Labels { get; init; } = [];

    public override bool AppliesTo(FieldKind kind) => kind == FieldKind.Spans;
}

/// <summary>The unit of a box size: fractions of the image (as boxes are stored) or pixels.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BoxUnit>))]
public enum BoxUnit
{
    Fraction,

    /// <summary>Pixels: the box's own x_px… values, else its fractions times the item's recorded image size; unknown sizes are not checked.</summary>
    Pixel,
}

/// <summary>Boxes (of <see cref="Labels"/>, or all) at least MinWidth wide and MinHeight high.</summary>
public sealed record BoxMinSizeRule : CleansingRule
{
    public double MinWidth { get; init; }
    public double MinHeight { get; init; }
    public BoxUnit Unit { get; init; } = BoxUnit.Fraction;
    public IReadOnlyList<string> Labels { get; init; } = [];

    public override bool AppliesTo(FieldKind kind) => kind == FieldKind.Boxes;
}

/// <summary>Boxes whose labels are both in <see cref="Labels"/> must not overlap by more than <see cref="MaxIoU"/> (intersection over union).</summary>
public sealed record BoxOverlapRule : CleansingRule
{
    public IReadOnlyList<string> Labels { get; init; } = [];
    public double MaxIoU { get; init; }

    public override bool AppliesTo(FieldKind kind) => kind == FieldKind.Boxes;
}

/// <summary>Normalisations: each fixes text to one form, or in Flag mode reports text not in that form.</summary>
public abstract record NormalizationRule : CleansingRule
{
    public override bool CanFix => true;

    public override bool AppliesTo(FieldKind kind) => kind == FieldKind.Text;
}

/// <summary>Leading and trailing white space removed.</summary>
public sealed record TrimRule : NormalizationRule;

/// <summary>Every run of white space (tabs, line breaks, U+3000 included) becomes one space.</summary>
public sealed record CollapseWhitespaceRule : NormalizationRule;

/// <summary>Unicode normalisation form C: decomposed Hangul jamo and accents composed, as keyboards type them.</summary>
public sealed record UnicodeNfcRule : NormalizationRule;

/// <summary>
/// Full-width ASCII (U+FF01–FF5E) to ASCII and the ideographic space (U+3000) to a space, as Korean and Japanese
/// input methods produce them. Half-width katakana and half-width Hangul are left alone: folding them needs voiced
/// marks composed and is a different decision than ASCII digits and letters; NFKC is not used because it also folds
/// ①, ㎏ and the like.
/// </summary>
public sealed record FullWidthToHalfWidthRule : NormalizationRule;

/// <summary>
/// Numbers written with grouping ("1,234.50", "１,２３４", "1 234,5" with <see cref="DecimalComma"/>) to plain invariant
/// form: a JSON number on a Number field (imported answers that hold a string), "1234.5" on a Text field.
/// </summary>
public sealed record NumberFormatRule : NormalizationRule
{
    /// <summary>Reads "1.234,5" as 1234.5 (comma decimal, dot grouping).</summary>
    public bool DecimalComma { get; init; }

    public override bool AppliesTo(FieldKind kind) => kind is FieldKind.Text or FieldKind.Number;
}

/// <summary>Which way an all-numeric date with the year last reads ("05/03/2024").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DayMonthOrder>))]
public enum DayMonthOrder
{
    /// <summary>Only when one of the two is above 12; otherwise the value is flagged as ambiguous.</summary>
    Unknown,
    DayFirst,
    MonthFirst,
}

/// <summary>
/// Dates in common forms ("2024.3.5", "2024/03/05", "20240305", "2024년 3월 5일", "2024年3月5日", "5 March 2024",
/// "March 5, 2024") to yyyy-MM-dd: on a Date field (imported answers), or a Text field holding a date.
/// </summary>
public sealed record DateFormatRule : NormalizationRule
{
    public DayMonthOrder Order { get; init; } = DayMonthOrder.Unknown;

    public override bool AppliesTo(FieldKind kind) => kind is FieldKind.Text or FieldKind.Date;
}
