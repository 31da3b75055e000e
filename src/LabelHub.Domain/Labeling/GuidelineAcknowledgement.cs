namespace LabelHub.Domain.Labeling;

/// <summary>An annotator confirmed reading a guideline version; labeling waits for it when a new version exists.</summary>
public class GuidelineAcknowledgement
{
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public int Version { get; set; }
    public DateTimeOffset AcknowledgedAt { get; set; }
}
