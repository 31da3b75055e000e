using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using LabelHub.Domain.Labeling;
using Npgsql;

namespace LabelHub.Bench.Distribution;

public sealed record StatementStat(long Calls, double TotalMs, double MeanMs, double MaxMs, long Rows, string Query);

public sealed record PlanSample(string When, double ElapsedMs, string Plan);

/// <summary>A LabelHub job (job_runs) that ran at least partly during a window.</summary>
public sealed record JobDuring(string Kind, Guid? ProjectId, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

public sealed record CpuUsage(
    double WallSeconds, double MachineBusyCores, double WebAppCores, double LoadGeneratorCores, double PostgresCores, double Load1Start, double Load1End,
    long JitMethods, double JitCores, int Gen0, int Gen1, int Gen2, TimeSpan GcPause, long AllocatedBytes, double WorkersCores)
{
    /// <summary>Busy cores not explained by the web app, the load generator, a LabelHub.Workers process or PostgreSQL: other builds, the kernel, other services.</summary>
    public double OtherCores => Math.Max(0, MachineBusyCores - WebAppCores - LoadGeneratorCores - PostgresCores - WorkersCores);
}

/// <summary>What the machine, the thread pool and PostgreSQL were doing during the measured window.</summary>
public sealed class Diagnostics(string connectionString, int? postmasterPid)
{
    private readonly ConcurrentDictionary<string, long> activity = new();
    private int activitySamples;
    private int threadPoolSamples;
    private long threadPoolQueueSum;
    private long threadPoolQueueMax;
    private int threadCountMax;
    private (long Busy, long Total) machineStart;
    private TimeSpan processStart;
    private double postgresStart;
    private double loadGeneratorStart;
    private double workersStart;
    private DateTimeOffset windowStartUtc;
    private DateTimeOffset windowEndUtc;
    private double load1Start;
    private long wallStart;
    private long jitMethodsStart;
    private TimeSpan jitTimeStart;
    private (int Gen0, int Gen1, int Gen2, TimeSpan Pause) gcStart;
    private long allocatedStart;

    public List<PlanSample> Plans { get; } = [];

    /// <summary>Each second of the window: (Stopwatch timestamp, web app, load generator and PostgreSQL cores over the second before).</summary>
    public List<(long At, double Web, double LoadGenerator, double Postgres)> CpuTimeline { get; } = [];

    /// <summary>The load generator's process, whose CPU is reported apart from the web app's.</summary>
    public int? LoadGeneratorPid { get; set; }

    /// <summary>A LabelHub.Workers process training models (--train-workers), reported apart too.</summary>
    public int? WorkersPid { get; set; }

    public double ThreadPoolQueueMean => threadPoolSamples == 0 ? 0 : (double)threadPoolQueueSum / threadPoolSamples;

    public long ThreadPoolQueueMax => threadPoolQueueMax;

    public int ThreadCountMax => threadCountMax;

    /// <summary>Mean number of this database's backends per (state, wait event) over the window.</summary>
    public IReadOnlyList<(string Key, double Mean)> Activity =>
        [.. activity.OrderByDescending(p => p.Value).Select(p => (p.Key, activitySamples == 0 ? 0 : (double)p.Value / activitySamples))];

    public static async Task<bool> TryEnableStatementsAsync(string connectionString, CancellationToken ct)
    {
        try
        {
            await ExecuteAsync(connectionString, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", ct);
            await ExecuteAsync(connectionString, "SELECT pg_stat_statements_reset()", ct);
            return true;
        }
        catch (PostgresException e)
        {
            Console.WriteLine($"  pg_stat_statements not available ({e.MessageText}); the report will not list statements.");
            return false;
        }
    }

    public static Task ResetStatementsAsync(string connectionString, CancellationToken ct) =>
        ExecuteAsync(connectionString, "SELECT pg_stat_statements_reset()", ct);

    public static async Task<IReadOnlyList<StatementStat>> TopStatementsAsync(string connectionString, int limit, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT calls, total_exec_time, mean_exec_time, max_exec_time, rows, regexp_replace(query, '\s+', ' ', 'g')
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("limit", limit);
        var stats = new List<StatementStat>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            stats.Add(new StatementStat(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetInt64(4), reader.GetString(5)));
        }
        return stats;
    }

    public static async Task<long> TotalStatementCallsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The app's jobs (imports, quality recomputes, learning rounds...) that were running at some moment between <paramref name="start"/> and <paramref name="end"/>.</summary>
    public static async Task<IReadOnlyList<JobDuring>> JobsDuringAsync(string connectionString, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT kind, project_id, started_at, finished_at FROM job_runs
            WHERE started_at < @end AND coalesce(finished_at, now()) > @start ORDER BY started_at
            """, connection);
        command.Parameters.AddWithValue("start", start);
        command.Parameters.AddWithValue("end", end);
        var jobs = new List<JobDuring>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            jobs.Add(new JobDuring(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return jobs;
    }

    public void StartWindow()
    {
        wallStart = Stopwatch.GetTimestamp();
        windowStartUtc = DateTimeOffset.UtcNow;
        machineStart = MachineJiffies();
        processStart = Process.GetCurrentProcess().TotalProcessorTime;
        postgresStart = PostgresCpuSeconds();
        loadGeneratorStart = LoadGeneratorCpuSeconds();
        workersStart = WorkersCpuSeconds();
        load1Start = Load1();
        jitMethodsStart = System.Runtime.JitInfo.GetCompiledMethodCount();
        jitTimeStart = System.Runtime.JitInfo.GetCompilationTime();
        gcStart = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        allocatedStart = GC.GetTotalAllocatedBytes();
    }

    public CpuUsage EndWindow()
    {
        var wall = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
        windowEndUtc = DateTimeOffset.UtcNow;
        var machine = MachineJiffies();
        var busyFraction = (double)(machine.Busy - machineStart.Busy) / Math.Max(1, machine.Total - machineStart.Total);
        var process = (Process.GetCurrentProcess().TotalProcessorTime - processStart).TotalSeconds;
        var postgres = PostgresCpuSeconds() - postgresStart;
        var loadGenerator = LoadGeneratorCpuSeconds() - loadGeneratorStart;
        var workers = WorkersCpuSeconds() - workersStart;
        // Tiered compilation still at work means the window is not yet the steady state of a long-running server.
        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethodsStart;
        var jitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - jitTimeStart).TotalSeconds;
        return new CpuUsage(wall, busyFraction * Environment.ProcessorCount, process / wall, loadGenerator / wall, postgres / wall, load1Start, Load1(), jitMethods, jitSeconds / wall,
            GC.CollectionCount(0) - gcStart.Gen0, GC.CollectionCount(1) - gcStart.Gen1, GC.CollectionCount(2) - gcStart.Gen2,
            GC.GetTotalPauseDuration() - gcStart.Pause, GC.GetTotalAllocatedBytes() - allocatedStart, workers / wall);
    }

    /// <summary>Once a second: the thread pool's queue and PostgreSQL's backends of this database.</summary>
    public async Task SampleAsync(CancellationToken stop)
    {
        try
        {
            await TrySampleAsync(stop);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            Console.WriteLine($"  sampling stopped: {e.GetBaseException().Message}");
        }
    }

    private async Task TrySampleAsync(CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(stop);
        var last = (At: Stopwatch.GetTimestamp(), Web: Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, Load: LoadGeneratorCpuSeconds(), Postgres: PostgresCpuSeconds());
        while (!stop.IsCancellationRequested)
        {
            var now = (At: Stopwatch.GetTimestamp(), Web: Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, Load: LoadGeneratorCpuSeconds(), Postgres: PostgresCpuSeconds());
            var elapsed = Math.Max(1e-3, Stopwatch.GetElapsedTime(last.At, now.At).TotalSeconds);
            CpuTimeline.Add((now.At, (now.Web - last.Web) / elapsed, (now.Load - last.Load) / elapsed, (now.Postgres - last.Postgres) / elapsed));
            last = now;
            var pending = ThreadPool.PendingWorkItemCount;
            threadPoolQueueSum += pending;
            threadPoolQueueMax = Math.Max(threadPoolQueueMax, pending);
            threadCountMax = Math.Max(threadCountMax, ThreadPool.ThreadCount);
            threadPoolSamples++;
            await using (var command = new NpgsqlCommand("""
                SELECT coalesce(state, '?') || ' / ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU'), count(*)
                FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1
                """, connection))
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    activity.AddOrUpdate(reader.GetString(0), reader.GetInt64(1), (_, c) => c + reader.GetInt64(1));
                }
            }
            activitySamples++;
            try
            {
                await Task.Delay(1000, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>EXPLAIN ANALYZE of TaskDistributor's own pick query for one annotator, in a transaction that is rolled back.</summary>
    public async Task ExplainPickAsync(string when, Guid projectId, int overlap, Guid userId, CancellationToken ct)
    {
        try
        {
            await TryExplainPickAsync(when, projectId, overlap, userId, ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            Plans.Add(new PlanSample(when, double.NaN, $"(EXPLAIN failed: {e.GetBaseException().Message})"));
        }
    }

    private async Task TryExplainPickAsync(string when, Guid projectId, int overlap, Guid userId, CancellationToken ct)
    {
        var sql = PickSql();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, connection, transaction) { CommandTimeout = 300 };
        command.Parameters.Add(new NpgsqlParameter { Value = projectId });
        command.Parameters.Add(new NpgsqlParameter { Value = overlap });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        var started = Stopwatch.GetTimestamp();
        var plan = new StringBuilder();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                plan.AppendLine(reader.GetString(0));
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await transaction.RollbackAsync(ct);
        Plans.Add(new PlanSample(when, elapsed, plan.ToString().TrimEnd()));
    }

    /// <summary>The PostgreSQL pick query exactly as TaskDistributor sends it, with $1..$3 for project, overlap and user.</summary>
    public static string PickSql()
    {
        // The open-item pick, written out on its own in TaskDistributor.Sqlite.cs (PostgreSQL's LeaseSql runs the same as one branch).
        var field = typeof(TaskDistributor).GetNestedType("SqliteTaskStore", BindingFlags.NonPublic)
            ?.GetField("PickItemSql", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("TaskDistributor.SqliteTaskStore.PickItemSql not found.");
        var sql = (string)field.GetRawConstantValue()!;
        // EF-style {0}..{2} (project, overlap, user) or named @project, @overlap, @user.
        sql = sql.Replace("{0}", "$1", StringComparison.Ordinal).Replace("{1}", "$2", StringComparison.Ordinal).Replace("{2}", "$3", StringComparison.Ordinal)
            .Replace("@project", "$1", StringComparison.Ordinal).Replace("@overlap", "$2", StringComparison.Ordinal).Replace("@user", "$3", StringComparison.Ordinal)
            // SQLite stores booleans as integers; PostgreSQL refuses "boolean = integer".
            .Replace("i.is_gold = 0", "NOT i.is_gold", StringComparison.Ordinal);
        return sql.Contains("SKIP LOCKED", StringComparison.OrdinalIgnoreCase) ? sql : sql + " FOR UPDATE OF i SKIP LOCKED";
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Autovacuum, autoanalyze and checkpoints PostgreSQL logged during the window (log_autovacuum_min_duration=0,
    /// log_checkpoints=on): seconds into the window, what, and the CPU it reported.
    /// </summary>
    public IReadOnlyList<(double Seconds, string What)> BackgroundWork(string? serverLog)
    {
        var events = new List<(double, string)>();
        if (serverLog is null || !File.Exists(serverLog))
        {
            return events;
        }
        (double Seconds, string What)? open = null;
        foreach (var line in File.ReadLines(serverLog))
        {
            if (line.StartsWith('\t') && open is { } pending)
            {
                if (line.Contains("system usage:", StringComparison.Ordinal))
                {
                    events.Add((pending.Seconds, pending.What + " (" + line.Trim() + ")"));
                    open = null;
                }
                continue;
            }
            if (open is { } unfinished)
            {
                events.Add(unfinished);
                open = null;
            }
            // "2026-11-26 15:59:10.123 UTC [1234] LOG:  automatic analyze of table ..."
            var logAt = line.IndexOf(" LOG:  ", StringComparison.Ordinal);
            if (logAt < 0 || line.Length < 23
                || !DateTimeOffset.TryParse(line[..23] + "Z", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                || at < windowStartUtc || at > windowEndUtc)
            {
                continue;
            }
            var what = line[(logAt + 7)..];
            var seconds = (at - windowStartUtc).TotalSeconds;
            if (what.StartsWith("automatic", StringComparison.Ordinal))
            {
                open = (seconds, what);
            }
            else if (what.StartsWith("checkpoint", StringComparison.Ordinal))
            {
                events.Add((seconds, what));
            }
        }
        if (open is { } last)
        {
            events.Add(last);
        }
        return events;
    }

    private static (long Busy, long Total) MachineJiffies()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        var total = fields.Take(8).Sum();
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }

    private static double Load1() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private double LoadGeneratorCpuSeconds() =>
        LoadGeneratorPid is { } pid && ProcessStat(pid.ToString(CultureInfo.InvariantCulture)) is { } stat ? stat.OwnTicks / 100.0 : 0; // USER_HZ

    private double WorkersCpuSeconds() =>
        WorkersPid is { } pid && ProcessStat(pid.ToString(CultureInfo.InvariantCulture)) is { } stat ? stat.OwnTicks / 100.0 : 0; // USER_HZ

    /// <summary>CPU seconds of the postmaster (with its reaped children) and its live children.</summary>
    private double PostgresCpuSeconds()
    {
        if (postmasterPid is not { } postmaster)
        {
            return 0;
        }
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, out var pid) || ProcessStat(name) is not { } stat)
            {
                continue;
            }
            if (pid == postmaster)
            {
                ticks += stat.OwnTicks + stat.ReapedChildrenTicks;
            }
            else if (stat.ParentPid == postmaster)
            {
                ticks += stat.OwnTicks;
            }
        }
        return ticks / 100.0; // USER_HZ
    }

    /// <summary>/proc/PID/stat: parent pid, utime + stime, cutime + cstime (clock ticks); null once the process is gone.</summary>
    private static (int ParentPid, long OwnTicks, long ReapedChildrenTicks)? ProcessStat(string pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // After the ")" closing the command name, fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int n) => long.Parse(fields[n - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
    }
}
