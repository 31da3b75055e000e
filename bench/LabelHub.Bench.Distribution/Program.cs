using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using LabelHub.Bench.Distribution;
using LabelHub.Domain.Data;
using LabelHub.Web;
using LabelHub.Workers.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Serilog;

if (args.Length > 0 && args[0] == LoadDriver.ChildFlag)
{
    return await LoadDriver.RunChildAsync(args[1..]);
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (HelpRequested)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 64;
}

using var abort = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    abort.Cancel();
};
var ct = abort.Token;
var startedAt = DateTimeOffset.Now;
var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
Console.WriteLine($"LabelHub distribution benchmark: {options.Items:N0} items, overlap {options.Overlap}, {options.Annotators} annotators, " +
                  $"{options.Warmup.TotalSeconds:F0} s warm-up + {options.Duration.TotalSeconds:F0} s measured. Load average: {loadBefore}");

LocalPostgres? localServer = null;
var keepServer = false;
try
{
    if (options.Connection is null)
    {
        Console.WriteLine("Starting a throwaway PostgreSQL server...");
        localServer = await LocalPostgres.StartAsync(options.Durable, ct);
    }
    var baseConnection = options.Connection ?? localServer!.BaseConnectionString;
    var maintenance = new NpgsqlConnectionStringBuilder(baseConnection);
    if (string.IsNullOrEmpty(maintenance.Database))
    {
        maintenance.Database = "postgres";
    }
    var databaseName = $"labelhub_bench_{startedAt:yyyyMMdd_HHmmss}_{Guid.NewGuid().ToString("N")[..6]}";
    await ExecuteAsync(maintenance.ConnectionString, $"CREATE DATABASE \"{databaseName}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", ct);
    // The app's own pool; the bench's seeding and diagnostics use a separate pool (other application name).
    var appConnection = new NpgsqlConnectionStringBuilder(maintenance.ConnectionString) { Database = databaseName, ApplicationName = "labelhub-web" };
    if (options.AppConnectionOptions is { } extra)
    {
        foreach (var pair in new NpgsqlConnectionStringBuilder(extra))
        {
            appConnection[pair.Key] = pair.Value;
        }
    }
    if (options.MaxPoolSize is { } maxPool)
    {
        appConnection.MaxPoolSize = maxPool;
    }
    var benchConnection = new NpgsqlConnectionStringBuilder(maintenance.ConnectionString) { Database = databaseName, ApplicationName = "labelhub-bench" }.ConnectionString;
    int exitCode;
    try
    {
        exitCode = await RunAsync(options, appConnection, benchConnection, localServer, startedAt, loadBefore, ct);
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        Console.Error.WriteLine($"The benchmark failed: {e}");
        exitCode = 1;
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        if (options.Keep)
        {
            keepServer = localServer is not null;
            Console.WriteLine($"Kept database {databaseName}: {appConnection.ConnectionString}");
            if (keepServer)
            {
                Console.WriteLine($"The throwaway server keeps running; stop it with: runuser -u postgres -- pg_ctl -D {Path.GetDirectoryName(localServer!.LogFile)}/data stop");
            }
        }
        else
        {
            try
            {
                await ExecuteAsync(maintenance.ConnectionString, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)", CancellationToken.None);
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"Could not drop {databaseName}: {e.Message}");
            }
        }
    }
    return exitCode;
}
finally
{
    if (localServer is not null && !keepServer)
    {
        await localServer.DisposeAsync();
    }
}

