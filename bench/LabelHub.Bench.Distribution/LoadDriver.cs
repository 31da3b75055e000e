using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace LabelHub.Bench.Distribution;

/// <summary>What the load generator process saw over one measured window, and what it cost.</summary>
public sealed record DriverWindow(
    LatencySummary Next,
    LatencySummary Submit,
    Dictionary<string, int> Errors,
    int Gen0,
    int Gen1,
    int Gen2,
    double GcPauseMs);

/// <summary>The whole run of the load generator process, and each measured window in order.</summary>
public sealed record DriverReport(LoadResult Load, IReadOnlyList<DriverWindow> Windows);

/// <summary>
/// The simulated annotators run in a child process of their own (this executable with --drive), as real clients
/// would run on other machines: their HTTP client's allocations, garbage collections and thread pool are then not
/// the web app's. The parent steers it over stdin ("start", "stop" for each window, then "finish") and reads a
/// WINDOW line back after each "stop" and one RESULT line at the end.
/// </summary>
public sealed class LoadDriver : IAsyncDisposable
{
    public const string ChildFlag = "--drive";
    private const string ResultPrefix = "RESULT ";
    private const string WindowPrefix = "WINDOW ";

    private static readonly JsonSerializerOptions Json = new()
    {
        IncludeFields = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private const string DoneLine = "DONE";

    private readonly Process process;
    private readonly Task<string?> result;
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<DriverWindow> windows = [];

    private LoadDriver(Process process)
    {
        this.process = process;
        result = ReadResultAsync();
    }

    public int ProcessId => process.Id;

    /// <summary>Starts the child; the annotators' tokens go through a file readable only by this user, not the command line.</summary>
    public static LoadDriver Start(Uri address, Guid projectId, IReadOnlyList<Annotator> annotators, int? rate, int capacity, string tokenDirectory)
    {
        var tokenFile = Path.Combine(tokenDirectory, "annotator-tokens.txt");
        File.WriteAllText(tokenFile, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.WriteAllLines(tokenFile, annotators.Select(a => $"{a.UserId} {a.Token}"));
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable runs the benchmark.");
        startInfo.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            startInfo.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }
        foreach (var arg in new[]
                 {
                     ChildFlag, address.ToString(), projectId.ToString(), tokenFile,
                     rate?.ToString(CultureInfo.InvariantCulture) ?? "-", capacity.ToString(CultureInfo.InvariantCulture),
                 })
        {
            startInfo.ArgumentList.Add(arg);
        }
        // A client process: workstation GC, so it does not claim a GC heap and thread per core next to the server's.
        startInfo.Environment["DOTNET_gcServer"] = "0";
        return new LoadDriver(Process.Start(startInfo) ?? throw new InvalidOperationException("The load generator process did not start."));
    }

    public Task StartRecordingAsync() => SendAsync("start");

    public Task StopRecordingAsync() => SendAsync("stop");

    /// <summary>Every annotator finishes the task in hand, then the child reports and exits.</summary>
    public async Task<DriverReport> FinishAsync(TimeSpan timeout)
    {
        await SendAsync("finish");
        var line = await result.WaitAsync(timeout);
        await process.WaitForExitAsync();
        if (line is null)
        {
            throw new InvalidOperationException($"The load generator process exited with code {process.ExitCode} without a result.");
        }
        var load = JsonSerializer.Deserialize<LoadResult>(line, Json) ?? throw new InvalidOperationException("Empty load generator result.");
        return new DriverReport(load, [.. windows]);
    }

    /// <summary>Completes when every annotator has stopped on its own: no task left for any of them, or the child died.</summary>
    public Task Done => done.Task;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private async Task SendAsync(string command)
    {
        await process.StandardInput.WriteLineAsync(command);
        await process.StandardInput.FlushAsync();
    }

    /// <summary>Echoes the child's progress lines and keeps its RESULT line.</summary>
    private async Task<string?> ReadResultAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
                {
                    return line[ResultPrefix.Length..];
                }
                if (line.StartsWith(WindowPrefix, StringComparison.Ordinal))
                {
                    windows.Add(JsonSerializer.Deserialize<DriverWindow>(line[WindowPrefix.Length..], Json) ?? throw new InvalidOperationException("Empty load generator window."));
                    continue;
                }
                if (line == DoneLine)
                {
                    done.TrySetResult();
                    continue;
                }
                Console.WriteLine($"  [load generator] {line}");
            }
            return null;
        }
        finally
        {
            done.TrySetResult();
        }
    }

    /// <summary>The child's side: run the annotators until "finish" (or the parent goes away), then print RESULT.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine($"{ChildFlag} <address> <project id> <token file> <rate|-> <capacity>");
            return 64;
        }
        var address = new Uri(args[0]);
        var projectId = Guid.Parse(args[1]);
        var annotators = File.ReadAllLines(args[2])
            .Select(line => line.Split(' ', 2))
            .Select(parts => new Annotator(Guid.Parse(parts[0]), parts[1]))
            .ToList();
        int? rate = args[3] == "-" ? null : int.Parse(args[3], CultureInfo.InvariantCulture);
        var capacity = int.Parse(args[4], CultureInfo.InvariantCulture);
        var recorder = new LatencyRecorder(capacity);

        using var stop = new CancellationTokenSource();
        var generator = new LoadGenerator(address, projectId, annotators, recorder, rate);
        var load = generator.RunAsync(stop.Token);
        _ = load.ContinueWith(_ => Console.WriteLine(DoneLine), TaskScheduler.Default);
        var gcStart = (Gen0: 0, Gen1: 0, Gen2: 0, Pause: TimeSpan.Zero);
        while (await Console.In.ReadLineAsync() is { } command && command != "finish")
        {
            switch (command)
            {
                case "start":
                    gcStart = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
                    recorder.Start();
                    break;
                case "stop":
                    recorder.Stop();
                    var window = new DriverWindow(
                        recorder.ClientSeries(Operation.Next).Summarize(),
                        recorder.ClientSeries(Operation.Submit).Summarize(),
                        recorder.ClientErrors.ToDictionary(),
                        GC.CollectionCount(0) - gcStart.Gen0,
                        GC.CollectionCount(1) - gcStart.Gen1,
                        GC.CollectionCount(2) - gcStart.Gen2,
                        (GC.GetTotalPauseDuration() - gcStart.Pause).TotalMilliseconds);
                    Console.WriteLine(WindowPrefix + JsonSerializer.Serialize(window, Json));
                    // A fresh recorder for the next window; a request still in flight lands in the old one, which is not read again.
                    recorder = new LatencyRecorder(capacity);
                    generator.Recorder = recorder;
                    break;
                default:
                    Console.WriteLine($"unknown command {command}");
                    break;
            }
        }
        await stop.CancelAsync();
        var loadResult = await load.WaitAsync(TimeSpan.FromSeconds(120));
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(loadResult, Json));
        return 0;
    }
}
