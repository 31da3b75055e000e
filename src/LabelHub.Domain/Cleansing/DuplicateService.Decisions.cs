using System.Data;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

public sealed partial class DuplicateService
{
    /// <summary>
    /// Added to an excluded item's taken slots (and taken off again on undo): far above any overlap, so the distributor's
    /// own <c>taken_slots &lt; overlap</c> never picks it — the next-task SQL is unchanged — and below
    /// <see cref="Item.PendingSlots"/>, so the item stays visible to every other read. Lease expiries, skips and rejects
    /// still count down from it, so the true count comes back exactly when the offset is taken off.
    /// </summary>
    public const int ExcludedSlots = Item.PendingSlots / 2;

    /// <summary>
    /// Keeps <paramref name="itemId"/>: every other member is excluded (never deleted; no longer handed out, leases on it
    /// ended) and its current answers are carried over to the kept item as new answers of the same annotators, unless the
    /// annotator already answered the kept item (theirs stays; the other stays on the excluded item) or is labeling it now.
    /// </summary>
    public async Task<DuplicateDecisionResult> KeepAsync(Actor actor, Guid projectId, long groupId, long itemId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var group = await OpenGroupAsync(db, projectId, groupId, ct);
        if (group.Members.All(m => m.ItemId != itemId))
        {
            throw new ValidationException("itemId", $"Item {itemId} is not in this group.");
        }
        var memberIds = group.Members.Select(m => m.ItemId).ToList();
        var items = await db.Items.AsNoTracking().Where(i => memberIds.Contains(i.Id)).Select(i => new { i.Id, i.IsGold, i.DuplicateOfItemId }).ToListAsync(ct);
        if (items.Single(i => i.Id == itemId).DuplicateOfItemId is { } keptOf)
        {
            throw new ValidationException("itemId", $"Item {itemId} is already excluded as a duplicate of item {keptOf}.");
        }
        var excluded = items.Where(i => i.Id != itemId && i.DuplicateOfItemId == null).ToList();
        if (excluded.FirstOrDefault(i => i.IsGold) is { } gold)
        {
            // The distributor hands gold items to everyone whatever their slots, so a gold item cannot be excluded.
            throw new ValidationException("itemId", $"Item {gold.Id} is a gold item: keep it, or remove its gold answer first.");
        }
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var claimed = await db.DuplicateGroups.Where(g => g.Id == groupId && g.Decision == DuplicateDecision.Open)
            .ExecuteUpdateAsync(s => s
                .SetProperty(g => g.Decision, DuplicateDecision.KeepOne)
                .SetProperty(g => g.KeptItemId, itemId)
                .SetProperty(g => g.DecidedById, actor.UserId)
                .SetProperty(g => g.DecidedAt, now), ct);
        if (claimed == 0)
        {
            throw new ConflictException("This group is already decided; undo the decision first.");
        }
        var leasesEnded = 0;
        foreach (var item in excluded)
        {
            var ended = await db.Assignments.Where(a => a.ItemId == item.Id && a.State == AssignmentState.Leased)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Expired).SetProperty(a => a.CompletedAt, now), ct);
            leasesEnded += ended;
            var marked = await db.Items.Where(i => i.Id == item.Id && i.DuplicateOfItemId == null)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.DuplicateOfItemId, itemId)
                    .SetProperty(i => i.TakenSlots, i => i.TakenSlots - ended + ExcludedSlots), ct);
            if (marked == 0)
            {
                throw new ConflictException("Another decision excluded an item of this group meanwhile; open the group again.");
            }
        }
        var (carried, notCarried) = await CarryAnswersAsync(db, project, groupId, itemId, [.. excluded.Select(i => i.Id)], actor.UserId, now, ct);
        await ResolveFindingAsync(db, projectId, groupId, FindingState.Accepted, actor.UserId, now, ct);
        await transaction.CommitAsync(ct);
        return new DuplicateDecisionResult(await ViewAsync(db, project, groupId, ct), excluded.Count, carried, notCarried, leasesEnded);
    }

    /// <summary>The members are different items after all: only the decision changes.</summary>
    public async Task<DuplicateDecisionResult> DistinctAsync(Actor actor, Guid projectId, long groupId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        await OpenGroupAsync(db, projectId, groupId, ct);
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var claimed = await db.DuplicateGroups.Where(g => g.Id == groupId && g.Decision == DuplicateDecision.Open)
            .ExecuteUpdateAsync(s => s
                .SetProperty(g => g.Decision, DuplicateDecision.Distinct)
                .SetProperty(g => g.DecidedById, actor.UserId)
                .SetProperty(g => g.DecidedAt, now), ct);
        if (claimed == 0)
        {
            throw new ConflictException("This group is already decided; undo the decision first.");
        }
        await ResolveFindingAsync(db, projectId, groupId, FindingState.Dismissed, actor.UserId, now, ct);
        await transaction.CommitAsync(ct);
        return new DuplicateDecisionResult(await ViewAsync(db, project, groupId, ct), 0, 0, 0, 0);
    }

    /// <summary>
    /// Back to open: excluded items are handed out again and the answers carried over are withdrawn (no longer current;
    /// the versions stay in the history). Refused with 409 once anyone edited or reviewed a carried answer, so undo never
    /// throws away someone's later work.
    /// </summary>
    public async Task<DuplicateDecisionResult> UndoAsync(Actor actor, Guid projectId, long groupId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var group = await db.DuplicateGroups.AsNoTracking().Include(g => g.Members).SingleOrDefaultAsync(g => g.Id == groupId && g.ProjectId == projectId, ct)
            ?? throw new NotFoundException("Duplicate group");
        if (group.Decision == DuplicateDecision.Open)
        {
            throw new ConflictException("This group has no decision to undo.");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var restored = 0;
        var withdrawn = 0;
        if (group is { Decision: DuplicateDecision.KeepOne, KeptItemId: { } kept })
        {
            withdrawn = await WithdrawCarriedAsync(db, project, groupId, kept, ct);
            var others = group.Members.Select(m => m.ItemId).Where(id => id != kept).ToList();
            // An item another kept-one group excluded stays excluded by that decision.
            var heldElsewhere = await db.DuplicateGroupMembers.AsNoTracking()
                .Where(m => others.Contains(m.ItemId) && m.GroupId != groupId
                    && db.DuplicateGroups.Any(g => g.Id == m.GroupId && g.Decision == DuplicateDecision.KeepOne && g.KeptItemId != m.ItemId))
                .Select(m => m.ItemId).ToListAsync(ct);
            var toRestore = others.Except(heldElsewhere).ToList();
            restored = await db.Items.Where(i => toRestore.Contains(i.Id) && i.DuplicateOfItemId == kept)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.DuplicateOfItemId, (long?)null).SetProperty(i => i.TakenSlots, i => i.TakenSlots - ExcludedSlots), ct);
        }
        var reopened = await db.DuplicateGroups.Where(g => g.Id == groupId && g.Decision == group.Decision)
            .ExecuteUpdateAsync(s => s
                .SetProperty(g => g.Decision, DuplicateDecision.Open)
                .SetProperty(g => g.KeptItemId, (long?)null)
                .SetProperty(g => g.DecidedById, (Guid?)null)
                .SetProperty(g => g.DecidedAt, (DateTimeOffset?)null), ct);
        if (reopened == 0)
        {
            throw new ConflictException("This group was changed meanwhile; open it again.");
        }
        var code = DuplicateSearch.FindingCode(groupId);
        await db.CleansingFindings
            .Where(f => f.ProjectId == projectId && f.Code == code && (f.State == FindingState.Accepted || f.State == FindingState.Dismissed))
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.State, FindingState.Open)
                .SetProperty(f => f.ResolvedById, (Guid?)null)
                .SetProperty(f => f.ResolvedAt, (DateTimeOffset?)null), ct);
        await transaction.CommitAsync(ct);
        return new DuplicateDecisionResult(await ViewAsync(db, project, groupId, ct), restored, withdrawn, 0, 0);
    }

    /// <summary>What a carried answer's comment starts with: how undo finds the answers its decision wrote.</summary>
    public static string CarryMarker(long groupId) => $"duplicate-group:{groupId}: ";

    private static async Task<DuplicateGroup> OpenGroupAsync(LabelHubDbContext db, Guid projectId, long groupId, CancellationToken ct)
    {
        var group = await db.DuplicateGroups.AsNoTracking().Include(g => g.Members).SingleOrDefaultAsync(g => g.Id == groupId && g.ProjectId == projectId, ct)
            ?? throw new NotFoundException("Duplicate group");
        return group.Decision == DuplicateDecision.Open ? group : throw new ConflictException("This group is already decided; undo the decision first.");
    }

    /// <summary>
    /// The current answers of the excluded items become new answers on the kept item: same annotator and values, the
    /// manager as author, reason Cleansing, a comment naming the group and the item it came from. The annotator's
    /// assignment on the kept item is recorded as submitted, so they are never handed the kept item to answer twice.
    /// </summary>
    private static async Task<(int Carried, int NotCarried)> CarryAnswersAsync(LabelHubDbContext db, Project project, long groupId, long keptId, List<long> excludedIds,
        Guid authorId, DateTimeOffset now, CancellationToken ct)
    {
        var answers = await db.Annotations.AsNoTracking()
            .Where(a => excludedIds.Contains(a.ItemId) && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
            .OrderBy(a => a.ItemId).ThenBy(a => a.Id).ToListAsync(ct);
        if (answers.Count == 0)
        {
            return (0, 0);
        }
        var answered = (await db.Annotations.AsNoTracking().Where(a => a.ItemId == keptId && a.IsCurrent).Select(a => a.AnnotatorId).ToListAsync(ct)).ToHashSet();
        var versions = await db.Annotations.AsNoTracking().Where(a => a.ItemId == keptId).GroupBy(a => a.AnnotatorId)
            .Select(g => new { g.Key, Max = g.Max(a => a.Version) }).ToDictionaryAsync(v => v.Key, v => v.Max, ct);
        var assignments = await db.Assignments.AsNoTracking().Where(a => a.ItemId == keptId).ToDictionaryAsync(a => a.UserId, ct);
        int carried = 0, notCarried = 0, slots = 0;
        foreach (var answer in answers)
        {
            assignments.TryGetValue(answer.AnnotatorId, out var assignment);
            if (answered.Contains(answer.AnnotatorId) || assignment is { State: AssignmentState.Leased or AssignmentState.Submitted })
            {
                notCarried++;
                continue;
            }
            answered.Add(answer.AnnotatorId);
            if (assignment is null)
            {
                assignment = new Assignment { ProjectId = project.Id, ItemId = keptId, UserId = answer.AnnotatorId, State = AssignmentState.Submitted, LeasedAt = now, LeaseExpiresAt = now, CompletedAt = now };
                db.Assignments.Add(assignment);
                await db.SaveChangesAsync(ct);
                slots++;
            }
            else
            {
                // Under "ignore", a skip kept its slot; an expired, rejected or requeued skip gave it back.
                slots += assignment.State == AssignmentState.Skipped && project.Labeling.SkipPolicy == SkipPolicy.Ignore ? 0 : 1;
                await db.Assignments.Where(a => a.Id == assignment.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Submitted).SetProperty(a => a.CompletedAt, now), ct);
            }
            db.Annotations.Add(new Annotation
            {
                ProjectId = project.Id,
                ItemId = keptId,
                AnnotatorId = answer.AnnotatorId,
                AuthorId = authorId,
                Version = versions.GetValueOrDefault(answer.AnnotatorId) + 1,
                IsCurrent = true,
                Reason = AnnotationReason.Cleansing,
                Comment = $"{CarryMarker(groupId)}carried over from duplicate item {answer.ItemId}",
                Values = answer.Values,
                GuidelineVersion = answer.GuidelineVersion,
                AssignmentId = assignment.Id,
                ReviewStatus = answer.ReviewStatus,
                CreatedAt = now,
            });
            carried++;
        }
        await db.SaveChangesAsync(ct);
        if (carried > 0)
        {
            await db.Items.Where(i => i.Id == keptId).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.TakenSlots, i => i.TakenSlots + slots)
                .SetProperty(i => i.SubmittedCount, i => i.SubmittedCount + carried), ct);
        }
        return (carried, notCarried);
    }

    /// <summary>Withdraws the answers a kept-one decision carried over; 409 when one was edited or reviewed since.</summary>
    private static async Task<int> WithdrawCarriedAsync(LabelHubDbContext db, Project project, long groupId, long keptId, CancellationToken ct)
    {
        var marker = CarryMarker(groupId);
        var carried = await db.Annotations.AsNoTracking()
            .Where(a => a.ItemId == keptId && a.Reason == AnnotationReason.Cleansing && a.Comment != null && a.Comment.StartsWith(marker))
            .ToListAsync(ct);
        var slots = 0;
        foreach (var answer in carried)
        {
            var withdrawn = await db.Annotations.Where(a => a.Id == answer.Id && a.IsCurrent && a.ReviewStatus == answer.ReviewStatus)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.IsCurrent, false), ct);
            if (withdrawn == 0)
            {
                throw new ConflictException("An answer this decision carried over was edited or reviewed since; the decision can no longer be undone.");
            }
            if (answer.AssignmentId is { } assignmentId)
            {
                slots += await db.Assignments.Where(a => a.Id == assignmentId && a.State == AssignmentState.Submitted)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Expired), ct);
            }
        }
        if (carried.Count > 0)
        {
            await db.Items.Where(i => i.Id == keptId && i.ProjectId == project.Id).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.TakenSlots, i => i.TakenSlots - slots)
                .SetProperty(i => i.SubmittedCount, i => i.SubmittedCount - carried.Count), ct);
        }
        return carried.Count;
    }

    private static Task ResolveFindingAsync(LabelHubDbContext db, Guid projectId, long groupId, FindingState state, Guid by, DateTimeOffset now, CancellationToken ct)
    {
        var code = DuplicateSearch.FindingCode(groupId);
        return db.CleansingFindings.Where(f => f.ProjectId == projectId && f.Code == code && f.State == FindingState.Open)
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.State, state)
                .SetProperty(f => f.ResolvedById, (Guid?)by)
                .SetProperty(f => f.ResolvedAt, (DateTimeOffset?)now), ct);
    }
}