static async Task<int> RunAsync(BenchOptions options, NpgsqlConnectionStringBuilder appConnection, string benchConnection, LocalPostgres? localServer,
    DateTimeOffset startedAt, string loadBefore, CancellationToken ct)
{
    var setup = Stopwatch.StartNew();
    var capacity = Math.Max(1_000_000, (int)(options.Duration.TotalSeconds * 20_000));
    var dataDir = Directory.CreateTempSubdirectory("labelhub-bench-data-").FullName;
    try
    {
        return await RunInDataDirAsync(options, appConnection, benchConnection, localServer, startedAt, loadBefore, capacity, setup, dataDir, ct);
    }
    finally
    {
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

static async Task<int> RunInDataDirAsync(BenchOptions options, NpgsqlConnectionStringBuilder appConnection, string benchConnection, LocalPostgres? localServer,
    DateTimeOffset startedAt, string loadBefore, int capacity, Stopwatch setup, string dataDir, CancellationToken ct)
{
    // The real web app, built as src/LabelHub.Web/Program.cs builds it, in server mode on this database. With --train it
    // also runs the job server, as an embedded deployment's web process does, so rounds train in it.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        ApplicationName = typeof(WebSetup).Assembly.GetName().Name,
        EnvironmentName = "Production",
        Args = [],
    });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:LabelHub"] = appConnection.ConnectionString,
        ["LabelHub:RunJobServer"] = options.Train == TrainIn.Web ? "true" : "false",
        ["LabelHub:DataDir"] = dataDir,
    });
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    // Instead of AddLabelHubLogging: the same Serilog pipeline at Warning, so per-request logging costs nothing measurable.
    builder.Services.AddSerilog(config => config.MinimumLevel.Warning().WriteTo.Console(formatProvider: CultureInfo.InvariantCulture));
    builder.AddLabelHubDomain();
    builder.AddLabelHubJobs(runJobServer: JobsSetup.WebRunsJobServer(builder.Configuration));
    builder.AddLabelHubWeb();
    await using var app = builder.Build();

    Console.WriteLine("Migrating...");
    await DatabaseSetup.MigrateAsync(app.Services, ct);
    var statements = await Diagnostics.TryEnableStatementsAsync(benchConnection, ct);

    // Server-side timing, in front of the app's pipeline (after routing): whole request, and the endpoint handler alone,
    // into the recorder of the window being measured.
    var slot = new StrongBox<LatencyRecorder?>();
    app.Use(async (context, next) =>
    {
        if (Volatile.Read(ref slot.Value) is not { } recorder || Classify(context.Request) is not { } op)
        {
            await next(context);
            return;
        }
        if (context.GetEndpoint() is { RequestDelegate: { } inner } endpoint)
        {
            context.SetEndpoint(new Endpoint(
                async c =>
                {
                    var handlerStart = Stopwatch.GetTimestamp();
                    try
                    {
                        await inner(c);
                    }
                    finally
                    {
                        recorder.Handler(op, Stopwatch.GetTimestamp() - handlerStart);
                    }
                },
                endpoint.Metadata,
                endpoint.DisplayName));
        }
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            recorder.Server(op, start, Stopwatch.GetTimestamp() - start, context.Response.StatusCode);
        }
    });
    app.UseLabelHubWeb(); // also creates the first admin

    Console.WriteLine("Seeding...");
    var trainingProject = options.Train is null ? null : await Seeder.SeedTrainingProjectAsync(app.Services, options, ct);
    var seeded = await Seeder.SeedAsync(app.Services, benchConnection, options, ct);
    await app.StartAsync(ct);
    var address = new Uri(app.Urls.First());
    Console.WriteLine($"Web app listening on {address} after {setup.Elapsed.TotalSeconds:F0} s of set-up.");
    await using var workers = options.Train == TrainIn.Workers
        ? WorkersProcess.Start(new NpgsqlConnectionStringBuilder(appConnection.ConnectionString) { ApplicationName = "labelhub-workers" }.ConnectionString, dataDir)
        : null;

    await using var driver = LoadDriver.Start(address, seeded.ProjectId, seeded.Annotators, options.Rate, capacity, dataDir);
    using var rounds = trainingProject is null ? null : new RoundDriver(address, trainingProject, () => workers?.Failure);

    Console.WriteLine($"Warming up for {options.Warmup.TotalSeconds:F0} s...");
    var warmUp = Task.Delay(options.Warmup, ct);
    TrainingSetup? training = null;
    if (rounds is not null)
    {
        // Meanwhile the labeler answers the images rounds train on, and one round runs: libtorch loaded, the round's code compiled.
        var answering = Stopwatch.StartNew();
        await rounds.AnswerAsync(options.TrainLabeled, ct);
        var answerTime = answering.Elapsed;
        await rounds.ConfigureAsync(ct);
        Console.WriteLine($"  {options.TrainLabeled:N0} images answered through the API in {answerTime.TotalSeconds:F0} s; a first round...");
        var first = await rounds.RunRoundAsync(ct);
        Console.WriteLine($"  [rounds] {first.Result?.Summary()} (ran {first.Running.TotalSeconds:F1} s)");
        training = new TrainingSetup(options.Train!.Value, trainingProject!.ProjectId, options.TrainLabeled, options.TrainPool, RoundDriver.Settings, first, answerTime);
    }
    await Task.WhenAny(warmUp, driver.Done);

    var windows = new List<MeasuredWindow>();
    foreach (var (name, train) in options.Train is null ? new[] { ("measured", false) } : new[] { ("baseline", false), ("training", true) })
    {
        if (driver.Done.IsCompleted)
        {
            break;
        }
        var measured = await MeasureWindowAsync(name, train ? rounds : null, options, slot, capacity, driver, workers?.ProcessId, benchConnection, localServer, seeded, statements, ct);
        windows.Add(measured with { Jobs = await Diagnostics.JobsDuringAsync(benchConnection, measured.StartUtc, measured.EndUtc, ct) });
    }
    Volatile.Write(ref slot.Value, null);

    Console.WriteLine("Stopping the annotators (each finishes its task in hand)...");
    var loadResult = await driver.FinishAsync(TimeSpan.FromSeconds(120));
    await app.StopAsync(CancellationToken.None);

    Console.WriteLine("Checking invariants...");
    var invariants = await InvariantChecker.CheckAsync(benchConnection, seeded.ProjectId, options.Overlap, ct);
    var totals = await InvariantChecker.TotalsAsync(benchConnection, seeded.ProjectId, options.Overlap, ct);
    var postgresVersion = await ScalarAsync(benchConnection, "SHOW server_version", ct);
    var loadAfter = File.ReadAllText("/proc/loadavg").Trim();

    var report = new Report
    {
        Options = options,
        StartedAt = startedAt,
        LoadBefore = loadBefore,
        LoadAfter = loadAfter,
        PostgresVersion = postgresVersion,
        PostgresSettings = localServer?.Settings ?? ["(existing server: its own settings)"],
        PoolSize = new NpgsqlConnectionStringBuilder(DatabaseSettings.WithServerDefaults(appConnection.ConnectionString)).MaxPoolSize,
        Load = loadResult.Load,
        Windows = [.. windows.Zip(loadResult.Windows, (window, driverWindow) => window with { Driver = driverWindow })],
        Training = training,
        Invariants = invariants,
        Totals = totals,
        Commit = Git("rev-parse --short HEAD") + (string.IsNullOrEmpty(Git("status --porcelain --untracked-files=no")) ? "" : " (with uncommitted changes)"),
    };
    var markdown = report.ToMarkdown();
    Console.WriteLine();
    Console.WriteLine(markdown);
    Directory.CreateDirectory(options.ResultsDirectory);
    var file = Path.Combine(options.ResultsDirectory, $"distribution-{(options.Train is null ? "" : "training-")}{startedAt:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(file, markdown, CancellationToken.None);
    Console.WriteLine($"Written to {file}");
    if (options.SamplesFile is { } samplesFile)
    {
        await File.WriteAllTextAsync(samplesFile, report.SamplesCsv(), CancellationToken.None);
        Console.WriteLine($"Samples written to {samplesFile}");
    }
    var violations = invariants.Sum(i => i.Violations) + loadResult.Load.DuplicateHandOuts;
    if (violations > 0)
    {
        Console.Error.WriteLine($"INVARIANT VIOLATIONS: {violations}");
        return 2;
    }
    return 0;
}

