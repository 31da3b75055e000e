using System.Security.Cryptography;
using System.Text;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Identity;

/// <param name="ProjectId">With <paramref name="Role"/>: the one project a scoped token reaches, and the role it acts with there.</param>
public sealed record AccessTokenInfo(
    Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt,
    Guid? ProjectId = null, string? Role = null);

/// <summary>A token limited to one project and one role (ADR 0017).</summary>
public sealed record TokenScope(Guid ProjectId, string Role);

/// <summary>Who a valid token acts for, and within what.</summary>
public sealed record TokenGrant(Guid UserId, TokenScope? Scope);

/// <summary>The one time the secret is visible.</summary>
public sealed record CreatedAccessToken(AccessTokenInfo Info, string Token);

public sealed class AccessTokenService(IDbContextFactory<LabelHubDbContext> dbFactory, AccessTokenCache cache, TimeProvider clock)
{
    public const string TokenPrefix = "lh_";

    /// <summary>Creates a token; a <paramref name="scope"/> must have been checked by the caller (project, role).</summary>
    public async Task<CreatedAccessToken> CreateAsync(Guid userId, string name, int? expiresInDays, CancellationToken ct = default, TokenScope? scope = null)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            errors.Add("name", "A token needs a name of 1 to 100 characters.");
        }
        if (expiresInDays is < 1 or > 3650)
        {
            errors.Add("expiresInDays", "A token expires after 1 to 3,650 days, or never.");
        }
        errors.ThrowIfAny();

        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var entity = new PersonalAccessToken
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = name.Trim(),
            Prefix = token[..10],
            TokenHash = Hash(token),
            CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
            ProjectId = scope?.ProjectId,
            Role = scope?.Role,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.AccessTokens.Add(entity);
        await db.SaveChangesAsync(ct);
        return new CreatedAccessToken(ToInfo(entity), token);
    }

    public async Task<IReadOnlyList<AccessTokenInfo>> ListAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tokens = await db.AccessTokens.AsNoTracking().Where(t => t.UserId == userId).ToListAsync(ct);
        return [.. tokens.OrderByDescending(t => t.CreatedAt).Select(ToInfo)];
    }

    public async Task RevokeAsync(Guid userId, Guid tokenId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.AccessTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, ct)
            ?? throw new NotFoundException("Token");
        token.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        cache.InvalidateToken(token.TokenHash);
    }

    /// <summary>Revokes every active token of a user (password reset or change, an admin's request); returns how many.</summary>
    public async Task<int> RevokeAllAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var active = await db.AccessTokens.Where(t => t.UserId == userId && t.RevokedAt == null).ToListAsync(ct);
        foreach (var token in active)
        {
            token.RevokedAt = now;
        }
        await db.SaveChangesAsync(ct);
        cache.InvalidateUser(userId);
        return active.Count;
    }

    /// <summary>The user a token belongs to and its scope, if it is valid now.</summary>
    public async Task<TokenGrant?> ValidateAsync(string token, CancellationToken ct = default)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return null;
        }
        var hash = Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = await db.AccessTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        var now = clock.GetUtcNow();
        if (entity is null || !entity.IsActive(now))
        {
            return null;
        }
        // Recording use at minute granularity keeps API calls from writing on every request.
        if (entity.LastUsedAt is null || now - entity.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            entity.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return new TokenGrant(entity.UserId, entity.ProjectId is { } projectId && entity.Role is { } role ? new TokenScope(projectId, role) : null);
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static AccessTokenInfo ToInfo(PersonalAccessToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt, t.ProjectId, t.Role);
}
