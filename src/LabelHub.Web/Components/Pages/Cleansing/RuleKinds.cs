using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Planning;

namespace LabelHub.Web.Components.Pages.Cleansing;

/// <summary>How the rule form edits one parameter of a rule.</summary>
public enum RuleParamType
{
    Text,
    Number,
    Integer,
    Bool,

    /// <summary>A list of strings, one per line.</summary>
    List,

    /// <summary>A date as yyyy-MM-dd.</summary>
    Date,

    /// <summary>One of <see cref="RuleParam.Options"/>.</summary>
    Choice,

    /// <summary>Another field of the schema.</summary>
    Field,
}

/// <param name="Path">The JSON property as the rule stores it ("pattern", "when.field"): also how the server names it in errors.</param>
/// <param name="Label">English UI text (a localizer key).</param>
public sealed record RuleParam(string Path, RuleParamType Type, string Label, IReadOnlyList<string>? Options = null, bool Required = false);

/// <summary>
/// What the rule form knows about each of the 18 rule kinds (ADR 0018): their stable names, parameters, and — asked of the
/// domain's own rule records, so the two never drift — which field kinds they apply to and whether they can fix.
/// </summary>
public static class RuleKinds
{
    private static readonly Dictionary<string, CleansingRule> Samples = typeof(CleansingRule).GetCustomAttributes<JsonDerivedTypeAttribute>()
        // A bare instance answers AppliesTo and CanFix, which read nothing of the instance.
        .ToDictionary(a => (string)a.TypeDiscriminator!, a => (CleansingRule)RuntimeHelpers.GetUninitializedObject(a.DerivedType));

    /// <summary>The kinds in the order the ADR lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Samples.Keys];

    public static bool CanFix(string kind) => Samples.TryGetValue(kind, out var rule) && rule.CanFix;

    public static bool AppliesTo(string kind, FieldKind field) => Samples.TryGetValue(kind, out var rule) && rule.AppliesTo(field);

    private static readonly string[] ConditionOperators = [.. Enum.GetNames<ConditionOperator>()];
    private static readonly string[] RequirementOperators = [.. Enum.GetNames<RequirementOperator>()];

    public static IReadOnlyList<RuleParam> Params(string kind) => kind switch
    {
        "regex" =>
        [
            new("pattern", RuleParamType.Text, "Pattern", Required: true),
            new("mustMatch", RuleParamType.Bool, "Must match (off: must not match)"),
            new("ignoreCase", RuleParamType.Bool, "Ignore case"),
            new("timeoutMs", RuleParamType.Integer, "Timeout (ms)"),
        ],
        "number_range" => [new("min", RuleParamType.Number, "Minimum"), new("max", RuleParamType.Number, "Maximum")],
        "date_range" => [new("min", RuleParamType.Date, "Earliest date"), new("max", RuleParamType.Date, "Latest date")],
        "allowed_values" => [new("values", RuleParamType.List, "Allowed values (one per line)", Required: true)],
        "length" => [new("min", RuleParamType.Integer, "Minimum length"), new("max", RuleParamType.Integer, "Maximum length")],
        "cross_field" =>
        [
            new("when.field", RuleParamType.Field, "When field", Required: true),
            new("when.operator", RuleParamType.Choice, "When the field", ConditionOperators),
            new("when.values", RuleParamType.List, "When values (one per line)"),
            new("then.operator", RuleParamType.Choice, "Then this field", RequirementOperators),
            new("then.values", RuleParamType.List, "Then values (one per line)"),
            new("then.pattern", RuleParamType.Text, "Then pattern"),
        ],
        "span_min_length" => [new("minLength", RuleParamType.Integer, "Minimum span length"), new("labels", RuleParamType.List, "Only these labels (one per line)")],
        "span_cuts_word" =>
        [
            new("labels", RuleParamType.List, "Only these labels (one per line)"),
            new("allowedSuffixes", RuleParamType.List, "Endings a span may stop before (one per line)"),
        ],
        "span_overlap" => [new("labels", RuleParamType.List, "Only these labels (one per line)")],
        "box_min_size" =>
        [
            new("minWidth", RuleParamType.Number, "Minimum width"),
            new("minHeight", RuleParamType.Number, "Minimum height"),
            new("unit", RuleParamType.Choice, "Unit", [.. Enum.GetNames<BoxUnit>()]),
            new("labels", RuleParamType.List, "Only these labels (one per line)"),
        ],
        "box_overlap" => [new("maxIoU", RuleParamType.Number, "Largest IoU allowed"), new("labels", RuleParamType.List, "Only these labels (one per line)")],
        "number_format" => [new("decimalComma", RuleParamType.Bool, "Decimal comma (1.234,5)")],
        "date_format" => [new("order", RuleParamType.Choice, "Day and month order", [.. Enum.GetNames<DayMonthOrder>()])],
        _ => [],
    };

    /// <summary>A new rule of the kind on the field, with an id no other rule has.</summary>
    public static JsonObject NewRule(string kind, string field, IEnumerable<string> takenIds)
    {
        var taken = takenIds.ToHashSet(StringComparer.Ordinal);
        var id = $"{kind}-{field}".Replace('_', '-');
        for (var n = 2; taken.Contains(id); n++)
        {
            id = $"{kind}-{field}-{n}".Replace('_', '-');
        }
        var rule = new JsonObject { ["kind"] = kind, ["id"] = id, ["field"] = field, ["mode"] = CanFix(kind) ? nameof(RuleMode.Fix) : nameof(RuleMode.Flag) };
        if (kind == "cross_field")
        {
            rule["when"] = new JsonObject { ["operator"] = nameof(ConditionOperator.IsNotEmpty) };
            rule["then"] = new JsonObject { ["operator"] = nameof(RequirementOperator.IsNotEmpty) };
        }
        return rule;
    }

    public static JsonNode? Get(JsonObject rule, string path)
    {
        JsonNode? node = rule;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var child) ? child : null;
        }
        return node;
    }

    /// <summary>Sets (or with null removes) the value at the path, making the objects on the way.</summary>
    public static void Set(JsonObject rule, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var target = rule;
        foreach (var part in parts[..^1])
        {
            if (target[part] is not JsonObject child)
            {
                child = new JsonObject();
                target[part] = child;
            }
            target = child;
        }
        if (value is null)
        {
            target.Remove(parts[^1]);
        }
        else
        {
            target[parts[^1]] = value;
        }
    }

    /// <summary>Changes the kind, keeping what every rule has (id, field, mode, message) and dropping the old kind's parameters.</summary>
    public static JsonObject WithKind(JsonObject rule, string kind, IEnumerable<string> takenIds)
    {
        var field = rule["field"]?.GetValue<string>() ?? "";
        var fresh = NewRule(kind, field, takenIds);
        fresh["id"] = rule["id"]?.DeepClone() ?? fresh["id"]!.DeepClone();
        if (rule["message"] is { } message)
        {
            fresh["message"] = message.DeepClone();
        }
        if (!CanFix(kind))
        {
            fresh["mode"] = nameof(RuleMode.Flag);
        }
        else if (rule["mode"] is { } mode)
        {
            fresh["mode"] = mode.DeepClone();
        }
        return fresh;
    }
}
