using Npgsql;

namespace LabelHub.Bench.Distribution;

public sealed record InvariantResult(string Name, long Violations);

public sealed record DatabaseTotals(long Leased, long Submitted, long Expired, long Skipped, long CurrentAnnotations, long CompleteItems, long TouchedItems);

/// <summary>The distribution invariants (docs/decisions/0002), checked in SQL over the whole project after the run.</summary>
public static class InvariantChecker
{
    private static readonly (string Name, string Sql)[] Checks =
    [
        ("items with more than `overlap` distinct annotators (current annotations + live leases)", """
            SELECT count(*) FROM (
              SELECT item_id FROM (
                SELECT item_id, annotator_id AS user_id FROM annotations WHERE project_id = @p AND is_current
                UNION
                SELECT item_id, user_id FROM assignments WHERE project_id = @p AND state = 'Leased'
              ) who GROUP BY item_id HAVING count(DISTINCT user_id) > @overlap
            ) over_overlap
            """),
        ("duplicate (item_id, user_id) in assignments", """
            SELECT count(*) FROM (
              SELECT item_id, user_id FROM assignments WHERE project_id = @p GROUP BY item_id, user_id HAVING count(*) > 1
            ) duplicates
            """),
        ("items whose taken_slots ≠ live leases + submissions", """
            SELECT count(*) FROM items i
            LEFT JOIN (SELECT item_id, count(*) AS live FROM assignments
                       WHERE project_id = @p AND state IN ('Leased', 'Submitted') GROUP BY item_id) a ON a.item_id = i.id
            WHERE i.project_id = @p AND i.taken_slots <> coalesce(a.live, 0)
            """),
        ("items whose submitted_count ≠ submitted assignments", """
            SELECT count(*) FROM items i
            LEFT JOIN (SELECT item_id, count(*) AS submitted FROM assignments
                       WHERE project_id = @p AND state = 'Submitted' GROUP BY item_id) a ON a.item_id = i.id
            WHERE i.project_id = @p AND i.submitted_count <> coalesce(a.submitted, 0)
            """),
        ("items with taken_slots outside 0..overlap", """
            SELECT count(*) FROM items WHERE project_id = @p AND (taken_slots < 0 OR taken_slots > @overlap OR submitted_count > taken_slots)
            """),
        ("submitted assignments without exactly one current annotation", """
            SELECT count(*) FROM assignments s
            WHERE s.project_id = @p AND s.state = 'Submitted'
              AND (SELECT count(*) FROM annotations n WHERE n.item_id = s.item_id AND n.annotator_id = s.user_id AND n.is_current) <> 1
            """),
        ("current annotations without a submitted assignment", """
            SELECT count(*) FROM annotations n
            WHERE n.project_id = @p AND n.is_current
              AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.item_id = n.item_id AND s.user_id = n.annotator_id AND s.state = 'Submitted')
            """),
    ];

    public static async Task<IReadOnlyList<InvariantResult>> CheckAsync(string connectionString, Guid projectId, int overlap, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var results = new List<InvariantResult>();
        foreach (var (name, sql) in Checks)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("p", projectId);
            command.Parameters.AddWithValue("overlap", overlap);
            results.Add(new InvariantResult(name, Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture)));
        }
        return results;
    }

    public static async Task<DatabaseTotals> TotalsAsync(string connectionString, Guid projectId, int overlap, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT
              (SELECT count(*) FROM assignments WHERE project_id = @p AND state = 'Leased'),
              (SELECT count(*) FROM assignments WHERE project_id = @p AND state = 'Submitted'),
              (SELECT count(*) FROM assignments WHERE project_id = @p AND state = 'Expired'),
              (SELECT count(*) FROM assignments WHERE project_id = @p AND state = 'Skipped'),
              (SELECT count(*) FROM annotations WHERE project_id = @p AND is_current),
              (SELECT count(*) FROM items WHERE project_id = @p AND submitted_count >= @overlap),
              (SELECT count(*) FROM items WHERE project_id = @p AND taken_slots > 0)
            """, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("p", projectId);
        command.Parameters.AddWithValue("overlap", overlap);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new DatabaseTotals(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
    }
}
