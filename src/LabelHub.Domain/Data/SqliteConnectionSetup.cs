using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LabelHub.Domain.Data;

/// <summary>
/// How every SQLite connection is set up when it opens (ADR 0015):
/// <list type="bullet">
/// <item>SQLite itself waits for a busy database, in steps of 1 to 100 ms. Without it Microsoft.Data.Sqlite retries a
/// locked write only every 150 ms (blocking its thread): a write that met a 30 ms batch waited 151 ms, with this 33 ms.
/// As long as the driver's DefaultTimeout (5 s), so the driver, whose retry loop checks its clock after each try, gives
/// up right after SQLite does instead of trying again for as long.</item>
/// <item>No connection checkpoints the write-ahead log after its own commit: <see cref="SqliteCheckpointer"/> does it in
/// the background. Otherwise the annotator whose commit crossed the threshold paid for copying a job's hundreds of
/// megabytes into the database file.</item>
/// <item>After a checkpoint the log file is cut back to 64 MB instead of keeping its largest size.</item>
/// </list>
/// </summary>
public sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();

    private const string Pragmas = "PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
