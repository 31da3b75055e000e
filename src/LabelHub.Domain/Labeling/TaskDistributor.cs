using System.Data;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

public sealed record LabelingTask(
    long AssignmentId,
    long ItemId,
    Dictionary<string, JsonElement> Data,
    DateTimeOffset LeaseExpiresAt);

public sealed record SubmitRequest(Dictionary<string, JsonElement> Values, int? DurationMs = null, int? GuidelineVersion = null);

public sealed record SubmitResult(long AnnotationId, int Version, bool AlreadySubmitted);

/// <summary>
/// Hands out tasks and takes answers back. Every hand-out is one short transaction that locks the item row
/// (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the single IMMEDIATE writer transaction), so an item never
/// has more than its overlap of distinct annotators, and the unique (item, user) index means nobody gets
/// the same item twice.
/// </summary>
public sealed class TaskDistributor(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    private const int MaxAttempts = 5;
    private const int ReclaimBatch = 200;

    public async Task<LabelingTask?> NextAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryNextAsync(actor, projectId, ct);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Lost a race for the same (item, user) pair, e.g. one user's two tabs; take another look.
            }
        }
    }

    private async Task<LabelingTask?> TryNextAsync(Actor actor, Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetVisibleAsync(actor, projectId, ct);
        var now = clock.GetUtcNow();

        // A task already reserved for this user comes back first, so reloading the page costs no slot.
        var held = await db.Assignments.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.UserId == actor.UserId && a.State == AssignmentState.Leased && a.LeaseExpiresAt > now)
            .OrderBy(a => a.Id)
            .FirstOrDefaultAsync(ct);
        if (held is not null)
        {
            return await ToTaskAsync(db, held, ct);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        await ReclaimExpiredAsync(db, projectId, now, ct);
        var itemId = await PickItemAsync(db, project, actor.UserId, ct);
        if (itemId is null)
        {
            await transaction.CommitAsync(ct);
            return null;
        }
        var expiresAt = now.AddMinutes(project.LeaseMinutes);
        // A lease this user let expire on this item is taken up again rather than duplicated.
        var renewed = await db.Assignments
            .Where(a => a.ItemId == itemId && a.UserId == actor.UserId && a.State == AssignmentState.Expired)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.State, AssignmentState.Leased)
                .SetProperty(a => a.LeasedAt, now)
                .SetProperty(a => a.LeaseExpiresAt, expiresAt)
                .SetProperty(a => a.CompletedAt, (DateTimeOffset?)null), ct);
        Assignment assignment;
        if (renewed == 1)
        {
            assignment = await db.Assignments.AsNoTracking().SingleAsync(a => a.ItemId == itemId && a.UserId == actor.UserId, ct);
        }
        else
        {
            assignment = new Assignment
            {
                ProjectId = projectId,
                ItemId = itemId.Value,
                UserId = actor.UserId,
                State = AssignmentState.Leased,
                LeasedAt = now,
                LeaseExpiresAt = expiresAt,
            };
            db.Assignments.Add(assignment);
            await db.SaveChangesAsync(ct);
        }
        await db.Items.Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, i => i.TakenSlots + 1), ct);
        await transaction.CommitAsync(ct);
        return await ToTaskAsync(db, assignment, ct);
    }

    private const string PickItemSql = """
        SELECT i.id AS "Value" FROM items i
        WHERE i.project_id = {0} AND i.taken_slots < {1}
          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = i.id AND a.user_id = {2} AND a.state <> 'Expired')
        ORDER BY i.taken_slots DESC, i.id
        LIMIT 1
        """;

    /// <summary>The fullest open item this user has not had: finishing items beats starting new ones.</summary>
    private static async Task<long?> PickItemAsync(LabelHubDbContext db, Project project, Guid userId, CancellationToken ct)
    {
        // PostgreSQL: lock the row and let concurrent callers skip past it. SQLite: the IMMEDIATE transaction already serialises writers.
        var sql = db.Provider == DatabaseProvider.Postgres ? PickItemSql + " FOR UPDATE OF i SKIP LOCKED" : PickItemSql;
        var ids = await db.Database.SqlQueryRaw<long>(sql, project.Id, project.Overlap, userId).ToListAsync(ct);
        return ids.Count == 0 ? null : ids[0];
    }

    /// <summary>Marks expired leases one by one, giving each slot back only if this call made the change.</summary>
    public static async Task<int> ReclaimExpiredAsync(LabelHubDbContext db, Guid? projectId, DateTimeOffset now, CancellationToken ct)
    {
        var expired = await db.Assignments.AsNoTracking()
            .Where(a => a.State == AssignmentState.Leased && a.LeaseExpiresAt <= now && (projectId == null || a.ProjectId == projectId))
            .OrderBy(a => a.Id)
            .Take(ReclaimBatch)
            .Select(a => new { a.Id, a.ItemId })
            .ToListAsync(ct);
        var reclaimed = 0;
        foreach (var lease in expired)
        {
            var expiredNow = await db.Assignments
                .Where(a => a.Id == lease.Id && a.State == AssignmentState.Leased && a.LeaseExpiresAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Expired).SetProperty(a => a.CompletedAt, now), ct);
            if (expiredNow == 1)
            {
                await db.Items.Where(i => i.Id == lease.ItemId)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, i => i.TakenSlots - 1), ct);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    public async Task<SubmitResult> SubmitAsync(Actor actor, long assignmentId, SubmitRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignment = await LoadOwnAsync(db, actor, assignmentId, ct);
        var project = await db.GetVisibleAsync(actor, assignment.ProjectId, ct);
        var itemData = await db.Items.AsNoTracking().Where(i => i.Id == assignment.ItemId).Select(i => i.Data).SingleAsync(ct);
        AnnotationValidator.Validate(project.Schema, request.Values, itemData);
        if (request.DurationMs is < 0)
        {
            throw new ValidationException("durationMs", "Time spent cannot be negative.");
        }

        if (assignment.State == AssignmentState.Submitted)
        {
            return await ResubmitAsync(db, actor, assignment, request, ct);
        }
        ThrowIfClosed(assignment);

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        // Only a still-leased assignment turns into a submission; a concurrent duplicate submit finds it already taken.
        var claimed = await db.Assignments
            .Where(a => a.Id == assignmentId && a.State == AssignmentState.Leased)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Submitted).SetProperty(a => a.CompletedAt, now), ct);
        if (claimed == 0)
        {
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            var current = await db.Assignments.AsNoTracking().SingleAsync(a => a.Id == assignmentId, ct);
            ThrowIfClosed(current);
            return await ResubmitAsync(db, actor, current, request, ct);
        }
        var annotation = OwnVersion(actor, assignment, request, version: 1, AnnotationReason.Submit, now);
        db.Annotations.Add(annotation);
        await db.SaveChangesAsync(ct);
        await db.Items.Where(i => i.Id == assignment.ItemId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.SubmittedCount, i => i.SubmittedCount + 1), ct);
        await transaction.CommitAsync(ct);
        return new SubmitResult(annotation.Id, annotation.Version, AlreadySubmitted: false);
    }

    /// <summary>The same answer again is a no-op; a different answer is a new version of the annotator's own answer.</summary>
    private async Task<SubmitResult> ResubmitAsync(LabelHubDbContext db, Actor actor, Assignment assignment, SubmitRequest request, CancellationToken ct)
    {
        var current = await db.Annotations
            .Where(a => a.ItemId == assignment.ItemId && a.AnnotatorId == actor.UserId && a.IsCurrent)
            .SingleAsync(ct);
        if (SameValues(current.Values, request.Values))
        {
            return new SubmitResult(current.Id, current.Version, AlreadySubmitted: true);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        current.IsCurrent = false;
        var edit = OwnVersion(actor, assignment, request, current.Version + 1, AnnotationReason.Edit, clock.GetUtcNow());
        db.Annotations.Add(edit);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("This answer was changed at the same time elsewhere. Reload and try again.");
        }
        await transaction.CommitAsync(ct);
        return new SubmitResult(edit.Id, edit.Version, AlreadySubmitted: false);
    }

    public async Task SkipAsync(Actor actor, long assignmentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignment = await LoadOwnAsync(db, actor, assignmentId, ct);
        if (assignment.State is AssignmentState.Skipped or AssignmentState.Expired)
        {
            return;
        }
        if (assignment.State == AssignmentState.Submitted)
        {
            throw new ConflictException("This task is already submitted.");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        // The row stays, marked skipped, so the same item is not offered to this user again; its slot goes back.
        var skipped = await db.Assignments
            .Where(a => a.Id == assignmentId && a.State == AssignmentState.Leased)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Skipped).SetProperty(a => a.CompletedAt, clock.GetUtcNow()), ct);
        if (skipped == 1)
        {
            await db.Items.Where(i => i.Id == assignment.ItemId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, i => i.TakenSlots - 1), ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>Frees every expired lease in every project; the recurring job calls this.</summary>
    public async Task<int> ReclaimAllExpiredAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = 0;
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var reclaimed = await ReclaimExpiredAsync(db, null, clock.GetUtcNow(), ct);
            await transaction.CommitAsync(ct);
            total += reclaimed;
            if (reclaimed < ReclaimBatch)
            {
                return total;
            }
        }
    }

    /// <summary>A new current version of the annotator's own answer, written by the annotator.</summary>
    private static Annotation OwnVersion(Actor actor, Assignment assignment, SubmitRequest request, int version, AnnotationReason reason, DateTimeOffset now) => new()
    {
        ProjectId = assignment.ProjectId,
        ItemId = assignment.ItemId,
        AnnotatorId = actor.UserId,
        AuthorId = actor.UserId,
        Version = version,
        IsCurrent = true,
        Reason = reason,
        Values = request.Values,
        GuidelineVersion = request.GuidelineVersion,
        DurationMs = request.DurationMs,
        AssignmentId = assignment.Id,
        CreatedAt = now,
    };

    private static void ThrowIfClosed(Assignment assignment)
    {
        switch (assignment.State)
        {
            case AssignmentState.Skipped:
                throw new ConflictException("This task was skipped; it can no longer be submitted.");
            case AssignmentState.Expired:
                throw new ConflictException("Your reservation of this task expired and it went back to the pool. Take the next task.");
        }
    }

    private static async Task<Assignment> LoadOwnAsync(LabelHubDbContext db, Actor actor, long assignmentId, CancellationToken ct)
    {
        var assignment = await db.Assignments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == assignmentId, ct);
        // Someone else's task is reported as missing, not forbidden, so ids reveal nothing.
        if (assignment is null || assignment.UserId != actor.UserId)
        {
            throw new NotFoundException("Task");
        }
        return assignment;
    }

    private static async Task<LabelingTask> ToTaskAsync(LabelHubDbContext db, Assignment assignment, CancellationToken ct)
    {
        var data = await db.Items.AsNoTracking().Where(i => i.Id == assignment.ItemId).Select(i => i.Data).SingleAsync(ct);
        return new LabelingTask(assignment.Id, assignment.ItemId, data, assignment.LeaseExpiresAt);
    }

    private static bool SameValues(Dictionary<string, JsonElement> a, Dictionary<string, JsonElement> b) =>
        JsonSerializer.Serialize(a.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(), JsonColumn.Options)
        == JsonSerializer.Serialize(b.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(), JsonColumn.Options);
}
