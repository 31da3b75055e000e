using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;

namespace LabelHub.Bench.Distribution;

/// <summary>One learning round as the manager saw it through the API: the job's final record and the round's own result.</summary>
/// <param name="RequestedAt">When the bench asked for it (the job's CreatedAt is the server's clock for the same moment).</param>
/// <param name="Scoring">Seconds the round spent scoring the pool and choosing the batch, after training (from the round's record).</param>
public sealed record RoundRun(JobRunInfo Job, DateTimeOffset RequestedAt, RoundJobResult? Result, double? Scoring)
{
    /// <summary>From the job server picking it up to its end.</summary>
    public TimeSpan Running => Job.StartedAt is { } started && Job.FinishedAt is { } finished ? finished - started : TimeSpan.Zero;

    /// <summary>From the request to the job server picking it up.</summary>
    public TimeSpan Queued => Job.StartedAt is { } started ? started - Job.CreatedAt : TimeSpan.Zero;
}

/// <summary>
/// The training project's side of --train, through the REST API as a manager and an annotator would use it: the labeler
/// answers the first images with their true class, then rounds are started one after another (the next as soon as the
/// previous one finished) and polled via /api/v1/jobs/{id}.
/// </summary>
public sealed class RoundDriver : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(15);

    private readonly HttpClient manager;
    private readonly HttpClient labeler;
    private readonly TrainingProject project;
    private readonly Func<string?> failure;

    /// <param name="failure">Why rounds can no longer run (the process that trains is gone), or null: checked while waiting for a round.</param>
    public RoundDriver(Uri address, TrainingProject project, Func<string?> failure)
    {
        this.project = project;
        this.failure = failure;
        manager = Client(address, project.ManagerToken);
        labeler = Client(address, project.Labeler.Token);
    }

    /// <summary>Settings of the rounds: the product's defaults (margin sampling, diverse batches of 50), on the garment field.</summary>
    public static LearningSettings Settings { get; } = new() { Field = Seeder.GarmentField };

    /// <summary>The labeler takes <paramref name="count"/> tasks and answers each with the image's true class.</summary>
    public async Task AnswerAsync(int count, CancellationToken ct)
    {
        var nextUrl = new Uri($"/api/v1/projects/{project.ProjectId}/tasks/next", UriKind.Relative);
        for (var n = 0; n < count; n++)
        {
            using var next = await labeler.PostAsync(nextUrl, null, ct);
            if (next.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"The labeler's next task {n + 1} answered {(int)next.StatusCode}: {await next.Content.ReadAsStringAsync(ct)}");
            }
            using var task = JsonDocument.Parse(await next.Content.ReadAsStreamAsync(ct));
            var assignmentId = task.RootElement.GetProperty("assignmentId").GetInt64();
            var fileName = task.RootElement.GetProperty("data").GetProperty("file_name").GetString()!;
            var answer = new Dictionary<string, string> { [Seeder.GarmentField] = project.LabelOf[fileName] };
            using var submit = await labeler.PostAsJsonAsync(new Uri($"/api/v1/tasks/{assignmentId}/submit", UriKind.Relative), new { values = answer, durationMs = 2_000 }, Json, ct);
            await EnsureAsync(submit, ct);
        }
    }

    public async Task ConfigureAsync(CancellationToken ct)
    {
        using var response = await manager.PutAsJsonAsync(new Uri($"/api/v1/projects/{project.ProjectId}/learning/settings", UriKind.Relative), Settings, Json, ct);
        await EnsureAsync(response, ct);
    }

    /// <summary>Starts a round and waits for its end; a failed round is an error of the benchmark.</summary>
    /// <param name="running">Completed once the job server has picked the round up.</param>
    public async Task<RoundRun> RunRoundAsync(CancellationToken ct, TaskCompletionSource? running = null)
    {
        var requestedAt = DateTimeOffset.UtcNow;
        using var start = await manager.PostAsync(new Uri($"/api/v1/projects/{project.ProjectId}/learning/rounds", UriKind.Relative), null, ct);
        if (start.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Starting a round answered {(int)start.StatusCode}: {await start.Content.ReadAsStringAsync(ct)}");
        }
        var job = (await start.Content.ReadFromJsonAsync<JobRunInfo>(Json, ct))!;
        var waited = Stopwatch.StartNew();
        while (job.State is JobState.Queued or JobState.Running)
        {
            if (failure() is { } reason)
            {
                throw new InvalidOperationException($"Round job {job.Id} is {job.State} and will not finish: {reason}");
            }
            if (waited.Elapsed > RoundTimeout)
            {
                throw new TimeoutException($"Round job {job.Id} still {job.State} after {RoundTimeout.TotalMinutes:F0} minutes: {job.Message}");
            }
            await Task.Delay(PollInterval, ct);
            job = (await manager.GetFromJsonAsync<JobRunInfo>(new Uri($"/api/v1/jobs/{job.Id}", UriKind.Relative), Json, ct))!;
            if (job.State != JobState.Queued)
            {
                running?.TrySetResult();
            }
        }
        if (job.State != JobState.Succeeded)
        {
            throw new InvalidOperationException($"Round job {job.Id} {job.State}: {job.Message} {job.Error}");
        }
        var result = LearningJobs.Round.ReadResult(job);
        double? scoring = null;
        if (result is not null)
        {
            var detail = await manager.GetFromJsonAsync<RoundDetail>(new Uri($"/api/v1/projects/{project.ProjectId}/learning/rounds/{result.Round}", UriKind.Relative), Json, ct);
            scoring = detail?.Round.ScoringSeconds;
        }
        return new RoundRun(job, requestedAt, result, scoring);
    }

    /// <summary>
    /// Rounds back to back until <paramref name="stop"/>: the next starts as soon as the previous one finished. The round
    /// in flight when told to stop is waited for, so every round counted has a duration.
    /// </summary>
    /// <param name="firstRunning">Completed once the first round is running.</param>
    public async Task<IReadOnlyList<RoundRun>> RunBackToBackAsync(TaskCompletionSource firstRunning, CancellationToken stop)
    {
        var rounds = new List<RoundRun>();
        while (!stop.IsCancellationRequested)
        {
            var round = await RunRoundAsync(CancellationToken.None, firstRunning);
            rounds.Add(round);
            Console.WriteLine($"  [rounds] {round.Result?.Summary() ?? round.Job.ResultSummary} (queued {round.Queued.TotalSeconds:F1} s, ran {round.Running.TotalSeconds:F1} s)");
        }
        return rounds;
    }

    public void Dispose()
    {
        manager.Dispose();
        labeler.Dispose();
    }

    private static HttpClient Client(Uri address, string token)
    {
        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", token);
        return http;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    }
}
