using System.Diagnostics;
using System.Globalization;
using System.Text;
using LabelHub.Bench;
using LabelHub.Bench.DataManager;
using LabelHub.Bench.Distribution;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Web;
using LabelHub.Workers.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

// LabelHub data manager benchmark (issue 17): one project of N items on PostgreSQL and on SQLite, then ~20 filtered,
// sorted pages of ItemTableService (the first page and the fifth through the cursor) × repeats, p50/p95 per query.
var itemCount = 1_000_000;
var repeats = 15;
string[] databases = ["postgres", "sqlite"];
var explain = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--items": itemCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--repeats": repeats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--db": databases = args[++i] == "both" ? ["postgres", "sqlite"] : [args[i]]; break;
        case "--explain": explain = true; break;
        default:
            Console.Error.WriteLine("Options: --items N (default 1000000) --repeats R (default 15) --db postgres|sqlite|both (default both) --explain (print the label filters' query plans)");
            return 1;
    }
}
if (itemCount < 1000 || repeats < 2 || databases.Any(d => d is not ("postgres" or "sqlite")))
{
    Console.Error.WriteLine("--items must be at least 1000, --repeats at least 2; --db postgres, sqlite or both.");
    return 1;
}
var ct = CancellationToken.None;
var startedAt = DateTimeOffset.UtcNow;
var load = File.ReadAllText("/proc/loadavg").Trim();
Console.WriteLine($"Data manager benchmark: {itemCount:N0} items on {string.Join(", ", databases)}, {repeats} repeats. Load average: {load}");
var targets = new Dictionary<string, double> { ["postgres"] = 300, ["sqlite"] = 1000 };
var results = new List<DatabaseResult>();

foreach (var database in databases)
{
    var postgres = database == "postgres";
    await using var server = postgres ? await LocalPostgres.StartAsync(durable: true, ct) : null;
    var dataDir = Directory.CreateTempSubdirectory("labelhub-dm-bench-").FullName;
    try
    {
        await using var app = await BenchApp.StartAsync(server, dataDir, ct);
        var seeded = await DataManagerSeeding.SeedAsync(app.Services, itemCount, ct);
        Console.WriteLine($"[{database}] seeded {itemCount:N0} items (item insert {seeded.ItemSeconds:F1} s, agreement/score backfill {seeded.BackfillSeconds:F1} s, item_labels backfill {seeded.LabelBackfillSeconds:F1} s)");
        var table = app.Services.GetRequiredService<ItemTableService>();
        foreach (var (name, filter, _) in explain ? Queries(seeded).Where(q => q.Filter.Label is not null) : [])
        {
            Console.WriteLine($"[{database}] plan of {name}:\n{await QueryPlans.ExplainAsync(app.Services, seeded.ProjectId, filter, ct)}");
        }
        var timings = new List<QueryResult>();
        foreach (var (name, filter, sort) in Queries(seeded))
        {
            var first = new List<double>();
            var fifth = new List<double>();
            var rows = 0;
            for (var r = 0; r < repeats; r++)
            {
                var watch = Stopwatch.StartNew();
                var page = await table.PageAsync(seeded.Admin, seeded.ProjectId, filter, sort, null, 50, ct);
                first.Add(watch.Elapsed.TotalMilliseconds);
                rows = page.Items.Count;
                for (var p = 2; p <= 5 && page.Next is not null; p++)
                {
                    watch.Restart();
                    page = await table.PageAsync(seeded.Admin, seeded.ProjectId, filter, sort, page.Next, 50, ct);
                    if (p == 5)
                    {
                        fifth.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }
            }
            var result = new QueryResult(name, rows, Percentile(first, 0.5), Percentile(first, 0.95), fifth.Count == 0 ? null : Percentile(fifth, 0.5), fifth.Count == 0 ? null : Percentile(fifth, 0.95));
            timings.Add(result);
            Console.WriteLine($"  {name}: first p50 {result.FirstP50:F1} ms p95 {result.FirstP95:F1} ms; page 5 p95 {result.FifthP95?.ToString("F1", CultureInfo.InvariantCulture) ?? "-"} ms");
        }
        (double With, double Without)? triggers = postgres ? null : await DataManagerSeeding.SqliteTriggerCostAsync(app.Services, seeded.Admin, itemCount, ct);
        if (triggers is { } t)
        {
            Console.WriteLine($"[{database}] {itemCount:N0}-item insert with search triggers {t.With:F1} s, without {t.Without:F1} s");
        }
        results.Add(new DatabaseResult(database, seeded, timings, triggers));
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataDir, recursive: true);
    }
}

var md = Report(results, itemCount, repeats, load, startedAt, targets);
var directory = FindResultsDirectory();
Directory.CreateDirectory(directory);
var path = Path.Combine(directory, $"data-manager-{startedAt:yyyy-MM-dd-HHmm}.md");
await File.WriteAllTextAsync(path, md, ct);
Console.WriteLine(md);
Console.WriteLine($"Written to {path}");
return results.All(r => r.Queries.All(q => Math.Max(q.FirstP95, q.FifthP95 ?? 0) <= targets[r.Database])) ? 0 : 2;

