using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LabelHub.Domain.Data;

/// <summary>
/// SQLite has one writer at a time, and its busy handler lets waiting writers poll: a job writing batch after batch took
/// the lock again before the annotators' polls came round, and their hand-outs waited seconds; a writer polling beside
/// a stream of others could wait 8 s and fail. In the embedded mode every writer is in this process, so every write
/// queues here instead, in the order SQLite would otherwise decide by chance (ADR 0015): requests first, jobs' writes
/// (<see cref="MarkJob"/>) only when no request is waiting. <see cref="SqliteWriteInterceptor"/> sends EF's transactions
/// and write statements through it; raw ADO.NET writes use <see cref="RunAsync"/>. On PostgreSQL it does nothing.
/// </summary>
public sealed class SqliteWriteGate(DatabaseSettings settings)
{
    /// <summary>Past this a write gives up as SQLite's own busy timeout would, and the caller answers 503 (DatabaseBusy).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private static readonly AsyncLocal<bool> InJob = new();
    private static readonly AsyncLocal<bool> Holding = new();

    private readonly SemaphoreSlim gate = new(1, 1);
    private int requestsWaiting;

    public bool Enabled { get; } = settings.IsEmbedded;

    /// <summary>Marks the rest of this async flow as a background job's: its writes wait for every waiting request.</summary>
    public static void MarkJob() => InJob.Value = true;

    /// <summary>Whether this flow already holds the gate (a write inside <see cref="RunAsync"/>).</summary>
    internal static bool HeldHere => Holding.Value;

    /// <summary>Runs a write that EF does not see (raw ADO.NET) holding the gate.</summary>
    public async Task RunAsync(Func<Task> write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (!Enabled || Holding.Value)
        {
            await write();
            return;
        }
        using var turn = await EnterAsync(ct);
        Holding.Value = true;
        try
        {
            await write();
        }
        finally
        {
            Holding.Value = false;
        }
    }

    /// <summary>Waits for this flow's turn: a request's at once when free, a job's only once no request waits.</summary>
    internal async ValueTask<Turn> EnterAsync(CancellationToken ct)
    {
        if (!InJob.Value)
        {
            Interlocked.Increment(ref requestsWaiting);
            try
            {
                await WaitAsync(ct);
            }
            finally
            {
                Interlocked.Decrement(ref requestsWaiting);
            }
            return new Turn(gate);
        }
        while (true)
        {
            await WaitAsync(ct);
            if (Volatile.Read(ref requestsWaiting) == 0)
            {
                return new Turn(gate);
            }
            // A request arrived while this job waited: it goes first.
            gate.Release();
            await Task.Delay(1, ct);
        }
    }

    internal Turn Enter()
    {
        // Synchronous EF calls (rare: start-up, tests) queue the same way, blocking their thread.
        return EnterAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private async Task WaitAsync(CancellationToken ct)
    {
        if (!await gate.WaitAsync(MaxWait, ct))
        {
            throw new SqliteException("database is locked (waited 30 s for the writer queue)", 5);
        }
    }

    /// <summary>Holding the gate until disposed, once.</summary>
    internal sealed class Turn(SemaphoreSlim held) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                held.Release();
            }
        }
    }
}

/// <summary>
/// Sends EF's SQLite writes through <see cref="SqliteWriteGate"/>: a transaction holds a turn from its start to its end
/// (Microsoft.Data.Sqlite begins them IMMEDIATE, taking SQLite's write lock at once, so the turn mirrors the lock); a write
/// statement outside a transaction holds one while it runs. Reads never wait. A connection that closes still holding a
/// turn (a transaction disposed without commit or rollback) gives it back.
/// </summary>
public sealed class SqliteWriteInterceptor(SqliteWriteGate gate) : IDbCommandInterceptor, IDbTransactionInterceptor, IDbConnectionInterceptor
{
    private readonly ConditionalWeakTable<DbConnection, SqliteWriteGate.Turn> byConnection = [];
    private readonly ConditionalWeakTable<DbTransaction, DbConnection> connectionOf = [];
    private readonly ConditionalWeakTable<DbCommand, SqliteWriteGate.Turn> byCommand = [];

    // Transactions: the gate is taken, then the transaction begun here, so a BEGIN that fails (SQLite busy because of
    // another process) gives the turn back at once.
    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (!Applies(connection))
        {
            return result;
        }
        var turn = await gate.EnterAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken);
            byConnection.AddOrUpdate(connection, turn);
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (!Applies(connection))
        {
            return result;
        }
        var turn = gate.Enter();
        try
        {
            var transaction = connection.BeginTransaction(eventData.IsolationLevel);
            byConnection.AddOrUpdate(connection, turn);
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    // The transaction's connection is remembered: SQLite's transaction forgets it once committed.
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        connectionOf.AddOrUpdate(result, connection);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        connectionOf.AddOrUpdate(result, connection);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(transaction);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(transaction);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(transaction);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(transaction);

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(transaction);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        Release(transaction);

    // The backstop: nothing outlives its connection.
    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    // Write statements outside a transaction (a single-statement SaveChanges, ExecuteUpdate, ExecuteDelete, raw SQL).
    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterForCommandAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        EnterForCommand(command);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnterForCommandAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        EnterForCommand(command);
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await EnterForCommandAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        EnterForCommand(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ReleaseCommand(command);
        return ValueTask.FromResult(result);
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        ReleaseCommand(command);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        ReleaseCommand(command);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        ReleaseCommand(command);
        return result;
    }

    // A statement with RETURNING writes while its reader is read: the turn ends when the reader does.
    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        ReleaseCommand(command);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        ReleaseCommand(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        ReleaseCommand(command);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => ReleaseCommand(command);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ReleaseCommand(command);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => ReleaseCommand(command);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ReleaseCommand(command);
        return Task.CompletedTask;
    }

    private bool Applies(DbConnection connection) =>
        gate.Enabled && !SqliteWriteGate.HeldHere && !byConnection.TryGetValue(connection, out _);

    private bool AppliesTo(DbCommand command) =>
        command.Transaction is null && command.Connection is { } connection && Applies(connection) && IsWrite(command.CommandText);

    private async Task EnterForCommandAsync(DbCommand command, CancellationToken ct)
    {
        if (AppliesTo(command))
        {
            byCommand.AddOrUpdate(command, await gate.EnterAsync(ct));
        }
    }

    private void EnterForCommand(DbCommand command)
    {
        if (AppliesTo(command))
        {
            byCommand.AddOrUpdate(command, gate.Enter());
        }
    }

    private void ReleaseCommand(DbCommand command)
    {
        if (byCommand.TryGetValue(command, out var turn))
        {
            byCommand.Remove(command);
            turn.Dispose();
        }
    }

    private Task Release(DbTransaction transaction)
    {
        if (connectionOf.TryGetValue(transaction, out var connection))
        {
            connectionOf.Remove(transaction);
            return Release(connection);
        }
        return Task.CompletedTask;
    }

    private Task Release(DbConnection? connection)
    {
        if (connection is not null && byConnection.TryGetValue(connection, out var turn))
        {
            byConnection.Remove(connection);
            turn.Dispose();
        }
        return Task.CompletedTask;
    }

    /// <summary>Statements that take SQLite's write lock (EF writes INSERT, UPDATE and DELETE, with or without RETURNING).</summary>
    private static bool IsWrite(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }
}
