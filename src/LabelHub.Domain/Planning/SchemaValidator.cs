using System.Text.RegularExpressions;

namespace LabelHub.Domain.Planning;

public static partial class SchemaValidator
{
    public const int MaxFields = 100;
    public const int MaxLabels = 500;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_\\-]{0,63}$")]
    private static partial Regex FieldNamePattern();

    /// <summary>Adds an error for every problem, keyed like "schema.fields[2].labels".</summary>
    public static void Validate(LabelSchema schema, ValidationErrors errors)
    {
        if (schema.Fields.Count == 0)
        {
            errors.Add("schema.fields", "A label schema needs at least one field.");
        }
        if (schema.Fields.Count > MaxFields)
        {
            errors.Add("schema.fields", $"A label schema has at most {MaxFields} fields.");
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < schema.Fields.Count; i++)
        {
            var field = schema.Fields[i];
            var key = $"schema.fields[{i}]";
            if (string.IsNullOrWhiteSpace(field.Name) || !FieldNamePattern().IsMatch(field.Name))
            {
                errors.Add($"{key}.name", $"'{field.Name}' is not a valid field name: use letters, digits, '_' or '-', starting with a letter or '_', at most 64 characters.");
            }
            else if (!seen.Add(field.Name))
            {
                errors.Add($"{key}.name", $"Field name '{field.Name}' is used twice.");
            }
            if (!Enum.IsDefined(field.Kind))
            {
                errors.Add($"{key}.kind", "Unknown field kind.");
            }
            ValidateLabels(field, key, errors);
            if (field.Min is { } min && field.Max is { } max && min > max)
            {
                errors.Add($"{key}.min", $"Min ({min}) is greater than max ({max}).");
            }
            if (field.Kind == FieldKind.Rating && field.Max is { } ratingMax && (ratingMax < 2 || ratingMax > 10))
            {
                errors.Add($"{key}.max", "A rating scale has 2 to 10 points.");
            }
            if (field.MaxLength is <= 0)
            {
                errors.Add($"{key}.maxLength", "Max length must be positive.");
            }
            if (!string.IsNullOrEmpty(field.Pattern))
            {
                try
                {
                    _ = new Regex(field.Pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException ex)
                {
                    errors.Add($"{key}.pattern", $"Not a valid regular expression: {ex.Message}");
                }
            }
        }
    }

    private static void ValidateLabels(LabelField field, string key, ValidationErrors errors)
    {
        if (!field.HasLabels)
        {
            if (field.Labels.Count > 0)
            {
                errors.Add($"{key}.labels", $"A {field.Kind} field has no labels.");
            }
            return;
        }
        if (field.Labels.Count == 0)
        {
            errors.Add($"{key}.labels", $"A {field.Kind} field needs at least one label.");
        }
        if (field.Labels.Count > MaxLabels)
        {
            errors.Add($"{key}.labels", $"At most {MaxLabels} labels per field.");
        }
        if (field.Labels.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{key}.labels", "Labels cannot be blank.");
        }
        var duplicate = field.Labels.GroupBy(l => l.Trim(), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            errors.Add($"{key}.labels", $"Label '{duplicate.Key}' is listed twice.");
        }
    }
}