/// <summary>
/// One measured window: the labeling project's latencies into a recorder of its own, with the machine's CPU, GC pauses,
/// PostgreSQL's statements and background work, and per-thread CPU. With <paramref name="rounds"/>, rounds run back to back
/// on the training project from just before the window (it starts once the first one is running) to its end, and the
/// round then in flight is waited for.
/// </summary>
static async Task<MeasuredWindow> MeasureWindowAsync(string name, RoundDriver? rounds, BenchOptions options, StrongBox<LatencyRecorder?> slot, int capacity,
    LoadDriver driver, int? workersPid, string benchConnection, LocalPostgres? localServer, SeededData seeded, bool statements, CancellationToken ct)
{
    var recorder = new LatencyRecorder(capacity);
    var diagnostics = new Diagnostics(benchConnection, localServer?.PostmasterPid) { LoadGeneratorPid = driver.ProcessId, WorkersPid = workersPid };
    using var gcPauses = new GcPauses();
    var webThreads = new ThreadSampler(Environment.ProcessId);
    var workerThreads = workersPid is { } pid ? new ThreadSampler(pid) : null;
    using var stopRounds = new CancellationTokenSource();
    Task<IReadOnlyList<RoundRun>>? roundLoop = null;
    if (rounds is not null)
    {
        Console.WriteLine("Starting rounds back to back...");
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        roundLoop = rounds.RunBackToBackAsync(firstRunning, stopRounds.Token);
        await Task.WhenAny(firstRunning.Task, roundLoop);
        if (roundLoop.IsCompleted)
        {
            await roundLoop; // a failed round fails the benchmark here
        }
    }
    if (statements)
    {
        await Diagnostics.ResetStatementsAsync(benchConnection, ct);
    }
    Volatile.Write(ref slot.Value, recorder);
    using var stopSampling = new CancellationTokenSource();
    diagnostics.StartWindow();
    webThreads.Start();
    workerThreads?.Start();
    var startUtc = DateTimeOffset.UtcNow;
    recorder.Start();
    gcPauses.Sampling = true;
    await driver.StartRecordingAsync();
    var sampler = diagnostics.SampleAsync(stopSampling.Token);
    Console.WriteLine($"Measuring the {name} window for {options.Duration.TotalSeconds:F0} s...");
    var window = Stopwatch.StartNew();
    foreach (var fraction in new[] { 0.25, 0.6, 0.9 })
    {
        var due = options.Duration * fraction - window.Elapsed;
        if (due > TimeSpan.Zero)
        {
            await Task.WhenAny(Task.Delay(due, ct), driver.Done);
        }
        if (driver.Done.IsCompleted)
        {
            break;
        }
        await diagnostics.ExplainPickAsync($"{fraction:P0} into the window", seeded.ProjectId, options.Overlap, seeded.Annotators[0].UserId, ct);
        Console.WriteLine($"  {window.Elapsed.TotalSeconds:F0} s: next {recorder.ServerSeries(Operation.Next).Count:N0}, submit {recorder.ServerSeries(Operation.Submit).Count:N0}");
    }
    var rest = options.Duration - window.Elapsed;
    if (rest > TimeSpan.Zero)
    {
        await Task.WhenAny(Task.Delay(rest, ct), driver.Done);
    }
    await driver.StopRecordingAsync();
    recorder.Stop();
    gcPauses.Sampling = false;
    var endUtc = DateTimeOffset.UtcNow;
    var cpu = diagnostics.EndWindow();
    var webThreadCpu = webThreads.Stop();
    var workerThreadCpu = workerThreads?.Stop() ?? [];
    await stopSampling.CancelAsync();
    await sampler;
    IReadOnlyList<StatementStat> topStatements = [];
    var statementCalls = 0L;
    if (statements)
    {
        topStatements = await Diagnostics.TopStatementsAsync(benchConnection, 25, ct);
        statementCalls = await Diagnostics.TotalStatementCallsAsync(benchConnection, ct);
    }
    IReadOnlyList<RoundRun> roundRuns = [];
    if (roundLoop is not null)
    {
        Console.WriteLine("Waiting for the round in flight...");
        await stopRounds.CancelAsync();
        roundRuns = await roundLoop;
    }
    return new MeasuredWindow(name, rounds is not null, recorder, gcPauses.Pauses, gcPauses.AllocationsByType, diagnostics.BackgroundWork(localServer?.LogFile),
        cpu, diagnostics, topStatements, statementCalls, webThreadCpu, workerThreadCpu, roundRuns, startUtc, endUtc);
}

static Operation? Classify(HttpRequest request)
{
    if (!HttpMethods.IsPost(request.Method) || !request.Path.StartsWithSegments("/api/v1", StringComparison.Ordinal))
    {
        return null;
    }
    var path = request.Path.Value!;
    if (path.EndsWith("/tasks/next", StringComparison.Ordinal))
    {
        return Operation.Next;
    }
    return path.StartsWith("/api/v1/tasks/", StringComparison.Ordinal) && path.EndsWith("/submit", StringComparison.Ordinal) ? Operation.Submit : null;
}

static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
    await command.ExecuteNonQueryAsync(ct);
}

static async Task<string> ScalarAsync(string connectionString, string sql, CancellationToken ct)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToString(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? "";
}

static string Git(string arguments)
{
    try
    {
        var startInfo = new ProcessStartInfo("git", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : "unknown";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown";
    }
}
