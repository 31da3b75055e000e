using System.Globalization;
using System.Text;
using LabelHub.Bench;
using LabelHub.Bench.Distribution;
using LabelHub.Bench.ReleaseCut;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;
using LabelHub.Web;
using LabelHub.Workers.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

// LabelHub release-cut benchmark (ADR 0020): a project of N items × 3 current answers on PostgreSQL and on SQLite, then
// ReleaseCutter cutting release 1 (majority vote, stratified split), the JSONL download of it, ~1 % of the answers
// changed by review, and release 2 (which keeps release 1's splits) — each timed, with its peak memory.
var itemCount = 1_000_000;
string[] databases = ["postgres", "sqlite"];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--items": itemCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--db": databases = args[++i] == "both" ? ["postgres", "sqlite"] : [args[++i - 1]]; break;
        default:
            Console.Error.WriteLine("Options: --items N (default 1000000) --db postgres|sqlite|both (default both)");
            return 1;
    }
}
if (itemCount < 100 || databases.Any(d => d is not ("postgres" or "sqlite")))
{
    Console.Error.WriteLine("--items must be at least 100; --db postgres, sqlite or both.");
    return 1;
}
var ct = CancellationToken.None;
var startedAt = DateTimeOffset.UtcNow;
var load = File.ReadAllText("/proc/loadavg").Trim();
Console.WriteLine($"Release cut benchmark: {itemCount:N0} items × 3 answers on {string.Join(", ", databases)}. Load average: {load}");
var targets = new Dictionary<string, double> { ["postgres"] = 60, ["sqlite"] = 120 };
var report = new List<(string Database, double SeedSeconds, long Answers, List<PhaseResult> Phases)>();

foreach (var database in databases)
{
    var postgres = database == "postgres";
    await using var server = postgres ? await LocalPostgres.StartAsync(durable: true, ct) : null;
    var dataDir = Directory.CreateTempSubdirectory("labelhub-release-bench-").FullName;
    try
    {
        await using var app = await BenchApp.StartAsync(server, dataDir, ct);
        // The cut runs as a job does: its SQLite writes give way to requests at the write gate.
        SqliteWriteGate.MarkJob();

        var seeding = System.Diagnostics.Stopwatch.StartNew();
        var seeded = await ReleaseCutSeeding.SeedAsync(app.Services, itemCount, ct);
        var seedSeconds = seeding.Elapsed.TotalSeconds;
        Console.WriteLine($"[{database}] seeded {seeded.Items:N0} items, {seeded.Answers:N0} answers in {seedSeconds:F1} s");

        var phases = new List<PhaseResult>();
        var request = new ReleaseRequest(Split: new SplitSettings { Seed = "bench", Mode = SplitMode.Stratified });
        phases.Add(await CutAsync(app.Services, seeded, request, "cut release 1", ct));
        phases.Add(await DownloadAsync(app.Services, seeded, 1, ct));
        var relabeled = await ReleaseCutSeeding.RelabelAsync(app.Services, seeded, ct);
        Console.WriteLine($"[{database}] relabeled {relabeled:N0} answers by review");
        phases.Add(await CutAsync(app.Services, seeded, request, "cut release 2", ct));
        report.Add((database, seedSeconds, seeded.Answers, phases));
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataDir, recursive: true);
    }
}

var md = Report(report, itemCount, load, startedAt, targets);
Directory.CreateDirectory(FindResultsDirectory());
var path = Path.Combine(FindResultsDirectory(), $"release-cut-{startedAt:yyyy-MM-dd-HHmm}.md");
await File.WriteAllTextAsync(path, md, ct);
Console.WriteLine(md);
Console.WriteLine($"Written to {path}");
var met = report.All(r => r.Phases.Where(p => p.Name.StartsWith("cut", StringComparison.Ordinal)).All(p => p.Seconds <= targets[r.Database]));
return met ? 0 : 2;

