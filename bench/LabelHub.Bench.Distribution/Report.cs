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
    public required LoadResult Load { get; init; }

    /// <summary>The measured windows in order: one, or with --train the baseline and then the training window.</summary>
    public required IReadOnlyList<MeasuredWindow> Windows { get; init; }

    /// <summary>With --train: the training project and how its rounds were set up.</summary>
    public TrainingSetup? Training { get; init; }

    public required IReadOnlyList<InvariantResult> Invariants { get; init; }
    public required DatabaseTotals Totals { get; init; }
    public required string Commit { get; init; }


    public string ToMarkdown() => Training is null ? SingleWindow() : WithTraining(Training);

    private string SingleWindow()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        var window = Windows[0];
        Line($"# Task distribution benchmark, {StartedAt.ToString("yyyy-MM-dd HH:mm zzz", c)}");
        Line();
        Line($"`dotnet run -c Release --project bench/LabelHub.Bench.Distribution -- {Arguments()}` at commit {Commit}");
        Line();
        Line(Setting(window.Recorder.Window.TotalSeconds));
        Line();
        Line("## Results");
        Line();
        WindowResults(Line, window, targets: true);
        InvariantsSection(Line, "##");
        Line("## Where the time went");
        Line();
        WhereTheTimeWent(Line, window);
        return md.ToString();
    }

    private string WithTraining(TrainingSetup training)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string Ms(double v) => double.IsNaN(v) ? "–" : v.ToString(v < 10 ? "0.00" : "0.0", c);
        Line($"# Task distribution while learning rounds train, {StartedAt.ToString("yyyy-MM-dd HH:mm zzz", c)}");
        Line();
        Line($"`dotnet run -c Release --project bench/LabelHub.Bench.Distribution -- {Arguments()}` at commit {Commit}");
        Line();
        Line(Setting(Windows[0].Recorder.Window.TotalSeconds));
        Line();
        var where = training.Where == TrainIn.Web
            ? "in the web app's own process: it runs the job server (`LabelHub:RunJobServer=true`, embedded mode's worst case: the model shares the process, its GC and the 2 cores with the requests)"
            : "in a LabelHub.Workers process of its own on the same machine (server mode: the web app runs no job server)";
        var settings = training.Settings;
        Line($"The same deployment has a second project, {(training.Labeled + training.Pool).ToString("N0", c)} Fashion-MNIST images (Debian's `{FashionMnist.Package}`, 28 × 28 " +
             $"grayscale PNGs stored in the database as image imports store them, 10 classes): a labeler answered the first {training.Labeled.ToString("N0", c)} with their true class " +
             $"through the API ({training.AnswerTime.TotalSeconds.ToString("F0", c)} s), so every round trains the image CNN on {training.Labeled.ToString("N0", c)} labels and scores " +
             $"{training.Pool.ToString("N0", c)} unlabeled images (strategy {settings.Strategy}, diversity {(settings.Diversity ? "on" : "off")}, batch {settings.BatchSize}, predictions stored as suggestions: {(settings.StoreSuggestions ? "yes" : "no")}). " +
             $"Rounds train {where}. After the warm-up (during which one round ran, {training.WarmUpRound.Running.TotalSeconds.ToString("F1", c)} s, so libtorch was loaded and the round's code compiled), " +
             "two windows are measured one after the other with the same annotators at the same rate: the **baseline** with no round running, then the **training** window, " +
             "which starts once the first of its rounds is running and during which a manager starts the next round through the API as soon as the previous one finished.");
        Line();
        Line("## Results");
        Line();
        Line("Server-side latency of the labeling project (first middleware to response written, milliseconds) and what the machine did:");
        Line();
        Line("| window | next-task p50 | p95 | p99 | max | submit p50 | p95 | p99 | max | task ops/s | web app GC paused, ms (longest pause; longest suspension) | web app cores | trainer process cores | PostgreSQL cores | load generator cores | other cores |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var w in Windows)
        {
            var next = w.Recorder.ServerSeries(Operation.Next).Summarize();
            var submit = w.Recorder.ServerSeries(Operation.Submit).Summarize();
            Line($"| {w.Name} | {Ms(next.P50)} | {Ms(next.P95)} | **{Ms(next.P99)}** | {Ms(next.Max)} | {Ms(submit.P50)} | {Ms(submit.P95)} | {Ms(submit.P99)} | {Ms(submit.Max)} | " +
                 $"{OpsPerSecond(w).ToString("N0", c)} | {w.Cpu.GcPause.TotalMilliseconds.ToString("N0", c)} ({LongestPause(w, p => p.Milliseconds).ToString("F0", c)}; {LongestPause(w, p => p.SuspendingMilliseconds).ToString("F0", c)}) | {w.Cpu.WebAppCores.ToString("F2", c)} | {(training.Where == TrainIn.Workers ? w.Cpu.WorkersCores.ToString("F2", c) : "(in the web app)")} | " +
                 $"{w.Cpu.PostgresCores.ToString("F2", c)} | {w.Cpu.LoadGeneratorCores.ToString("F2", c)} | {w.Cpu.OtherCores.ToString("F2", c)} |");
        }
        Line();
        Line("| target | " + string.Join(" | ", Windows.Select(w => w.Name)) + " |");
        Line("|---|" + string.Concat(Windows.Select(_ => "---:|")));
        Line($"| next-task p99 ≤ {NextP99TargetMs} ms | " + string.Join(" | ", Windows.Select(w => Met(w.Recorder.ServerSeries(Operation.Next).Summarize().P99 <= NextP99TargetMs, Ms(w.Recorder.ServerSeries(Operation.Next).Summarize().P99) + " ms"))) + " |");
        Line($"| ≥ {OpsPerSecondTarget:N0} task operations/s | " + string.Join(" | ", Windows.Select(w => Met(OpsPerSecond(w) >= OpsPerSecondTarget, OpsPerSecond(w).ToString("N0", c)))) + " |");
        Line();
        foreach (var w in Windows.Where(w => w.Training))
        {
            TrainingSummary(Line, w);
        }
        InvariantsSection(Line, "##");
        foreach (var w in Windows)
        {
            Line($"## {char.ToUpperInvariant(w.Name[0])}{w.Name[1..]} window");
            Line();
            WindowResults(Line, w, targets: false);
            Line("### Where the time went");
            Line();
            WhereTheTimeWent(Line, w);
        }
        return md.ToString();
    }

    private static double LongestPause(MeasuredWindow w, Func<GcPause, double> length) =>
        w.GcPauses.Where(p => p.End >= w.Recorder.StartedAt).Select(length).DefaultIfEmpty(0).Max();

    private static string Met(bool met, string value) => met ? value : $"{value} (**missed**)";

    /// <summary>Rounds that ran in the training window, how long they took, how much of the window they covered, and which threads did the work.</summary>
    private void TrainingSummary(Action<string> line, MeasuredWindow w)
    {
        var c = CultureInfo.InvariantCulture;
        var seconds = (w.EndUtc - w.StartUtc).TotalSeconds;
        var inWindow = w.Rounds.Where(r => r.Job.StartedAt < w.EndUtc && r.Job.FinishedAt > w.StartUtc).ToList();
        var covered = inWindow.Sum(r => (Min(r.Job.FinishedAt!.Value, w.EndUtc) - Max(r.Job.StartedAt!.Value, w.StartUtc)).TotalSeconds);
        var durations = w.Rounds.Select(r => r.Running.TotalSeconds).ToList();
        line("## Training rounds");
        line("");
        line($"**{inWindow.Count} round{(inWindow.Count == 1 ? "" : "s")}** ran in the {seconds.ToString("F0", c)} s window (the last one finished {(w.Rounds.Count == 0 ? 0 : Math.Max(0, (w.Rounds[^1].Job.FinishedAt!.Value - w.EndUtc).TotalSeconds)).ToString("F1", c)} s after it); " +
             $"a round was running during **{(100.0 * covered / seconds).ToString("F0", c)} %** of the window. Round duration (job started → finished): " +
             (durations.Count == 0 ? "–" : $"mean **{durations.Average().ToString("F1", c)} s**, min {durations.Min().ToString("F1", c)} s, max {durations.Max().ToString("F1", c)} s") +
             $"; from the request to the job server picking it up: mean {(w.Rounds.Count == 0 ? 0 : w.Rounds.Average(r => r.Queued.TotalSeconds)).ToString("F2", c)} s.");
        line("");
        line("| round | started (s into the window) | ran (s) | of which scoring (s) | model | validation accuracy | labeled | scored | summary |");
        line("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in w.Rounds)
        {
            var result = r.Result;
            line($"| {result?.Round.ToString(c) ?? "?"} | {(r.Job.StartedAt!.Value - w.StartUtc).TotalSeconds.ToString("F1", c)} | {r.Running.TotalSeconds.ToString("F1", c)} | " +
                 $"{(r.Scoring is { } scoring ? scoring.ToString("F1", c) : "–")} | {(result?.ModelVersion is { } v ? $"v{v}" : "–")} | " +
                 $"{(result?.ValidationAccuracy is { } a ? a.ToString("P1", c) : "–")} | {result?.Labeled.ToString("N0", c)} | {result?.PoolSize.ToString("N0", c)} | {r.Job.ResultSummary} |");
        }
        line("");
        var threads = w.Training && Training!.Where == TrainIn.Workers ? w.WorkerThreads : w.WebThreads;
        var process = Training!.Where == TrainIn.Workers ? "the LabelHub.Workers process" : "the web app";
        var lowered = threads.Where(t => t.Nice != 0 || t.Policy != 0).ToList();
        line($"Threads of {process} during the window (from /proc/PID/task, as `ps -eLo tid,ni,comm` shows them): " +
             $"{threads.Count} threads; at nice 0 they used {threads.Where(t => t.Nice == 0 && t.Policy == 0).Sum(t => t.Cores).ToString("F2", c)} cores; " +
             (lowered.Count == 0
                 ? "**no thread ran at a lowered priority**."
                 : $"{lowered.Count} ran at a lowered priority and used {lowered.Sum(t => t.Cores).ToString("F2", c)} cores:"));
        line("");
        if (lowered.Count > 0)
        {
            line("| thread id | name | nice | policy | cores |");
            line("|---:|---|---:|---|---:|");
            foreach (var t in lowered)
            {
                line($"| {t.Tid} | `{t.Name}` | {t.Nice} | {PolicyName(t.Policy)} | {t.Cores.ToString("F2", c)} |");
            }
            line("");
        }
        line("Busiest threads at nice 0: " + string.Join(", ", threads.Where(t => t.Nice == 0 && t.Policy == 0).Take(6).Select(t => $"`{t.Name}` {t.Cores.ToString("F2", c)}")) + ".");
        line("");
    }

    /// <summary>Pause time in the window by the deepest generation each GC collected.</summary>
    private static string PausesByGeneration(MeasuredWindow w)
    {
        var c = CultureInfo.InvariantCulture;
        var pauses = w.GcPauses.Where(p => p.End >= w.Recorder.StartedAt).ToList();
        return string.Join(", ", Enumerable.Range(0, 3).Select(g =>
            $"gen{g} {pauses.Where(p => p.Generation == g).Sum(p => p.Milliseconds).ToString("N0", c)} ms in {pauses.Count(p => p.Generation == g)} pauses"));
    }

    private static string PolicyName(int policy) => policy switch
    {
        0 => "normal",
        3 => "batch",
        5 => "idle",
        _ => policy.ToString(CultureInfo.InvariantCulture),
    };

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static double OpsPerSecond(MeasuredWindow w)
    {
        long Ok(Operation op) => w.Recorder.Statuses.Where(s => s.Key.Op == op && s.Key.Status is >= 200 and < 300).Sum(s => (long)s.Value);
        return (Ok(Operation.Next) + Ok(Operation.Submit)) / w.Recorder.Window.TotalSeconds;
    }

    private string Setting(double windowSeconds)
    {
        var c = CultureInfo.InvariantCulture;
        var pacing = Options.Rate is { } rate
            ? $"paced to offer {rate.ToString("N0", c)} task operations/s in total, i.e. one task every {(2.0 * Options.Annotators / rate).ToString("0.###", c)} s per annotator on average, each think time drawn from 0.5–1.5× that"
            : "no think time: closed loop, each annotator asks for the next task as soon as it has submitted";
        return $"{Options.Items.ToString("N0", c)} items, overlap {Options.Overlap}, {Options.Annotators} concurrent simulated annotators on the REST API " +
               $"(loopback, one access token each, next task → submit → repeat; {pacing}), {Options.Warmup.TotalSeconds.ToString("F0", c)} s warm-up, " +
               $"measured window{(Windows.Count > 1 ? "s" : "")} {windowSeconds.ToString("F1", c)} s{(Windows.Count > 1 ? " each" : "")}. Machine: {Environment.ProcessorCount} cores shared by the load generator (a process of its own), the web app (Kestrel on 127.0.0.1) and PostgreSQL " +
               $"{PostgresVersion}; load average before `{LoadBefore}`, after `{LoadAfter}`.";
    }

    /// <summary>The window's latency table, throughput and responses by status code.</summary>
    private void WindowResults(Action<string> line, MeasuredWindow w, bool targets)
    {
        var c = CultureInfo.InvariantCulture;
        string Ms(double v) => double.IsNaN(v) ? "–" : v.ToString(v < 10 ? "0.00" : "0.0", c);
        var recorder = w.Recorder;
        var seconds = recorder.Window.TotalSeconds;
        var next = recorder.ServerSeries(Operation.Next).Summarize();
        var submitted = recorder.Statuses.Where(s => s.Key.Op == Operation.Submit && s.Key.Status is >= 200 and < 300).Sum(s => (long)s.Value);
        var opsPerSecond = OpsPerSecond(w);
        var violations = Invariants.Sum(i => i.Violations) + Load.DuplicateHandOuts;
        line("Server-side latency: from the first middleware (after routing) until the response is written, so it includes token authentication, " +
             "the endpoint and JSON; it does not include Kestrel's parsing or time in the socket queue. Milliseconds.");
        line("");
        line("| operation | requests | p50 | p95 | p99 | max | mean |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, s) in new[] { ("next-task (server)", next), ("submit (server)", recorder.ServerSeries(Operation.Submit).Summarize()),
                     ("next-task (endpoint handler only)", recorder.HandlerSeries(Operation.Next).Summarize()),
                     ("submit (endpoint handler only)", recorder.HandlerSeries(Operation.Submit).Summarize()),
                     ("next-task (client round trip)", w.Driver!.Next),
                     ("submit (client round trip)", w.Driver.Submit) })
        {
            line($"| {name} | {s.Count.ToString("N0", c)} | {Ms(s.P50)} | {Ms(s.P95)} | {Ms(s.P99)} | {Ms(s.Max)} | {Ms(s.Mean)} |");
        }
        line("");
        line($"Throughput: **{opsPerSecond.ToString("N0", c)} task operations/s** (a successful next-task and a successful submit each count as one operation), " +
             $"i.e. {(submitted / seconds).ToString("N0", c)} submitted tasks/s.");
        if (Options.Rate is null && opsPerSecond > 0)
        {
            line("");
            line($"Closed loop without think time: every annotator always has one request in flight, so by Little's law the mean latency is about " +
                 $"annotators / throughput = {Options.Annotators} / {opsPerSecond.ToString("N0", c)} ops/s ≈ {(1000.0 * Options.Annotators / opsPerSecond).ToString("N0", c)} ms, whatever the server does; " +
                 $"a p99 of {NextP99TargetMs} ms for {Options.Annotators} such clients would need about {(1000.0 * Options.Annotators / NextP99TargetMs).ToString("N0", c)} ops/s. Use --rate for latency at a given load.");
        }
        line("");
        if (targets)
        {
            line("| target | measured | met |");
            line("|---|---:|:-:|");
            line($"| next-task p99 ≤ {NextP99TargetMs} ms | {Ms(next.P99)} ms | {(next.P99 <= NextP99TargetMs ? "yes" : "**no**")} |");
            line($"| ≥ {OpsPerSecondTarget:N0} task operations/s | {opsPerSecond.ToString("N0", c)} | {(opsPerSecond >= OpsPerSecondTarget ? "yes" : "**no**")} |");
            line($"| zero invariant violations | {violations} | {(violations == 0 ? "yes" : "**no**")} |");
            line("");
        }
        line("Responses by status code in the window:");
        line("");
        line("| operation | status | count |");
        line("|---|---:|---:|");
        foreach (var s in recorder.Statuses.OrderBy(s => s.Key.Op).ThenBy(s => s.Key.Status))
        {
            line($"| {s.Key.Op} | {s.Key.Status} | {s.Value.ToString("N0", c)} |");
        }
        foreach (var e in w.Driver.Errors)
        {
            line($"| client error | {e.Key} | {e.Value.ToString("N0", c)} |");
        }
        if (Load.Exhausted > 0)
        {
            line("");
            line($"{Load.Exhausted} annotators got 204 (no task left) and stopped.");
        }
        line("");
    }

    private void InvariantsSection(Action<string> line, string heading)
    {
        var c = CultureInfo.InvariantCulture;
        line($"{heading} Invariants (checked in SQL after the run)");
        line("");
        line("| invariant | violations |");
        line("|---|---:|");
        foreach (var i in Invariants)
        {
            line($"| {i.Name} | {i.Violations} |");
        }
        line($"| client side: an annotator handed the same item twice | {Load.DuplicateHandOuts} |");
        line("");
        line($"Whole run: {Totals.Submitted.ToString("N0", c)} submitted assignments, {Totals.Leased.ToString("N0", c)} live leases, {Totals.Expired} expired, {Totals.Skipped} skipped; " +
             $"{Totals.CurrentAnnotations.ToString("N0", c)} current annotations; {Totals.TouchedItems.ToString("N0", c)} items touched, {Totals.CompleteItems.ToString("N0", c)} complete.");
        line("");
    }

    private void WhereTheTimeWent(Action<string> line, MeasuredWindow w)
    {
        var c = CultureInfo.InvariantCulture;
        string Ms(double v) => double.IsNaN(v) ? "–" : v.ToString(v < 10 ? "0.00" : "0.0", c);
        var cpu = w.Cpu;
        var recorder = w.Recorder;
        var seconds = recorder.Window.TotalSeconds;
        var opsPerSecond = OpsPerSecond(w);
        var okOps = opsPerSecond * seconds;
        // The runtime's allocation ticks (one per ~100 KB) add up to what was allocated; GC.GetTotalAllocatedBytes came out
        // 20 times too low in some windows (server GC changing its heap count, DATAS), so it is only the fallback.
        var allocated = w.AllocationsByType.Count > 0 ? w.AllocationsByType.Sum(a => (double)a.Bytes) : cpu.AllocatedBytes;
        var workers = Training?.Where == TrainIn.Workers ? $"; LabelHub.Workers {cpu.WorkersCores.ToString("F2", c)}" : "";
        line($"CPU during the window, in cores (of {Environment.ProcessorCount}): machine busy {cpu.MachineBusyCores.ToString("F2", c)}; web app " +
             $"{cpu.WebAppCores.ToString("F2", c)}{workers}; load generator {cpu.LoadGeneratorCores.ToString("F2", c)}; PostgreSQL {cpu.PostgresCores.ToString("F2", c)}; everything else (other builds, kernel) {cpu.OtherCores.ToString("F2", c)}. " +
             $"1-min load average {cpu.Load1Start.ToString("F2", c)} → {cpu.Load1End.ToString("F2", c)}.");
        if (opsPerSecond > 0)
        {
            var msPerOp = 1000.0 * (cpu.WebAppCores + cpu.PostgresCores) / opsPerSecond;
            line("");
            line($"CPU cost: **{msPerOp.ToString("F2", c)} ms of CPU per task operation** on the server side (web app {(1000.0 * cpu.WebAppCores / opsPerSecond).ToString("F2", c)} + " +
                 $"PostgreSQL {(1000.0 * cpu.PostgresCores / opsPerSecond).ToString("F2", c)}), so {Environment.ProcessorCount} cores of our own would carry at most about " +
                 $"{(1000.0 * Environment.ProcessorCount / msPerOp).ToString("N0", c)} operations/s; the load generator adds {(1000.0 * cpu.LoadGeneratorCores / opsPerSecond).ToString("F2", c)} ms " +
                 "per operation on this machine. These figures depend far less on what else runs on the machine than the throughput does." +
                 (w.Training ? " In the training window the web app's and PostgreSQL's CPU include the rounds' own work, so this is not the labeling's cost alone." : ""));
        }
        line("");
        line($"JIT in the web app during the window: {cpu.JitMethods.ToString("N0", c)} methods compiled, {cpu.JitCores.ToString("F2", c)} cores busy compiling " +
             "(tiered compilation still promoting hot code: a longer --warmup reaches the steady state of a long-running server). " +
             $"GC: {cpu.Gen0} gen0, {cpu.Gen1} gen1, {cpu.Gen2} gen2 collections (counts include the older generations' own), " +
             $"{cpu.GcPause.TotalMilliseconds.ToString("N0", c)} ms paused in all ({PausesByGeneration(w)}); {(allocated / Math.Max(1.0, okOps) / 1024).ToString("N0", c)} KiB allocated per task operation " +
             $"({(allocated / seconds / (1 << 20)).ToString("N0", c)} MiB/s; GC settings: {GcSettings()}). The load generator's own GC (workstation): {w.Driver!.Gen0} gen0, {w.Driver.Gen1} gen1, {w.Driver.Gen2} gen2, " +
             $"{w.Driver.GcPauseMs.ToString("N0", c)} ms paused.");
        line("");
        SlowRequests(line, w, recorder.ServerSeries(Operation.Next), seconds);
        line("");
        if (w.AllocationsByType.Count > 0 && okOps > 0)
        {
            var sampled = w.AllocationsByType.Sum(a => a.Bytes);
            line("What the web app allocates (GC allocation ticks, one per ~100 KB, so a sample of the types):");
            line("");
            line("| type | share | KiB per task operation |");
            line("|---|---:|---:|");
            foreach (var (type, bytes) in w.AllocationsByType.Take(15))
            {
                line($"| `{type}` | {(100.0 * bytes / sampled).ToString("F1", c)} % | {((double)bytes / okOps / 1024).ToString("F1", c)} |");
            }
            line("");
        }
        var jobs = w.Jobs.Where(j => j.ProjectId != Training?.ProjectId).ToList();
        line(jobs.Count == 0
            ? "No other LabelHub job ran during the window."
            : "Other LabelHub jobs during the window (the minutely upkeep starts them): " + string.Join("; ", jobs.Select(j =>
                $"{j.Kind} from {(j.StartedAt - w.StartUtc).TotalSeconds.ToString("F1", c)} s for {((j.FinishedAt ?? w.EndUtc) - j.StartedAt).TotalSeconds.ToString("F1", c)} s")) + ".");
        line("");
        if (w.BackgroundWork.Count == 0)
        {
            line("PostgreSQL logged no autovacuum, autoanalyze or checkpoint during the window.");
        }
        else
        {
            line("PostgreSQL's background work during the window (from its log):");
            line("");
            foreach (var (at, what) in w.BackgroundWork)
            {
                line($"- {at.ToString("F1", c)} s: {what}");
            }
        }
        line("");
        var diagnostics = w.Diagnostics;
        line($"Web app: server GC {GCSettings.IsServerGC}, Npgsql Max Pool Size {PoolSize}{(Options.AppConnectionOptions is { } extra ? $", `{extra}`" : "")}; .NET thread pool: minimum {MinWorkerThreads()} threads, up to {diagnostics.ThreadCountMax} threads, " +
             $"queued work items mean {diagnostics.ThreadPoolQueueMean.ToString("F1", c)}, max {diagnostics.ThreadPoolQueueMax} (sampled each second).");
        line("");
        line("PostgreSQL settings: `" + string.Join("`, `", PostgresSettings) + "`.");
        line("");
        if (diagnostics.Activity.Count > 0)
        {
            line("Backends of this database by state and wait event (mean over 1-s samples):");
            line("");
            line("| state / wait | backends |");
            line("|---|---:|");
            foreach (var (key, mean) in diagnostics.Activity.Take(12))
            {
                line($"| {key} | {mean.ToString("F1", c)} |");
            }
            line("");
        }
        if (w.TopStatements.Count > 0)
        {
            line($"pg_stat_statements over the window: {w.StatementCalls.ToString("N0", c)} statements, " +
                 $"{(w.StatementCalls / Math.Max(1.0, okOps)).ToString("F1", c)} per task operation. Top by total time:");
            line("");
            line("| calls | total ms | mean ms | max ms | rows | statement |");
            line("|---:|---:|---:|---:|---:|---|");
            foreach (var s in w.TopStatements)
            {
                var query = s.Query.Length > 180 ? s.Query[..180] + "…" : s.Query;
                line($"| {s.Calls.ToString("N0", c)} | {s.TotalMs.ToString("N0", c)} | {Ms(s.MeanMs)} | {Ms(s.MaxMs)} | {s.Rows.ToString("N0", c)} | `{query.Replace("|", "\\|", StringComparison.Ordinal)}` |");
            }
            line("");
        }
        if (diagnostics.Plans.Count > 0)
        {
            line("TaskDistributor's pick query under load (`EXPLAIN (ANALYZE, BUFFERS)` for annotator000, rolled back):");
            line("");
            line("```sql");
            line(Diagnostics.PickSql().Trim());
            line("```");
            foreach (var plan in diagnostics.Plans)
            {
                line("");
                line($"{plan.When} ({plan.ElapsedMs.ToString("F1", c)} ms round trip):");
                line("");
                line("```");
                line(plan.Plan);
                line("```");
            }
            line("");
        }
    }

    /// <summary>kind,start_ms,duration_ms: every server-side sample and GC pause, start relative to the window's start (with --train, a window column first).</summary>
    public string SamplesCsv()
    {
        var c = CultureInfo.InvariantCulture;
        var several = Windows.Count > 1;
        var csv = new StringBuilder(several ? "window,kind,start_ms,duration_ms\n" : "kind,start_ms,duration_ms\n");
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        foreach (var w in Windows)
        {
            var prefix = several ? w.Name + "," : "";
            var startedAt = w.Recorder.StartedAt;
            foreach (var op in Enum.GetValues<Operation>())
            {
                foreach (var (start, ticks) in w.Recorder.ServerSeries(op).Samples())
                {
                    csv.Append(c, $"{prefix}{op},{Ms(start - startedAt):F3},{Ms(ticks):F3}\n");
                }
            }
            foreach (var (at, web, load, postgres) in w.Diagnostics.CpuTimeline)
            {
                csv.Append(c, $"{prefix}cpu_web,{Ms(at - startedAt):F3},{web:F3}\n{prefix}cpu_load,{Ms(at - startedAt):F3},{load:F3}\n{prefix}cpu_pg,{Ms(at - startedAt):F3},{postgres:F3}\n");
            }
            foreach (var pause in w.GcPauses.Where(p => p.End >= startedAt))
            {
                csv.Append(c, $"{prefix}gc{pause.Generation},{Ms(pause.Start - startedAt):F3},{pause.Milliseconds:F3}\n");
            }
        }
        return csv.ToString();
    }

    private static void SlowRequests(Action<string> line, MeasuredWindow w, LatencySeries series, double seconds)
    {
        var c = CultureInfo.InvariantCulture;
        var threshold = (long)(NextP99TargetMs / 1000.0 * Stopwatch.Frequency);
        var windowStart = w.Recorder.StartedAt;
        var pauses = w.GcPauses.Where(p => p.End >= windowStart).ToList();
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
        var longestSuspending = pauses.Count == 0 ? 0 : pauses.Max(p => p.SuspendingMilliseconds);
        line($"Slow next-task requests (server > {NextP99TargetMs} ms): {slow.Count.ToString("N0", c)} of {samples.Count.ToString("N0", c)} " +
             $"({(100.0 * slow.Count / samples.Count).ToString("F2", c)} %); {slowPaused.ToString("N0", c)} of them had a GC pause of the web app in them " +
             $"({pauses.Count} pauses in the window, {pauses.Sum(p => p.Milliseconds).ToString("N0", c)} ms in all, longest {longest.ToString("F1", c)} ms, " +
             $"{pauses.Count(p => p.Generation >= 1)} of gen1 or gen2; suspending the threads took {pauses.Sum(p => p.SuspendingMilliseconds).ToString("N0", c)} ms of that, at most {longestSuspending.ToString("F1", c)} ms). They fall in {perSecond.Count} of the window's {Math.Ceiling(seconds).ToString("F0", c)} seconds, " +
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
        if (Options.Train is { } train)
        {
            args.Add(train == TrainIn.Web ? "--train" : "--train-workers");
            args.Add($"--train-labeled {Options.TrainLabeled.ToString(c)} --train-pool {Options.TrainPool.ToString(c)}");
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
