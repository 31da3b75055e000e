using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

public sealed partial class TaskDistributor
{
    /// <summary>A crowd member who failed the qualification gets no tasks (403); the message says why and who can change it.</summary>
    private static ForbiddenException QualificationFailed(int correct, int answered, int needed) =>
        new($"You did not pass this project's qualification: {correct} of {answered} gold items right, {needed} needed. A manager may let you try again.");

    /// <summary>What the hand-out needs to know about a crowd member: read by the unique (project, user) index.</summary>
    private sealed record CrowdGate(long Id, CrowdMemberState State, QualificationState Qualification, int Answered, int Correct, int Items, double PassRate, DateTimeOffset? StartedAt);

    private static readonly CompiledPerModel<Func<LabelHubDbContext, Guid, Guid, CancellationToken, Task<CrowdGate?>>> CrowdGateQuery =
        new(() => EF.CompileAsyncQuery((LabelHubDbContext db, Guid projectId, Guid userId, CancellationToken ct) =>
            db.CrowdMembers.AsNoTracking()
                .Where(m => m.ProjectId == projectId && m.UserId == userId)
                .Join(db.CrowdInvites, m => m.InviteId, i => i.Id, (m, i) => new CrowdGate(
                    m.Id, m.State, m.Qualification, m.QualificationAnswered, m.QualificationCorrect, i.QualificationItems, i.QualificationPassRate, m.DecidedAt))
                .FirstOrDefault()));

    /// <summary>
    /// The qualification gate: true while the caller is an approved crowd member still answering their qualification
    /// gold items (they get gold items only). Once they answered as many as the invite asks for, their accuracy on them
    /// decides: passed (real tasks from now on) or failed (403, nothing more). Called only for a member the hand-out's
    /// own read found in qualification or failed; anyone else pays one EXISTS on the unique (project, user) index there.
    /// </summary>
    private static async Task<bool> CrowdGateAsync(LabelHubDbContext db, Project project, Guid userId, CancellationToken ct)
    {
        if (await CrowdGateQuery.For(db)(db, project.Id, userId, ct) is not { State: CrowdMemberState.Approved } crowd)
        {
            return false;
        }
        switch (crowd.Qualification)
        {
            case QualificationState.NotRequired:
            case QualificationState.Passed:
                return false;
            case QualificationState.Failed:
                throw QualificationFailed(crowd.Correct, crowd.Answered, Needed(crowd));
            case QualificationState.InProgress:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(project), crowd.Qualification, null);
        }

        // The member's first answer to each gold item since the qualification (re)started, oldest first.
        var start = crowd.StartedAt ?? DateTimeOffset.MinValue;
        var answers = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == project.Id && a.AnnotatorId == userId && a.Version == 1 && a.CreatedAt >= start)
            .Join(db.Items.Where(i => i.IsGold), a => a.ItemId, i => i.Id, (a, i) => new { a.Id, a.CreatedAt, a.Values, i.GoldAnswer })
            .OrderBy(x => x.CreatedAt).ThenBy(x => x.Id)
            .Take(crowd.Items)
            .ToListAsync(ct);
        var answered = answers.Count;
        var correct = answers.Count(a => GoldService.Matches(project.Schema, a.GoldAnswer, a.Values));
        var state = answered < crowd.Items ? QualificationState.InProgress
            : correct >= Needed(crowd) ? QualificationState.Passed
            : QualificationState.Failed;
        if (answered != crowd.Answered || correct != crowd.Correct || state != crowd.Qualification)
        {
            await db.CrowdMembers.Where(m => m.Id == crowd.Id && m.Qualification == QualificationState.InProgress).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.QualificationAnswered, answered)
                .SetProperty(m => m.QualificationCorrect, correct)
                .SetProperty(m => m.Qualification, state), ct);
        }
        return state switch
        {
            QualificationState.InProgress => true,
            QualificationState.Failed => throw QualificationFailed(correct, answered, Needed(crowd)),
            QualificationState.Passed or QualificationState.NotRequired => false,
            _ => throw new ArgumentOutOfRangeException(nameof(project), state, null),
        };
    }

    /// <summary>Right answers needed to pass: the pass rate of the items, rounded up (a small tolerance for 0.1 + 0.2).</summary>
    private static int Needed(CrowdGate crowd) => (int)Math.Ceiling((crowd.PassRate * crowd.Items) - 1e-9);

    /// <summary>
    /// Why a caller who is not a member reaches nothing: a crowd member the manager disabled, rejected or has not
    /// approved yet hears so (403); anyone else hears the project does not exist for them (404).
    /// </summary>
    private static async Task<DomainException> NotReachedAsync(LabelHubDbContext db, Actor actor, Guid projectId, CancellationToken ct)
    {
        var state = actor.Reaches(projectId)
            ? await db.CrowdMembers.AsNoTracking().Where(m => m.ProjectId == projectId && m.UserId == actor.UserId).Select(m => (CrowdMemberState?)m.State).FirstOrDefaultAsync(ct)
            : null;
        return state switch
        {
            CrowdMemberState.Pending => new ForbiddenException("Your sign-up waits for a manager's approval: tasks come once you are approved."),
            CrowdMemberState.Rejected => new ForbiddenException("A manager did not approve your sign-up for this project."),
            CrowdMemberState.Disabled => new ForbiddenException("A manager disabled your work in this project."),
            CrowdMemberState.Approved or null => new NotFoundException("Project"),
            _ => throw new ArgumentOutOfRangeException(nameof(projectId), state, null),
        };
    }
}
