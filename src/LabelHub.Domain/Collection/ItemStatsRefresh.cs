using System.Text.Json;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Brings <see cref="ItemStats"/> and <see cref="ItemLabel"/> rows up to date for the items in the queue
/// (<see cref="ItemStatsChange"/>, filled by database triggers): one set-based UPDATE per batch that reads only the
/// queued items' own answers and predictions (by their item_id indexes). The submit itself writes nothing for the data
/// manager but a queue row; <see cref="ItemStatsRefreshLoop"/> drains the queue every second, and a data manager read
/// drains its own project's queue first, so a manager never sees the table behind what was submitted before the read.
/// </summary>
public static class ItemStatsRefresh
{
    private const int BatchSize = 2000;

    /// <summary>A data manager read refreshes at most this many queued changes of its project before reading; the loop does the rest.</summary>
    private const int MaxBatchesPerRead = 10;

    // Serializes refreshes across processes (web and workers) so two never update the same rows in different orders.
    private const long PostgresLockKey = 0x4C48_5354_4154;

    // Agreement: pairs of equal current answers / all pairs = Σ c(c−1) / n(n−1) over groups of equal answers.
    // PostgreSQL compares jsonb by value; SQLite compares the stored JSON text, which one serializer writes.
    private const string PostgresSql = """
        UPDATE item_stats AS s SET
          priority = i.priority,
          submitted_count = i.submitted_count,
          agreement = (SELECT CASE WHEN SUM(g.c) < 2 THEN NULL ELSE SUM(g.c * (g.c - 1)) * 1.0 / (SUM(g.c) * (SUM(g.c) - 1)) END
                       FROM (SELECT COUNT(*) AS c FROM annotations a WHERE a.item_id = s.item_id AND a.is_current GROUP BY a."values") g),
          prediction_score = (SELECT p.score FROM predictions p WHERE p.item_id = s.item_id ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
        FROM items AS i
        WHERE i.id = s.item_id AND s.item_id = ANY({0})
        """;

    private const string SqliteSql = """
        UPDATE item_stats SET
          priority = (SELECT i.priority FROM items i WHERE i.id = item_stats.item_id),
          submitted_count = (SELECT i.submitted_count FROM items i WHERE i.id = item_stats.item_id),
          agreement = (SELECT CASE WHEN SUM(g.c) < 2 THEN NULL ELSE SUM(g.c * (g.c - 1)) * 1.0 / (SUM(g.c) * (SUM(g.c) - 1)) END
                       FROM (SELECT COUNT(*) AS c FROM annotations a WHERE a.item_id = item_stats.item_id AND a.is_current GROUP BY a."values") g),
          prediction_score = (SELECT p.score FROM predictions p WHERE p.item_id = item_stats.item_id ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
        WHERE item_id IN (SELECT value FROM json_each({0}))
        """;

    /// <summary>The same recomputation for every item (the migration's backfill, the benchmark's seeding and repairs).</summary>
    public static string BackfillSql(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Postgres => PostgresSql.Replace("s.item_id = ANY({0})", "TRUE", StringComparison.Ordinal),
        DatabaseProvider.Sqlite => SqliteSql.Replace("item_id IN (SELECT value FROM json_each({0}))", "1", StringComparison.Ordinal),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    /// <summary>
    /// Refreshes the queued items (of one project, or of all) batch by batch, each batch in its own transaction that
    /// also removes exactly the queue rows it read: a change queued while the batch ran stays for the next one.
    /// Returns how many queue rows it handled.
    /// </summary>
    public static async Task<int> RunAsync(LabelHubDbContext db, Guid? projectId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var handled = 0;
        for (var batch = 0; projectId is null || batch < MaxBatchesPerRead; batch++)
        {
            var queue = db.ItemStatsQueue.AsNoTracking();
            if (projectId is { } id)
            {
                queue = queue.Where(c => c.ProjectId == id);
            }
            var changes = await queue.OrderBy(c => c.Id).Take(BatchSize).Select(c => new { c.Id, c.ItemId }).ToListAsync(ct);
            if (changes.Count == 0)
            {
                break;
            }
            var itemIds = changes.Select(c => c.ItemId).Distinct().ToArray();
            var changeIds = changes.Select(c => c.Id).ToList();
            await using (var transaction = await db.Database.BeginTransactionAsync(ct))
            {
                if (db.Provider == DatabaseProvider.Postgres)
                {
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresLockKey})", ct);
                }
                var sql = (db.Provider == DatabaseProvider.Postgres ? PostgresSql : SqliteSql) + ";\n" + ItemLabelRows.RefreshSql(db.Provider);
                object parameter = db.Provider == DatabaseProvider.Postgres ? itemIds : JsonSerializer.Serialize(itemIds);
                await db.Database.ExecuteSqlRawAsync(sql, [parameter], ct);
                await db.ItemStatsQueue.Where(c => changeIds.Contains(c.Id)).ExecuteDeleteAsync(ct);
                await transaction.CommitAsync(ct);
            }
            handled += changes.Count;
            if (changes.Count < BatchSize)
            {
                break;
            }
        }
        return handled;
    }
}

/// <summary>Drains the item stats queue every second, off every request's path (see <see cref="ItemStatsRefresh"/>).</summary>
public sealed class ItemStatsRefreshLoop(IDbContextFactory<LabelHubDbContext> dbFactory, ILogger<ItemStatsRefreshLoop> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                await ItemStatsRefresh.RunAsync(db, projectId: null, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Refreshing the data manager's item columns failed; trying again shortly");
            }
        }
    }
}
