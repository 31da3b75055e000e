using LabelHub.Domain.Planning;

namespace LabelHub.Web.Components.Pages.Planning;

/// <summary>
/// A field being edited. It keeps every kind's settings, so switching the kind back and forth loses nothing;
/// only the settings that apply to the chosen kind are saved.
/// </summary>
public sealed class FieldDraft
{
    public string? Name { get; set; }
    public string? Title { get; set; }
    public FieldKind Kind { get; set; }
    public bool Required { get; set; }
    public string? LabelsText { get; set; }
    public double? Min { get; set; }
    public double? Max { get; set; }
    public int? MaxLength { get; set; }
    public string? Pattern { get; set; }
    public bool AllowOverlap { get; set; }
    public string? Source { get; set; }

    public bool HasLabels => Kind.HasLabels();

    /// <summary>One label per line; a single line may instead separate labels with commas.</summary>
    public IReadOnlyList<string> Labels
    {
        get
        {
            var text = LabelsText ?? "";
            var parts = text.Contains('\n') ? text.Split('\n') : text.Split(',');
            return [.. parts.Select(p => p.Trim()).Where(p => p.Length > 0)];
        }
    }

    public static FieldDraft From(LabelField field) => new()
    {
        Name = field.Name,
        Title = field.Title,
        Kind = field.Kind,
        Required = field.Required,
        LabelsText = string.Join("\n", field.Labels),
        Min = field.Min,
        Max = field.Max,
        MaxLength = field.MaxLength,
        Pattern = field.Pattern,
        AllowOverlap = field.AllowOverlap,
        Source = field.Source,
    };

    public LabelField ToField() => new()
    {
        Name = Name?.Trim() ?? "",
        Title = string.IsNullOrWhiteSpace(Title) ? null : Title.Trim(),
        Kind = Kind,
        Required = Required,
        Labels = HasLabels ? Labels : [],
        Min = Kind.HasMin() ? Min : null,
        Max = Kind.HasMax() ? Max : null,
        MaxLength = Kind.HasTextRules() ? MaxLength : null,
        Pattern = Kind.HasTextRules() && !string.IsNullOrEmpty(Pattern) ? Pattern : null,
        AllowOverlap = Kind.Placement() == FieldPlacement.OnText && AllowOverlap,
        Source = Kind.Placement() != FieldPlacement.Panel && !string.IsNullOrWhiteSpace(Source) ? Source.Trim() : null,
    };
}
