using System.Diagnostics;

namespace LabelHub.Bench;

/// <summary>Installs the Debian packages the benchmark reads when they are missing, like build/test.sh does.</summary>
public static class DebianPackages
{
    public static void EnsureInstalled(IReadOnlyList<string> packages)
    {
        var missing = packages.Where(package => !IsInstalled(package)).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        Console.WriteLine($"Installing Debian packages: {string.Join(' ', missing)}");
        var asRoot = Environment.UserName == "root" ? [] : new[] { "sudo", "-n" };
        Run([.. asRoot, "apt-get", "update"]);
        Run([.. asRoot, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "--no-install-recommends", .. missing]);
        var stillMissing = missing.Where(package => !IsInstalled(package)).ToList();
        if (stillMissing.Count > 0)
        {
            throw new InvalidOperationException($"Could not install {string.Join(' ', stillMissing)}.");
        }
    }

    /// <summary>
    /// The files of <paramref name="package"/> unpacked under <paramref name="folder"/> (apt-get download, dpkg -x)
    /// without installing it, so nothing on the machine changes; null when it cannot be fetched.
    /// </summary>
    public static string? Unpacked(string package, string folder)
    {
        var root = Path.Combine(folder, "root");
        if (Directory.Exists(root))
        {
            return root;
        }
        Directory.CreateDirectory(folder);
        var (downloaded, _) = Capture(folder, "apt-get", "download", package);
        var deb = Directory.GetFiles(folder, $"{package}_*.deb").FirstOrDefault();
        if (downloaded != 0 || deb is null)
        {
            return null;
        }
        var (unpacked, _) = Capture(folder, "dpkg", "-x", deb, root);
        return unpacked == 0 ? root : null;
    }

    public static string? Version(string package)
    {
        var (exitCode, output) = Capture(null, "dpkg-query", "-W", "-f=${Version}", package);
        return exitCode == 0 && output.Length > 0 ? output : null;
    }

    private static bool IsInstalled(string package)
    {
        var (exitCode, output) = Capture(null, "dpkg-query", "-W", "-f=${Status}", package);
        return exitCode == 0 && output.Contains("install ok installed", StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Capture(string? workingDirectory, string program, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? "" };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }

    private static void Run(string[] command)
    {
        var startInfo = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var argument in command[1..])
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited with {process.ExitCode}.");
        }
    }
}
