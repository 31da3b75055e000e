using System.Security.Cryptography;
using System.Text;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <param name="QualificationItems">Gold items a new member answers before any real task; 0 for none.</param>
/// <param name="QualificationPassRate">The share of them that must be right, 0 to 1.</param>
public sealed record NewCrowdInvite(string Name, DateTimeOffset ExpiresAt, int? MaxPeople = null, int QualificationItems = 0, double QualificationPassRate = 0.8);

public enum CrowdInviteState
{
    Open,
    Expired,

    /// <summary>As many sign-ups (pending or approved) as its maximum.</summary>
    Full,
    Revoked,
}

/// <param name="Uses">Sign-ups that count against the maximum: pending and approved.</param>
public sealed record CrowdInviteView(
    Guid Id, Guid ProjectId, string Name, DateTimeOffset ExpiresAt, int? MaxPeople, int QualificationItems, double QualificationPassRate,
    int Uses, int SignUps, CrowdInviteState State, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <param name="Secret">The link's secret, shown this once: only its SHA-256 is stored.</param>
/// <param name="Link">The path to hand out: /join/{secret}.</param>
public sealed record CreatedCrowdInvite(CrowdInviteView Invite, string Secret, string Link);

/// <summary>What a link is for, told to whoever opens it (nothing secret).</summary>
public sealed record CrowdInviteInfo(string ProjectName, string InviteName, DateTimeOffset ExpiresAt, int QualificationItems, CrowdInviteState State);

public sealed record CrowdSignUp(string UserName, string? DisplayName, string? Email, string Password);

public sealed record CrowdSignUpResult(Guid UserId, long MemberId, Guid ProjectId, string ProjectName, CrowdMemberState State);

/// <summary>
/// Crowd invites (issue 17): a manager makes a link with an expiry, an optional maximum of people and an optional
/// qualification on gold items; people sign up through it as annotators and wait for approval (<see cref="CrowdMemberService"/>).
/// </summary>
public sealed class CrowdService(LabelHubDbContext db, UserManager<AppUser> users, UserAdminService userAdmin, TimeProvider clock)
{
    public const int MaxExpiryDays = 90;
    public const int MaxQualificationItems = 100;
    public const string JoinPathPrefix = "/join/";

    public async Task<CreatedCrowdInvite> CreateInviteAsync(Actor actor, Guid projectId, NewCrowdInvite input, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var now = clock.GetUtcNow();
        var errors = new ValidationErrors();
        var name = (input.Name ?? "").Trim();
        if (name.Length is < 1 or > 200)
        {
            errors.Add("name", "An invite's name has 1 to 200 characters.");
        }
        if (input.ExpiresAt <= now || input.ExpiresAt > now.AddDays(MaxExpiryDays))
        {
            errors.Add("expiresAt", $"An invite expires within {MaxExpiryDays} days from now.");
        }
        if (input.MaxPeople is < 1 or > 100_000)
        {
            errors.Add("maxPeople", "The maximum of people is between 1 and 100000, or empty for no limit.");
        }
        if (input.QualificationItems is < 0 or > MaxQualificationItems)
        {
            errors.Add("qualificationItems", $"A qualification has 0 to {MaxQualificationItems} gold items.");
        }
        if (double.IsNaN(input.QualificationPassRate) || input.QualificationPassRate is < 0 or > 1)
        {
            errors.Add("qualificationPassRate", "The pass rate is between 0 and 1.");
        }
        errors.ThrowIfAny();
        if (input.QualificationItems > 0)
        {
            var gold = await db.Items.CountAsync(i => i.ProjectId == projectId && i.IsGold, ct);
            if (gold < input.QualificationItems)
            {
                throw new ValidationException("qualificationItems", $"The project has {gold} gold items: a qualification can ask for at most that many.");
            }
        }

        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var invite = new CrowdInvite
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            Name = name,
            TokenHash = HashSecret(secret),
            ExpiresAt = input.ExpiresAt,
            MaxPeople = input.MaxPeople,
            QualificationItems = input.QualificationItems,
            QualificationPassRate = input.QualificationItems > 0 ? input.QualificationPassRate : 0,
            CreatedById = actor.UserId,
            CreatedAt = now,
        };
        db.CrowdInvites.Add(invite);
        await db.SaveChangesAsync(ct);
        return new CreatedCrowdInvite(ToView(invite, 0, 0, now), secret, JoinPathPrefix + secret);
    }

    /// <summary>The project's invites, newest first, with their uses and state.</summary>
    public async Task<IReadOnlyList<CrowdInviteView>> ListInvitesAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var now = clock.GetUtcNow();
        var rows = await db.CrowdInvites.AsNoTracking().Where(i => i.ProjectId == projectId)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new
            {
                Invite = i,
                Uses = db.CrowdMembers.Count(m => m.InviteId == i.Id && (m.State == CrowdMemberState.Pending || m.State == CrowdMemberState.Approved)),
                SignUps = db.CrowdMembers.Count(m => m.InviteId == i.Id),
            })
            .ToListAsync(ct);
        return [.. rows.Select(r => ToView(r.Invite, r.Uses, r.SignUps, now))];
    }

    /// <summary>Closes the link: nobody signs up through it any more (who already did stays as they are).</summary>
    public async Task<CrowdInviteView> RevokeInviteAsync(Actor actor, Guid projectId, Guid inviteId, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var invite = await db.CrowdInvites.FirstOrDefaultAsync(i => i.Id == inviteId && i.ProjectId == projectId, ct) ?? throw new NotFoundException("Invite");
        var now = clock.GetUtcNow();
        invite.RevokedAt ??= now;
        await db.SaveChangesAsync(ct);
        return (await ListInvitesAsync(actor, projectId, ct)).Single(i => i.Id == inviteId);
    }

    /// <summary>What an invite link is for, for anyone who has it.</summary>
    public async Task<CrowdInviteInfo> InfoAsync(string secret, CancellationToken ct = default)
    {
        var (invite, projectName, uses) = await FindAsync(secret, ct);
        return new CrowdInviteInfo(projectName, invite.Name, invite.ExpiresAt, invite.QualificationItems, StateOf(invite, uses, clock.GetUtcNow()));
    }

    /// <summary>
    /// Signs a person up through a link: an Annotator account and a pending crowd member, in one transaction that
    /// holds the invite's row, so parallel sign-ups cannot pass its maximum. Nothing is created when the link is
    /// expired, revoked or full, or when the account's details are refused.
    /// </summary>
    public async Task<CrowdSignUpResult> SignUpAsync(string secret, CrowdSignUp input, CancellationToken ct = default)
    {
        var (found, projectName, _) = await FindAsync(secret, ct);
        var errors = new ValidationErrors();
        var userName = (input.UserName ?? "").Trim();
        if (userName.Length is < 2 or > 64)
        {
            errors.Add("userName", "A user name has 2 to 64 characters.");
        }
        var displayName = string.IsNullOrWhiteSpace(input.DisplayName) ? userName : input.DisplayName.Trim();
        if (displayName.Length > 100)
        {
            errors.Add("displayName", "A display name has at most 100 characters.");
        }
        var email = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim();
        if (email is not null && (email.Length > 254 || email.IndexOf('@', StringComparison.Ordinal) is < 1 || email.EndsWith('@')))
        {
            errors.Add("email", "This is not an e-mail address.");
        }
        if (string.IsNullOrEmpty(input.Password))
        {
            errors.Add("password", "A password is required.");
        }
        errors.ThrowIfAny();

        await userAdmin.EnsureRolesExistAsync();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // A no-op write holds the invite's row (PostgreSQL) or the one writer (SQLite) until the commit: the count below is exact.
        await db.CrowdInvites.Where(i => i.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Name, i => i.Name), ct);
        var invite = await db.CrowdInvites.AsNoTracking().SingleAsync(i => i.Id == found.Id, ct);
        var uses = await CountUsesAsync(invite.Id, ct);
        var now = clock.GetUtcNow();
        ThrowUnlessOpen(StateOf(invite, uses, now));

        var user = new AppUser { Id = Guid.CreateVersion7(), UserName = userName, DisplayName = displayName, Email = email, CreatedAt = now };
        Check(await users.CreateAsync(user, input.Password));
        Check(await users.AddToRoleAsync(user, Roles.Annotator));
        var member = new CrowdMember
        {
            InviteId = invite.Id,
            ProjectId = invite.ProjectId,
            UserId = user.Id,
            State = CrowdMemberState.Pending,
            Qualification = invite.QualificationItems > 0 ? QualificationState.InProgress : QualificationState.NotRequired,
            SignedUpAt = now,
        };
        db.CrowdMembers.Add(member);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new CrowdSignUpResult(user.Id, member.Id, invite.ProjectId, projectName, member.State);
    }

    /// <summary>The stored form of a link's secret: lower-case hex of its SHA-256.</summary>
    public static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static CrowdInviteState StateOf(CrowdInvite invite, int uses, DateTimeOffset now) =>
        invite.RevokedAt is not null ? CrowdInviteState.Revoked
        : invite.ExpiresAt <= now ? CrowdInviteState.Expired
        : invite.MaxPeople is { } max && uses >= max ? CrowdInviteState.Full
        : CrowdInviteState.Open;

    private static void ThrowUnlessOpen(CrowdInviteState state)
    {
        switch (state)
        {
            case CrowdInviteState.Open:
                return;
            case CrowdInviteState.Expired:
                throw new ConflictException("This invite link has expired: ask the project's manager for a new one.");
            case CrowdInviteState.Full:
                throw new ConflictException("This invite link has as many people as it takes: ask the project's manager for a new one.");
            case CrowdInviteState.Revoked:
                throw new ConflictException("This invite link was closed by the project's manager.");
            default:
                throw new ArgumentOutOfRangeException(nameof(state), state, null);
        }
    }

    private async Task<(CrowdInvite Invite, string ProjectName, int Uses)> FindAsync(string secret, CancellationToken ct)
    {
        // A secret is 43 base64url characters; anything else cannot be one, and is not worth a hash and a query.
        if (string.IsNullOrEmpty(secret) || secret.Length != 43)
        {
            throw new NotFoundException("Invite link");
        }
        var hash = HashSecret(secret);
        var found = await db.CrowdInvites.AsNoTracking().Where(i => i.TokenHash == hash)
            .Join(db.Projects, i => i.ProjectId, p => p.Id, (i, p) => new { Invite = i, p.Name, p.ArchivedAt })
            .FirstOrDefaultAsync(ct);
        if (found is null || found.ArchivedAt is not null)
        {
            throw new NotFoundException("Invite link");
        }
        return (found.Invite, found.Name, await CountUsesAsync(found.Invite.Id, ct));
    }

    private Task<int> CountUsesAsync(Guid inviteId, CancellationToken ct) =>
        db.CrowdMembers.CountAsync(m => m.InviteId == inviteId && (m.State == CrowdMemberState.Pending || m.State == CrowdMemberState.Approved), ct);

    private static CrowdInviteView ToView(CrowdInvite i, int uses, int signUps, DateTimeOffset now) =>
        new(i.Id, i.ProjectId, i.Name, i.ExpiresAt, i.MaxPeople, i.QualificationItems, i.QualificationPassRate, uses, signUps, StateOf(i, uses, now), i.CreatedAt, i.RevokedAt);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static void Check(IdentityResult result)
    {
        if (result.Succeeded)
        {
            return;
        }
        var errors = new ValidationErrors();
        foreach (var error in result.Errors)
        {
            errors.Add(
                error.Code.Contains("Password", StringComparison.Ordinal) ? "password"
                : error.Code.Contains("Email", StringComparison.Ordinal) ? "email"
                : "userName",
                error.Description);
        }
        errors.ThrowIfAny();
    }
}
