using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LabelHub.Domain.Collection;

/// <summary>
/// The raw SQL of the migration that moved the data manager's columns off <c>items</c> (ADR 0022, amendment): the
/// triggers that add an <see cref="ItemStats"/> row with each item and queue an item whenever its answers, predictions
/// or priority change (<see cref="ItemStatsChange"/>), PostgreSQL's item_search table with the trigram index, and the
/// backfill. Triggers catch every writer (EF, raw SQL, COPY), so no service has to remember the data manager.
/// </summary>
public static class ItemStatsStorage
{
    /// <summary>PostgreSQL's search table: one row per item with text, written once when the item is made.</summary>
    public const string PostgresSearchTable = "item_search";

    private const string QueueColumns = "item_stats_queue (item_id, project_id)";

    public static void Up(MigrationBuilder migrationBuilder, DatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        // Every item gets its row, then the derived values; the triggers come last, so the backfill queues nothing.
        migrationBuilder.Sql("""
            INSERT INTO item_stats (item_id, project_id, created_at, source_id, priority, submitted_count)
            SELECT id, project_id, created_at, source_id, priority, submitted_count FROM items;
            """);
        migrationBuilder.Sql(ItemStatsRefresh.BackfillSql(provider) + ";");
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                UpPostgres(migrationBuilder);
                break;
            case DatabaseProvider.Sqlite:
                UpSqlite(migrationBuilder);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
    }

    private static void UpPostgres(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP INDEX IF EXISTS ix_items_search_text_trgm;");
        migrationBuilder.Sql($"""
            CREATE TABLE {PostgresSearchTable} (
              item_id bigint PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
              project_id uuid NOT NULL,
              search_text text NOT NULL);
            INSERT INTO {PostgresSearchTable} (item_id, project_id, search_text)
            SELECT id, project_id, search_text FROM items WHERE search_text IS NOT NULL;
            CREATE INDEX ix_item_search_search_text_trgm ON {PostgresSearchTable} USING gin (search_text gin_trgm_ops);
            """);
        // One statement-level trigger per insert statement: an import's COPY of 1,000,000 rows adds their rows in one go.
        migrationBuilder.Sql($"""
            CREATE FUNCTION labelhub_items_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO item_stats (item_id, project_id, created_at, source_id, priority, submitted_count)
              SELECT id, project_id, created_at, source_id, priority, submitted_count FROM new_items;
              INSERT INTO {PostgresSearchTable} (item_id, project_id, search_text)
              SELECT id, project_id, search_text FROM new_items WHERE search_text IS NOT NULL;
              RETURN NULL;
            END $$;
            CREATE TRIGGER items_inserted AFTER INSERT ON items REFERENCING NEW TABLE AS new_items
              FOR EACH STATEMENT EXECUTE FUNCTION labelhub_items_inserted();

            CREATE FUNCTION labelhub_item_search_text_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              DELETE FROM {PostgresSearchTable} WHERE item_id = NEW.id;
              IF NEW.search_text IS NOT NULL THEN
                INSERT INTO {PostgresSearchTable} (item_id, project_id, search_text) VALUES (NEW.id, NEW.project_id, NEW.search_text);
              END IF;
              RETURN NULL;
            END $$;
            CREATE TRIGGER items_search_text_changed AFTER UPDATE OF search_text ON items
              FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION labelhub_item_search_text_changed();

            CREATE FUNCTION labelhub_item_priority_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO {QueueColumns} VALUES (NEW.id, NEW.project_id);
              RETURN NULL;
            END $$;
            CREATE TRIGGER items_priority_changed AFTER UPDATE OF priority ON items
              FOR EACH ROW WHEN (OLD.priority IS DISTINCT FROM NEW.priority) EXECUTE FUNCTION labelhub_item_priority_changed();

            CREATE FUNCTION labelhub_item_answers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP <> 'INSERT' THEN
                INSERT INTO {QueueColumns} VALUES (OLD.item_id, OLD.project_id);
              END IF;
              IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.item_id <> OLD.item_id) THEN
                INSERT INTO {QueueColumns} VALUES (NEW.item_id, NEW.project_id);
              END IF;
              RETURN NULL;
            END $$;
            CREATE TRIGGER annotations_inserted_or_deleted AFTER INSERT OR DELETE ON annotations
              FOR EACH ROW EXECUTE FUNCTION labelhub_item_answers_changed();
            CREATE TRIGGER annotations_changed AFTER UPDATE OF "values", is_current, item_id ON annotations
              FOR EACH ROW EXECUTE FUNCTION labelhub_item_answers_changed();
            CREATE TRIGGER predictions_inserted_or_deleted AFTER INSERT OR DELETE ON predictions
              FOR EACH ROW EXECUTE FUNCTION labelhub_item_answers_changed();
            CREATE TRIGGER predictions_changed AFTER UPDATE OF score, created_at, item_id ON predictions
              FOR EACH ROW EXECUTE FUNCTION labelhub_item_answers_changed();
            """);
    }

