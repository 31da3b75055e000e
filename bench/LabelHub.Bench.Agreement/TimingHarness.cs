using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace LabelHub.Bench.Agreement;

/// <summary>One metric's measured calls: wall-clock and this thread's CPU milliseconds per call.</summary>
/// <param name="Result">What the last call returned.</param>
/// <param name="JitCompiled">Methods the JIT compiled while the measured calls ran (0 once warm).</param>
/// <param name="WarmupCalls">Unmeasured calls made first.</param>
public sealed record Timing(string Name, string Data, double[] WallMs, double[] CpuMs, bool Targeted, object? Result, long JitCompiled, int WarmupCalls)
{
    public double MinMs => WallMs.Min();
    public double MedianMs => Median(WallMs);
    public double MaxMs => WallMs.Max();
    public double MedianCpuMs => Median(CpuMs);

    /// <summary>A targeted metric meets the target when its median call does.</summary>
    public bool Met => MedianMs <= BenchOptions.TargetMs;

    internal static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>
/// A Stopwatch harness for single-threaded calls: a forced collection, <c>warmup</c> unmeasured calls (more than 30,
/// so tiered JIT promotes the method to tier 1 with PGO), more in rounds of 10 until a round JIT-compiles nothing, then <c>runs</c>
/// calls each timed on its own (wall clock and this thread's CPU time, so time lost to other processes on the shared
/// cores shows as wall ≫ CPU).
/// </summary>
public static class TimingHarness
{
    public static Timing Measure(string name, string data, bool targeted, int warmup, int runs, Func<object> call)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        object? sink = null;
        // The warm-up calls go through the same timing code as the measured ones, so that is warm too.
        var ignored = new double[2];
        for (var i = 0; i < warmup; i++)
        {
            sink = TimedCall(call, ignored, ignored, 0);
        }
        // Tier-1 compiles run in the background after a delay: go on in rounds of 10 calls, each after a pause for
        // them, until a round compiles nothing (at most 10 rounds).
        var warmupCalls = warmup;
        for (var round = 0; round < 10; round++)
        {
            Thread.Sleep(150);
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            for (var i = 0; i < 10; i++)
            {
                sink = TimedCall(call, ignored, ignored, 0);
            }
            warmupCalls += 10;
            if (JitInfo.GetCompiledMethodCount() == compiledBefore)
            {
                break;
            }
        }
        Thread.Sleep(150);
        var jitBefore = JitInfo.GetCompiledMethodCount();
        var wall = new double[runs];
        var cpu = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            sink = TimedCall(call, wall, cpu, i);
        }
        var jitCompiled = JitInfo.GetCompiledMethodCount() - jitBefore;
        return new Timing(name, data, wall, cpu, targeted, sink, jitCompiled, warmupCalls);
    }

    private static object TimedCall(Func<object> call, double[] wall, double[] cpu, int index)
    {
        var cpuBefore = ThreadCpu.Now();
        var start = Stopwatch.GetTimestamp();
        var result = call();
        wall[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        cpu[index] = ThreadCpu.Now() - cpuBefore;
        return result;
    }
}

/// <summary>CPU milliseconds of the calling thread (clock_gettime(CLOCK_THREAD_CPUTIME_ID)); NaN where that is unavailable.</summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = false)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static readonly bool Available = OperatingSystem.IsLinux() && Probe();

    public static double Now()
    {
        if (!Available || ClockGetTime(ClockThreadCpuTimeId, out var time) != 0)
        {
            return double.NaN;
        }
        return time.Seconds * 1e3 + time.Nanoseconds / 1e6;
    }

    private static bool Probe()
    {
        try
        {
            return ClockGetTime(ClockThreadCpuTimeId, out _) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
