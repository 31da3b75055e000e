using System.Diagnostics;

namespace LabelHub.Bench.Distribution;

/// <summary>
/// A LabelHub.Workers job server on the same database (--train-workers): server mode, where models train in a process
/// of their own beside the web app. It is the Workers build the benchmark's own build copied next to it (the web app
/// references the Workers project), started with its defaults and only the connection string and data folder set.
/// </summary>
public sealed class WorkersProcess : IAsyncDisposable
{
    private readonly Process process;

    private WorkersProcess(Process process) => this.process = process;

    public int ProcessId => process.Id;

    public static WorkersProcess Start(string connectionString, string dataDir)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "LabelHub.Workers.dll");
        if (!File.Exists(dll) || !File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")))
        {
            throw new InvalidOperationException($"No LabelHub.Workers build next to the benchmark ({dll}).");
        }
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

    private static void Echo(string? line)
    {
        if (line is not null)
        {
            Console.WriteLine($"  [workers] {line}");
        }
    }
}
