using System.Text.Json;

namespace LabelHub.Domain.Cleansing;

/// <summary>Which detector flagged an answer or an item (ADR 0019, 3); the queue orders by it first.</summary>
public enum FindingSource
{
    Rule = 0,
    Duplicate = 1,
    LabelError = 2,
    Disagreement = 3,
}

/// <summary>
/// Open until someone decides: <see cref="Accepted"/> took the suggestion, <see cref="Corrected"/> wrote another answer,
/// <see cref="Dismissed"/> kept the answer as it is. A newer run of the same source supersedes an open finding
/// (<see cref="Superseded"/>) instead of piling up.
/// </summary>
public enum FindingState
{
    Open = 0,
    Accepted = 1,
    Corrected = 2,
    Dismissed = 3,
    Superseded = 4,
}

/// <summary>
/// One thing a detector flagged (ADR 0019, 3): an answer (<see cref="AnnotationId"/>), or an item when the finding is
/// about the item (a duplicate, a split between annotators). The adjudication queue is the open findings.
/// </summary>
public class CleansingFinding
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long RunId { get; set; }
    public long ItemId { get; set; }

    /// <summary>The answer version flagged; null when the finding is about the item.</summary>
    public long? AnnotationId { get; set; }

    /// <summary>The field concerned; null when the finding is about the whole answer or item.</summary>
    public string? Field { get; set; }
    public FindingSource Source { get; set; }

    /// <summary>Stable code of the reason (a rule id, "label-error", "vote-split", "near-duplicate"…) for counting.</summary>
    public string Code { get; set; } = "";

    /// <summary>What the reviewer reads: the rule's message, "given shirt, model says T-shirt (self-confidence 0.04)"…</summary>
    public string Reason { get; set; } = "";

    /// <summary>The suggested value of <see cref="Field"/> as it would be stored in the answer; null when there is none.</summary>
    public JsonElement? Suggestion { get; set; }

    /// <summary>Higher is more certainly wrong (1 − self-confidence, 1 − vote share…); orders the queue within a source.</summary>
    public double Score { get; set; }
    public FindingState State { get; set; }
    public Guid? ResolvedById { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>The answer version the decision wrote (accepted or corrected), so the report and "restore" find it.</summary>
    public long? ResultAnnotationId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
