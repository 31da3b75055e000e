namespace LabelHub.Domain.Releases;

/// <summary>
/// The triggers that keep a finished release as it was cut (ADR 0020), one set per provider, installed by the Releases
/// migration. Items of a release are never updated. A release that is <see cref="ReleaseState.Ready"/> is never updated,
/// and it and its items are deleted only when the project is archived (deleting a project for good needs that). A
/// release still being cut, or failed, may be finished or cleared by its job.
/// </summary>
public static class ReleaseImmutability
{
    /// <summary>The message both databases raise; the API turns it into a 409.</summary>
    public const string Message = "A finished release cannot be changed.";

    // The SQL names states by number: 1 is ReleaseState.Ready (a test checks it). Kept as written when the migration
    // was made: migrations never change.

    public const string SqliteUp = $"""
        CREATE TRIGGER release_items_no_update BEFORE UPDATE ON release_items
        BEGIN SELECT RAISE(ABORT, '{Message}'); END;

        CREATE TRIGGER release_items_no_delete BEFORE DELETE ON release_items
        WHEN (SELECT r.state FROM releases r WHERE r.id = OLD.release_id) = 1
         AND (SELECT p.archived_at FROM releases r JOIN projects p ON p.id = r.project_id WHERE r.id = OLD.release_id) IS NULL
        BEGIN SELECT RAISE(ABORT, '{Message}'); END;

        CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
        WHEN OLD.state = 1
        BEGIN SELECT RAISE(ABORT, '{Message}'); END;

        CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
        WHEN OLD.state = 1 AND (SELECT p.archived_at FROM projects p WHERE p.id = OLD.project_id) IS NULL
        BEGIN SELECT RAISE(ABORT, '{Message}'); END;
        """;

    public const string SqliteDown = """
        DROP TRIGGER IF EXISTS release_items_no_update;
        DROP TRIGGER IF EXISTS release_items_no_delete;
        DROP TRIGGER IF EXISTS releases_no_update;
        DROP TRIGGER IF EXISTS releases_no_delete;
        """;

    // check_violation (23514), so that the API maps it like any constraint the data breaks.
    public const string PostgresUp = $"""
        CREATE FUNCTION release_items_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                RAISE EXCEPTION '{Message}' USING ERRCODE = 'check_violation';
            END IF;
            IF EXISTS (SELECT 1 FROM releases r JOIN projects p ON p.id = r.project_id
                       WHERE r.id = OLD.release_id AND r.state = 1 AND p.archived_at IS NULL) THEN
                RAISE EXCEPTION '{Message}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN OLD;
        END $$;

        CREATE TRIGGER release_items_guard BEFORE UPDATE OR DELETE ON release_items
        FOR EACH ROW EXECUTE FUNCTION release_items_guard();

        CREATE FUNCTION releases_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.state = 1 AND (TG_OP = 'UPDATE'
                OR EXISTS (SELECT 1 FROM projects p WHERE p.id = OLD.project_id AND p.archived_at IS NULL)) THEN
                RAISE EXCEPTION '{Message}' USING ERRCODE = 'check_violation';
            END IF;
            IF TG_OP = 'UPDATE' THEN
                RETURN NEW;
            END IF;
            RETURN OLD;
        END $$;

        CREATE TRIGGER releases_guard BEFORE UPDATE OR DELETE ON releases
        FOR EACH ROW EXECUTE FUNCTION releases_guard();
        """;

    public const string PostgresDown = """
        DROP TRIGGER IF EXISTS release_items_guard ON release_items;
        DROP FUNCTION IF EXISTS release_items_guard();
        DROP TRIGGER IF EXISTS releases_guard ON releases;
        DROP FUNCTION IF EXISTS releases_guard();
        """;
}