static IEnumerable<(string Name, ItemFilter Filter, ItemSort Sort)> Queries(SeededProject s)
{
    var none = new ItemFilter();
    yield return ("all, id", none, new ItemSort());
    yield return ("all, created_at desc", none, new ItemSort(ItemSortColumn.CreatedAt, true));
    yield return ("all, priority desc", none, new ItemSort(ItemSortColumn.Priority, true));
    yield return ("all, submitted_count", none, new ItemSort(ItemSortColumn.SubmittedCount));
    yield return ("all, agreement", none, new ItemSort(ItemSortColumn.Agreement));
    yield return ("all, prediction_score desc", none, new ItemSort(ItemSortColumn.PredictionScore, true));
    yield return ("all, source", none, new ItemSort(ItemSortColumn.Source));
    yield return ("unlabeled, id", new ItemFilter { Statuses = [ItemStatus.Unlabeled] }, new ItemSort());
    yield return ("completed, priority desc", new ItemFilter { Statuses = [ItemStatus.Completed] }, new ItemSort(ItemSortColumn.Priority, true));
    yield return ("in progress, id desc", new ItemFilter { Statuses = [ItemStatus.InProgress] }, new ItemSort(ItemSortColumn.Id, true));
    yield return ("label = label3, id", new ItemFilter { Field = DataManagerSeeding.Field, Label = "label3" }, new ItemSort());
    yield return ("label = label2, priority desc", new ItemFilter { Field = DataManagerSeeding.Field, Label = "label2" }, new ItemSort(ItemSortColumn.Priority, true));
    yield return ("annotator 2, created_at desc", new ItemFilter { AnnotatorId = s.SecondAnnotator }, new ItemSort(ItemSortColumn.CreatedAt, true));
    yield return ("agreement < 0.5, agreement", new ItemFilter { AgreementBelow = 0.5 }, new ItemSort(ItemSortColumn.Agreement));
    yield return ("gold, id", new ItemFilter { Gold = true }, new ItemSort());
    yield return ("has prediction, score desc", new ItemFilter { HasPrediction = true }, new ItemSort(ItemSortColumn.PredictionScore, true));
    yield return ("score 0.2–0.4, score", new ItemFilter { ScoreMin = 0.2, ScoreMax = 0.4 }, new ItemSort(ItemSortColumn.PredictionScore));
    yield return ("source 3, priority desc", new ItemFilter { SourceIds = [s.Sources[2]] }, new ItemSort(ItemSortColumn.Priority, true));
    yield return ("release 1 test split, id", new ItemFilter { ReleaseNumber = 1, Split = "test" }, new ItemSort());
    yield return ("flagged, id", new ItemFilter { Flagged = true }, new ItemSort());
    yield return ("search 'whiskey', id", new ItemFilter { Search = "whiskey" }, new ItemSort());
    yield return ("search '고양이 사과', id", new ItemFilter { Search = "고양이 사과" }, new ItemSort());
    yield return ("search rare '123457', id", new ItemFilter { Search = "123457" }, new ItemSort());
    yield return ("completed + label1 + source 1, agreement", new ItemFilter { Statuses = [ItemStatus.Completed], Field = DataManagerSeeding.Field, Label = "label1", SourceIds = [s.Sources[0]] },
        new ItemSort(ItemSortColumn.Agreement));
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static string Report(List<DatabaseResult> results, int items, int repeats, string load, DateTimeOffset startedAt, Dictionary<string, double> targets)
{
    var c = CultureInfo.InvariantCulture;
    var md = new StringBuilder();
    md.AppendLine(c, $"# Data manager benchmark, {startedAt:yyyy-MM-dd HH:mm} UTC").AppendLine();
    md.AppendLine(c, $"`dotnet run -c Release --project bench/LabelHub.Bench.DataManager -- --items {items} --repeats {repeats}`").AppendLine();
    md.Append(c, $"One project of {items:N0} items (overlap 2; 60 % answered twice, 10 % once; 30 % with a prediction; three sources; a release in three splits; an open finding on every 50th). ")
        .Append(c, $"Each query is ItemTableService.PageAsync with 50 rows, as GET /items and the page call it: the first page, and the fifth reached through the cursor, {repeats} times each. ")
        .AppendLine(c, $"Machine: {Environment.ProcessorCount} cores, load average before `{load}`.").AppendLine();
    foreach (var r in results)
    {
        md.AppendLine(c, $"## {r.Database}").AppendLine();
        md.AppendLine(c, $"Item insert {r.Seeded.ItemSeconds:F1} s (with the data manager's indexes{(r.Database == "sqlite" ? " and search triggers" : "")}); agreement/score backfill {r.Seeded.BackfillSeconds:F1} s; item_labels backfill {r.Seeded.LabelBackfillSeconds:F1} s.").AppendLine();
        if (r.Triggers is { } t)
        {
            md.AppendLine(c, $"SQLite search triggers on a {items:N0}-item insert: {t.With:F1} s with, {t.Without:F1} s without (+{t.With - t.Without:F1} s).").AppendLine();
        }
        md.AppendLine("| query | rows | first p50 ms | first p95 ms | page 5 p50 ms | page 5 p95 ms |").AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var q in r.Queries)
        {
            md.AppendLine(c, $"| {q.Name} | {q.Rows} | {q.FirstP50:F1} | {q.FirstP95:F1} | {q.FifthP50?.ToString("F1", c) ?? "–"} | {q.FifthP95?.ToString("F1", c) ?? "–"} |");
        }
        var worst = r.Queries.Max(q => Math.Max(q.FirstP95, q.FifthP95 ?? 0));
        md.AppendLine().AppendLine(c, $"Target p95 ≤ {targets[r.Database]:N0} ms: **{(worst <= targets[r.Database] ? "met" : "not met")}** (worst {worst:F1} ms).").AppendLine();
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

internal sealed record QueryResult(string Name, int Rows, double FirstP50, double FirstP95, double? FifthP50, double? FifthP95);

internal sealed record DatabaseResult(string Database, SeededProject Seeded, List<QueryResult> Queries, (double With, double Without)? Triggers);
