namespace LabelHub.Domain.Collection;

/// <summary>
/// A link a manager hands to crowd workers (issue 17): whoever opens it before it expires may sign up as an annotator
/// of its project, up to <see cref="MaxPeople"/>; a manager then approves or rejects each sign-up.
/// </summary>
public class CrowdInvite
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>What the manager calls it ("Korean reviewers, batch 2").</summary>
    public string Name { get; set; } = "";

    /// <summary>SHA-256 of the secret in the link; the secret itself is shown once, when the invite is made.</summary>
    public string TokenHash { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>At most this many sign-ups (pending and approved); null for no limit.</summary>
    public int? MaxPeople { get; set; }

    /// <summary>How many gold items a new member answers before any real task; 0 for no qualification.</summary>
    public int QualificationItems { get; set; }

    /// <summary>The share of those gold items that must be right to pass, 0 to 1.</summary>
    public double QualificationPassRate { get; set; }

    /// <summary>When a manager closed the link early; null while it is open.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum CrowdMemberState
{
    /// <summary>Signed up; not a project member yet, gets no tasks.</summary>
    Pending,

    /// <summary>A manager approved: an annotator of the project (after the qualification, when the invite asks for one).</summary>
    Approved,

    /// <summary>A manager turned the sign-up down.</summary>
    Rejected,

    /// <summary>A manager stopped the member: no more tasks, their leases went back to the pool.</summary>
    Disabled,
}

public enum QualificationState
{
    /// <summary>The invite asks for none.</summary>
    NotRequired,

    /// <summary>Answering the qualification gold items; no real task yet.</summary>
    InProgress,
    Passed,
    Failed,
}

/// <summary>One person who signed up through a crowd invite, and how their sign-up and qualification stand.</summary>
public class CrowdMember
{
    public long Id { get; set; }
    public Guid InviteId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public CrowdMemberState State { get; set; }
    public QualificationState Qualification { get; set; }

    /// <summary>Qualification gold items answered, and how many of them right.</summary>
    public int QualificationAnswered { get; set; }
    public int QualificationCorrect { get; set; }
    public DateTimeOffset SignedUpAt { get; set; }
    public Guid? DecidedById { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}
