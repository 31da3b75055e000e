using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LabelHub.Domain.Collection;

/// <summary>
/// The data manager's full-text search index on <see cref="Item.SearchText"/>, as raw SQL a migration calls (a
/// regenerated migration needs one line: <c>ItemSearchIndex.Up(migrationBuilder, provider)</c>).
/// PostgreSQL: a pg_trgm GIN index, which ILIKE '%…%' uses for queries of 3 or more characters; the next migration
/// moved it from items to item_search (<see cref="ItemStatsStorage"/>).
/// SQLite: an FTS5 table with the trigram tokenizer (case-insensitive) over items' search_text, external content kept
/// in step by triggers; queries of fewer than 3 characters have no trigram and fall back to a LIKE scan.
/// </summary>
public static class ItemSearchIndex
{
    /// <summary>The SQLite FTS5 table whose rowid is the item id.</summary>
    public const string SqliteTable = "items_search";

    public static void Up(MigrationBuilder migrationBuilder, DatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
                // Items imported before search_text existed: their "text" value, if it is a string.
                migrationBuilder.Sql("""
                    UPDATE items SET search_text = data->>'text'
                    WHERE search_text IS NULL AND jsonb_typeof(data->'text') = 'string';
                    """);
                migrationBuilder.Sql("CREATE INDEX ix_items_search_text_trgm ON items USING gin (search_text gin_trgm_ops);");
                break;
            case DatabaseProvider.Sqlite:
                migrationBuilder.Sql("""
                    UPDATE items SET search_text = json_extract(data, '$.text')
                    WHERE search_text IS NULL AND json_type(data, '$.text') = 'text';
                    """);
                migrationBuilder.Sql($"""
                    CREATE VIRTUAL TABLE {SqliteTable} USING fts5(search_text, content='items', content_rowid='id', tokenize='trigram case_sensitive 0');
                    """);
                // Only rows with text enter the index; the delete must then pass exactly what was inserted.
                migrationBuilder.Sql($"""
                    CREATE TRIGGER items_search_insert AFTER INSERT ON items WHEN new.search_text IS NOT NULL BEGIN
                      INSERT INTO {SqliteTable}(rowid, search_text) VALUES (new.id, new.search_text);
                    END;
                    """);
                migrationBuilder.Sql($"""
                    CREATE TRIGGER items_search_delete AFTER DELETE ON items WHEN old.search_text IS NOT NULL BEGIN
                      INSERT INTO {SqliteTable}({SqliteTable}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
                    END;
                    """);
                migrationBuilder.Sql($"""
                    CREATE TRIGGER items_search_update AFTER UPDATE OF search_text ON items BEGIN
                      INSERT INTO {SqliteTable}({SqliteTable}, rowid, search_text) SELECT 'delete', old.id, old.search_text WHERE old.search_text IS NOT NULL;
                      INSERT INTO {SqliteTable}(rowid, search_text) SELECT new.id, new.search_text WHERE new.search_text IS NOT NULL;
                    END;
                    """);
                migrationBuilder.Sql($"INSERT INTO {SqliteTable}(rowid, search_text) SELECT id, search_text FROM items WHERE search_text IS NOT NULL;");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
        // (This migration also backfilled items.agreement and items.prediction_score; the next one moved them to
        // item_stats and fills them there, so a database upgraded through both gets them from that one.)
    }

    /// <summary>The item_labels rows of answers given before the table existed (the table itself is the migration's).</summary>
    public static void UpLabels(MigrationBuilder migrationBuilder, DatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql(ItemLabelRows.BackfillSql(provider));
    }

    public static void Down(MigrationBuilder migrationBuilder, DatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                migrationBuilder.Sql("DROP INDEX IF EXISTS ix_items_search_text_trgm;");
                break;
            case DatabaseProvider.Sqlite:
                migrationBuilder.Sql("DROP TRIGGER IF EXISTS items_search_insert;");
                migrationBuilder.Sql("DROP TRIGGER IF EXISTS items_search_delete;");
                migrationBuilder.Sql("DROP TRIGGER IF EXISTS items_search_update;");
                migrationBuilder.Sql($"DROP TABLE IF EXISTS {SqliteTable};");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
    }
}
