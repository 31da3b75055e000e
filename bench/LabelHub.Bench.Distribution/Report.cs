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
    public required LoadResult Load { get; init; }
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
        var violations = Invariants.Sum(i => i.Violations) + Load.DuplicateHandOuts;

        Line($"# Task distribution benchmark, {StartedAt.ToString("yyyy-MM-dd HH:mm zzz", c)}");
        Line();
        Line($"`dotnet run -c Release --project bench/LabelHub.Bench.Distribution -- {Arguments()}` at commit {Commit}");
        Line();
        var pacing = Options.Rate is { } rate
            ? $"paced to offer {rate.ToString("N0", c)} task operations/s in total, i.e. one task every {(2.0 * Options.Annotators / rate).ToString("0.###", c)} s per annotator"
            : "no think time: closed loop, each annotator asks for the next task as soon as it has submitted";
        Line($"{Options.Items.ToString("N0", c)} items, overlap {Options.Overlap}, {Options.Annotators} concurrent simulated annotators on the REST API " +
             $"(loopback, one access token each, next task → submit → repeat; {pacing}), {Options.Warmup.TotalSeconds.ToString("F0", c)} s warm-up, " +
             $"measured window {seconds.ToString("F1", c)} s. Machine: {Environment.ProcessorCount} cores shared by the load generator, the web app (in-process, Kestrel on 127.0.0.1) and PostgreSQL " +
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
                     ("next-task (client round trip)", Recorder.ClientSeries(Operation.Next).Summarize()),
                     ("submit (client round trip)", Recorder.ClientSeries(Operation.Submit).Summarize()) })
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
        foreach (var e in Recorder.ClientErrors)
        {
            Line($"| client error | {e.Key} | {e.Value.ToString("N0", c)} |");
        }
        if (Load.Exhausted > 0)
        {
            Line();
            Line($"{Load.Exhausted} annotators got 204 (no task left) and stopped.");
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
        Line($"| client side: an annotator handed the same item twice | {Load.DuplicateHandOuts} |");
        Line();
        Line($"Whole run: {Totals.Submitted.ToString("N0", c)} submitted assignments, {Totals.Leased.ToString("N0", c)} live leases, {Totals.Expired} expired, {Totals.Skipped} skipped; " +
             $"{Totals.CurrentAnnotations.ToString("N0", c)} current annotations; {Totals.TouchedItems.ToString("N0", c)} items touched, {Totals.CompleteItems.ToString("N0", c)} complete.");
        Line();
        Line("## Where the time went");
        Line();
        Line($"CPU during the window, in cores (of {Environment.ProcessorCount}): machine busy {Cpu.MachineBusyCores.ToString("F2", c)}; this process (web app + load generator) " +
             $"{Cpu.BenchProcessCores.ToString("F2", c)}; PostgreSQL {Cpu.PostgresCores.ToString("F2", c)}; everything else (other builds, kernel) {Cpu.OtherCores.ToString("F2", c)}. " +
             $"1-min load average {Cpu.Load1Start.ToString("F2", c)} → {Cpu.Load1End.ToString("F2", c)}.");
        if (opsPerSecond > 0)
        {
            var msPerOp = 1000.0 * (Cpu.BenchProcessCores + Cpu.PostgresCores) / opsPerSecond;
            Line();
            Line($"CPU cost: **{msPerOp.ToString("F2", c)} ms of CPU per task operation** (this process, load generator included, plus PostgreSQL), " +
                 $"so {Environment.ProcessorCount} cores of our own would carry at most about {(1000.0 * Environment.ProcessorCount / msPerOp).ToString("N0", c)} operations/s. " +
                 "This figure depends far less on what else runs on the machine than the throughput does.");
        }
        Line();
        Line($"JIT in this process during the window: {Cpu.JitMethods.ToString("N0", c)} methods compiled, {Cpu.JitCores.ToString("F2", c)} cores busy compiling " +
             "(tiered compilation still promoting hot code: a longer --warmup reaches the steady state of a long-running server). " +
             $"GC: {Cpu.Gen0} gen0, {Cpu.Gen1} gen1, {Cpu.Gen2} gen2 collections (counts include the older generations' own), " +
             $"{Cpu.GcPause.TotalMilliseconds.ToString("N0", c)} ms paused in all.");
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

    private static int MinWorkerThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        return workers;
    }
}
