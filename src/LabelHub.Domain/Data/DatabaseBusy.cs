using Microsoft.Data.Sqlite;
using Npgsql;

namespace LabelHub.Domain.Data;

/// <summary>
/// A database too busy to answer in time: SQLite's write lock still held after the driver's retries, or PostgreSQL
/// giving up on a lock, a deadlock or a serialization conflict. Callers may try again in a moment: the API answers
/// 503 with Retry-After, the workbench retries and keeps the answer meanwhile.
/// </summary>
public static class DatabaseBusy
{
    /// <summary>How long a client should wait before trying again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: 5 or 6 }:
                    // SQLITE_BUSY, SQLITE_LOCKED
                    return true;
                case PostgresException { SqlState: "55P03" or "40P01" or "40001" or "57014" }:
                    // lock_not_available, deadlock_detected, serialization_failure, query_canceled (statement timeout)
                    return true;
                case NpgsqlException { InnerException: TimeoutException }:
                case TimeoutException:
                    return true;
            }
        }
        return false;
    }
}
