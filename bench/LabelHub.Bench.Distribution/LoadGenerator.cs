using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LabelHub.Bench.Distribution;

public sealed class LoadResult
{
    public int Exhausted;
    public int DuplicateHandOuts;
    public int ReHandedSameLease;
    public long TasksTaken;
    public long TasksSubmitted;
}

/// <summary>
/// U simulated annotators on loopback, each with its own access token: next task, submit, repeat, until told
/// to stop. A stop lets every annotator finish the task in hand, so none leaves a lease behind mid-task.
/// </summary>
public sealed class LoadGenerator(Uri baseAddress, Guid projectId, IReadOnlyList<Annotator> annotators, LatencyRecorder recorder, int? rate)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private volatile LatencyRecorder current = recorder;

    /// <summary>Where latencies go from now on (one recorder per measured window).</summary>
    public LatencyRecorder Recorder
    {
        get => current;
        set => current = value;
    }

    public async Task<LoadResult> RunAsync(CancellationToken stop)
    {
        if (!IPAddress.IsLoopback(IPAddress.Parse(baseAddress.Host)))
        {
            throw new InvalidOperationException($"The benchmark only sends traffic to loopback, not {baseAddress}.");
        }
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = annotators.Count * 2,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
        };
        using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = RequestTimeout };
        var result = new LoadResult();
        var nextUrl = new Uri($"/api/v1/projects/{projectId}/tasks/next", UriKind.Relative);
        var workers = annotators.Select((a, i) => Task.Run(() => AnnotateAsync(http, nextUrl, a, i, result, stop), CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        return result;
    }

    private async Task AnnotateAsync(HttpClient http, Uri nextUrl, Annotator annotator, int index, LoadResult result, CancellationToken stop)
    {
        var auth = new AuthenticationHeaderValue("Token", annotator.Token);
        var random = new Random(index);
        var seenItems = new HashSet<long>();
        var lastAssignment = -1L;
        // Paced: one task (next + submit = 2 operations) per think time, whose mean makes the offered load; each think
        // time is drawn from 0.5-1.5x that mean, as people vary. With one fixed interval, annotators held up together
        // by a stall (a GC pause, an autoanalyze) came back together and stayed in lockstep for the rest of the run,
        // offering bursts of simultaneous requests no real team produces. An annotator that falls behind (the server
        // is slower than the offered load) starts again from now instead of bursting.
        var meanSeconds = rate is { } r ? 2.0 * annotators.Count / r : 0;
        long ThinkTicks() => (long)(meanSeconds * (0.5 + random.NextDouble()) * Stopwatch.Frequency);
        var due = Stopwatch.GetTimestamp() + (long)(random.NextDouble() * meanSeconds * Stopwatch.Frequency);
        while (!stop.IsCancellationRequested)
        {
            if (rate is not null)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    due += ThinkTicks();
                }
                else
                {
                    due = Stopwatch.GetTimestamp() + ThinkTicks();
                }
            }
            // next task
            long assignmentId;
            long itemId;
            using (var request = new HttpRequestMessage(HttpMethod.Post, nextUrl))
            {
                request.Headers.Authorization = auth;
                var started = Stopwatch.GetTimestamp();
                HttpResponseMessage response;
                byte[] body;
                try
                {
                    response = await http.SendAsync(request, CancellationToken.None);
                    body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    current.ClientError($"next: {e.GetType().Name}");
                    await Task.Delay(50, CancellationToken.None);
                    continue;
                }
                current.Client(Operation.Next, Stopwatch.GetTimestamp() - started);
                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.NoContent)
                    {
                        Interlocked.Increment(ref result.Exhausted);
                        return;
                    }
                    if (!response.IsSuccessStatusCode)
                    {
                        await Task.Delay(50, CancellationToken.None);
                        continue;
                    }
                }
                using var json = JsonDocument.Parse(body);
                assignmentId = json.RootElement.GetProperty("assignmentId").GetInt64();
                itemId = json.RootElement.GetProperty("itemId").GetInt64();
            }
            Interlocked.Increment(ref result.TasksTaken);
            if (assignmentId == lastAssignment)
            {
                // The lease held for this annotator came back (a submit of it failed): allowed, not a duplicate.
                Interlocked.Increment(ref result.ReHandedSameLease);
            }
            else if (!seenItems.Add(itemId))
            {
                Interlocked.Increment(ref result.DuplicateHandOuts);
            }
            lastAssignment = assignmentId;

            // submit
            var payload = Encoding.UTF8.GetBytes($$"""{"values":{"{{Seeder.FieldName}}":"positive"},"durationMs":{{random.Next(500, 5000)}}}""");
            using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/v1/tasks/{assignmentId}/submit", UriKind.Relative)))
            {
                request.Headers.Authorization = auth;
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request, CancellationToken.None);
                    await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    current.Client(Operation.Submit, Stopwatch.GetTimestamp() - started);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref result.TasksSubmitted);
                    }
                    else
                    {
                        await Task.Delay(50, CancellationToken.None);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    current.ClientError($"submit: {e.GetType().Name}");
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        }
    }
}
