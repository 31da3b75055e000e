using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LabelHub.E2E;

/// <summary>
/// LabelHub's web app started as a real process in embedded mode (SQLite, jobs in-process) on a free
/// loopback port with a fresh data folder, exactly as `dotnet run` would on a new machine.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private AppProcess(Process process, string baseUrl, string dataDir)
    {
        this.process = process;
        BaseUrl = baseUrl;
        DataDir = dataDir;
    }

    public string BaseUrl { get; }

    public string DataDir { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<AppProcess> StartAsync()
    {
        var dll = FindWebDll();
        var port = FreePort();
        var dataDir = Directory.CreateTempSubdirectory("labelhub-e2e-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{port}" },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LabelHub__DataDir"] = dataDir;
        start.Environment["ConnectionStrings__LabelHub"] = "";
        // Development serves MudBlazor's static assets straight from the NuGet cache, without a publish step.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        // A failed event dispatch then says why in the browser console, which the test's failure message includes.
        start.Environment["DetailedErrors"] = "true";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var app = new AppProcess(process, $"http://127.0.0.1:{port}", dataDir);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await app.WaitUntilHealthyAsync();
        }
        catch
        {
            // Not left running (and holding its port and data folder) when it never became healthy.
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>The first admin's one-time password, as the console printed it.</summary>
    public string AdminPassword()
    {
        var line = Output.Split('\n').First(l => l.TrimStart().StartsWith("password:", StringComparison.Ordinal));
        return line.Split(':', 2)[1].Trim().Split(' ')[0];
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"LabelHub exited with {process.ExitCode}:\n{Output}");
            }
            try
            {
                if ((await http.GetAsync($"{BaseUrl}/health")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"LabelHub did not become healthy in 90 s:\n{Output}");
    }

    private static string FindWebDll()
    {
        // tests/LabelHub.E2E/bin/<Configuration>/net10.0 → src/LabelHub.Web/bin/<Configuration>/net10.0
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "LabelHub.sln")))
        {
            root = root.Parent;
        }
        if (root is null)
        {
            throw new InvalidOperationException("Cannot find the repository root (LabelHub.sln) above " + AppContext.BaseDirectory);
        }
        var dll = Path.Combine(root.FullName, "src", "LabelHub.Web", "bin", configuration, framework, "LabelHub.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the web project first.", dll);
    }

    private static int FreePort()
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
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A log file may still be closing; the temp folder is cleaned by the OS later.
        }
    }
}
