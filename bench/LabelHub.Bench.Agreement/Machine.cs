using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace LabelHub.Bench.Agreement;

/// <summary>What the report says about the machine and how busy it was.</summary>
public static class Machine
{
    public static string CpuModel()
    {
        try
        {
            var models = File.ReadLines("/proc/cpuinfo")
                .Where(line => line.StartsWith("model name", StringComparison.Ordinal))
                .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .ToList();
            return models.Count == 0 ? "unknown" : $"{models[0]} ({models.Count} logical CPUs in /proc/cpuinfo)";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static string Memory()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is null)
            {
                return "unknown";
            }
            var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return (kb / 1024.0 / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " GiB";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static string Os() => RuntimeInformation.OSDescription;

    public static string Runtime() => $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture})";
}

/// <summary>
/// CPU used by the whole machine (/proc/stat) and by this process over an interval, so the report can say how many
/// cores other processes took while the timings ran.
/// </summary>
public sealed class CpuWindow
{
    private readonly long busyBefore;
    private readonly TimeSpan ownBefore;
    private readonly long startTimestamp;

    private CpuWindow()
    {
        busyBefore = MachineBusyTicks();
        ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
        startTimestamp = Stopwatch.GetTimestamp();
    }

    public static CpuWindow Start() => new();

    /// <summary>Average cores busy in the whole machine and in this process since <see cref="Start"/>.</summary>
    public (double Machine, double Own, double Seconds) Stop()
    {
        var seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        var own = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds / seconds;
        var busy = MachineBusyTicks();
        // /proc/stat counts in USER_HZ, 100 per second on Linux.
        var machine = busyBefore < 0 || busy < 0 ? double.NaN : (busy - busyBefore) / 100.0 / seconds;
        return (machine, own, seconds);
    }

    private static long MachineBusyTicks()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...
            long Field(int i) => i < fields.Length ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
            return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            return -1;
        }
    }
}
