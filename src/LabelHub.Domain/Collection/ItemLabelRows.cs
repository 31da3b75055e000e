using LabelHub.Domain.Data;

namespace LabelHub.Domain.Collection;

/// <summary>
/// The SQL that writes <see cref="ItemLabel"/> rows from items' current answers: what the "label of a field" filter
/// matched when it read the answers' JSON, now kept per item. A field counts with its value when that is a JSON string
/// (a choice, a text, a date) and with each string of its value when that is an array (a multi-choice); numbers,
/// ratings, spans and boxes give no label. Review status does not matter: a rejected answer stays current until it is
/// replaced, and the filter has always matched current answers. Strings longer than <see cref="ItemLabel.MaxLabelLength"/>
/// are left out, and the filter refuses such a label.
/// </summary>
public static class ItemLabelRows
{
    private const string PostgresLabels = """
        SELECT DISTINCT a.item_id, a.project_id, f.key, l.label
        FROM annotations a
        CROSS JOIN LATERAL jsonb_each(a."values") f
        CROSS JOIN LATERAL (
          SELECT jsonb_build_array(f.value) ->> 0 AS label WHERE jsonb_typeof(f.value) = 'string'
          UNION ALL
          SELECT jsonb_build_array(e) ->> 0 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(f.value) = 'array' THEN f.value ELSE '[]'::jsonb END) e
          WHERE jsonb_typeof(e) = 'string'
        ) l
        WHERE a.is_current AND char_length(f.key) <= 100 AND char_length(l.label) <= 200 AND {items}
        """;

    // json_each over a string gives the string itself; over an array, each element (type 'text' for strings).
    private const string SqliteLabels = """
        SELECT a.item_id, a.project_id, f.key, f.value
        FROM annotations a, json_each(a."values") f
        WHERE a.is_current AND f.type = 'text' AND length(f.key) <= 100 AND length(f.value) <= 200 AND {items}
        UNION
        SELECT a.item_id, a.project_id, f.key, e.value
        FROM annotations a, json_each(a."values") f, json_each(f.value) e
        WHERE a.is_current AND f.type = 'array' AND e.type = 'text' AND length(f.key) <= 100 AND length(e.value) <= 200 AND {items}
        """;

    // No braces in the SQL but the {0} parameter: EF Core formats raw SQL with its parameters.

    /// <summary>
    /// Replaces the rows of the items whose ids the statement's parameter {0} holds (a PostgreSQL bigint[] or a SQLite
    /// JSON list); run in the same command as the item stats refresh. ON CONFLICT/OR IGNORE: a concurrent refresh of
    /// the same item may have inserted a row this statement's delete did not see.
    /// </summary>
    public static string RefreshSql(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Postgres => $"""
            DELETE FROM item_labels WHERE item_id = ANY({"{0}"});
            INSERT INTO item_labels (item_id, project_id, field, label)
            {PostgresLabels.Replace("{items}", "a.item_id = ANY({0})", StringComparison.Ordinal)}
            ON CONFLICT DO NOTHING;
            """,
        DatabaseProvider.Sqlite => $"""
            DELETE FROM item_labels WHERE item_id IN (SELECT value FROM json_each({"{0}"}));
            INSERT OR IGNORE INTO item_labels (item_id, project_id, field, label)
            {SqliteLabels.Replace("{items}", "a.item_id IN (SELECT value FROM json_each({0}))", StringComparison.Ordinal)};
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    /// <summary>Rebuilds every item's rows from the answers (the migration's backfill and repairs); no parameters.</summary>
    public static string BackfillSql(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Postgres => $"""
            DELETE FROM item_labels;
            INSERT INTO item_labels (item_id, project_id, field, label)
            {PostgresLabels.Replace("{items}", "TRUE", StringComparison.Ordinal)};
            """,
        DatabaseProvider.Sqlite => $"""
            DELETE FROM item_labels;
            INSERT INTO item_labels (item_id, project_id, field, label)
            {SqliteLabels.Replace("{items}", "1", StringComparison.Ordinal)};
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
