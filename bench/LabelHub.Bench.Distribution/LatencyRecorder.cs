using System.Collections.Concurrent;
using System.Diagnostics;

namespace LabelHub.Bench.Distribution;

public enum Operation
{
    Next,
    Submit,
}

/// <summary>
/// Lock-free latency capture: Stopwatch ticks go into preallocated arrays while recording is on, and are
/// sorted once at the end. Samples past the capacity are counted but not kept.
/// </summary>
public sealed class LatencySeries(int capacity)
{
    private readonly long[] samples = new long[capacity];
    private readonly long[] starts = new long[capacity];
    private int count;

    public int Count => Math.Min(Volatile.Read(ref count), samples.Length);

    public int Dropped => Math.Max(0, Volatile.Read(ref count) - samples.Length);

    public void Add(long ticks) => Add(0, ticks);

    /// <param name="startTimestamp">Stopwatch timestamp of the request's start, to line slow requests up with GC pauses.</param>
    public void Add(long startTimestamp, long ticks)
    {
        var index = Interlocked.Increment(ref count) - 1;
        if (index < samples.Length)
        {
            samples[index] = ticks;
            starts[index] = startTimestamp;
        }
    }

    /// <summary>(start, duration) in Stopwatch ticks of every kept sample.</summary>
    public IEnumerable<(long Start, long Ticks)> Samples()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return (starts[i], samples[i]);
        }
    }

    public LatencySummary Summarize()
    {
        var n = Count;
        var sorted = samples.AsSpan(0, n).ToArray();
        Array.Sort(sorted);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double At(double q) => n == 0 ? double.NaN : Ms(sorted[Math.Clamp((int)Math.Ceiling(q * n) - 1, 0, n - 1)]);
        var mean = n == 0 ? double.NaN : Ms((long)sorted.Average(t => (double)t));
        return new LatencySummary(n, At(0.50), At(0.95), At(0.99), n == 0 ? double.NaN : Ms(sorted[^1]), mean);
    }
}

public sealed record LatencySummary(int Count, double P50, double P95, double P99, double Max, double Mean);

/// <summary>Per operation: whole server pipeline time, endpoint-handler-only time, client round trip, status codes.</summary>
public sealed class LatencyRecorder(int capacity)
{
    private readonly Dictionary<Operation, LatencySeries> server = NewSeries(capacity);
    private readonly Dictionary<Operation, LatencySeries> handler = NewSeries(capacity);
    private readonly Dictionary<Operation, LatencySeries> client = NewSeries(capacity);
    private readonly ConcurrentDictionary<(Operation, int), int> statuses = new();
    private readonly ConcurrentDictionary<string, int> clientErrors = new();
    private volatile bool recording;
    private long startedAt;
    private long stoppedAt;

    public bool Recording => recording;

    public void Start()
    {
        startedAt = Stopwatch.GetTimestamp();
        recording = true;
    }

    public void Stop()
    {
        recording = false;
        stoppedAt = Stopwatch.GetTimestamp();
    }

    public TimeSpan Window => Stopwatch.GetElapsedTime(startedAt, stoppedAt);

    public long StartedAt => startedAt;

    public void Server(Operation op, long startTimestamp, long ticks, int status)
    {
        if (!recording)
        {
            return;
        }
        server[op].Add(startTimestamp, ticks);
        statuses.AddOrUpdate((op, status), 1, (_, c) => c + 1);
    }

    public void Handler(Operation op, long ticks)
    {
        if (recording)
        {
            handler[op].Add(ticks);
        }
    }

    public void Client(Operation op, long ticks)
    {
        if (recording)
        {
            client[op].Add(ticks);
        }
    }

    public void ClientError(string kind)
    {
        if (recording)
        {
            clientErrors.AddOrUpdate(kind, 1, (_, c) => c + 1);
        }
    }

    public LatencySeries ServerSeries(Operation op) => server[op];

    public LatencySeries HandlerSeries(Operation op) => handler[op];

    public LatencySeries ClientSeries(Operation op) => client[op];

    public IReadOnlyDictionary<(Operation Op, int Status), int> Statuses => statuses;

    public IReadOnlyDictionary<string, int> ClientErrors => clientErrors;

    private static Dictionary<Operation, LatencySeries> NewSeries(int capacity) =>
        Enum.GetValues<Operation>().ToDictionary(op => op, _ => new LatencySeries(capacity));
}
