using System.Diagnostics;
using System.Globalization;
using System.Text;
using LabelHub.Bench.Distribution;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.Web;
using LabelHub.Workers.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Serilog;

// LabelHub quality-recompute benchmark: a PostgreSQL project with N answers (3 per item, three fields), then the
// recompute job's work — read every current answer, compute all metrics for all fields, store the report — timed.
var answersWanted = 1_000_000;
var annotatorCount = 30;
string? connection = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--answers": answersWanted = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--annotators": annotatorCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--connection": connection = args[++i]; break;
        default:
            Console.Error.WriteLine("Options: --answers N (default 1000000) --annotators U (default 30) --connection CS (an existing server)");
            return 1;
    }
}
if (answersWanted < 3 || annotatorCount < 3)
{
    Console.Error.WriteLine("--answers must be at least 3 and --annotators at least 3.");
    return 1;
}
var ct = CancellationToken.None;
var startedAt = DateTimeOffset.Now;
var load = File.ReadAllText("/proc/loadavg").Trim();
Console.WriteLine($"Quality recompute benchmark: {answersWanted:N0} answers, {annotatorCount} annotators. Load average: {load}");

await using var server = connection is null ? await LocalPostgres.StartAsync(durable: false, ct) : null;
var baseConnection = new NpgsqlConnectionStringBuilder(connection ?? server!.BaseConnectionString);
var databaseName = $"labelhub_quality_{startedAt:yyyyMMdd_HHmmss}";
baseConnection.Database = "postgres";
await ExecuteAsync(baseConnection.ConnectionString, $"CREATE DATABASE \"{databaseName}\" TEMPLATE template0 ENCODING 'UTF8'");
var appConnection = new NpgsqlConnectionStringBuilder(baseConnection.ConnectionString) { Database = databaseName }.ConnectionString;
try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(WebSetup).Assembly.GetName().Name, Args = [] });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:LabelHub"] = appConnection,
        ["LabelHub:RunJobServer"] = "false",
        ["LabelHub:DataDir"] = Directory.CreateTempSubdirectory("labelhub-quality-bench-").FullName,
    });
    builder.Services.AddSerilog(config => config.MinimumLevel.Warning().WriteTo.Console(formatProvider: CultureInfo.InvariantCulture));
    builder.AddLabelHubDomain();
    builder.AddLabelHubJobs(runJobServer: false);
    builder.AddLabelHubWeb();
    await using var app = builder.Build();
    await DatabaseSetup.MigrateAsync(app.Services, ct);

    var setup = Stopwatch.StartNew();
    var (projectId, answers) = await SeedAsync(app.Services, appConnection, answersWanted, annotatorCount, ct);
    Console.WriteLine($"Seeded {answers:N0} answers in {setup.Elapsed.TotalSeconds:F1} s");

    var quality = app.Services.GetRequiredService<QualityService>();
    var runs = new List<(double Seconds, QualityReport Report, long AllocatedMb)>();
    for (var run = 0; run < 3; run++)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var timer = Stopwatch.StartNew();
        var report = await quality.ComputeAndStoreAsync(projectId, null, null, ct);
        runs.Add((timer.Elapsed.TotalSeconds, report, (GC.GetTotalAllocatedBytes() - allocated) / 1_000_000));
        Console.WriteLine($"  run {run + 1}: {timer.Elapsed.TotalSeconds:F2} s");
    }
    var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1_000_000;
    var best = runs.Min(r => r.Seconds);
    var last = runs[^1].Report;

    var md = new StringBuilder();
    var c = CultureInfo.InvariantCulture;
    md.AppendLine(c, $"# Quality recompute benchmark, {startedAt:yyyy-MM-dd HH:mm zzz}").AppendLine();
    md.AppendLine(c, $"`dotnet run -c Release --project bench/LabelHub.Bench.Quality -- --answers {answersWanted} --annotators {annotatorCount}`").AppendLine();
    md.AppendLine(c, $"PostgreSQL project with {answers:N0} current answers ({answers / 3:N0} items × 3 annotators drawn from {annotatorCount}; fields: a 3-label choice, a 1–5 rating, a 3-label multiple choice). " +
        $"Each run is what the recompute job does: read every current answer, compute every statistic for every field (per field, per label, per annotator pair), gold accuracy and KPIs, store the report. " +
        $"Machine: {Environment.ProcessorCount} cores, load average before `{load}`; PostgreSQL on the same machine.").AppendLine();
    md.AppendLine("| run | seconds | allocated MB |").AppendLine("|---|---:|---:|");
    for (var i = 0; i < runs.Count; i++)
    {
        md.AppendLine(c, $"| {i + 1}{(i == 0 ? " (cold: JIT, first read)" : "")} | {runs[i].Seconds:F2} | {runs[i].AllocatedMb:N0} |");
    }
    md.AppendLine().AppendLine(c, $"Target ≤ 15 s: **{(runs.Max(r => r.Seconds) <= 15 ? "met" : "not met")}** (slowest run {runs.Max(r => r.Seconds):F2} s, best {best:F2} s). Peak working set {peakMb:N0} MB.").AppendLine();
    md.AppendLine("Headline figures of the last report (the seeded answers agree with an item's true value 80 % of the time):").AppendLine();
    md.AppendLine("| field | headline | value | items |").AppendLine("|---|---|---:|---:|");
    foreach (var field in last.Data.Fields)
    {
        var headline = field.Metrics.First(m => m.Metric == field.Headline).Value;
        md.AppendLine(c, $"| {field.Field} | {field.Headline} | {headline.Value?.ToString("F4", c) ?? "–"} | {headline.Items:N0} |");
    }
    var path = Path.Combine(FindResultsDirectory(), $"quality-recompute-{startedAt:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, md.ToString(), ct);
    Console.WriteLine(md.ToString());
    Console.WriteLine($"Written to {path}");
    return runs.Max(r => r.Seconds) <= 15 ? 0 : 2;
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await ExecuteAsync(baseConnection.ConnectionString, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
}

static async Task<(Guid ProjectId, int Answers)> SeedAsync(IServiceProvider services, string connectionString, int answersWanted, int annotatorCount, CancellationToken ct)
{
    var users = new List<Guid>();
    using (var scope = services.CreateScope())
    {
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        for (var i = 0; i <= annotatorCount; i++)
        {
            var user = new AppUser { Id = Guid.CreateVersion7(), UserName = i == 0 ? "bench-admin" : $"annotator{i:000}", DisplayName = i == 0 ? "Admin" : $"Annotator {i:000}", CreatedAt = DateTimeOffset.UtcNow };
            var created = await userManager.CreateAsync(user);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
            }
            users.Add(user.Id);
        }
    }
    var admin = new Actor(users[0], new HashSet<string> { Roles.Admin });
    var schema = new LabelSchema
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"], Required = true },
            new LabelField { Name = "stars", Kind = FieldKind.Rating, Min = 1, Max = 5 },
            new LabelField { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service", "quality"] },
        ],
    };
    var project = await services.GetRequiredService<ProjectService>().CreateAsync(admin, new ProjectInput("Quality benchmark", null, schema, 3), ct);
    var itemCount = answersWanted / 3;

    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    var now = DateTimeOffset.UtcNow;
    await using (var writer = await connection.BeginBinaryImportAsync(
        "COPY items (project_id, data, content_hash, source_line, taken_slots, submitted_count, created_at) FROM STDIN (FORMAT BINARY)", ct))
    {
        for (var i = 1; i <= itemCount; i++)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(project.Id, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync($$"""{"text": "review {{i}}"}""", NpgsqlDbType.Jsonb, ct);
            await writer.WriteAsync(i.ToString("x64", CultureInfo.InvariantCulture), NpgsqlDbType.Varchar, ct);
            await writer.WriteAsync(i, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(3, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(3, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
        }
        await writer.CompleteAsync(ct);
    }
    var itemIds = new List<long>(itemCount);
    await using (var read = new NpgsqlCommand("SELECT id FROM items WHERE project_id = @p ORDER BY id", connection))
    {
        read.Parameters.AddWithValue("p", project.Id);
        await using var reader = await read.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            itemIds.Add(reader.GetInt64(0));
        }
    }

    // Each answer agrees with the item's true value 80 % of the time (seeded, so every run sees the same data).
    var random = new Random(20261126);
    string[] sentiments = ["positive", "negative", "neutral"];
    string[] topics = ["price", "service", "quality"];
    var answers = 0;
    await using (var writer = await connection.BeginBinaryImportAsync(
        "COPY annotations (project_id, item_id, annotator_id, author_id, version, is_current, reason, values, duration_ms, review_status, created_at) FROM STDIN (FORMAT BINARY)", ct))
    {
        foreach (var itemId in itemIds)
        {
            var trueSentiment = random.Next(3);
            var trueStars = random.Next(1, 6);
            var trueTopics = random.Next(1, 8);
            var first = random.Next(annotatorCount);
            for (var k = 0; k < 3; k++)
            {
                var annotator = users[1 + ((first + (k * 7)) % annotatorCount)];
                var sentiment = random.NextDouble() < 0.8 ? trueSentiment : random.Next(3);
                var stars = random.NextDouble() < 0.8 ? trueStars : Math.Clamp(trueStars + random.Next(-1, 2), 1, 5);
                var topicMask = random.NextDouble() < 0.8 ? trueTopics : random.Next(0, 8);
                var picked = string.Join(",", Enumerable.Range(0, 3).Where(t => (topicMask & (1 << t)) != 0).Select(t => $"\"{topics[t]}\""));
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(project.Id, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(itemId, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(annotator, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(annotator, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(1, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(true, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync("Submit", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync($$"""{"sentiment": "{{sentiments[sentiment]}}", "stars": {{stars}}, "topics": [{{picked}}]}""", NpgsqlDbType.Jsonb, ct);
                await writer.WriteAsync(1000 + random.Next(20_000), NpgsqlDbType.Integer, ct);
                await writer.WriteAsync("Unreviewed", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                answers++;
            }
        }
        await writer.CompleteAsync(ct);
    }
    await using (var analyze = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 0 })
    {
        await analyze.ExecuteNonQueryAsync(ct);
    }
    return (project.Id, answers);
}

static async Task ExecuteAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
    await command.ExecuteNonQueryAsync();
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
