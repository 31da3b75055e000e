using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using LabelHub.Domain.Jobs;

namespace LabelHub.Bench.LabelErrorsApi;

/// <summary>One account talking to the server with its API token, JSON as the API writes it (web defaults, enums as names).</summary>
public sealed class ApiUser(Uri server, string token) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public HttpClient Http { get; } = new HttpClient
    {
        BaseAddress = server,
        Timeout = TimeSpan.FromMinutes(10),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Token", token) },
    };

    public async Task<T> GetAsync<T>(string url, CancellationToken ct) =>
        await ReadAsync<T>(await Http.GetAsync(url, ct), ct);

    public async Task<T> PostAsync<T>(string url, object? body, CancellationToken ct) =>
        await ReadAsync<T>(await Http.PostAsJsonAsync(url, body, Json, ct), ct);

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
            return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
        }
    }

    /// <summary>Polls GET /api/v1/jobs/{id} until the job ends (4 times a second, as the data-path bench); a failed job throws.</summary>
    public async Task<JobRunInfo> WaitForJobAsync(Guid jobId, CancellationToken ct)
    {
        string? lastMessage = null;
        while (true)
        {
            var job = await GetAsync<JobRunInfo>($"/api/v1/jobs/{jobId}", ct);
            switch (job.State)
            {
                case JobState.Succeeded:
                    return job;
                case JobState.Failed or JobState.Cancelled:
                    throw new InvalidOperationException($"Job {jobId} {job.State}: {job.Message} {job.Error}");
                default:
                    break;
            }
            if (job.Message != lastMessage)
            {
                Console.WriteLine($"    {job.State} {job.Progress:P0}: {job.Message}");
                lastMessage = job.Message;
            }
            await Task.Delay(250, ct);
        }
    }

    public void Dispose() => Http.Dispose();
}
