using System.Data;
using System.Data.Common;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace LabelHub.Domain.Labeling;

public sealed partial class TaskDistributor
{
    /// <summary>
    /// PostgreSQL's hand-out, submit and reclaim, each one statement. Row locks then last for one statement instead of
    /// spanning client round trips: under load the web process may not get back to an open transaction for a long
    /// time, and every submit of a locked item waits meanwhile (bench/LabelHub.Bench.Distribution measured it).
    /// Its twin, with the same members in the same order, is <see cref="SqliteTaskStore"/> in TaskDistributor.Sqlite.cs.
    /// </summary>
    private sealed class PostgresTaskStore : ITaskStore
    {
        public static readonly PostgresTaskStore Instance = new();

        private PostgresTaskStore()
        {
        }

        /// <summary>Yes: a call's statements share one connection instead of a trip to the Npgsql pool each (ADR 0005).</summary>
        public bool HoldsConnection => true;

        /// <summary>
        /// Pick, lease and count in one statement. The pick tries, in order and stopping at the first row: a gold item
        /// when it is this user's gold turn (gold items go to every annotator once, whatever the overlap); the fullest
        /// open item the user has not had (finishing items beats starting new ones), then by priority, walking the
        /// (project_id, is_gold, taken_slots DESC, priority DESC, id) index; under "requeue to me", the user's own
        /// oldest skipped item. Under @goldOnly (a crowd member's qualification) only the gold pick runs. Each candidate is locked FOR NO KEY UPDATE SKIP LOCKED, so concurrent callers skip
        /// past each other, and NO KEY UPDATE guards taken_slots without blocking the foreign-key checks of inserts
        /// pointing at the item. The lease inserts the assignment or takes up this user's expired or skipped row for the
        /// item again; any other existing row means a concurrent call of the same user got there first (no lease row).
        /// </summary>
        private const string LeaseSql = """
            WITH pick AS (
                SELECT candidate.id, candidate.data FROM (
                    SELECT gold.id, gold.data FROM (
                        SELECT i.id, i.data FROM items i
                        WHERE @gold AND i.project_id = @project AND i.is_gold
                          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = i.id AND a.user_id = @user AND a.state <> 'Expired')
                        ORDER BY i.taken_slots, i.id
                        LIMIT 1
                        FOR NO KEY UPDATE OF i SKIP LOCKED) gold
                    UNION ALL
                    SELECT open.id, open.data FROM (
                        SELECT i.id, i.data FROM items i
                        WHERE NOT @goldOnly AND i.project_id = @project AND NOT i.is_gold AND i.taken_slots < @overlap
                          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = i.id AND a.user_id = @user AND a.state <> 'Expired')
                        ORDER BY i.taken_slots DESC, i.priority DESC, i.id
                        LIMIT 1
                        FOR NO KEY UPDATE OF i SKIP LOCKED) open
                    UNION ALL
                    SELECT skipped.id, skipped.data FROM (
                        SELECT i.id, i.data FROM assignments a JOIN items i ON i.id = a.item_id
                        WHERE @requeueToMe AND NOT @goldOnly AND a.project_id = @project AND a.user_id = @user AND a.state = 'Skipped'
                          AND (i.is_gold OR i.taken_slots < @overlap)
                        ORDER BY a.completed_at, a.id
                        LIMIT 1
                        FOR NO KEY UPDATE OF i SKIP LOCKED) skipped
                ) candidate
                LIMIT 1
            ), lease AS (
                INSERT INTO assignments AS a (project_id, item_id, user_id, state, leased_at, lease_expires_at, completed_at, draft)
                SELECT @project, pick.id, @user, 'Leased', @now, @expires, NULL, '{}'::jsonb FROM pick
                ON CONFLICT (item_id, user_id) DO UPDATE
                    SET state = 'Leased', leased_at = excluded.leased_at, lease_expires_at = excluded.lease_expires_at, completed_at = NULL
                    WHERE a.state IN ('Expired', 'Skipped')
                RETURNING a.id, a.item_id, a.draft
            ), taken AS (
                UPDATE items i SET taken_slots = i.taken_slots + 1 FROM lease WHERE i.id = lease.item_id
            )
            SELECT pick.id, pick.data::text, lease.id, lease.draft::text,
                   (SELECT json_agg(json_build_object('id', p.id, 'modelVersion', p.model_version, 'score', p.score, 'values', p.values))
                    FROM (SELECT id, model_version, score, values FROM predictions WHERE item_id = pick.id ORDER BY id DESC LIMIT @predictions) p)::text,
                   synthetic.version, synthetic.synthetic_label
            FROM pick LEFT JOIN lease ON lease.item_id = pick.id
                LEFT JOIN LATERAL (SELECT g.version, si.synthetic_label FROM items si JOIN generators g ON g.id = si.synthetic_generator_id
                                   WHERE si.id = pick.id) synthetic ON true
            """;

