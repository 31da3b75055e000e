namespace LabelHub.Domain.Labeling;

public enum AssignmentState
{
    Leased,
    Submitted,
    Skipped,

    /// <summary>The lease ran out before a submit; the slot went back to the pool and the row remains as a record.</summary>
    Expired,

    /// <summary>A reviewer rejected the answer and the project requeues rejected work: the slot went back to the pool.</summary>
    Rejected,
}

/// <summary>
/// One annotator's claim on one item. (ItemId, UserId) is unique, so nobody gets the same item twice.
/// A lease that runs out becomes Expired, which returns its slot to the pool; the same user may lease it again.
/// </summary>
public class Assignment
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long ItemId { get; set; }
    public Guid UserId { get; set; }
    public AssignmentState State { get; set; }
    public DateTimeOffset LeasedAt { get; set; }
    public DateTimeOffset LeaseExpiresAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The unsubmitted answer as last autosaved, so leaving and coming back restores it.</summary>
    public Dictionary<string, System.Text.Json.JsonElement> Draft { get; set; } = [];
    public DateTimeOffset? DraftSavedAt { get; set; }
}
