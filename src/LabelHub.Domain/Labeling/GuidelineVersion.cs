namespace LabelHub.Domain.Labeling;

/// <summary>A saved version of a project's labeling guideline (Markdown). Saves never overwrite.</summary>
public class GuidelineVersion
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public int Version { get; set; }
    public string Markdown { get; set; } = "";
    public string ChangeNote { get; set; } = "";
    public Guid AuthorId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
