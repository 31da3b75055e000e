using System.Globalization;
using System.Text.RegularExpressions;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// Checks a rule set against the project's schema before it is saved or run, keyed by where the problem is
/// ("rules[2].pattern", "rules[0].when.field"), so the API can answer 400 naming the line.
/// </summary>
public static class CleansingRuleValidator
{
    public static IReadOnlyDictionary<string, string[]> Problems(LabelSchema schema, CleansingRuleSet ruleSet) => Collect(schema, ruleSet).ToDictionary();

    /// <summary>Refuses the rule set with every problem (<see cref="ValidationException"/>), or returns.</summary>
    public static void Validate(LabelSchema schema, CleansingRuleSet ruleSet) => Collect(schema, ruleSet).ThrowIfAny();

    private static ValidationErrors Collect(LabelSchema schema, CleansingRuleSet ruleSet)
    {
        var errors = new ValidationErrors();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ruleSet.Rules.Count; i++)
        {
            var rule = ruleSet.Rules[i];
            var at = $"rules[{i}]";
            if (rule is null)
            {
                errors.Add(at, "Every rule needs a kind.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(rule.Id))
            {
                errors.Add($"{at}.id", "Every rule needs an id.");
            }
            else if (!ids.Add(rule.Id))
            {
                errors.Add($"{at}.id", $"Another rule already has the id '{rule.Id}'.");
            }
            var field = schema.Field(rule.Field);
            if (field is null)
            {
                errors.Add($"{at}.field", "The label schema has no such field.");
                continue;
            }
            if (!rule.AppliesTo(field.Kind))
            {
                errors.Add($"{at}.kind", $"A {rule.KindName} rule does not apply to a {field.Kind} field.");
                continue;
            }
            if (rule.Mode == RuleMode.Fix && !rule.CanFix)
            {
                errors.Add($"{at}.mode", $"A {rule.KindName} rule can only flag, not fix.");
            }
            CheckParameters(rule, field, schema, at, errors);
        }
        return errors;
    }

    private static void CheckParameters(CleansingRule rule, LabelField field, LabelSchema schema, string at, ValidationErrors errors)
    {
        switch (rule)
        {
            case RegexRule regex:
                CheckPattern(regex.Pattern, regex.IgnoreCase, $"{at}.pattern", errors);
                if (regex.TimeoutMs is < 1 or > RegexRule.MaxTimeoutMs)
                {
                    errors.Add($"{at}.timeoutMs", $"The timeout must be from 1 to {RegexRule.MaxTimeoutMs} milliseconds.");
                }
                break;
            case NumberRangeRule range:
                if (range.Min is { } min && range.Max is { } max && min > max)
                {
                    errors.Add($"{at}.min", "The minimum is greater than the maximum.");
                }
                if (range.Min is null && range.Max is null)
                {
                    errors.Add($"{at}.min", "Give a minimum, a maximum or both.");
                }
                break;
            case DateRangeRule dates:
                if (dates.Min is { } from && dates.Max is { } to && from > to)
                {
                    errors.Add($"{at}.min", "The minimum is greater than the maximum.");
                }
                if (dates.Min is null && dates.Max is null)
                {
                    errors.Add($"{at}.min", "Give a minimum, a maximum or both.");
                }
                break;
            case LengthRule length:
                if (length.Min is < 0 || length.Max is < 0)
                {
                    errors.Add($"{at}.min", "Lengths cannot be negative.");
                }
                else if (length.Min is { } shortest && length.Max is { } longest && shortest > longest)
                {
                    errors.Add($"{at}.min", "The minimum is greater than the maximum.");
                }
                if (length.Min is null && length.Max is null)
                {
                    errors.Add($"{at}.min", "Give a minimum, a maximum or both.");
                }
                break;
            case AllowedValuesRule allowed:
                if (allowed.Values.Count == 0)
                {
                    errors.Add($"{at}.values", "Give at least one value.");
                }
                break;
            case CrossFieldRule cross:
                CheckCrossField(cross, field, schema, at, errors);
                break;
            case SpanMinLengthRule spanLength:
                if (spanLength.MinLength < 1)
                {
                    errors.Add($"{at}.minLength", "The minimum length must be at least 1.");
                }
                CheckLabels(spanLength.Labels, field, $"{at}.labels", errors, needsOne: false);
                break;
            case SpanCutsWordRule cuts:
                CheckLabels(cuts.Labels, field, $"{at}.labels", errors, needsOne: false);
                break;
            case SpanOverlapRule overlap:
                CheckLabels(overlap.Labels, field, $"{at}.labels", errors, needsOne: true);
                break;
            case BoxMinSizeRule size:
                if (size.MinWidth < 0 || size.MinHeight < 0 || !double.IsFinite(size.MinWidth) || !double.IsFinite(size.MinHeight) || (size.MinWidth == 0 && size.MinHeight == 0))
                {
                    errors.Add($"{at}.minWidth", "Give a minimum width or height above zero.");
                }
                else if (size.Unit == BoxUnit.Fraction && (size.MinWidth > 1 || size.MinHeight > 1))
                {
                    errors.Add($"{at}.minWidth", "Fractions of the image are at most 1.");
                }
                CheckLabels(size.Labels, field, $"{at}.labels", errors, needsOne: false);
                break;
            case BoxOverlapRule boxes:
                if (!(boxes.MaxIoU >= 0 && boxes.MaxIoU < 1))
                {
                    errors.Add($"{at}.maxIoU", "The IoU threshold must be at least 0 and below 1.");
                }
                CheckLabels(boxes.Labels, field, $"{at}.labels", errors, needsOne: true);
                break;
            case RequiredRule or NormalizationRule:
                break;
            default:
                throw new NotSupportedException($"No checks for rule kind {rule.GetType().Name}.");
        }
    }

    private static void CheckCrossField(CrossFieldRule cross, LabelField field, LabelSchema schema, string at, ValidationErrors errors)
    {
        if (cross.When is null || cross.Then is null)
        {
            errors.Add(at, "A cross-field rule needs both when and then.");
            return;
        }
        if (schema.Field(cross.When.Field) is not { } other)
        {
            errors.Add($"{at}.when.field", "The label schema has no such field.");
        }
        else if (other.Name == field.Name)
        {
            errors.Add($"{at}.when.field", "The condition must be on another field.");
        }
        else if (cross.When.Operator is ConditionOperator.Is or ConditionOperator.IsOneOf)
        {
            CheckValues(cross.When.Values, other, $"{at}.when.values", errors);
        }
        switch (cross.Then.Operator)
        {
            case RequirementOperator.Is or RequirementOperator.IsOneOf:
                CheckValues(cross.Then.Values, field, $"{at}.then.values", errors);
                break;
            case RequirementOperator.Matches:
                if (field.Kind is not (FieldKind.Text or FieldKind.Choice))
                {
                    errors.Add($"{at}.then.operator", $"Only text and choice fields can be matched against a pattern, not a {field.Kind} field.");
                }
                CheckPattern(cross.Then.Pattern, ignoreCase: false, $"{at}.then.pattern", errors);
                break;
            case RequirementOperator.IsEmpty or RequirementOperator.IsNotEmpty:
                break;
        }
    }

    /// <summary>Compared values must be able to equal something the field holds: a label of a labelled field, a number of a numeric one, a date of a date field.</summary>
    private static void CheckValues(IReadOnlyList<string> values, LabelField field, string key, ValidationErrors errors)
    {
        if (values.Count == 0)
        {
            errors.Add(key, "Give at least one value.");
            return;
        }
        foreach (var value in values)
        {
            var fits = field.Kind switch
            {
                FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes => field.Labels.Contains(value),
                FieldKind.Number or FieldKind.Rating => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
                FieldKind.Date => Labeling.AnswerCodec.TryParseDate(value, out _),
                FieldKind.Text => true,
            };
            if (!fits)
            {
                errors.Add(key, $"'{value}' is not a value the field '{field.Name}' can hold.");
            }
        }
    }

    private static void CheckLabels(IReadOnlyList<string> labels, LabelField field, string key, ValidationErrors errors, bool needsOne)
    {
        if (needsOne && labels.Count == 0)
        {
            errors.Add(key, "Give at least one label.");
        }
        foreach (var label in labels.Where(l => !field.Labels.Contains(l)))
        {
            errors.Add(key, $"'{label}' is not one of the labels ({string.Join(", ", field.Labels)}).");
        }
    }

    private static void CheckPattern(string? pattern, bool ignoreCase, string key, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            errors.Add(key, "Give a pattern.");
            return;
        }
        try
        {
            _ = new Regex(pattern, ignoreCase ? RegexOptions.IgnoreCase | RegexOptions.CultureInvariant : RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            errors.Add(key, $"Not a valid regular expression: {e.Message}");
        }
    }
}
