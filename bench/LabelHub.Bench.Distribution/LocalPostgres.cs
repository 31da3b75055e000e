using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace LabelHub.Bench.Distribution;

/// <summary>
/// A throwaway PostgreSQL cluster in /tmp made with the machine's initdb/pg_ctl, run as the unprivileged
/// "postgres" user when this process is root (the same approach as the integration tests' PostgresServer,
/// without the Docker and external modes). Settings are printed into the report.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string binDirectory;
    private readonly string rootDirectory;
    private readonly string? runAsUser;
    private int stopped;

    private LocalPostgres(string binDirectory, string rootDirectory, string? runAsUser, int port, IReadOnlyList<string> settings)
    {
        this.binDirectory = binDirectory;
        this.rootDirectory = rootDirectory;
        this.runAsUser = runAsUser;
        Port = port;
        Settings = settings;
    }

    public int Port { get; }

    /// <summary>The non-default server settings, for the report.</summary>
    public IReadOnlyList<string> Settings { get; }

    public string BaseConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
    }.ConnectionString;

    public string LogFile => Path.Combine(rootDirectory, "server.log");

    public int? PostmasterPid =>
        int.TryParse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    public static async Task<LocalPostgres> StartAsync(bool durable, CancellationToken ct)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin: apt-get install postgresql, or pass --connection.");
        var runAs = Environment.IsPrivilegedProcess ? "postgres" : null;
        var root = Directory.CreateDirectory(Path.Combine("/tmp", "labelhub-bench-pg-" + Guid.NewGuid().ToString("N")[..12])).FullName;
        if (runAs is not null)
        {
            await RunAsync("chown", ["-R", $"{runAs}:", root], ct);
        }
        var port = FreeLoopbackPort();
        var settings = new List<string>
        {
            "listen_addresses=127.0.0.1",
            "max_connections=400",
            "shared_buffers=2GB",
            "effective_cache_size=8GB",
            "maintenance_work_mem=512MB",
            "work_mem=16MB",
            "max_wal_size=8GB",
            "checkpoint_timeout=30min",
            "shared_preload_libraries=pg_stat_statements",
            "pg_stat_statements.max=2000",
            "pg_stat_statements.track=all",
            // Background work that competes with the annotators for the same 2 cores, listed in the report by time.
            "log_autovacuum_min_duration=0",
            "log_checkpoints=on",
        };
        if (!durable)
        {
            // The integration tests' throwaway settings: no fsync, so the disk of a shared machine does not decide the result.
            settings.AddRange(["fsync=off", "synchronous_commit=off", "full_page_writes=off"]);
        }
        var server = new LocalPostgres(bin, root, runAs, port, settings);
        try
        {
            await server.PgAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], ct);
            var options = string.Join(' ', settings.Select(s => $"-c {s}").Prepend($"-k '{root}'").Prepend($"-p {port}"));
            await server.PgAsync("pg_ctl", ["-D", server.DataDirectory, "-l", server.LogFile, "-o", options, "-w", "-t", "120", "start"], ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private string DataDirectory => Path.Combine(rootDirectory, "data");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await PgAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"Could not stop PostgreSQL in {rootDirectory}: {e.Message}");
                return;
            }
        }
        try
        {
            Directory.Delete(rootDirectory, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"Could not delete {rootDirectory}: {e.Message}");
        }
    }

    private Task PgAsync(string tool, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var executable = Path.Combine(binDirectory, tool);
        return runAsUser is null
            ? RunAsync(executable, arguments, ct)
            : RunAsync("runuser", ["-u", runAsUser, "--", executable, .. arguments], ct);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = new Process { StartInfo = startInfo };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            lock (output)
            {
                throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' exited with {process.ExitCode}: {output}");
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindBinDirectory()
    {
        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            return null;
        }
        return Directory.EnumerateDirectories("/usr/lib/postgresql")
            .OrderByDescending(d => decimal.TryParse(Path.GetFileName(d), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1)
            .Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }
}
