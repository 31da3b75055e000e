using LabelHub.Domain.Data;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Identity;

public sealed record NewServiceAccount(string UserName, string? Description);

/// <summary>A service account with its tokens (active and past), newest first.</summary>
public sealed record ServiceAccountInfo(
    Guid Id, string UserName, string Description, bool Disabled, DateTimeOffset CreatedAt, IReadOnlyList<ServiceTokenInfo> Tokens);

/// <summary>A service account's token and the name of the project it reaches.</summary>
public sealed record ServiceTokenInfo(AccessTokenInfo Token, string ProjectName);

/// <summary>
/// A token for a service account or a person, limited to one project and one role. Service-account tokens must expire
/// (1 to 3,650 days, 90 when not given): a program's credential is the one most likely to be copied around.
/// </summary>
public sealed record ScopedTokenRequest(string Name, Guid ProjectId, string Role, int? ExpiresInDays = null);

/// <summary>
/// Accounts for programs (ML backends, pipelines): created by admins, no password, no sign-in, no roles of their own;
/// they act only through tokens scoped to one project and one role (ADR 0017). A token makes its account a member
/// of its project, so the project's managers see it among the members and can remove it, which stops the token there.
/// </summary>
public sealed class ServiceAccountService(IDbContextFactory<LabelHubDbContext> dbFactory, AccessTokenService tokens, AccessTokenCache cache, TimeProvider clock)
{
    public const int DefaultTokenDays = 90;

    public async Task<IReadOnlyList<ServiceAccountInfo>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var accounts = await db.Users.AsNoTracking().Where(u => u.IsServiceAccount).OrderBy(u => u.UserName).ToListAsync(ct);
        var ids = accounts.Select(a => a.Id).ToList();
        var accountTokens = await (
            from t in db.AccessTokens.AsNoTracking()
            where ids.Contains(t.UserId)
            join p in db.Projects.AsNoTracking() on t.ProjectId equals p.Id into projects
            from p in projects.DefaultIfEmpty()
            select new { Token = t, ProjectName = p == null ? "" : p.Name })
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        return [.. accounts.Select(a => new ServiceAccountInfo(
            a.Id, a.UserName!, a.DisplayName, AppUser.IsDisabledUntil(a.LockoutEnd, now), a.CreatedAt,
            [.. accountTokens.Where(t => t.Token.UserId == a.Id).OrderByDescending(t => t.Token.CreatedAt)
                .Select(t => new ServiceTokenInfo(AccessTokenService.ToInfo(t.Token), t.ProjectName))]))];
    }

    public async Task<ServiceAccountInfo> CreateAsync(Actor actor, NewServiceAccount input, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        ArgumentNullException.ThrowIfNull(input);
        var userName = input.UserName?.Trim() ?? "";
        var errors = new ValidationErrors();
        if (userName.Length is < 2 or > 64)
        {
            errors.Add("userName", "A user name has 2 to 64 characters.");
        }
        else if (!userName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '@' or '+'))
        {
            errors.Add("userName", "A service account's name uses letters, digits and - . _ @ + only.");
        }
        if (input.Description?.Trim().Length > 200)
        {
            errors.Add("description", "A description has at most 200 characters.");
        }
        errors.ThrowIfAny();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var normalized = userName.ToUpperInvariant();
        if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalized, ct))
        {
            throw new ValidationException("userName", "This user name is taken.");
        }
        var account = new AppUser
        {
            Id = Guid.CreateVersion7(),
            UserName = userName,
            NormalizedUserName = normalized,
            DisplayName = string.IsNullOrWhiteSpace(input.Description) ? userName : input.Description.Trim(),
            // No password hash: neither the sign-in form nor /auth/token can ever admit it.
            SecurityStamp = Guid.NewGuid().ToString("N"),
            ConcurrencyStamp = Guid.NewGuid().ToString(),
            IsServiceAccount = true,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Users.Add(account);
        await db.SaveChangesAsync(ct);
        return new ServiceAccountInfo(account.Id, account.UserName, account.DisplayName, false, account.CreatedAt, []);
    }

    /// <summary>Creates a token for the account, scoped to one project and role, and makes the account a member there.</summary>
    public async Task<CreatedAccessToken> CreateTokenAsync(Actor actor, Guid accountId, ScopedTokenRequest input, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == accountId && u.IsServiceAccount, ct)
            ?? throw new NotFoundException("Service account");
        var errors = new ValidationErrors();
        await CheckScopeAsync(db, input, errors, ct);
        if (input.ExpiresInDays is < 1 or > 3650)
        {
            errors.Add("expiresInDays", "A service account's token expires after 1 to 3,650 days.");
        }
        errors.ThrowIfAny();
        if (!await db.ProjectMembers.AnyAsync(m => m.ProjectId == input.ProjectId && m.UserId == account.Id, ct))
        {
            db.ProjectMembers.Add(new ProjectMember { ProjectId = input.ProjectId, UserId = account.Id, AddedAt = clock.GetUtcNow() });
            await db.SaveChangesAsync(ct);
        }
        return await tokens.CreateAsync(account.Id, input.Name, input.ExpiresInDays ?? DefaultTokenDays, ct, new TokenScope(input.ProjectId, input.Role));
    }

    public async Task RevokeTokenAsync(Actor actor, Guid accountId, Guid tokenId, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Users.AnyAsync(u => u.Id == accountId && u.IsServiceAccount, ct))
        {
            throw new NotFoundException("Service account");
        }
        await tokens.RevokeAsync(accountId, tokenId, ct);
        cache.InvalidateUser(accountId);
    }

    /// <summary>
    /// A person's own token limited to one project they can see and a role no higher than theirs: for a script that
    /// should only label, or only read one project's exports.
    /// </summary>
    public async Task<CreatedAccessToken> CreatePersonalScopedTokenAsync(Actor actor, ScopedTokenRequest input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ProjectAccess.EnsureNotScoped(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var errors = new ValidationErrors();
        await CheckScopeAsync(db, input, errors, ct);
        if (!errors.Any)
        {
            if (!await db.Projects.VisibleTo(actor).AnyAsync(p => p.Id == input.ProjectId, ct))
            {
                errors.Add("projectId", "There is no such project, or you are not a member of it.");
            }
            if (Roles.Rank(input.Role) > actor.Roles.Select(Roles.Rank).DefaultIfEmpty(0).Max())
            {
                errors.Add("role", "A token cannot have a role above your own.");
            }
        }
        errors.ThrowIfAny();
        return await tokens.CreateAsync(actor.UserId, input.Name, input.ExpiresInDays, ct, new TokenScope(input.ProjectId, input.Role));
    }

    private static async Task CheckScopeAsync(LabelHubDbContext db, ScopedTokenRequest input, ValidationErrors errors, CancellationToken ct)
    {
        // The name is checked again when the token is made; here so that nothing (a membership) is written before a refusal.
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100)
        {
            errors.Add("name", "A token needs a name of 1 to 100 characters.");
        }
        if (input.Role is null || !Roles.Scopable.Contains(input.Role))
        {
            errors.Add("role", $"A scoped token's role is one of {string.Join(", ", Roles.Scopable)}.");
        }
        if (input.ProjectId == Guid.Empty)
        {
            errors.Add("projectId", "A scoped token needs a project.");
        }
        else if (!await db.Projects.AnyAsync(p => p.Id == input.ProjectId, ct))
        {
            errors.Add("projectId", "There is no such project, or you are not a member of it.");
        }
    }

    private static void EnsureAdmin(Actor actor)
    {
        if (!actor.IsAdmin)
        {
            throw new ForbiddenException("Only admins manage service accounts.");
        }
    }
}
