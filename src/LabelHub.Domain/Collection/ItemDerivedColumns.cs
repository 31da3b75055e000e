using System.Text.Json;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Keeps <see cref="Item.Agreement"/> and <see cref="Item.PredictionScore"/> equal to what the item's current answers
/// and newest prediction say. Called wherever answers or predictions of items are written, in the same transaction:
/// one UPDATE of those items that reads only their own answers and predictions (both by an index on item_id), so the
/// labeling path pays one small statement per submit instead of the data manager reading every answer per page.
/// The same command replaces the items' <see cref="ItemLabel"/> rows, which the label-of-a-field filter reads.
/// </summary>
public static class ItemDerivedColumns
{
    // Agreement: pairs of equal current answers / all pairs = Σ c(c−1) / n(n−1) over groups of equal answers.
    // PostgreSQL compares jsonb by value; SQLite compares the stored JSON text, which one serializer writes.
    private const string PostgresSql = """
        UPDATE items AS i SET
          agreement = (SELECT CASE WHEN SUM(g.c) < 2 THEN NULL ELSE SUM(g.c * (g.c - 1)) * 1.0 / (SUM(g.c) * (SUM(g.c) - 1)) END
                       FROM (SELECT COUNT(*) AS c FROM annotations a WHERE a.item_id = i.id AND a.is_current GROUP BY a."values") g),
          prediction_score = (SELECT p.score FROM predictions p WHERE p.item_id = i.id ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
        WHERE i.id = ANY({0})
        """;

    private const string SqliteSql = """
        UPDATE items SET
          agreement = (SELECT CASE WHEN SUM(g.c) < 2 THEN NULL ELSE SUM(g.c * (g.c - 1)) * 1.0 / (SUM(g.c) * (SUM(g.c) - 1)) END
                       FROM (SELECT COUNT(*) AS c FROM annotations a WHERE a.item_id = items.id AND a.is_current GROUP BY a."values") g),
          prediction_score = (SELECT p.score FROM predictions p WHERE p.item_id = items.id ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
        WHERE id IN (SELECT value FROM json_each({0}))
        """;

    /// <summary>The same recomputation for every item of a project (the migration's backfill and repairs).</summary>
    public static string BackfillSql(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Postgres => PostgresSql.Replace("i.id = ANY({0})", "TRUE", StringComparison.Ordinal),
        DatabaseProvider.Sqlite => SqliteSql.Replace("id IN (SELECT value FROM json_each({0}))", "1", StringComparison.Ordinal),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    public static Task RefreshAsync(LabelHubDbContext db, long itemId, CancellationToken ct = default) =>
        RefreshAsync(db, [itemId], ct);

    /// <summary>
    /// Recomputes the items' agreement and prediction score and replaces their <see cref="ItemLabel"/> rows: one command
    /// (one round trip) per chunk of items, all chunks in one transaction (the caller's, or one of its own).
    /// </summary>
    public static async Task RefreshAsync(LabelHubDbContext db, IReadOnlyCollection<long> itemIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(itemIds);
        if (itemIds.Count == 0)
        {
            return;
        }
        var ids = itemIds.Distinct().ToArray();
        var sql = (db.Provider == DatabaseProvider.Postgres ? PostgresSql : SqliteSql) + ";\n" + ItemLabelRows.RefreshSql(db.Provider);
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        // Chunks keep one statement's parameter (an array or a JSON list) small on a large prediction upload.
        foreach (var chunk in ids.Chunk(5000))
        {
            object parameter = db.Provider == DatabaseProvider.Postgres ? chunk : JsonSerializer.Serialize(chunk);
            await db.Database.ExecuteSqlRawAsync(sql, [parameter], ct);
        }
        if (own is not null)
        {
            await own.CommitAsync(ct);
        }
    }
}
