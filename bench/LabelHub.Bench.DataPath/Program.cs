using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LabelHub.Bench.DataPath;
using LabelHub.Bench.Distribution;
using LabelHub.Domain.Data;
using LabelHub.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

// The data-path benchmark (issue 12): a million-row CSV import and 1,000,000-item × 3-answer exports on a real LabelHub
// (Release build, its own process), while annotator clients label another project; each database in turn.
var options = DataPathOptions.Parse(args);
if (options is null)
{
    Console.WriteLine(DataPathOptions.Usage);
    return 64;
}
using var abort = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    abort.Cancel();
};
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var csv = await SampleFile.EnsureAsync(options.Rows, abort.Token);
var results = new List<DatabaseResult>();
foreach (var database in options.Databases)
{
    Console.WriteLine($"== {database}: {options.Rows:N0} rows, {options.Clients} annotator clients, think time {options.Think.TotalMilliseconds:N0} ms");
    results.Add(await DataPathRun.RunAsync(database, options, csv, abort.Token));
}
var report = DataPathReport.Write(options, results);
Console.WriteLine();
Console.WriteLine(report);
var path = options.Output ?? Path.Combine(RepositoryRoot(), "bench", "results", $"datapath-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
await File.WriteAllTextAsync(path, report);
Console.WriteLine($"Report written to {path}");
return 0;

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "LabelHub.sln")))
        {
            return dir.FullName;
        }
    }
    return Directory.GetCurrentDirectory();
}

