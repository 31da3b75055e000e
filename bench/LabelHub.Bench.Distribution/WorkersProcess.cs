using System.Diagnostics;

namespace LabelHub.Bench.Distribution;

/// <summary>
/// A LabelHub.Workers job server on the same database (--train-workers): server mode, where models train in a process
/// of their own beside the web app. It is the Workers project's own build (built with the benchmark: the web app
/// references it), started with its defaults and only the connection string and data folder set.
/// </summary>
public sealed class WorkersProcess : IAsyncDisposable
{
    private readonly Process process;

    private WorkersProcess(Process process) => this.process = process;

    public int ProcessId => process.Id;

    /// <summary>Why rounds cannot run any more, or null while the process is alive.</summary>
    public string? Failure => process.HasExited ? $"LabelHub.Workers exited with code {process.ExitCode}." : null;

    public static WorkersProcess Start(string connectionString, string dataDir)
    {
        var dll = WorkersBuild();
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var startInfo = new ProcessStartInfo(dotnet) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add(dll);
        startInfo.Environment["ConnectionStrings__LabelHub"] = connectionString;
        startInfo.Environment["LabelHub__DataDir"] = dataDir;
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("LabelHub.Workers did not start.");
        process.OutputDataReceived += (_, e) => Echo(e.Data);
        process.ErrorDataReceived += (_, e) => Echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkersProcess(process);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    /// <summary>
    /// src/LabelHub.Workers/bin/CONFIG/net10.0 of the repository this benchmark was built in, CONFIG being the benchmark's
    /// own (bin/CONFIG/net10.0). The copy of Workers in the benchmark's folder cannot run: the packages its deps.json names
    /// and ASP.NET Core's shared framework also carries (Microsoft.Extensions.Hosting) are not copied there.
    /// </summary>
    private static string WorkersBuild()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = output.Name;
        var configuration = output.Parent?.Name ?? "Release";
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LabelHub.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", "LabelHub.Workers", "bin", configuration, framework, "LabelHub.Workers.dll");
                return File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"))
                    ? dll
                    : throw new InvalidOperationException($"No LabelHub.Workers build at {dll}: dotnet build -c {configuration} src/LabelHub.Workers.");
            }
        }
        throw new InvalidOperationException($"{AppContext.BaseDirectory} is not inside a LabelHub repository: --train-workers needs its LabelHub.Workers build.");
    }

    private static void Echo(string? line)
    {
        if (line is not null)
        {
            Console.WriteLine($"  [workers] {line}");
        }
    }
}