static async Task<PhaseResult> CutAsync(IServiceProvider services, SeededProject seeded, ReleaseRequest request, string name, CancellationToken ct)
{
    var (release, job) = await services.GetRequiredService<ReleaseService>().StartAsync(seeded.Admin, seeded.ProjectId, request, ct);
    JobRun run;
    await using (var db = await services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>().CreateDbContextAsync(ct))
    {
        run = await db.JobRuns.AsNoTracking().SingleAsync(j => j.Id == job.Id, ct);
    }
    await using var meter = new PhaseMeter();
    var outcome = await services.GetRequiredService<ReleaseCutter>().CutAsync(run, new CutReleaseParameters(release.Id), meter, ct);
    var result = outcome.Result ?? throw new InvalidOperationException($"{name} gave no result: {outcome.Summary}");
    var phase = await meter.StopAsync(name, result.Items, $"{result.Items:N0} items ({result.Left:N0} left out), kept {result.Split.KeptItems:N0}, new {result.Split.NewItems:N0}; " +
        string.Join(" / ", result.Split.Splits.Select(s => $"{s.Split} {s.Items:N0}")));
    Console.WriteLine($"  {name}: {phase.Seconds:F1} s; {phase.Detail}");
    return phase;
}

static async Task<PhaseResult> DownloadAsync(IServiceProvider services, SeededProject seeded, int number, CancellationToken ct)
{
    await using var meter = new PhaseMeter();
    var download = await services.GetRequiredService<ReleaseDownloadService>().PrepareAsync(seeded.Admin, seeded.ProjectId, number, "jsonl", ct);
    await using var sink = new CountingStream();
    await download.WriteAsync(sink, ct);
    var phase = await meter.StopAsync($"JSONL download of release {number}", seeded.Items, $"{sink.Count / 1_048_576.0:N1} MB ZIP ({download.FileName})");
    Console.WriteLine($"  {phase.Name}: {phase.Seconds:F1} s; {phase.Detail}");
    return phase;
}

static string Report(List<(string Database, double SeedSeconds, long Answers, List<PhaseResult> Phases)> report, int items, string load, DateTimeOffset startedAt, Dictionary<string, double> targets)
{
    var c = CultureInfo.InvariantCulture;
    var md = new StringBuilder();
    md.AppendLine(c, $"# Release cut benchmark, {startedAt:yyyy-MM-dd HH:mm} UTC").AppendLine();
    md.AppendLine(c, $"`dotnet run -c Release --project bench/LabelHub.Bench.ReleaseCut -- --items {items}`").AppendLine();
    md.Append(c, $"A project of {items:N0} items × 3 current answers (one single-choice field of 10 labels; 85 % of answers agree with the majority, every 20th item a three-way tie, every 1,000th gold). ")
        .Append("ReleaseCutter cuts release 1 (majority vote, stratified split 0.8/0.1/0.1), the JSONL download of it is written into a stream that counts bytes, ")
        .Append("a reviewer's fix relabels every 100th item, and release 2 is cut (it keeps release 1's splits). One process, as the worker runs the job; ")
        .AppendLine(c, $"PostgreSQL (durable settings) on the same machine. Machine: {Environment.ProcessorCount} cores, load average before `{load}`.").AppendLine();
    md.AppendLine("Peak managed = GC.GetTotalMemory sampled every 50 ms (baseline after a full collection before the phase); peak RSS = working set of the process.").AppendLine();
    foreach (var (database, seedSeconds, answers, phases) in report)
    {
        md.AppendLine(c, $"## {database}").AppendLine();
        md.AppendLine(c, $"Seeded {items:N0} items and {answers:N0} answers in {seedSeconds:F0} s (not measured).").AppendLine();
        md.AppendLine("| phase | seconds | items/s | peak managed MB (baseline) | peak RSS MB | result |").AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var p in phases)
        {
            md.AppendLine(c, $"| {p.Name} | {p.Seconds:F1} | {p.Rows / p.Seconds:N0} | {p.PeakManagedMb:N0} ({p.BaselineManagedMb:N0}) | {p.PeakWorkingSetMb:N0} | {p.Detail} |");
        }
        md.AppendLine();
        foreach (var p in phases.Where(p => p.Passes.Count > 0))
        {
            md.AppendLine(c, $"{p.Name} by pass: {string.Join("; ", p.Passes.Select(x => $"{x.Pass.Split(" of ")[0]} {x.Seconds:F1} s"))}.").AppendLine();
        }
        var slowest = phases.Where(p => p.Name.StartsWith("cut", StringComparison.Ordinal)).Max(p => p.Seconds);
        md.AppendLine(c, $"Target ≤ {targets[database]:N0} s per cut: **{(slowest <= targets[database] ? "met" : "not met")}** (slowest {slowest:F1} s).").AppendLine();
    }
    return md.ToString();
}

static string FindResultsDirectory()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "LabelHub.sln")))
        {
            return Path.Combine(dir.FullName, "bench", "results");
        }
    }
    return Directory.GetCurrentDirectory();
}
