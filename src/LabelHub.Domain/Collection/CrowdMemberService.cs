using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <param name="QualificationItems">How many gold items the member's invite asks for (0: none).</param>
public sealed record CrowdMemberView(
    long Id, Guid InviteId, string InviteName, Guid UserId, string UserName, string DisplayName, string? Email, CrowdMemberState State,
    QualificationState Qualification, int QualificationItems, int QualificationAnswered, int QualificationCorrect, DateTimeOffset SignedUpAt,
    DateTimeOffset? DecidedAt);

/// <summary>Where a signed-in person stands as a crowd member of a project, for the waiting, rejected and disabled pages.</summary>
public sealed record CrowdStanding(Guid ProjectId, string ProjectName, CrowdMemberState State, QualificationState Qualification);

/// <summary>
/// A manager's decisions on the people who signed up through a project's invites: approve (a project member, an
/// annotator), reject, disable at once (membership gone, live leases back to the pool) and enable again, reset a
/// failed qualification.
/// </summary>
public sealed class CrowdMemberService(LabelHubDbContext db, UserManager<AppUser> users, UserAdminService userAdmin, TimeProvider clock)
{
    /// <summary>The project's sign-ups, optionally only those in <paramref name="state"/> or made through <paramref name="inviteId"/> (404 for another project's invite).</summary>
    public async Task<IReadOnlyList<CrowdMemberView>> ListAsync(Actor actor, Guid projectId, CrowdMemberState? state, Guid? inviteId = null, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        if (inviteId is { } id && !await db.CrowdInvites.AnyAsync(i => i.Id == id && i.ProjectId == projectId, ct))
        {
            throw new NotFoundException("Invite");
        }
        return await Query(projectId, state, memberId: null, inviteId).ToListAsync(ct);
    }

    public async Task<CrowdMemberView> ApproveAsync(Actor actor, Guid projectId, long memberId, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var member = await FindAsync(projectId, memberId, ct);
        if (member.State is not (CrowdMemberState.Pending or CrowdMemberState.Rejected))
        {
            throw new ConflictException("Only a pending or rejected sign-up can be approved.");
        }
        await AdmitAsync(actor, member, ct);
        return await ViewAsync(projectId, memberId, ct);
    }

