namespace LabelHub.Domain.Labeling;

public enum ReviewDecision
{
    Accepted,
    FixedAndAccepted,
    Rejected,
}

/// <summary>A reviewer's decision on one annotation version; kept forever as the review history.</summary>
public class Review
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long ItemId { get; set; }
    public Guid AnnotatorId { get; set; }

    /// <summary>The version that was reviewed.</summary>
    public long AnnotationId { get; set; }

    /// <summary>For a fix: the new version the reviewer wrote.</summary>
    public long? FixedAnnotationId { get; set; }
    public Guid ReviewerId { get; set; }
    public ReviewDecision Decision { get; set; }
    public string? Comment { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