namespace LabelHub.Bench.DataPath
{
    public sealed record DataPathOptions(
        IReadOnlyList<string> Databases, int Rows, int Clients, TimeSpan Think, TimeSpan Idle, int LiveItems, string? Output,
        IReadOnlyDictionary<string, string> ServerEnvironment)
    {
        public const string Usage = """
            dotnet run -c Release --project bench/LabelHub.Bench.DataPath -- [options]
              --db sqlite|postgres|both   which databases (default both)
              --rows N                    CSV rows to import, items to export (default 1000000)
              --clients N                 annotator clients labeling another project meanwhile (default 50)
              --think-ms N                an annotator's mean time on an item (default 1000)
              --idle-seconds N            the idle window the phases are compared with (default 30)
              --out FILE                  the Markdown report (default bench/results/datapath-DATE.md)
              --server-env KEY=VALUE      an environment variable for the LabelHub processes (repeatable)
            """;

        public static DataPathOptions? Parse(string[] args)
        {
            var options = new DataPathOptions(["sqlite", "postgres"], 1_000_000, 50, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 50_000, null, new Dictionary<string, string>());
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int Number() => int.Parse(Next(), CultureInfo.InvariantCulture);
                options = args[i] switch
                {
                    "--db" => options with { Databases = Next() switch { "both" => ["sqlite", "postgres"], var one and ("sqlite" or "postgres") => [one], var other => throw new ArgumentException($"--db {other}?") } },
                    "--rows" => options with { Rows = Number() },
                    "--clients" => options with { Clients = Number() },
                    "--think-ms" => options with { Think = TimeSpan.FromMilliseconds(Number()) },
                    "--idle-seconds" => options with { Idle = TimeSpan.FromSeconds(Number()) },
                    "--out" => options with { Output = Next() },
                    "--server-env" => options with { ServerEnvironment = new Dictionary<string, string>(options.ServerEnvironment) { [Next().Split('=')[0]] = args[i].Split('=', 2)[1] } },
                    _ => null,
                };
                if (options is null)
                {
                    return null;
                }
            }
            return options;
        }
    }

    /// <summary>The import file: id, a 10-word Korean review and a source column, as the issue's; made once and reused.</summary>
    public static class SampleFile
    {
        public static async Task<string> EnsureAsync(int rows, CancellationToken ct)
        {
            var path = Path.Combine(Path.GetTempPath(), $"labelhub-datapath-{rows}.csv");
            if (File.Exists(path))
            {
                return path;
            }
            var random = new Random(7);
            string[] words = ["배송", "빨라요", "상품", "좋아요", "가격", "품질", "만족", "다시", "구매", "추천", "포장", "불량", "느려요", "화면", "소리", "크기", "색상", "교환", "환불", "문의"];
            var partial = path + ".part";
            await using (var writer = new StreamWriter(partial, false, new UTF8Encoding(false), 1 << 16))
            {
                await writer.WriteAsync("id,text,source\n");
                var line = new StringBuilder();
                for (var i = 1; i <= rows; i++)
                {
                    line.Clear().Append(i).Append(',');
                    for (var w = 0; w < 10; w++)
                    {
                        line.Append(w == 0 ? "" : " ").Append(words[random.Next(words.Length)]);
                    }
                    line.Append(",src").Append(i % 7).Append('\n');
                    await writer.WriteAsync(line, ct);
                }
            }
            File.Move(partial, path);
            return path;
        }
    }

    public sealed record PhaseResult(string Name, Window Window, TimeSpan? Took, double? BaselineMiB, double? PeakMiB, string Detail, double? PeakAnonymousMiB = null);

    public sealed record DatabaseResult(string Database, string JobProcess, IReadOnlyList<PhaseResult> Phases);

    public static class DataPathRun
    {
        public static async Task<DatabaseResult> RunAsync(string database, DataPathOptions options, string csv, CancellationToken ct)
        {
            var postgres = database == "postgres";
            var dataDir = Directory.CreateTempSubdirectory("labelhub-datapath-").FullName;
            LocalPostgres? server = null;
            var servers = new List<ServerProcess>();
            try
            {
                var port = ServerProcess.FreePort();
                var environment = new Dictionary<string, string>
                {
                    ["LabelHub__DataDir"] = dataDir,
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                };
                foreach (var (key, value) in options.ServerEnvironment)
                {
                    environment[key] = value;
                }
                if (postgres)
                {
                    server = await LocalPostgres.StartAsync(durable: true, ct);
                    environment["ConnectionStrings__LabelHub"] = new NpgsqlConnectionStringBuilder(server.BaseConnectionString) { Database = "labelhub" }.ConnectionString;
                    environment["LabelHub__RunJobServer"] = "false";
                    await using var connection = new NpgsqlConnection(server.BaseConnectionString);
                    await connection.OpenAsync(ct);
                    await using var create = new NpgsqlCommand("CREATE DATABASE labelhub TEMPLATE template0 ENCODING 'UTF8'", connection);
                    await create.ExecuteNonQueryAsync(ct);
                }
                if (postgres)
                {
                    // Server mode: migrations are a step of their own (README, Server mode).
                    await using var migrate = ServerProcess.Start("LabelHub.Workers", environment, Path.Combine(dataDir, "migrate.log"), "migrate");
                    if (await migrate.WaitForExitAsync(ct) != 0)
                    {
                        throw new InvalidOperationException("LabelHub.Workers migrate failed; see migrate.log.");
                    }
                }
                var web = ServerProcess.Start("LabelHub.Web", environment, Path.Combine(dataDir, "web.log"));
                servers.Add(web);
                var address = new Uri($"http://127.0.0.1:{port}");
                using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(10) };
                await web.WaitHealthyAsync(http, ct);
                var jobProcess = web;
                if (postgres)
                {
                    jobProcess = ServerProcess.Start("LabelHub.Workers", environment, Path.Combine(dataDir, "workers.log"));
                    servers.Add(jobProcess);
                }

                // The domain services on the same database, to seed with (never started as a web app).
                var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(WebSetup).Assembly.GetName().Name, EnvironmentName = "Production", Args = [] });
                builder.Configuration.AddInMemoryCollection(environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value));
                builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddConsole();
                builder.AddLabelHubDomain();
                builder.AddLabelHubWeb();
                await using var seedingHost = builder.Build();
                var seeded = await Seeding.SeedAsync(seedingHost.Services, options.Clients, options.LiveItems, ct);
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", seeded.AdminToken);
                Console.WriteLine($"  seeded: {options.Clients} annotators, {options.LiveItems:N0} items to label");

                var phases = new List<PhaseResult>();
                await using var annotators = new Annotators(address, seeded.LiveProjectId, seeded.AnnotatorTokens, Seeding.Field, "positive", options.Think);
                await Task.Delay(TimeSpan.FromSeconds(10), ct); // warm-up: connections, JIT, caches
                var idle = annotators.Measure("idle");
                await Task.Delay(options.Idle, ct);
                annotators.StopMeasuring();
                phases.Add(new PhaseResult("idle", idle, null, null, null, $"{options.Idle.TotalSeconds:N0} s, nothing else running"));
                Console.WriteLine($"  idle: next-task p99 {idle.Percentile(0.99):F0} ms");

                // The import, as a user does it: upload the file, follow the job.
                var window = annotators.Measure("import");
                PhaseResult import;
                await using (var memory = new MemorySampler(jobProcess))
                {
                    var clock = Stopwatch.StartNew();
                    await using var file = File.OpenRead(csv);
                    using var form = new MultipartFormDataContent { { new StreamContent(file, 1 << 16) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", Path.GetFileName(csv) } };
                    using var response = await http.PostAsync($"/api/v1/projects/{seeded.TargetProjectId}/imports", form, ct);
                    var body = await response.Content.ReadAsStringAsync(ct);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"Upload refused: {(int)response.StatusCode} {body}");
                    }
                    var uploaded = clock.Elapsed;
                    var job = await WaitForJobAsync(http, JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid(), ct);
                    var took = clock.Elapsed;
                    annotators.StopMeasuring();
                    import = new PhaseResult("import", window, took, memory.Baseline, memory.Peak,
                        $"{job.GetProperty("state").GetString()}: {job.GetProperty("message").GetString()} (upload {uploaded.TotalSeconds:F1} s)", memory.PeakAnonymous);
                }
                phases.Add(import);
                Console.WriteLine($"  import: {import.Took?.TotalSeconds:F1} s, peak {import.PeakMiB:N0} MiB; {import.Detail}; next-task p99 {window.Percentile(0.99):F0} ms, 5xx {window.ServerErrors}");

                var answers = await Seeding.AddAnswersAsync(seedingHost.Services, seeded.TargetProjectId, seeded.AnnotatorIds.Take(3).ToList(), ct);
                Console.WriteLine($"  {answers:N0} answers added to the imported items");
                foreach (var format in new[] { "Jsonl", "Csv" })
                {
                    window = annotators.Measure($"export {format}");
                    Guid fileId;
                    await using (var memory = new MemorySampler(jobProcess))
                    {
                        var clock = Stopwatch.StartNew();
                        using var response = await http.PostAsJsonAsync($"/api/v1/projects/{seeded.TargetProjectId}/exports", new { format }, ct);
                        var body = await response.Content.ReadAsStringAsync(ct);
                        if (!response.IsSuccessStatusCode)
                        {
                            throw new InvalidOperationException($"Export refused: {(int)response.StatusCode} {body}");
                        }
                        var job = await WaitForJobAsync(http, JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid(), ct);
                        var took = clock.Elapsed;
                        annotators.StopMeasuring();
                        var result = JsonDocument.Parse(job.GetProperty("result").GetString() ?? "{}").RootElement;
                        fileId = result.GetProperty("fileId").GetGuid();
                        phases.Add(new PhaseResult($"export {format}", window, took, memory.Baseline, memory.Peak,
                            $"{job.GetProperty("state").GetString()}: {result.GetProperty("items").GetInt32():N0} items", memory.PeakAnonymous));
                        Console.WriteLine($"  export {format}: {took.TotalSeconds:F1} s, peak {memory.Peak:N0} MiB (idle {memory.Baseline:N0}); next-task p99 {window.Percentile(0.99):F0} ms, 5xx {window.ServerErrors}");
                    }

                    window = annotators.Measure($"download {format}");
                    await using (var memory = new MemorySampler(web))
                    {
                        var clock = Stopwatch.StartNew();
                        using var response = await http.GetAsync($"/api/v1/files/{fileId}", HttpCompletionOption.ResponseHeadersRead, ct);
                        response.EnsureSuccessStatusCode();
                        await using var content = await response.Content.ReadAsStreamAsync(ct);
                        var buffer = new byte[1 << 16];
                        var first = await content.ReadAsync(buffer, ct);
                        var firstByte = clock.Elapsed;
                        long total = first;
                        int read;
                        while ((read = await content.ReadAsync(buffer, ct)) > 0)
                        {
                            total += read;
                        }
                        var took = clock.Elapsed;
                        annotators.StopMeasuring();
                        phases.Add(new PhaseResult($"download {format}", window, took, memory.Baseline, memory.Peak,
                            $"{total / 1048576.0:N0} MiB, first byte after {firstByte.TotalMilliseconds:N0} ms (Content-Length {response.Content.Headers.ContentLength:N0})", memory.PeakAnonymous));
                        Console.WriteLine($"  download {format}: {total / 1048576.0:N0} MiB in {took.TotalSeconds:F1} s, first byte {firstByte.TotalMilliseconds:N0} ms, web peak {memory.Peak:N0} MiB");
                    }
                }
                return new DatabaseResult(database, postgres ? "LabelHub.Workers" : "LabelHub.Web (embedded: jobs in-process)", phases);
            }
            finally
            {
                foreach (var process in servers)
                {
                    await process.DisposeAsync();
                }
                if (server is not null)
                {
                    await server.DisposeAsync();
                }
                NpgsqlConnection.ClearAllPools();
                Console.WriteLine($"  logs in {dataDir}");
            }
        }

        private static async Task<JsonElement> WaitForJobAsync(HttpClient http, Guid jobId, CancellationToken ct)
        {
            while (true)
            {
                var job = await http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{jobId}", ct);
                var state = job.GetProperty("state").GetString();
                if (state is "Succeeded" or "Failed" or "Cancelled")
                {
                    return state == "Succeeded" ? job : throw new InvalidOperationException($"Job {jobId} {state}: {job}");
                }
                await Task.Delay(250, ct);
            }
        }
    }
}
