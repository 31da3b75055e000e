namespace LabelHub.Domain.Planning;

public class Project
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public LabelSchema Schema { get; set; } = new();

    /// <summary>How many distinct annotators each item needs.</summary>
    public int Overlap { get; set; } = 1;

    /// <summary>How long a handed-out task stays reserved for its annotator.</summary>
    public int LeaseMinutes { get; set; } = 30;
    public Guid CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<ProjectMember> Members { get; set; } = [];
}

public class ProjectMember
{
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}
