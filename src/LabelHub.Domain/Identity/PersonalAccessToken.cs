namespace LabelHub.Domain.Identity;

/// <summary>An API credential. Only a SHA-256 hash of the secret is stored; the secret is shown once.</summary>
public class PersonalAccessToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public AppUser? User { get; set; }
    public string Name { get; set; } = "";

    /// <summary>The first characters of the token, so a user can tell tokens apart without the secret.</summary>
    public string Prefix { get; set; } = "";
    public string TokenHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>With <see cref="Role"/>: the one project the token reaches (ADR 0017); null for an unscoped personal token.</summary>
    public Guid? ProjectId { get; set; }

    /// <summary>The highest role the token acts with inside <see cref="ProjectId"/>.</summary>
    public string? Role { get; set; }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
