using System.Data;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

public sealed partial class TaskDistributor
{
    /// <summary>
    /// SQLite's hand-out, submit and reclaim: EF Core statements inside a transaction. SQLite has one writer at a time and
    /// Microsoft.Data.Sqlite begins transactions IMMEDIATE, so the transaction itself serialises hand-outs: no row locks,
    /// and the embedded mode serves one team (ADR 0005). Its twin, with the same members in the same order, is
    /// <see cref="PostgresTaskStore"/> in TaskDistributor.Postgres.cs.
    /// </summary>
    private sealed class SqliteTaskStore : ITaskStore
    {
        public static readonly SqliteTaskStore Instance = new();

        private SqliteTaskStore()
        {
        }

        /// <summary>No: EF opens the connection for each statement and holds it through a transaction (ADR 0005 measured PostgreSQL only).</summary>
        public bool HoldsConnection => false;

        /// <summary>
        /// Hand-out (ADR 0002), in one writer transaction: reclaim the project's expired leases if any, then pick (gold
        /// turn, fullest open item, priority, the user's own skipped item under "requeue to me"), lease and count.
        /// Twin: <see cref="PostgresTaskStore.PickAndLeaseAsync"/>.
        /// </summary>
        public async Task<LabelingTask?> PickAndLeaseAsync(
            LabelHubDbContext db, Project project, Guid userId, bool goldTurn, bool goldOnly, bool reclaimExpiredFirst, DateTimeOffset now, int? guidelineVersion,
            CancellationToken ct)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            if (reclaimExpiredFirst)
            {
                await ReclaimExpiredAsync(db, project.Id, now, ct);
            }
            await ThrowIfHoldingMaxLeasesAsync(db, project.Id, userId, now, ct);
            var itemId = goldOnly ? await PickItemAsync(db, project, userId, gold: true, ct)
                : goldTurn ? await PickItemAsync(db, project, userId, gold: true, ct) ?? await PickItemAsync(db, project, userId, gold: false, ct)
                : await PickItemAsync(db, project, userId, gold: false, ct);
            itemId ??= !goldOnly && project.Labeling.SkipPolicy == SkipPolicy.RequeueToMe ? await PickSkippedAsync(db, project, userId, ct) : null;
            if (itemId is null)
            {
                await transaction.CommitAsync(ct);
                return null;
            }
            var assignment = await LeaseAsync(db, project, itemId.Value, userId, now, ct);
            await db.Items.Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, i => i.TakenSlots + 1), ct);
            await transaction.CommitAsync(ct);
            return await ToTaskAsync(db, assignment, guidelineVersion, ct);
        }

        // "is_gold = 0", not "NOT is_gold": only an equality lets SQLite walk the next-task index past is_gold in its own
        // order. With NOT it read every item of the project and sorted them, 20 ms a hand-out at 50,000 items (ADR 0015).
        private const string PickItemSql = """
            SELECT i.id AS "Value" FROM items i
            WHERE i.project_id = {0} AND i.is_gold = 0 AND i.taken_slots < {1}
              AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = i.id AND a.user_id = {2} AND a.state <> 'Expired')
            ORDER BY i.taken_slots DESC, i.priority DESC, i.id
            LIMIT 1
            """;

        // Gold items are shown to every annotator once, whatever the overlap.
        private const string PickGoldSql = """
            SELECT i.id AS "Value" FROM items i
            WHERE i.project_id = {0} AND i.is_gold = 1 AND {1} >= 0
              AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = i.id AND a.user_id = {2} AND a.state <> 'Expired')
            ORDER BY i.taken_slots, i.id
            LIMIT 1
            """;

        /// <summary>
        /// The first gold item, or the fullest open item, this user has not had (finishing items beats starting new ones),
        /// then by priority. No row lock: the IMMEDIATE transaction already serialises writers.
        /// </summary>
        private static async Task<long?> PickItemAsync(LabelHubDbContext db, Project project, Guid userId, bool gold, CancellationToken ct)
        {
            var ids = await db.Database.SqlQueryRaw<long>(gold ? PickGoldSql : PickItemSql, project.Id, project.Overlap, userId).ToListAsync(ct);
            return ids.Count == 0 ? null : ids[0];
        }

        /// <summary>Under "requeue to me": the user's own skipped items come back once nothing else is left.</summary>
        private static async Task<long?> PickSkippedAsync(LabelHubDbContext db, Project project, Guid userId, CancellationToken ct) =>
            await db.Assignments
                .Where(a => a.ProjectId == project.Id && a.UserId == userId && a.State == AssignmentState.Skipped)
                .Join(db.Items, a => a.ItemId, i => i.Id, (a, i) => new { a.Id, a.ItemId, a.CompletedAt, i.TakenSlots, i.IsGold })
                .Where(x => x.IsGold || x.TakenSlots < project.Overlap)
                // Oldest skip first, ties by row as on PostgreSQL.
                .OrderBy(x => x.CompletedAt).ThenBy(x => x.Id)
                .Select(x => (long?)x.ItemId)
                .FirstOrDefaultAsync(ct);

        /// <summary>Leases the item to the user, taking up their expired or skipped row for it if there is one.</summary>
        private static async Task<Assignment> LeaseAsync(LabelHubDbContext db, Project project, long itemId, Guid userId, DateTimeOffset now, CancellationToken ct)
        {
            var expiresAt = now.AddMinutes(project.LeaseMinutes);
            var renewed = await db.Assignments
                .Where(a => a.ItemId == itemId && a.UserId == userId && (a.State == AssignmentState.Expired || a.State == AssignmentState.Skipped))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.State, AssignmentState.Leased)
                    .SetProperty(a => a.LeasedAt, now)
                    .SetProperty(a => a.LeaseExpiresAt, expiresAt)
                    .SetProperty(a => a.CompletedAt, (DateTimeOffset?)null), ct);
            if (renewed == 1)
            {
                return await db.Assignments.AsNoTracking().SingleAsync(a => a.ItemId == itemId && a.UserId == userId, ct);
            }
            var assignment = new Assignment
            {
                ProjectId = project.Id,
                ItemId = itemId,
                UserId = userId,
                State = AssignmentState.Leased,
                LeasedAt = now,
                LeaseExpiresAt = expiresAt,
            };
            db.Assignments.Add(assignment);
            await db.SaveChangesAsync(ct);
            return assignment;
        }

        /// <summary>
        /// Submit claim (ADR 0002: a repeated submit is idempotent), in one writer transaction: only a still-leased
        /// assignment turns into a submission, so a concurrent duplicate finds it already taken; then the first version and
        /// the item's count. Twin: <see cref="PostgresTaskStore.ClaimSubmitAsync"/>.
        /// </summary>
        public async Task<long?> ClaimSubmitAsync(
            LabelHubDbContext db, Actor actor, Assignment assignment, SubmitRequest request, int? guidelineVersion, DateTimeOffset now,
            CancellationToken ct)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var claimed = await db.Assignments
                .Where(a => a.Id == assignment.Id && a.State == AssignmentState.Leased)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.State, AssignmentState.Submitted)
                    .SetProperty(a => a.CompletedAt, now)
                    .SetProperty(a => a.Draft, new Dictionary<string, JsonElement>()), ct);
            if (claimed == 0)
            {
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return null;
            }
            var annotation = OwnVersion(actor, assignment, request, version: 1, AnnotationReason.Submit, guidelineVersion, now);
            db.Annotations.Add(annotation);
            await db.SaveChangesAsync(ct);
            await db.Items.Where(i => i.Id == assignment.ItemId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.SubmittedCount, i => i.SubmittedCount + 1), ct);
            await transaction.CommitAsync(ct);
            return annotation.Id;
        }

        /// <summary>
        /// Reclaim (ADR 0002: an expired lease returns its slot), in the caller's transaction: each lease is expired by a
        /// conditional update and its slot goes back only if this call made the change. Twin:
        /// <see cref="PostgresTaskStore.ReclaimExpiredAsync"/>.
        /// </summary>
        public async Task<int> ReclaimExpiredAsync(LabelHubDbContext db, Guid? projectId, DateTimeOffset now, CancellationToken ct)
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
    }
}
