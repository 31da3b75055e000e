using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace LabelHub.Bench;

/// <summary>What the report says about the machine and how busy it was.</summary>
public static class Machine
{
    public static string CpuModel()
    {
        var models = File.ReadLines("/proc/cpuinfo")
            .Where(line => line.StartsWith("model name", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .ToList();
        return models.Count == 0 ? "unknown CPU" : models[0];
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    public static string Describe() =>
        $"{Environment.ProcessorCount} cores ({CpuModel()}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";

    /// <summary>
    /// Waits until other processes keep less than 0.3 cores busy over 5 s, or <paramref name="limit"/> has passed;
    /// returns how long it waited and the other load of the last sample.
    /// </summary>
    public static (TimeSpan Waited, double OtherCores) WaitForQuiet(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var sample = Measurement.Start();
            Thread.Sleep(TimeSpan.FromSeconds(5));
            var otherCores = sample.Stop().OtherCores;
            if (otherCores < 0.3 || waited.Elapsed >= limit)
            {
                Console.WriteLine($"  other load {otherCores:F2} cores after waiting {waited.Elapsed.TotalSeconds:F0} s");
                return (waited.Elapsed, otherCores);
            }
        }
    }

    /// <summary>This process's resident memory (managed and native) in MB.</summary>
    public static long ResidentMb()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / 1_000_000;
    }
}

/// <summary>Wall time, this process's CPU time and the whole machine's busy time over an interval.</summary>
public sealed class Measurement
{
    private readonly long start = Stopwatch.GetTimestamp();
    private readonly TimeSpan ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long machineBefore = MachineBusyTicks();

    public static Measurement Start() => new();

    public Timing Stop()
    {
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var own = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds;
        // /proc/stat counts in USER_HZ, 100 per second on Linux.
        var machine = (MachineBusyTicks() - machineBefore) / 100.0;
        return new Timing(seconds, own, Math.Max(0, machine - own) / seconds);
    }

    private static long MachineBusyTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => i < fields.Length ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        // cpu user nice system idle iowait irq softirq steal
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }
}

/// <param name="OtherCores">Cores other processes kept busy meanwhile, on average.</param>
public sealed record Timing(double Seconds, double CpuSeconds, double OtherCores);
