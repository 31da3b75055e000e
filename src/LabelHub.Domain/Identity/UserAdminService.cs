using System.Security.Cryptography;
using LabelHub.Domain.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LabelHub.Domain.Identity;

/// <param name="ArchivedAt">When an admin archived the account; null while it is not archived.</param>
/// <param name="IsServiceAccount">An account for a program (ADR 0017); the user list leaves them to /service-accounts.</param>
public sealed record UserInfo(
    Guid Id, string UserName, string DisplayName, string? Email, IReadOnlyList<string> Roles, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset? ArchivedAt = null,
    bool IsServiceAccount = false);

public sealed record NewUser(string UserName, string? DisplayName, string? Email, IReadOnlyList<string> Roles, string? Password = null);

/// <summary>A created user and, when the system chose it, the password to hand over (shown once).</summary>
public sealed record CreatedUser(UserInfo User, string? GeneratedPassword);

public sealed class UserAdminService(UserManager<AppUser> users, RoleManager<AppRole> roles, LabelHubDbContext db, AccessTokenCache tokenCache, AccessTokenService tokens, TimeProvider clock, IOptions<LabelHubOptions> options)
{
    public const string FirstAdminUserName = "admin";
    public const string InitialAdminPasswordFile = "initial-admin-password.txt";

    /// <summary>
    /// On a user whose password someone else chose (the first admin, users created or reset by an admin): until they
    /// set their own, a browser session may do nothing else. A user claim, so it rides in the cookie.
    /// </summary>
    public const string MustChangePasswordClaim = "labelhub:must-change-password";