    private static void UpSqlite(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TRIGGER items_stats_insert AFTER INSERT ON items BEGIN
              INSERT INTO item_stats (item_id, project_id, created_at, source_id, priority, submitted_count)
              VALUES (new.id, new.project_id, new.created_at, new.source_id, new.priority, new.submitted_count);
            END;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER items_priority_changed AFTER UPDATE OF priority ON items WHEN old.priority IS NOT new.priority BEGIN
              INSERT INTO {QueueColumns} VALUES (new.id, new.project_id);
            END;
            """);
        foreach (var (table, columns) in new[] { ("annotations", "\"values\", is_current, item_id"), ("predictions", "score, created_at, item_id") })
        {
            migrationBuilder.Sql($"""
                CREATE TRIGGER {table}_stats_insert AFTER INSERT ON {table} BEGIN
                  INSERT INTO {QueueColumns} VALUES (new.item_id, new.project_id);
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER {table}_stats_delete AFTER DELETE ON {table} BEGIN
                  INSERT INTO {QueueColumns} VALUES (old.item_id, old.project_id);
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER {table}_stats_update AFTER UPDATE OF {columns} ON {table} BEGIN
                  INSERT INTO {QueueColumns} VALUES (old.item_id, old.project_id);
                  INSERT INTO {QueueColumns} SELECT new.item_id, new.project_id WHERE new.item_id <> old.item_id;
                END;
                """);
        }
    }

    public static void Down(MigrationBuilder migrationBuilder, DatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                migrationBuilder.Sql($"""
                    DROP TRIGGER IF EXISTS items_inserted ON items;
                    DROP TRIGGER IF EXISTS items_search_text_changed ON items;
                    DROP TRIGGER IF EXISTS items_priority_changed ON items;
                    DROP TRIGGER IF EXISTS annotations_inserted_or_deleted ON annotations;
                    DROP TRIGGER IF EXISTS annotations_changed ON annotations;
                    DROP TRIGGER IF EXISTS predictions_inserted_or_deleted ON predictions;
                    DROP TRIGGER IF EXISTS predictions_changed ON predictions;
                    DROP FUNCTION IF EXISTS labelhub_items_inserted();
                    DROP FUNCTION IF EXISTS labelhub_item_search_text_changed();
                    DROP FUNCTION IF EXISTS labelhub_item_priority_changed();
                    DROP FUNCTION IF EXISTS labelhub_item_answers_changed();
                    DROP TABLE IF EXISTS {PostgresSearchTable};
                    CREATE INDEX ix_items_search_text_trgm ON items USING gin (search_text gin_trgm_ops);
                    """);
                break;
            case DatabaseProvider.Sqlite:
                foreach (var trigger in new[] { "items_stats_insert", "items_priority_changed", "annotations_stats_insert", "annotations_stats_delete",
                    "annotations_stats_update", "predictions_stats_insert", "predictions_stats_delete", "predictions_stats_update" })
                {
                    migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {trigger};");
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
    }
}