        /// <summary>
        /// Hand-out (ADR 0002): reclaim the project's expired leases if any, then pick (gold turn, fullest open item,
        /// priority, the user's own skipped item under "requeue to me"), lease and count in <see cref="LeaseSql"/>.
        /// Twin: <see cref="SqliteTaskStore.PickAndLeaseAsync"/>.
        /// </summary>
        public async Task<LabelingTask?> PickAndLeaseAsync(
            LabelHubDbContext db, Project project, Guid userId, bool goldTurn, bool goldOnly, bool reclaimExpiredFirst, DateTimeOffset now, int? guidelineVersion,
            CancellationToken ct)
        {
            // The user's own parallel hand-outs wait here (other users' do not), so the count of their leases is exact.
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({project.Id.ToString()}), hashtext({userId.ToString()}))", ct);
            if (reclaimExpiredFirst)
            {
                await ReclaimExpiredAsync(db, project.Id, now, ct);
            }
            await ThrowIfHoldingMaxLeasesAsync(db, project.Id, userId, now, ct);
            var expiresAt = now.AddMinutes(project.LeaseMinutes);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = LeaseSql;
            AddParameter(command, "project", project.Id);
            AddParameter(command, "overlap", project.Overlap);
            AddParameter(command, "user", userId);
            AddParameter(command, "gold", goldTurn);
            AddParameter(command, "goldOnly", goldOnly);
            AddParameter(command, "requeueToMe", project.Labeling.SkipPolicy == SkipPolicy.RequeueToMe);
            AddParameter(command, "now", now);
            AddParameter(command, "expires", expiresAt);
            AddParameter(command, "predictions", MaxSuggestions * 4);
            LabelingTask? task;
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                task = await ReadLeasedTaskAsync(reader, expiresAt, guidelineVersion, ct);
            }
            await transaction.CommitAsync(ct);
            return task;
        }

        private static async Task<LabelingTask?> ReadLeasedTaskAsync(DbDataReader reader, DateTimeOffset expiresAt, int? guidelineVersion, CancellationToken ct)
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            if (await reader.IsDBNullAsync(2, ct))
            {
                // The item was picked but this user already holds a row for it: a concurrent call of the same user won.
                throw new DbUpdateException("Lost a race for the same (item, user) pair.");
            }
            var data = Deserialize<Dictionary<string, JsonElement>>(reader.GetString(1)) ?? [];
            var draft = Deserialize<Dictionary<string, JsonElement>>(reader.GetString(3)) ?? [];
            var predictions = await reader.IsDBNullAsync(4, ct) ? [] : Deserialize<List<Prediction>>(reader.GetString(4)) ?? [];
            // A synthetic item's generator and class asked for (both null for a collected item).
            int? generatorVersion = await reader.IsDBNullAsync(5, ct) ? null : reader.GetInt32(5);
            var askedFor = await reader.IsDBNullAsync(6, ct) ? null : reader.GetString(6);
            return new LabelingTask(reader.GetInt64(2), reader.GetInt64(0), data, expiresAt, draft, SuggestionsFrom(predictions), guidelineVersion,
                SyntheticOrigin.Of(generatorVersion, askedFor));
        }

        /// <summary>
        /// Claim (only a still-leased assignment turns into a submission; a concurrent duplicate finds it taken and
        /// gets no row), the first annotation version and the item's count, in one statement.
        /// </summary>
        private const string SubmitSql = """
            WITH claimed AS (
                UPDATE assignments SET state = 'Submitted', completed_at = @now, draft = '{}'::jsonb
                WHERE id = @assignment AND state = 'Leased'
                RETURNING id, item_id, project_id
            ), annotation AS (
                INSERT INTO annotations (project_id, item_id, annotator_id, author_id, version, is_current, reason, comment, values,
                                         guideline_version, duration_ms, assignment_id, prediction_id, review_status, created_at)
                SELECT claimed.project_id, claimed.item_id, @user, @user, 1, TRUE, 'Submit', NULL, @values::jsonb,
                       @guideline, @duration, claimed.id, @prediction, 'Unreviewed', @now
                FROM claimed
                RETURNING id
            ), counted AS (
                UPDATE items i SET submitted_count = i.submitted_count + 1 FROM claimed WHERE i.id = claimed.item_id
            )
            SELECT id FROM annotation
            """;

        /// <summary>
        /// Submit claim (ADR 0002: a repeated submit is idempotent): claim, first version and count in
        /// <see cref="SubmitSql"/>. Twin: <see cref="SqliteTaskStore.ClaimSubmitAsync"/>.
        /// </summary>
        public async Task<long?> ClaimSubmitAsync(
            LabelHubDbContext db, Actor actor, Assignment assignment, SubmitRequest request, int? guidelineVersion, DateTimeOffset now,
            CancellationToken ct)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = SubmitSql;
            AddParameter(command, "assignment", assignment.Id);
            AddParameter(command, "user", actor.UserId);
            AddParameter(command, "values", JsonSerializer.Serialize(request.Values, JsonColumn.Options));
            AddParameter(command, "guideline", guidelineVersion, DbType.Int32);
            AddParameter(command, "duration", request.DurationMs, DbType.Int32);
            AddParameter(command, "prediction", request.PredictionId, DbType.Int64);
            AddParameter(command, "now", now);
            if (await command.ExecuteScalarAsync(ct) is not long id)
            {
                return null;
            }
            // The data manager's columns follow from the queue row a trigger added (ItemStatsRefresh), not here.
            return id;
        }

        /// <summary>
        /// Up to a batch of expired leases become Expired and their slots go back, in one statement. Rows a concurrent
        /// submit holds are skipped, and the state is checked again after the lock, so a lease is reclaimed at most once.
        /// </summary>
        private const string ReclaimSql = """
            WITH batch AS MATERIALIZED (
                -- Chosen once: as an IN (…) subquery the planner may re-run it per row (a nested-loop semi-join), and then
                -- LIMIT no longer caps the batch and the locking work grows with the square of the expired leases.
                SELECT id FROM assignments
                WHERE state = 'Leased' AND lease_expires_at <= @now AND (@project IS NULL OR project_id = @project)
                ORDER BY id
                LIMIT @batch
                FOR UPDATE SKIP LOCKED
            ), expired AS (
                UPDATE assignments a SET state = 'Expired', completed_at = @now
                FROM batch b
                WHERE a.id = b.id AND a.state = 'Leased' AND a.lease_expires_at <= @now
                RETURNING a.item_id
            ), freed AS (
                UPDATE items i SET taken_slots = i.taken_slots - e.slots
                FROM (SELECT item_id, count(*)::int AS slots FROM expired GROUP BY item_id) e
                WHERE i.id = e.item_id
            )
            SELECT count(*)::int FROM expired
            """;

        /// <summary>
        /// Reclaim (ADR 0002: an expired lease returns its slot) in <see cref="ReclaimSql"/>, in the caller's transaction if
        /// it has one. Twin: <see cref="SqliteTaskStore.ReclaimExpiredAsync"/>.
        /// </summary>
        public async Task<int> ReclaimExpiredAsync(LabelHubDbContext db, Guid? projectId, DateTimeOffset now, CancellationToken ct)
        {
            var connection = db.Database.GetDbConnection();
            var opened = connection.State != ConnectionState.Open;
            if (opened)
            {
                await db.Database.OpenConnectionAsync(ct);
            }
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = ReclaimSql;
                command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                AddParameter(command, "project", projectId, DbType.Guid);
                AddParameter(command, "now", now);
                AddParameter(command, "batch", ReclaimBatch);
                return await command.ExecuteScalarAsync(ct) is int reclaimed ? reclaimed : 0;
            }
            finally
            {
                if (opened)
                {
                    await db.Database.CloseConnectionAsync();
                }
            }
        }

        private static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, JsonColumn.Options);

        private static void AddParameter(DbCommand command, string name, object? value, DbType? type = null)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (type is { } dbType)
            {
                parameter.DbType = dbType;
            }
            command.Parameters.Add(parameter);
        }
    }
}