    /// <summary>Every account but the archived ones.</summary>
    public Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken ct = default) => ListAsync(includeArchived: false, ct);

    /// <param name="includeArchived">Archived accounts too (hidden by default).</param>
    public async Task<IReadOnlyList<UserInfo>> ListAsync(bool includeArchived, CancellationToken ct = default)
    {
        var all = await db.Users.AsNoTracking().Where(u => !u.IsServiceAccount && (includeArchived || u.ArchivedAt == null)).OrderBy(u => u.UserName).ToListAsync(ct);
        var roleNames = await db.Roles.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name!, ct);
        var links = await db.UserRoles.AsNoTracking().ToListAsync(ct);
        return [.. all.Select(u => ToInfo(u, links.Where(l => l.UserId == u.Id).Select(l => roleNames[l.RoleId]).Order().ToList()))];
    }

    /// <summary>
    /// Enabled users, for choosing project members. Managers need this without being admins,
    /// so it is the one listing that does not require the Admin role.
    /// </summary>
    public async Task<IReadOnlyList<UserInfo>> ListForPickerAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsManager)
        {
            throw new ForbiddenException("Only managers and admins can list users.");
        }
        return [.. (await ListAsync(ct)).Where(u => !u.Disabled)];
    }

    public const string HasWorkMessage =
        "This account has work in the history (answers, reviews, tasks, guideline versions or acknowledgements, jobs, files or projects): deleting it would lose who did it. Archive it instead: that disables it and keeps its work and name.";

    /// <summary>
    /// Deletes an account that never did any work: its sign-in data, tokens and project memberships go with it (the
    /// database cascades them). An account with work is refused (409) and should be archived instead, since the
    /// history refers to it without a foreign key that could cascade.
    /// </summary>
    public async Task DeleteAsync(Actor actor, Guid userId, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        if (userId == actor.UserId)
        {
            throw new ValidationException("userId", "You cannot delete your own account.");
        }
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        await EnsureNotLastAdminAsync(user, ct);
        // Disabled first, so no new work can start between the check and the delete.
        await SetDisabledAsync(actor, userId, disabled: true);
        if (await HasWorkAsync(userId, ct))
        {
            throw new ConflictException(HasWorkMessage);
        }
        Check(await users.DeleteAsync(user));
        tokenCache.InvalidateUser(userId);
    }

    /// <summary>
    /// Archives an account: disabled at once (sessions end, tokens are revoked, leases given back), hidden from the user
    /// list and the member pickers, its memberships kept so a restore puts it back where it was. Its work and name stay.
    /// </summary>
    public async Task<UserInfo> ArchiveAsync(Actor actor, Guid userId, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        if (userId == actor.UserId)
        {
            throw new ValidationException("userId", "You cannot archive your own account.");
        }
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        await EnsureNotLastAdminAsync(user, ct);
        await SetDisabledAsync(actor, userId, disabled: true);
        await tokens.RevokeAllAsync(userId, ct);
        // Its leases end now, so the items go to others at once rather than when the leases run out.
        var now = clock.GetUtcNow();
        await db.Assignments.Where(a => a.UserId == userId && a.State == Labeling.AssignmentState.Leased && a.LeaseExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.LeaseExpiresAt, now), ct);
        if (user.ArchivedAt is null)
        {
            user.ArchivedAt = now;
            Check(await users.UpdateAsync(user));
        }
        return await GetAsync(userId);
    }

    /// <summary>Brings an archived account back: listed and enabled again (its password and roles as they were).</summary>
    public async Task<UserInfo> RestoreAsync(Actor actor, Guid userId)
    {
        EnsureAdmin(actor);
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        if (user.ArchivedAt is not null)
        {
            user.ArchivedAt = null;
            Check(await users.UpdateAsync(user));
            await SetDisabledAsync(actor, userId, disabled: false);
        }
        return await GetAsync(userId);
    }

    /// <summary>Whether anything in the history refers to the account (none of these references is a foreign key).</summary>
    private async Task<bool> HasWorkAsync(Guid userId, CancellationToken ct) =>
        await db.Annotations.AnyAsync(a => a.AnnotatorId == userId || a.AuthorId == userId, ct)
        || await db.Reviews.AnyAsync(r => r.ReviewerId == userId || r.AnnotatorId == userId, ct)
        || await db.Assignments.AnyAsync(a => a.UserId == userId, ct)
        || await db.GuidelineVersions.AnyAsync(g => g.AuthorId == userId, ct)
        || await db.GuidelineAcknowledgements.AnyAsync(g => g.UserId == userId, ct)
        || await db.JobRuns.AnyAsync(j => j.RequestedById == userId, ct)
        || await db.StoredFiles.AnyAsync(f => f.CreatedById == userId, ct)
        || await db.Projects.AnyAsync(p => p.CreatedById == userId, ct);

    /// <summary>An admin account may go only while another admin that can sign in remains.</summary>
    private async Task EnsureNotLastAdminAsync(AppUser user, CancellationToken ct)
    {
        if (!await users.IsInRoleAsync(user, Roles.Admin))
        {
            return;
        }
        var now = clock.GetUtcNow();
        var otherAdmins = await (
            from link in db.UserRoles
            join role in db.Roles on link.RoleId equals role.Id
            join other in db.Users on link.UserId equals other.Id
            where role.Name == Roles.Admin && other.Id != user.Id && other.ArchivedAt == null && (other.LockoutEnd == null || other.LockoutEnd <= now)
            select other.Id).AnyAsync(ct);
        if (!otherAdmins)
        {
            throw new ConflictException("This is the last admin who can sign in: make another user an admin first.");
        }
    }

    public async Task<UserInfo> GetAsync(Guid userId)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        return ToInfo(user, [.. (await users.GetRolesAsync(user)).Order()]);
    }

    public async Task<CreatedUser> CreateAsync(Actor actor, NewUser input, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(input.UserName) || input.UserName.Trim().Length is < 2 or > 64)
        {
            errors.Add("userName", "A user name has 2 to 64 characters.");
        }
        CheckRoles(input.Roles, errors);
        errors.ThrowIfAny();

        var password = string.IsNullOrEmpty(input.Password) ? GeneratePassword() : input.Password;
        var user = new AppUser
        {
            Id = Guid.CreateVersion7(),
            UserName = input.UserName.Trim(),
            DisplayName = string.IsNullOrWhiteSpace(input.DisplayName) ? input.UserName.Trim() : input.DisplayName.Trim(),
            Email = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim(),
            CreatedAt = clock.GetUtcNow(),
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Check(await users.CreateAsync(user, password));
        await EnsureRolesExistAsync();
        if (input.Roles.Count > 0)
        {
            Check(await users.AddToRolesAsync(user, input.Roles.Distinct()));
        }
        if (string.IsNullOrEmpty(input.Password))
        {
            Check(await users.AddClaimAsync(user, MustChangePasswordClaimValue));
        }
        await transaction.CommitAsync(ct);
        return new CreatedUser(await GetAsync(user.Id), string.IsNullOrEmpty(input.Password) ? password : null);
    }

    public async Task<UserInfo> SetRolesAsync(Actor actor, Guid userId, IReadOnlyList<string> newRoles, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        var errors = new ValidationErrors();
        CheckRoles(newRoles, errors);
        if (userId == actor.UserId && !newRoles.Contains(Roles.Admin))
        {
            errors.Add("roles", "You cannot remove your own Admin role.");
        }
        errors.ThrowIfAny();
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        EnsurePerson(user);
        await EnsureRolesExistAsync();
        var current = await users.GetRolesAsync(user);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Check(await users.RemoveFromRolesAsync(user, current.Except(newRoles)));
        Check(await users.AddToRolesAsync(user, newRoles.Distinct().Except(current)));
        await transaction.CommitAsync(ct);
        tokenCache.InvalidateUser(userId);
        return await GetAsync(userId);
    }

    public async Task<string> ResetPasswordAsync(Actor actor, Guid userId)
    {
        EnsureAdmin(actor);
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        EnsurePerson(user);
        var password = GeneratePassword();
        Check(await users.RemovePasswordAsync(user));
        Check(await users.AddPasswordAsync(user, password));
        if (!(await users.GetClaimsAsync(user)).Any(c => c.Type == MustChangePasswordClaim))
        {
            Check(await users.AddClaimAsync(user, MustChangePasswordClaimValue));
        }
        // Whoever knew the old password may have made tokens with it; the new stamp already ends the sessions.
        await tokens.RevokeAllAsync(userId);
        return password;
    }

    /// <summary>
    /// A user sets their own password. Clears the must-change mark and, for the first admin, deletes the file that
    /// held the one-time password. Identity's errors come back as they are, for the page to describe.
    /// </summary>
    public async Task<IdentityResult> ChangeOwnPasswordAsync(Guid userId, string currentPassword, string newPassword)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        if (currentPassword == newPassword)
        {
            return IdentityResult.Failed(new IdentityError { Code = SamePasswordCode, Description = "The new password must differ from the current one." });
        }
        var result = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded)
        {
            return result;
        }
        var marks = (await users.GetClaimsAsync(user)).Where(c => c.Type == MustChangePasswordClaim).ToList();
        if (marks.Count > 0)
        {
            Check(await users.RemoveClaimsAsync(user, marks));
        }
        if (user.UserName == FirstAdminUserName)
        {
            // The one-time password is spent: it must not stay readable on disk.
            File.Delete(Path.Combine(options.Value.DataDirFullPath, InitialAdminPasswordFile));
        }
        // A changed password means the old one may be known: tokens made with it go too (the stamp ends other sessions).
        await tokens.RevokeAllAsync(userId);
        return result;
    }

    public const string SamePasswordCode = "PasswordUnchanged";

    private static System.Security.Claims.Claim MustChangePasswordClaimValue => new(MustChangePasswordClaim, "true");

    /// <summary>An admin ends every API token of a user, e.g. one that leaked; returns how many were active.</summary>
    public async Task<int> RevokeTokensAsync(Actor actor, Guid userId, CancellationToken ct = default)
    {
        EnsureAdmin(actor);
        _ = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        return await tokens.RevokeAllAsync(userId, ct);
    }

    public async Task SetDisabledAsync(Actor actor, Guid userId, bool disabled)
    {
        EnsureAdmin(actor);
        if (userId == actor.UserId && disabled)
        {
            throw new ValidationException("disabled", "You cannot disable your own account.");
        }
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new NotFoundException("User");
        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, disabled ? DateTimeOffset.MaxValue : null));
        if (disabled)
        {
            // A new stamp ends every browser session of the account on its next request (SessionValidator).
            Check(await users.UpdateSecurityStampAsync(user));
        }
        tokenCache.InvalidateUser(userId);
    }

    /// <summary>Creates the first admin when there are no users at all. Returns its one-time password, or null.</summary>
    public async Task<string?> EnsureFirstAdminAsync(CancellationToken ct = default)
    {
        await EnsureRolesExistAsync();
        if (await db.Users.AnyAsync(ct))
        {
            return null;
        }
        var password = GeneratePassword();
        var admin = new AppUser
        {
            Id = Guid.CreateVersion7(),
            UserName = FirstAdminUserName,
            DisplayName = "Administrator",
            CreatedAt = clock.GetUtcNow(),
        };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
        {
            // Another instance created it first.
            return null;
        }
        Check(await users.AddToRoleAsync(admin, Roles.Admin));
        Check(await users.AddClaimAsync(admin, MustChangePasswordClaimValue));
        return password;
    }

    public async Task EnsureRolesExistAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new AppRole(role) { Id = Guid.CreateVersion7() });
            }
        }
    }

    /// <summary>20 characters from an alphabet without look-alikes; satisfies the password policy.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return "Lh-" + RandomNumberGenerator.GetString(alphabet, 17) + "7";
    }

    private static void EnsureAdmin(Actor actor)
    {
        if (!actor.IsAdmin)
        {
            throw new ForbiddenException("Only admins manage users.");
        }
    }

    private static void CheckRoles(IReadOnlyList<string> requested, ValidationErrors errors)
    {
        foreach (var role in requested.Where(r => !Roles.All.Contains(r)))
        {
            errors.Add("roles", $"'{role}' is not a role. Roles: {string.Join(", ", Roles.All)}.");
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            var errors = new ValidationErrors();
            foreach (var error in result.Errors)
            {
                errors.Add(error.Code.Contains("Password", StringComparison.Ordinal) ? "password" : error.Code.Contains("UserName", StringComparison.Ordinal) ? "userName" : "", error.Description);
            }
            errors.ThrowIfAny();
        }
    }

    private static UserInfo ToInfo(AppUser u, IReadOnlyList<string> roleNames) =>
        new(u.Id, u.UserName!, u.DisplayName, u.Email, roleNames, u.LockoutEnd is { } end && end > DateTimeOffset.UtcNow, u.CreatedAt, u.ArchivedAt, u.IsServiceAccount);

    /// <summary>Passwords and roles are for people; a service account's reach is its tokens' scopes.</summary>
    private static void EnsurePerson(AppUser user)
    {
        if (user.IsServiceAccount)
        {
            throw new ConflictException("A service account has no password or roles of its own: its tokens carry a project and a role.");
        }
    }
}
