using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;

namespace LabelHub.IntegrationTests.Infrastructure;

/// <summary>
/// A real, throwaway PostgreSQL server for integration tests. Never a mock.
/// Picks, in order:
/// 1. an existing server named by the environment variable <c>LABELHUB_TEST_POSTGRES</c>
///    (a base connection string; databases this class creates there are dropped on dispose);
/// 2. a Testcontainers <c>postgres:16-alpine</c> container when a Docker engine answers;
/// 3. a private cluster made with the local <c>initdb</c>/<c>pg_ctl</c> in a temp directory.
/// <c>LABELHUB_TEST_POSTGRES_MODE=docker|local</c> skips the detection and forces one of the last two.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string ExternalServerVariable = "LABELHUB_TEST_POSTGRES";
    public const string ModeVariable = "LABELHUB_TEST_POSTGRES_MODE";

    private const string DockerImage = "postgres:16-alpine";
    private const string SuperUser = "postgres";
    private const string Password = "postgres";
    private const string MaintenanceDatabase = "postgres";

    private readonly string baseConnectionString;
    private readonly Func<ValueTask> shutdown;
    private readonly List<string> createdDatabases = [];
    private readonly bool dropDatabasesOnDispose;
    private int disposed;

    private PostgresServer(string baseConnectionString, Func<ValueTask> shutdown, bool dropDatabasesOnDispose)
    {
        this.baseConnectionString = baseConnectionString;
        this.shutdown = shutdown;
        this.dropDatabasesOnDispose = dropDatabasesOnDispose;
    }

    /// <summary>How this server was provided: "external", "docker" or "local".</summary>
    public string Mode { get; private init; } = "";

    public static async Task<PostgresServer> StartAsync(CancellationToken ct = default)
    {
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            // Someone else owns this server: only clean up the databases we add to it.
            return new PostgresServer(external, () => ValueTask.CompletedTask, dropDatabasesOnDispose: true)
            {
                Mode = "external",
            };
        }

        var forcedMode = Environment.GetEnvironmentVariable(ModeVariable)?.Trim().ToLowerInvariant();
        return forcedMode switch
        {
            "docker" => await StartContainerAsync(ct),
            "local" => await LocalCluster.StartAsync(ct),
            null or "" or "auto" => await StartAutoAsync(ct),
            _ => throw new InvalidOperationException(
                $"{ModeVariable} must be 'auto', 'docker' or 'local', not '{forcedMode}'."),
        };
    }

    public string ConnectionStringFor(string database)
    {
        // Each test database has a pool of its own, which Npgsql keeps open after its app is gone (idle connections live
        // 5 minutes by default): with a few hundred apps in a run that exceeded the server's connections. Here they go
        // after a few idle seconds.
        var builder = new NpgsqlConnectionStringBuilder(baseConnectionString) { Database = database, ConnectionIdleLifetime = 5, ConnectionPruningInterval = 2 };
        return builder.ConnectionString;
    }

    /// <summary>Creates a fresh, empty UTF-8 database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? namePrefix = null, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);

        var name = NewDatabaseName(namePrefix);
        // template0 avoids "source database is being accessed by other users" when tests create
        // databases in parallel; the C locale makes ordering identical in every mode.
        await ExecuteOnMaintenanceDatabaseAsync(
            $"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", ct);
        lock (createdDatabases)
        {
            createdDatabases.Add(name);
        }

        return ConnectionStringFor(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        string[] databases;
        lock (createdDatabases)
        {
            databases = [.. createdDatabases];
        }

        // Pooled connections would otherwise keep sockets to a dead server (or block DROP DATABASE).
        foreach (var database in databases)
        {
            ClearPool(ConnectionStringFor(database));
        }

        if (dropDatabasesOnDispose)
        {
            foreach (var database in databases)
            {
                await ExecuteOnMaintenanceDatabaseAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", default);
            }
        }

        ClearPool(MaintenanceConnectionString());
        await shutdown();
    }

    private static async Task<PostgresServer> StartAutoAsync(CancellationToken ct)
    {
        if (!await DockerEngine.AnswersAsync(ct))
        {
            return await LocalCluster.StartAsync(ct);
        }

        try
        {
            return await StartContainerAsync(ct);
        }
        catch (Exception containerError) when (containerError is not OperationCanceledException && LocalCluster.BinariesAvailable())
        {
            // An engine can answer yet be unable to pull the image (no registry access); local binaries still work.
            Console.Error.WriteLine(
                $"PostgresServer: Docker container failed ({containerError.Message}); using local PostgreSQL binaries.");
            return await LocalCluster.StartAsync(ct);
        }
    }

    private static async Task<PostgresServer> StartContainerAsync(CancellationToken ct)
    {
        var container = new PostgreSqlBuilder(DockerImage)
            .WithUsername(SuperUser)
            .WithPassword(Password)
            .WithDatabase(MaintenanceDatabase)
            .Build();
        try
        {
            await container.StartAsync(ct);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }

        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = container.Hostname,
            Port = container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort),
            Username = SuperUser,
            Password = Password,
            Database = MaintenanceDatabase,
        }.ConnectionString;
        return new PostgresServer(connectionString, container.DisposeAsync, dropDatabasesOnDispose: false)
        {
            Mode = "docker",
        };
    }

    /// <summary>The base connection string's own database if it names one (an external server may lock "postgres" away).</summary>
    private string MaintenanceConnectionString()
    {
        var maintenance = new NpgsqlConnectionStringBuilder(baseConnectionString);
        if (string.IsNullOrEmpty(maintenance.Database))
        {
            maintenance.Database = MaintenanceDatabase;
        }

        return maintenance.ConnectionString;
    }

    private async Task ExecuteOnMaintenanceDatabaseAsync(string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(MaintenanceConnectionString());
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void ClearPool(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    private static string NewDatabaseName(string? namePrefix)
    {
        var prefix = new StringBuilder();
        foreach (var c in (namePrefix ?? "labelhub_test").ToLowerInvariant())
        {
            prefix.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        // PostgreSQL truncates identifiers at 63 bytes; keep the unique suffix intact.
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var head = prefix.Length == 0 ? "db" : prefix.ToString(0, Math.Min(prefix.Length, 40));
        return $"{head}_{suffix}";
    }

    /// <summary>Quick check that a Docker engine is reachable, so the common no-Docker case costs at most a few seconds.</summary>
    private static class DockerEngine
    {
        private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

        public static async Task<bool> AnswersAsync(CancellationToken ct)
        {
            var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
            if (string.IsNullOrEmpty(dockerHost) && !File.Exists("/var/run/docker.sock"))
            {
                return false;
            }

            try
            {
                var result = await ProcessRunner.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], ProbeTimeout, ct);
                return result.ExitCode == 0;
            }
            catch (Exception e) when (e is Win32Exception or TimeoutException)
            {
                return false;
            }
        }
    }

    /// <summary>A private cluster under a temp directory, made and run with the machine's PostgreSQL binaries.</summary>
    private sealed class LocalCluster
    {
        private const string TempDirPrefix = "labelhub-pg-";
        private const string OwnerPidFile = "owner.pid";
        private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

        private readonly string binDirectory;
        private readonly string rootDirectory;
        private readonly string? runAsUser;
        private readonly EventHandler onProcessExit;
        private int stopped;

        private LocalCluster(string binDirectory, string rootDirectory, string? runAsUser)
        {
            this.binDirectory = binDirectory;
            this.rootDirectory = rootDirectory;
            this.runAsUser = runAsUser;
            onProcessExit = (_, _) => StopOnProcessExit();
        }

        private string DataDirectory => Path.Combine(rootDirectory, "data");

        private string LogFile => Path.Combine(rootDirectory, "server.log");

        public static bool BinariesAvailable() => FindBinDirectory() is not null;

        public static async Task<PostgresServer> StartAsync(CancellationToken ct)
        {
            var binDirectory = FindBinDirectory() ?? throw new InvalidOperationException(
                "No PostgreSQL server binaries (initdb, pg_ctl) found under /usr/lib/postgresql/*/bin or on PATH, " +
                $"no Docker engine answered, and {ExternalServerVariable} is not set. " +
                "Install Debian's postgresql package (apt-get install postgresql) or run ./build/test.sh.");

            // initdb and postgres refuse to run as root.
            var runAsUser = Environment.IsPrivilegedProcess ? UnprivilegedUser() : null;
            var tempBase = runAsUser is null ? Path.GetTempPath() : "/tmp"; // /tmp is traversable by the unprivileged user
            await RemoveStaleClustersAsync(tempBase);

            var cluster = new LocalCluster(binDirectory, CreateRootDirectory(tempBase), runAsUser);
            try
            {
                await cluster.InitAsync(ct);
                var port = await cluster.StartServerAsync(ct);
                AppDomain.CurrentDomain.ProcessExit += cluster.onProcessExit;
                var connectionString = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = SuperUser,
                    Password = Password, // trust auth ignores it; kept so every mode has the same shape
                    Database = MaintenanceDatabase,
                }.ConnectionString;
                return new PostgresServer(connectionString, cluster.StopAsync, dropDatabasesOnDispose: false)
                {
                    Mode = "local",
                };
            }
            catch
            {
                await cluster.StopAsync();
                throw;
            }
        }

        private static string CreateRootDirectory(string tempBase)
        {
            var directory = Directory.CreateDirectory(
                Path.Combine(tempBase, TempDirPrefix + Guid.NewGuid().ToString("N")[..12]));
            File.WriteAllText(Path.Combine(directory.FullName, OwnerPidFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            return directory.FullName;
        }

        private async Task InitAsync(CancellationToken ct)
        {
            if (runAsUser is not null)
            {
                await ProcessRunner.RunCheckedAsync("chown", ["-R", $"{runAsUser}:", rootDirectory], CommandTimeout, ct);
            }

            await RunPgToolAsync(
                "initdb",
                ["-D", DataDirectory, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                ct);
        }

        private async Task<int> StartServerAsync(CancellationToken ct)
        {
            // Another process may grab the free port between our probe and the server's bind: retry with a new one.
            const int attempts = 3;
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeLoopbackPort();
                var serverOptions = string.Join(
                    ' ',
                    $"-p {port}",
                    $"-k '{rootDirectory}'",
                    "-c listen_addresses=127.0.0.1",
                    // Durability is pointless for a throwaway server; skipping it makes tests much faster.
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=300");
                try
                {
                    // -l sends the server's output to a file, so pg_ctl's pipes close once it has started.
                    await RunPgToolAsync(
                        "pg_ctl",
                        ["-D", DataDirectory, "-l", LogFile, "-o", serverOptions, "-w", "-t", "60", "start"],
                        ct);
                    return port;
                }
                catch (InvalidOperationException) when (attempt < attempts)
                {
                }
            }
        }

        public async ValueTask StopAsync()
        {
            if (Interlocked.Exchange(ref stopped, 1) != 0)
            {
                return;
            }

            AppDomain.CurrentDomain.ProcessExit -= onProcessExit;
            await StopClusterAsync(binDirectory, rootDirectory, runAsUser);
        }

        /// <summary>
        /// The test runner kills its host moments after ProcessExit fires, too soon for pg_ctl:
        /// signal the postmaster directly, then try to delete the directory.
        /// Whatever survives is removed by the stale-cluster sweep of the next start.
        /// </summary>
        private void StopOnProcessExit()
        {
            if (Interlocked.Exchange(ref stopped, 1) != 0)
            {
                return;
            }

            SignalImmediateShutdown(DataDirectory);
            TryDeleteDirectory(rootDirectory);
        }

        private async Task RunPgToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken ct)
        {
            try
            {
                await RunAsUserAsync(binDirectory, runAsUser, tool, arguments, ct);
            }
            catch (InvalidOperationException e)
            {
                var log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log)";
                throw new InvalidOperationException($"{e.Message}{Environment.NewLine}Server log:{Environment.NewLine}{log}", e);
            }
        }

        private static async Task RunAsUserAsync(
            string binDirectory, string? runAsUser, string tool, IReadOnlyList<string> arguments, CancellationToken ct)
        {
            var executable = Path.Combine(binDirectory, tool);
            if (runAsUser is null)
            {
                await ProcessRunner.RunCheckedAsync(executable, arguments, CommandTimeout, ct);
            }
            else
            {
                await ProcessRunner.RunCheckedAsync("runuser", ["-u", runAsUser, "--", executable, .. arguments], CommandTimeout, ct);
            }
        }

        private static async Task StopClusterAsync(string binDirectory, string rootDirectory, string? runAsUser)
        {
            var dataDirectory = Path.Combine(rootDirectory, "data");
            if (PostmasterPid(dataDirectory) is not null)
            {
                try
                {
                    // Immediate: nothing in a throwaway cluster is worth a clean checkpoint.
                    await RunAsUserAsync(binDirectory, runAsUser, "pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], default);
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    Console.Error.WriteLine($"PostgresServer: pg_ctl could not stop the server in {rootDirectory}: {e.Message}");
                    await SignalAndWaitForExitAsync(dataDirectory);
                }
            }

            TryDeleteDirectory(rootDirectory);
        }

        /// <summary>
        /// A test host that was killed (not stopped) leaves its server running and its directory behind;
        /// stop and delete those whose owning process is gone. Signals rather than pg_ctl, so it works
        /// whichever user the stale server runs as.
        /// </summary>
        private static async Task RemoveStaleClustersAsync(string tempBase)
        {
            foreach (var directory in Directory.GetDirectories(tempBase, TempDirPrefix + "*"))
            {
                if (OwnerIsAlive(directory))
                {
                    continue;
                }

                await SignalAndWaitForExitAsync(Path.Combine(directory, "data"));
                TryDeleteDirectory(directory);
            }
        }

        private static async Task SignalAndWaitForExitAsync(string dataDirectory)
        {
            if (SignalImmediateShutdown(dataDirectory) is not { } pid)
            {
                return;
            }

            for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(10) && IsRunning(pid); waited += PollInterval)
            {
                await Task.Delay(PollInterval);
            }
        }

        /// <summary>Alive and not a zombie: an exited postmaster may wait a while for its new parent to reap it.</summary>
        private static bool IsRunning(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var state = stat[(stat.LastIndexOf(')') + 1)..].TrimStart();
                return state.Length > 0 && state[0] is not ('Z' or 'X');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        /// <summary>Sends SIGQUIT (PostgreSQL's immediate shutdown) to the cluster's postmaster; returns its pid if signalled.</summary>
        private static int? SignalImmediateShutdown(string dataDirectory)
        {
            // Check the pid really is this cluster's postmaster: a stale postmaster.pid may name a reused pid.
            if (PostmasterPid(dataDirectory) is not { } pid || !IsPostmasterOf(pid, dataDirectory))
            {
                return null;
            }

            return SendSignal(pid, SigQuit) == 0 ? pid : null;
        }

        private static bool IsPostmasterOf(int pid, string dataDirectory)
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Contains(dataDirectory, StringComparison.Ordinal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        private static void TryDeleteDirectory(string directory)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"PostgresServer: could not delete {directory}: {e.Message}");
            }
        }

        /// <summary>The first line of postmaster.pid, present while the server runs.</summary>
        private static int? PostmasterPid(string dataDirectory)
        {
            try
            {
                var firstLine = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
                return int.TryParse(firstLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
            }
            catch (IOException)
            {
                return null;
            }
        }

        private const int SigQuit = 3; // PostgreSQL's "immediate shutdown" request

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SendSignal(int pid, int signal);

        private static bool OwnerIsAlive(string directory)
        {
            try
            {
                var ownerPid = File.ReadAllText(Path.Combine(directory, OwnerPidFile));
                return !int.TryParse(ownerPid, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) || ProcessIsAlive(pid);
            }
            catch (IOException)
            {
                // Not ours to judge: still being created, or already being removed by another test process.
                return true;
            }
        }

        private static bool ProcessIsAlive(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static int FreeLoopbackPort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        /// <summary>The highest Debian-installed version first, then whatever PATH offers.</summary>
        private static string? FindBinDirectory()
        {
            var debianVersions = Directory.Exists("/usr/lib/postgresql")
                ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                    .Select(versionDirectory => (
                        Version: decimal.TryParse(Path.GetFileName(versionDirectory), NumberStyles.Number, CultureInfo.InvariantCulture, out var version) ? version : -1,
                        Bin: Path.Combine(versionDirectory, "bin")))
                    .OrderByDescending(candidate => candidate.Version)
                    .Select(candidate => candidate.Bin)
                : [];
            var pathDirectories = (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

            return debianVersions.Concat(pathDirectories).FirstOrDefault(directory =>
                File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")));
        }

        private static string UnprivilegedUser()
        {
            // Debian's postgresql package creates "postgres"; "nobody" exists everywhere else.
            var users = File.Exists("/etc/passwd")
                ? File.ReadLines("/etc/passwd").Select(line => line.Split(':')[0]).ToHashSet()
                : [];
            return users.Contains("postgres") ? "postgres" : "nobody";
        }
    }

    /// <summary>Runs a command to completion with a timeout, capturing its combined output.</summary>
    private static class ProcessRunner
    {
        public sealed record Result(int ExitCode, string Output);

        public static async Task RunCheckedAsync(
            string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken ct)
        {
            var result = await RunAsync(fileName, arguments, timeout, ct);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'{fileName} {string.Join(' ', arguments)}' exited with {result.ExitCode}:{Environment.NewLine}{result.Output}");
            }
        }

        public static async Task<Result> RunAsync(
            string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken ct)
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
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutSource.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(timeoutSource.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                ct.ThrowIfCancellationRequested();
                throw new TimeoutException($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout}.");
            }

            lock (output)
            {
                return new Result(process.ExitCode, output.ToString());
            }
        }

        private static void Append(StringBuilder output, string? line)
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
    }
}
