namespace LabelHub.Domain.Identity;

/// <summary>Who is acting: the signed-in user or the owner of an access token.</summary>
public sealed record Actor(Guid UserId, IReadOnlySet<string> Roles)
{
    public bool IsAdmin => Roles.Contains(LabelHub.Domain.Identity.Roles.Admin);
    public bool IsManager => IsAdmin || Roles.Contains(LabelHub.Domain.Identity.Roles.Manager);
    public bool IsReviewer => IsManager || Roles.Contains(LabelHub.Domain.Identity.Roles.Reviewer);
}
