using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace LabelHub.Bench.Distribution;

/// <summary>
/// A stop-the-world GC pause of the web app, in Stopwatch ticks; Generation is the deepest collected. Suspended is when
/// every managed thread had stopped: a thread in managed code that the OS does not schedule (a low-priority one on
/// busy cores) holds everyone else up until then.
/// </summary>
public readonly record struct GcPause(long Start, long Suspended, long End, int Generation)
{
    public double Milliseconds => (End - Start) * 1000.0 / Stopwatch.Frequency;

    public double SuspendingMilliseconds => (Suspended - Start) * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// Records when this process's execution engine is suspended for a GC (SuspendEEBegin to RestartEEEnd), from the
/// runtime's own events, so the report can say which slow requests had a GC pause in them.
/// </summary>
public sealed class GcPauses : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentQueue<GcPause> pauses = new();
    private readonly ConcurrentDictionary<string, long> sampledBytes = new();
    private volatile bool sampling;
    private readonly long anchorTimestamp = Stopwatch.GetTimestamp();
    private readonly DateTime anchorUtc = DateTime.UtcNow;
    private long suspendedAt = -1;
    private long suspensionDone = -1;
    private int generation;

    public IReadOnlyList<GcPause> Pauses => [.. pauses.OrderBy(p => p.Start)];

    /// <summary>Allocated bytes by type, from the runtime's allocation ticks (one per ~100 KB) while <see cref="Sampling"/> was on.</summary>
    public IReadOnlyList<(string Type, long Bytes)> AllocationsByType => [.. sampledBytes.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value))];

    public bool Sampling
    {
        get => sampling;
        set => sampling = value;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // Verbose adds GCAllocationTick: which types the web app allocates, sampled every ~100 KB.
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        switch (eventData.EventName)
        {
            case "GCSuspendEEBegin_V1":
                suspendedAt = ToTimestamp(eventData.TimeStamp);
                suspensionDone = -1;
                generation = 0;
                break;
            case "GCSuspendEEEnd_V1" when suspendedAt >= 0:
                suspensionDone = ToTimestamp(eventData.TimeStamp);
                break;
            case "GCStart_V2" when eventData.Payload is { Count: > 1 } payload && payload[1] is uint depth:
                generation = Math.Max(generation, (int)depth);
                break;
            case "GCAllocationTick_V4" when sampling && eventData.PayloadNames is { } names:
                var type = eventData.Payload![names.IndexOf("TypeName")] as string ?? "?";
                var amount = Convert.ToInt64(eventData.Payload[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
                sampledBytes.AddOrUpdate(type, amount, (_, total) => total + amount);
                break;
            case "GCRestartEEEnd_V1" when suspendedAt >= 0:
                var end = ToTimestamp(eventData.TimeStamp);
                pauses.Enqueue(new GcPause(suspendedAt, suspensionDone >= 0 ? suspensionDone : end, end, generation));
                suspendedAt = -1;
                break;
        }
    }

    private long ToTimestamp(DateTime utc) =>
        anchorTimestamp + (long)((utc.ToUniversalTime() - anchorUtc).Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
}
