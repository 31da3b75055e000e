namespace LabelHub.Domain.Cleansing;

/// <summary>
/// One saved version of a project's cleansing rules (ADR 0019, 1): saves never overwrite, so a run names the version it
/// used. The rules are kept as the JSON of a <see cref="CleansingRuleSet"/>.
/// </summary>
public class CleansingRuleSetVersion
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public int Version { get; set; }

    /// <summary>The <see cref="CleansingRuleSet"/> as JSON (<see cref="CleansingRuleSet.ToJson"/>).</summary>
    public string RulesJson { get; set; } = "{}";
    public Guid AuthorId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
