using System.Globalization;

namespace LabelHub.Bench.Distribution;

/// <summary>One thread of a process: name, nice value, scheduling policy (0 normal, 3 batch, 5 idle) and CPU over a window.</summary>
public sealed record ThreadCpu(int Tid, string Name, int Nice, int Policy, double Cores);

/// <summary>
/// Per-thread CPU and nice values of a process from /proc/PID/task (what `ps -eLo pid,tid,ni,comm` shows), so the
/// report can say whether model work really ran below the request threads' priority and how many cores it took.
/// </summary>
public sealed class ThreadSampler(int pid)
{
    private Dictionary<int, (string Name, int Nice, int Policy, long Ticks)> start = [];
    private DateTimeOffset startedAt;

    public int Pid => pid;

    public void Start()
    {
        start = Snapshot();
        startedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Every thread alive at the end, with its CPU since <see cref="Start"/> (threads born since count from zero), busiest first.</summary>
    public IReadOnlyList<ThreadCpu> Stop()
    {
        var seconds = Math.Max(1e-3, (DateTimeOffset.UtcNow - startedAt).TotalSeconds);
        return [.. Snapshot()
            .Select(t => new ThreadCpu(t.Key, t.Value.Name, t.Value.Nice, t.Value.Policy,
                (t.Value.Ticks - (start.TryGetValue(t.Key, out var before) ? before.Ticks : 0)) / 100.0 / seconds)) // USER_HZ
            .OrderByDescending(t => t.Cores)];
    }

    private Dictionary<int, (string Name, int Nice, int Policy, long Ticks)> Snapshot()
    {
        var threads = new Dictionary<int, (string, int, int, long)>();
        IEnumerable<string> tasks;
        try
        {
            tasks = Directory.EnumerateDirectories($"/proc/{pid}/task").ToList();
        }
        catch (IOException)
        {
            return threads;
        }
        foreach (var task in tasks)
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended
            }
            // "tid (comm) state ...": after the ")" fields[0] is field 3; utime 14, stime 15, nice 19, policy 41.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            long Field(int n) => long.Parse(fields[n - 3], CultureInfo.InvariantCulture);
            threads[int.Parse(stat[..open].Trim(), CultureInfo.InvariantCulture)] = (stat[(open + 1)..close], (int)Field(19), (int)Field(41), Field(14) + Field(15));
        }
        return threads;
    }
}
