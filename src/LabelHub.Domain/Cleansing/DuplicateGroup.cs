namespace LabelHub.Domain.Cleansing;

public enum DuplicateKind
{
    Exact = 0,
    Text = 1,
    Image = 2,
}

/// <summary>Open until a manager decides: keep one (the others are excluded, their answers carried over) or distinct.</summary>
public enum DuplicateDecision
{
    Open = 0,
    KeepOne = 1,
    Distinct = 2,
}

/// <summary>
/// Items found to be the same content (ADR 0019, 4). Stored so that releases keep a group inside one split; a decided
/// group stays as it was decided when a later run finds it again.
/// </summary>
public class DuplicateGroup
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public long RunId { get; set; }
    public DuplicateKind Kind { get; set; }

    /// <summary>The item the others were compared with (the oldest, or the perceptual-hash representative).</summary>
    public long RepresentativeItemId { get; set; }
    public DuplicateDecision Decision { get; set; }

    /// <summary>The item kept by a <see cref="DuplicateDecision.KeepOne"/> decision.</summary>
    public long? KeptItemId { get; set; }
    public Guid? DecidedById { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<DuplicateGroupMember> Members { get; set; } = [];
}

public class DuplicateGroupMember
{
    public long GroupId { get; set; }
    public long ItemId { get; set; }

    /// <summary>Similarity to the representative: 1 for exact, estimated Jaccard for text, 1 − Hamming/64 for images.</summary>
    public double Similarity { get; set; }
}
