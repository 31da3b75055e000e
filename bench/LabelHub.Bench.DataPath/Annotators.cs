using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LabelHub.Bench.DataPath;

/// <summary>Latencies and statuses of one measured window.</summary>
public sealed class Window(string name)
{
    private readonly List<double> nextTaskMs = [];
    private readonly Dictionary<int, int> statuses = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public string Name { get; } = name;

    public TimeSpan Length { get; private set; }

    public void Close() => Length = clock.Elapsed;

    public void Record(bool nextTask, double milliseconds, HttpStatusCode status)
    {
        lock (statuses)
        {
            if (nextTask)
            {
                nextTaskMs.Add(milliseconds);
            }
            statuses[(int)status] = statuses.GetValueOrDefault((int)status) + 1;
        }
    }

    public int Calls
    {
        get
        {
            lock (statuses)
            {
                return statuses.Values.Sum();
            }
        }
    }

    public int ServerErrors
    {
        get
        {
            lock (statuses)
            {
                return statuses.Where(s => s.Key >= 500).Sum(s => s.Value);
            }
        }
    }

    public string Statuses
    {
        get
        {
            lock (statuses)
            {
                return string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value:N0}"));
            }
        }
    }

    public int NextTaskCalls => nextTaskMs.Count;

    public double Percentile(double p)
    {
        lock (statuses)
        {
            if (nextTaskMs.Count == 0)
            {
                return double.NaN;
            }
            var sorted = nextTaskMs.Order().ToArray();
            return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        }
    }
}

/// <summary>
/// Annotators labeling a project through the public API, each in its own loop: next task, think, submit, as the workbench
/// does. Every call is timed into the window being measured, if any.
/// </summary>
public sealed class Annotators : IAsyncDisposable
{
    private readonly HttpClient http;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> loops = [];
    private Window? window;

    public Annotators(Uri server, Guid projectId, IReadOnlyList<string> tokens, string field, string label, TimeSpan think)
    {
        http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = tokens.Count + 4, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
        {
            BaseAddress = server,
            Timeout = TimeSpan.FromSeconds(60),
        };
        foreach (var token in tokens)
        {
            loops.Add(Task.Run(() => LoopAsync(projectId, token, field, label, think, stop.Token)));
        }
    }

    /// <summary>Starts recording into a new window (the previous one, if any, stops).</summary>
    public Window Measure(string name)
    {
        var next = new Window(name);
        Volatile.Write(ref window, next);
        return next;
    }

    public void StopMeasuring()
    {
        Volatile.Read(ref window)?.Close();
        Volatile.Write(ref window, null);
    }

    private async Task LoopAsync(Guid projectId, string token, string field, string label, TimeSpan think, CancellationToken ct)
    {
        // Spread the first calls over a think time, as people do not all press the key at once.
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * think.TotalMilliseconds), ct).ConfigureAwait(false);
        var auth = new AuthenticationHeaderValue("Token", token);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var next = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/projects/{projectId}/tasks/next") { Headers = { Authorization = auth } };
                var (response, body) = await TimedAsync(next, nextTask: true, ct);
                await Task.Delay(think * (0.5 + Random.Shared.NextDouble()), ct);
                if (response == HttpStatusCode.OK)
                {
                    var assignment = JsonDocument.Parse(body).RootElement.GetProperty("assignmentId").GetInt64();
                    using var submit = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tasks/{assignment}/submit")
                    {
                        Headers = { Authorization = auth },
                        Content = JsonContent.Create(new { values = new Dictionary<string, string> { [field] = label } }),
                    };
                    await TimedAsync(submit, nextTask: false, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                Volatile.Read(ref window)?.Record(false, 0, HttpStatusCode.ServiceUnavailable);
            }
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> TimedAsync(HttpRequestMessage request, bool nextTask, CancellationToken ct)
    {
        var recorder = Volatile.Read(ref window);
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        recorder?.Record(nextTask, Stopwatch.GetElapsedTime(start).TotalMilliseconds, response.StatusCode);
        return (response.StatusCode, body);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException)
        {
        }
        http.Dispose();
        stop.Dispose();
    }
}
