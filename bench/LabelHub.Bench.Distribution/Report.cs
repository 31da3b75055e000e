using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;

namespace LabelHub.Bench.Distribution;

public sealed class Report
{
    public const double NextP99TargetMs = 25;
    public const double OpsPerSecondTarget = 1000;

    public required BenchOptions Options { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string LoadBefore { get; init; }
    public required string LoadAfter { get; init; }
    public required string PostgresVersion { get; init; }
    public required IReadOnlyList<string> PostgresSettings { get; init; }
    public required int PoolSize { get; init; }
    public required LatencyRecorder Recorder { get; init; }
    public required DriverReport Driver { get; init; }
    public required IReadOnlyList<GcPause> GcPauses { get; init; }
    public required IReadOnlyList<(string Type, long Bytes)> AllocationsByType { get; init; }
    public required IReadOnlyList<(double Seconds, string What)> BackgroundWork { get; init; }
    public required IReadOnlyList<InvariantResult> Invariants { get; init; }
    public required DatabaseTotals Totals { get; init; }
    public required CpuUsage Cpu { get; init; }
    public required Diagnostics Diagnostics { get; init; }
    public required IReadOnlyList<StatementStat> TopStatements { get; init; }
    public required long StatementCalls { get; init; }
    public required string Commit { get; init; }

    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string Ms(double v) => double.IsNaN(v) ? "–" : v.ToString(v < 10 ? "0.00" : "0.0", c);

        var seconds = Recorder.Window.TotalSeconds;
        var next = Recorder.ServerSeries(Operation.Next).Summarize();
        var submit = Recorder.ServerSeries(Operation.Submit).Summarize();
        long Ok(Operation op) => Recorder.Statuses.Where(s => s.Key.Op == op && s.Key.Status is >= 200 and < 300).Sum(s => (long)s.Value);
        var okOps = Ok(Operation.Next) + Ok(Operation.Submit);
        var opsPerSecond = okOps / seconds;
        var violations = Invariants.Sum(i => i.Violations) + Driver.Load.DuplicateHandOuts;

        Line($"# Task distribution benchmark, {StartedAt.ToString("yyyy-MM-dd HH:mm zzz", c)}");
        Line();
        Line($"`dotnet run -c Release --project bench/LabelHub.Bench.Distribution -- {Arguments()}` at commit {Commit}");
        Line();
        var pacing = Options.Rate is { } rate
            ? $"paced to offer {rate.ToString("N0", c)} task operations/s in total, i.e. one task every {(2.0 * Options.Annotators / rate).ToString("0.###", c)} s per annotator on average, each think time drawn from 0.5–1.5× that"
            : "no think time: closed loop, each annotator asks for the next task as soon as it has submitted";
        Line($"{Options.Items.ToString("N0", c)} items, overlap {Options.Overlap}, {Options.Annotators} concurrent simulated annotators on the REST API " +
             $"(loopback, one access token each, next task → submit → repeat; {pacing}), {Options.Warmup.TotalSeconds.ToString("F0", c)} s warm-up, " +
             $"measured window {seconds.ToString("F1", c)} s. Machine: {Environment.ProcessorCount} cores shared by the load generator (a process of its own), the web app (Kestrel on 127.0.0.1) and PostgreSQL " +
             $"{PostgresVersion}; load average before `{LoadBefore}`, after `{LoadAfter}`.");
        Line();
        Line("## Results");
        Line();
        Line("Server-side latency: from the first middleware (after routing) until the response is written, so it includes token authentication, " +
             "the endpoint and JSON; it does not include Kestrel's parsing or time in the socket queue. Milliseconds.");
        Line();
        Line("| operation | requests | p50 | p95 | p99 | max | mean |");
        Line("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, s) in new[] { ("next-task (server)", next), ("submit (server)", submit),
                     ("next-task (endpoint handler only)", Recorder.HandlerSeries(Operation.Next).Summarize()),
                     ("submit (endpoint handler only)", Recorder.HandlerSeries(Operation.Submit).Summarize()),
                     ("next-task (client round trip)", Driver.Next),
                     ("submit (client round trip)", Driver.Submit) })
        {
            Line($"| {name} | {s.Count.ToString("N0", c)} | {Ms(s.P50)} | {Ms(s.P95)} | {Ms(s.P99)} | {Ms(s.Max)} | {Ms(s.Mean)} |");
        }
        Line();
        Line($"Throughput: **{opsPerSecond.ToString("N0", c)} task operations/s** (a successful next-task and a successful submit each count as one operation), " +
             $"i.e. {(Ok(Operation.Submit) / seconds).ToString("N0", c)} submitted tasks/s.");
        if (Options.Rate is null && opsPerSecond > 0)
        {
            Line();
            Line($"Closed loop without think time: every annotator always has one request in flight, so by Little's law the mean latency is about " +
                 $"annotators / throughput = {Options.Annotators} / {opsPerSecond.ToString("N0", c)} ops/s ≈ {(1000.0 * Options.Annotators / opsPerSecond).ToString("N0", c)} ms, whatever the server does; " +
                 $"a p99 of {NextP99TargetMs} ms for {Options.Annotators} such clients would need about {(1000.0 * Options.Annotators / NextP99TargetMs).ToString("N0", c)} ops/s. Use --rate for latency at a given load.");
        }
        Line();
        Line("| target | measured | met |");
        Line("|---|---:|:-:|");
        Line($"| next-task p99 ≤ {NextP99TargetMs} ms | {Ms(next.P99)} ms | {(next.P99 <= NextP99TargetMs ? "yes" : "**no**")} |");
        Line($"| ≥ {OpsPerSecondTarget:N0} task operations/s | {opsPerSecond.ToString("N0", c)} | {(opsPerSecond >= OpsPerSecondTarget ? "yes" : "**no**")} |");
        Line($"| zero invariant violations | {violations} | {(violations == 0 ? "yes" : "**no**")} |");
        Line();
        Line("Responses by status code in the window:");
        Line();
        Line("| operation | status | count |");
        Line("|---|---:|---:|");
        foreach (var s in Recorder.Statuses.OrderBy(s => s.Key.Op).ThenBy(s => s.Key.Status))
        {
            Line($"| {s.Key.Op} | {s.Key.Status} | {s.Value.ToString("N0", c)} |");
        }
        foreach (var e in Driver.Errors)
        {
            Line($"| client error | {e.Key} | {e.Value.ToString("N0", c)} |");
        }
        if (Driver.Load.Exhausted > 0)
        {
            Line();
            Line($"{Driver.Load.Exhausted} annotators got 204 (no task left) and stopped.");
        }
        Line();
        Line("## Invariants (checked in SQL after the run)");
        Line();
        Line("| invariant | violations |");
        Line("|---|---:|");
        foreach (var i in Invariants)
        {
            Line($"| {i.Name} | {i.Violations} |");
        }
        Line($"| client side: an annotator handed the same item twice | {Driver.Load.DuplicateHandOuts} |");
        Line();
        Line($"Whole run: {Totals.Submitted.ToString("N0", c)} submitted assignments, {Totals.Leased.ToString("N0", c)} live leases, {Totals.Expired} expired, {Totals.Skipped} skipped; " +
             $"{Totals.CurrentAnnotations.ToString("N0", c)} current annotations; {Totals.TouchedItems.ToString("N0", c)} items touched, {Totals.CompleteItems.ToString("N0", c)} complete.");
        Line();
        Line("## Where the time went");
        Line();
        Line($"CPU during the window, in cores (of {Environment.ProcessorCount}): machine busy {Cpu.MachineBusyCores.ToString("F2", c)}; web app " +
             $"{Cpu.WebAppCores.ToString("F2", c)}; load generator {Cpu.LoadGeneratorCores.ToString("F2", c)}; PostgreSQL {Cpu.PostgresCores.ToString("F2", c)}; everything else (other builds, kernel) {Cpu.OtherCores.ToString("F2", c)}. " +
             $"1-min load average {Cpu.Load1Start.ToString("F2", c)} → {Cpu.Load1End.ToString("F2", c)}.");
        if (opsPerSecond > 0)
        {
            var msPerOp = 1000.0 * (Cpu.WebAppCores + Cpu.PostgresCores) / opsPerSecond;
            Line();
            Line($"CPU cost: **{msPerOp.ToString("F2", c)} ms of CPU per task operation** on the server side (web app {(1000.0 * Cpu.WebAppCores / opsPerSecond).ToString("F2", c)} + " +
                 $"PostgreSQL {(1000.0 * Cpu.PostgresCores / opsPerSecond).ToString("F2", c)}), so {Environment.ProcessorCount} cores of our own would carry at most about " +
                 $"{(1000.0 * Environment.ProcessorCount / msPerOp).ToString("N0", c)} operations/s; the load generator adds {(1000.0 * Cpu.LoadGeneratorCores / opsPerSecond).ToString("F2", c)} ms " +
                 "per operation on this machine. These figures depend far less on what else runs on the machine than the throughput does.");
        }
        Line();
        Line($"JIT in the web app during the window: {Cpu.JitMethods.ToString("N0", c)} methods compiled, {Cpu.JitCores.ToString("F2", c)} cores busy compiling " +
             "(tiered compilation still promoting hot code: a longer --warmup reaches the steady state of a long-running server). " +
             $"GC: {Cpu.Gen0} gen0, {Cpu.Gen1} gen1, {Cpu.Gen2} gen2 collections (counts include the older generations' own), " +
             $"{Cpu.GcPause.TotalMilliseconds.ToString("N0", c)} ms paused in all; {(Cpu.AllocatedBytes / Math.Max(1.0, okOps) / 1024).ToString("N0", c)} KiB allocated per task operation " +
             $"({(Cpu.AllocatedBytes / seconds / (1 << 20)).ToString("N0", c)} MiB/s; GC settings: {GcSettings()}). The load generator's own GC (workstation): {Driver.Gen0} gen0, {Driver.Gen1} gen1, {Driver.Gen2} gen2, " +
             $"{Driver.GcPauseMs.ToString("N0", c)} ms paused.");
        Line();
        SlowRequests(Line, Recorder.ServerSeries(Operation.Next), seconds);
        Line();
        if (AllocationsByType.Count > 0 && okOps > 0)
        {
            var sampled = AllocationsByType.Sum(a => a.Bytes);
            Line("What the web app allocates (GC allocation ticks, one per ~100 KB, so a sample of the types):");
            Line();
            Line("| type | share | KiB per task operation |");
            Line("|---|---:|---:|");
            foreach (var (type, bytes) in AllocationsByType.Take(15))
            {
                Line($"| `{type}` | {(100.0 * bytes / sampled).ToString("F1", c)} % | {((double)bytes / okOps / 1024).ToString("F1", c)} |");
            }
            Line();
        }
        if (BackgroundWork.Count == 0)
        {
            Line("PostgreSQL logged no autovacuum, autoanalyze or checkpoint during the window.");
        }
        else
        {
            Line("PostgreSQL's background work during the window (from its log):");
            Line();
            foreach (var (at, what) in BackgroundWork)
            {
                Line($"- {at.ToString("F1", c)} s: {what}");
            }
        }
        Line();
        Line($"Web app: server GC {GCSettings.IsServerGC}, Npgsql Max Pool Size {PoolSize}{(Options.AppConnectionOptions is { } extra ? $", `{extra}`" : "")}; .NET thread pool: minimum {MinWorkerThreads()} threads, up to {Diagnostics.ThreadCountMax} threads, " +
             $"queued work items mean {Diagnostics.ThreadPoolQueueMean.ToString("F1", c)}, max {Diagnostics.ThreadPoolQueueMax} (sampled each second).");
        Line();
        Line("PostgreSQL settings: `" + string.Join("`, `", PostgresSettings) + "`.");
        Line();
        if (Diagnostics.Activity.Count > 0)
        {
            Line("Backends of this database by state and wait event (mean over 1-s samples):");
            Line();
            Line("| state / wait | backends |");
            Line("|---|---:|");
            foreach (var (key, mean) in Diagnostics.Activity.Take(12))
            {
                Line($"| {key} | {mean.ToString("F1", c)} |");
            }
            Line();
        }
        if (TopStatements.Count > 0)
        {
            Line($"pg_stat_statements over the window: {StatementCalls.ToString("N0", c)} statements, " +
                 $"{(StatementCalls / Math.Max(1.0, okOps)).ToString("F1", c)} per task operation. Top by total time:");
            Line();
            Line("| calls | total ms | mean ms | max ms | rows | statement |");
            Line("|---:|---:|---:|---:|---:|---|");
            foreach (var s in TopStatements)
            {
                var query = s.Query.Length > 180 ? s.Query[..180] + "…" : s.Query;
                Line($"| {s.Calls.ToString("N0", c)} | {s.TotalMs.ToString("N0", c)} | {Ms(s.MeanMs)} | {Ms(s.MaxMs)} | {s.Rows.ToString("N0", c)} | `{query.Replace("|", "\\|", StringComparison.Ordinal)}` |");
            }
            Line();
        }
        if (Diagnostics.Plans.Count > 0)
        {
            Line("TaskDistributor's pick query under load (`EXPLAIN (ANALYZE, BUFFERS)` for annotator000, rolled back):");
            Line();
            Line("```sql");
            Line(Diagnostics.PickSql().Trim());
            Line("```");
            foreach (var plan in Diagnostics.Plans)
            {
                Line();
                Line($"{plan.When} ({plan.ElapsedMs.ToString("F1", c)} ms round trip):");
                Line();
                Line("```");
                Line(plan.Plan);
                Line("```");
            }
        }
        return md.ToString();
    }

    /// <summary>kind,start_ms,duration_ms: every server-side sample and GC pause, start relative to the window's start.</summary>
    public string SamplesCsv()
    {
        var c = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("kind,start_ms,duration_ms\n");
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        foreach (var op in Enum.GetValues<Operation>())
        {
            foreach (var (start, ticks) in Recorder.ServerSeries(op).Samples())
            {
                csv.Append(c, $"{op},{Ms(start - Recorder.StartedAt):F3},{Ms(ticks):F3}\n");
            }
        }
        foreach (var (at, web, load, postgres) in Diagnostics.CpuTimeline)
        {
            csv.Append(c, $"cpu_web,{Ms(at - Recorder.StartedAt):F3},{web:F3}\ncpu_load,{Ms(at - Recorder.StartedAt):F3},{load:F3}\ncpu_pg,{Ms(at - Recorder.StartedAt):F3},{postgres:F3}\n");
        }
        foreach (var pause in GcPauses.Where(p => p.End >= Recorder.StartedAt))
        {
            csv.Append(c, $"gc{pause.Generation},{Ms(pause.Start - Recorder.StartedAt):F3},{pause.Milliseconds:F3}\n");
        }
        return csv.ToString();
    }

    /// <summary>Which slow next-task requests had a GC pause of the web app in them, and whether they cluster in time.</summary>
    private void SlowRequests(Action<string> line, LatencySeries series, double seconds)
    {
        var c = CultureInfo.InvariantCulture;
        var threshold = (long)(NextP99TargetMs / 1000.0 * Stopwatch.Frequency);
        var windowStart = Recorder.StartedAt;
        var pauses = GcPauses.Where(p => p.End >= windowStart).ToList();
        var samples = series.Samples().ToList();
        if (samples.Count == 0)
        {
            return;
        }
        bool Paused((long Start, long Ticks) s) => pauses.Any(p => p.Start < s.Start + s.Ticks && p.End > s.Start);
        var slow = samples.Where(s => s.Ticks > threshold).ToList();
        var slowPaused = slow.Count(Paused);
        var perSecond = slow.GroupBy(s => (int)((s.Start - windowStart) / Stopwatch.Frequency)).Select(g => g.Count()).ToList();
        var unpaused = samples.Where(s => !Paused(s)).Select(s => s.Ticks).Order().ToList();
        var unpausedP99 = unpaused.Count == 0 ? double.NaN : unpaused[Math.Clamp((int)Math.Ceiling(0.99 * unpaused.Count) - 1, 0, unpaused.Count - 1)] * 1000.0 / Stopwatch.Frequency;
        var longest = pauses.Count == 0 ? 0 : pauses.Max(p => p.Milliseconds);
        line($"Slow next-task requests (server > {NextP99TargetMs} ms): {slow.Count.ToString("N0", c)} of {samples.Count.ToString("N0", c)} " +
             $"({(100.0 * slow.Count / samples.Count).ToString("F2", c)} %); {slowPaused.ToString("N0", c)} of them had a GC pause of the web app in them " +
             $"({pauses.Count} pauses in the window, {pauses.Sum(p => p.Milliseconds).ToString("N0", c)} ms in all, longest {longest.ToString("F1", c)} ms, " +
             $"{pauses.Count(p => p.Generation >= 1)} of gen1 or gen2). They fall in {perSecond.Count} of the window's {Math.Ceiling(seconds).ToString("F0", c)} seconds, " +
             $"at most {(perSecond.Count == 0 ? 0 : perSecond.Max())} in one second. Next-task p99 of the requests without a GC pause: {unpausedP99.ToString("F1", c)} ms.");
    }

    private string Arguments()
    {
        var c = CultureInfo.InvariantCulture;
        var args = new List<string>
        {
            $"--items {Options.Items.ToString(c)}",
            $"--annotators {Options.Annotators.ToString(c)}",
            $"--duration {Options.Duration.TotalSeconds.ToString("F0", c)}",
            $"--warmup {Options.Warmup.TotalSeconds.ToString("F0", c)}",
        };
        if (Options.Rate is { } rate)
        {
            args.Add($"--rate {rate.ToString(c)}");
        }
        if (Options.MaxPoolSize is { } pool)
        {
            args.Add($"--max-pool-size {pool.ToString(c)}");
        }
        if (Options.AppConnectionOptions is { } extra)
        {
            args.Add($"--app-connection-options \"{extra}\"");
        }
        if (Options.Durable)
        {
            args.Add("--durable");
        }
        if (Options.Connection is not null)
        {
            args.Add("--connection …");
        }
        return string.Join(' ', args);
    }

    private static string GcSettings()
    {
        var settings = new List<string> { GCSettings.IsServerGC ? "server" : "workstation", $"latency mode {GCSettings.LatencyMode}" };
        foreach (var name in new[] { "DOTNET_GCgen0size", "DOTNET_GCDynamicAdaptationMode", "DOTNET_GCHeapCount", "DOTNET_gcConcurrent" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                settings.Add($"{name}={value}");
            }
        }
        return string.Join(", ", settings);
    }

    private static int MinWorkerThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        return workers;
    }
}
