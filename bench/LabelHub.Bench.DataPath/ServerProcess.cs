using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LabelHub.Bench.DataPath;

/// <summary>
/// LabelHub.Web or LabelHub.Workers, the repository's own Release build, run as a process of its own so that its memory is
/// measured alone (resident set from /proc, sampled). Its console goes to a log file beside the report.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;

    private ServerProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        this.process = process;
        this.log = log;
    }

    public string Name { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Waits until the web server answers /health (two minutes at most), failing at once if it exits.</summary>
    public async Task WaitHealthyAsync(HttpClient http, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{Name} exited while starting; see its log.");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"{Name} did not answer /health within 2 minutes.");
    }

    /// <summary>Waits for a one-shot command (such as migrate) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        await process.WaitForExitAsync(ct);
        return process.ExitCode;
    }

    public static ServerProcess Start(string project, IReadOnlyDictionary<string, string> environment, string logFile, params string[] arguments)
    {
        var dll = Build(project);
        var startInfo = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        startInfo.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{project} did not start.");
        var writer = new StreamWriter(logFile, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Write(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(project, process, writer);
    }

    /// <summary>Resident set size now, in MiB (0 once the process is gone).</summary>
    public double ResidentMiB() => StatusMiB("VmRSS:");

    /// <summary>The anonymous part of the resident set (heaps, not mapped files), in MiB.</summary>
    public double AnonymousMiB() => StatusMiB("RssAnon:");

    private double StatusMiB(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (writer)
        {
            if (writer.BaseStream.CanWrite)
            {
                writer.WriteLine(line);
            }
        }
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    /// <summary>src/PROJECT/bin/CONFIG/net10.0/PROJECT.dll of the repository this benchmark was built in, with the benchmark's own CONFIG.</summary>
    private static string Build(string project)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = output.Name;
        var configuration = output.Parent?.Name ?? "Release";
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LabelHub.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", project, "bin", configuration, framework, project + ".dll");
                return File.Exists(dll) ? dll : throw new InvalidOperationException($"No {project} build at {dll}: dotnet build -c {configuration} src/{project}.");
            }
        }
        throw new InvalidOperationException($"{AppContext.BaseDirectory} is not inside a LabelHub repository.");
    }
}

/// <summary>Samples a process's resident set every 100 ms while a phase runs; keeps the peak.</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public MemorySampler(ServerProcess process)
    {
        Baseline = process.ResidentMiB();
        Peak = Baseline;
        loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Peak = Math.Max(Peak, process.ResidentMiB());
                PeakAnonymous = Math.Max(PeakAnonymous, process.AnonymousMiB());
                try
                {
                    await Task.Delay(100, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public double Baseline { get; }

    public double Peak { get; private set; }

    /// <summary>The highest anonymous resident memory seen (managed and native heaps, without mapped files).</summary>
    public double PeakAnonymous { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