    /// <summary>Approves every pending sign-up of the project; returns how many.</summary>
    public async Task<int> ApproveAllPendingAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var pending = await db.CrowdMembers.Where(m => m.ProjectId == projectId && m.State == CrowdMemberState.Pending).OrderBy(m => m.Id).ToListAsync(ct);
        foreach (var member in pending)
        {
            await AdmitAsync(actor, member, ct);
        }
        return pending.Count;
    }

    public async Task<CrowdMemberView> RejectAsync(Actor actor, Guid projectId, long memberId, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var member = await FindAsync(projectId, memberId, ct);
        if (member.State != CrowdMemberState.Pending)
        {
            throw new ConflictException("Only a pending sign-up can be rejected; disable an approved member instead.");
        }
        Decide(actor, member, CrowdMemberState.Rejected, restartsQualification: true);
        await db.SaveChangesAsync(ct);
        return await ViewAsync(projectId, memberId, ct);
    }

    /// <summary>
    /// Stops a member at once: no longer a project member (their session and tokens reach the project no more), and
    /// their live leases in it end now, so the items go to others on the very next hand-out.
    /// </summary>
    public async Task<CrowdMemberView> DisableAsync(Actor actor, Guid projectId, long memberId, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var member = await FindAsync(projectId, memberId, ct);
        if (member.State is not (CrowdMemberState.Approved or CrowdMemberState.Pending))
        {
            throw new ConflictException("Only a pending or approved member can be disabled.");
        }
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Decide(actor, member, CrowdMemberState.Disabled, restartsQualification: false);
        await db.SaveChangesAsync(ct);
        await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.UserId == member.UserId).ExecuteDeleteAsync(ct);
        await db.Assignments.Where(a => a.ProjectId == projectId && a.UserId == member.UserId && a.State == AssignmentState.Leased && a.LeaseExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.LeaseExpiresAt, now), ct);
        // Their slots count as free right away, not only when the next hand-out reclaims them.
        await TaskDistributor.ReclaimExpiredAsync(db, projectId, now, ct);
        await transaction.CommitAsync(ct);
        return await ViewAsync(projectId, memberId, ct);
    }

    /// <summary>Lets a disabled member back in, with their qualification as it stood.</summary>
    public async Task<CrowdMemberView> EnableAsync(Actor actor, Guid projectId, long memberId, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var member = await FindAsync(projectId, memberId, ct);
        if (member.State != CrowdMemberState.Disabled)
        {
            throw new ConflictException("Only a disabled member can be enabled.");
        }
        await AdmitAsync(actor, member, ct, keepQualification: true);
        return await ViewAsync(projectId, memberId, ct);
    }

    /// <summary>
    /// A new attempt at the qualification: it starts over on gold items the member has not had yet, so the project
    /// needs as many of those as the invite asks for.
    /// </summary>
    public async Task<CrowdMemberView> ResetQualificationAsync(Actor actor, Guid projectId, long memberId, CancellationToken ct = default)
    {
        await db.GetManageableAsync(actor, projectId, ct);
        var member = await FindAsync(projectId, memberId, ct);
        var invite = await db.CrowdInvites.AsNoTracking().SingleAsync(i => i.Id == member.InviteId, ct);
        if (invite.QualificationItems == 0)
        {
            throw new ConflictException("This member's invite asks for no qualification.");
        }
        var unseen = await db.Items.CountAsync(i => i.ProjectId == projectId && i.IsGold
            && !db.Assignments.Any(a => a.ItemId == i.Id && a.UserId == member.UserId && a.State != AssignmentState.Expired), ct);
        if (unseen < invite.QualificationItems)
        {
            throw new ConflictException($"Only {unseen} of the project's gold items are new to this member: add gold items before a new qualification.");
        }
        member.Qualification = QualificationState.InProgress;
        member.QualificationAnswered = 0;
        member.QualificationCorrect = 0;
        // The qualification counts answers from the last decision on: this one.
        member.DecidedAt = clock.GetUtcNow();
        member.DecidedById = actor.UserId;
        await db.SaveChangesAsync(ct);
        return await ViewAsync(projectId, memberId, ct);
    }

    /// <summary>The caller's own standing as a crowd member of each project they signed up for, newest first.</summary>
    public async Task<IReadOnlyList<CrowdStanding>> StandingAsync(Guid userId, CancellationToken ct = default) =>
        await db.CrowdMembers.AsNoTracking().Where(m => m.UserId == userId)
            .Join(db.Projects, m => m.ProjectId, p => p.Id, (m, p) => new { m, p.Name })
            .OrderByDescending(x => x.m.SignedUpAt)
            .Select(x => new CrowdStanding(x.m.ProjectId, x.Name, x.m.State, x.m.Qualification))
            .ToListAsync(ct);

    private async Task AdmitAsync(Actor actor, CrowdMember member, CancellationToken ct, bool keepQualification = false)
    {
        var user = await users.FindByIdAsync(member.UserId.ToString()) ?? throw new NotFoundException("User");
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await users.IsInRoleAsync(user, Roles.Annotator))
        {
            await userAdmin.EnsureRolesExistAsync();
            var added = await users.AddToRoleAsync(user, Roles.Annotator);
            if (!added.Succeeded)
            {
                throw new ConflictException(string.Join(" ", added.Errors.Select(e => e.Description)));
            }
        }
        if (!await db.ProjectMembers.AnyAsync(m => m.ProjectId == member.ProjectId && m.UserId == member.UserId, ct))
        {
            db.ProjectMembers.Add(new ProjectMember { ProjectId = member.ProjectId, UserId = member.UserId, AddedAt = clock.GetUtcNow() });
        }
        if (!keepQualification)
        {
            var items = await db.CrowdInvites.Where(i => i.Id == member.InviteId).Select(i => i.QualificationItems).SingleAsync(ct);
            member.Qualification = items > 0 ? QualificationState.InProgress : QualificationState.NotRequired;
            member.QualificationAnswered = 0;
            member.QualificationCorrect = 0;
        }
        Decide(actor, member, CrowdMemberState.Approved, restartsQualification: !keepQualification);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Records the decision. <see cref="CrowdMember.DecidedAt"/> moves only on approval, rejection and a qualification
    /// reset: the qualification counts gold answers from then on, so disabling and enabling again keeps the answers given.
    /// </summary>
    private void Decide(Actor actor, CrowdMember member, CrowdMemberState state, bool restartsQualification)
    {
        member.State = state;
        member.DecidedById = actor.UserId;
        if (restartsQualification)
        {
            member.DecidedAt = clock.GetUtcNow();
        }
    }

    private async Task<CrowdMember> FindAsync(Guid projectId, long memberId, CancellationToken ct) =>
        await db.CrowdMembers.FirstOrDefaultAsync(m => m.Id == memberId && m.ProjectId == projectId, ct) ?? throw new NotFoundException("Crowd member");

    private async Task<CrowdMemberView> ViewAsync(Guid projectId, long memberId, CancellationToken ct) =>
        await Query(projectId, state: null, memberId).SingleAsync(ct);

    // Filtered and ordered before the projection: EF cannot look into the record it builds.
    private IQueryable<CrowdMemberView> Query(Guid projectId, CrowdMemberState? state, long? memberId, Guid? inviteId = null) =>
        from m in db.CrowdMembers.AsNoTracking()
        where m.ProjectId == projectId && (state == null || m.State == state) && (memberId == null || m.Id == memberId) && (inviteId == null || m.InviteId == inviteId)
        orderby m.SignedUpAt, m.Id
        join i in db.CrowdInvites on m.InviteId equals i.Id
        join u in db.Users on m.UserId equals u.Id
        select new CrowdMemberView(
            m.Id, m.InviteId, i.Name, m.UserId, u.UserName!, u.DisplayName, u.Email, m.State, m.Qualification, i.QualificationItems,
            m.QualificationAnswered, m.QualificationCorrect, m.SignedUpAt, m.DecidedAt);
}
