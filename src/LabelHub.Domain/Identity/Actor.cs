namespace LabelHub.Domain.Identity;

/// <summary>Who is acting: the signed-in user or the owner of an access token.</summary>
/// <param name="ProjectScope">Set when a project-scoped token acts: no other project exists for it (ADR 0017).</param>
public sealed record Actor(Guid UserId, IReadOnlySet<string> Roles, Guid? ProjectScope = null)
{
    // A scoped token never carries Admin (Roles.Scopable); the check holds even if one did.
    public bool IsAdmin => ProjectScope is null && Roles.Contains(LabelHub.Domain.Identity.Roles.Admin);
    public bool IsManager => IsAdmin || Roles.Contains(LabelHub.Domain.Identity.Roles.Manager);
    public bool IsReviewer => IsManager || Roles.Contains(LabelHub.Domain.Identity.Roles.Reviewer);

    /// <summary>Whether this actor may act in the project at all as far as its token goes (membership is checked apart).</summary>
    public bool Reaches(Guid projectId) => ProjectScope is not { } scope || scope == projectId;
}
