using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;

namespace LabelHub.IntegrationTests.Api;

public static class ApiTestHelpers
{
    public static readonly LabelSchema SentimentSchema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"], Required = true },
            new LabelField { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service", "quality"] },
            new LabelField { Name = "note", Kind = FieldKind.Text, MaxLength = 200 },
        ],
    };

    public static async Task<PlanningEndpoints.ProjectDto> CreateProjectAsync(ApiClient manager, string name, int overlap, int leaseMinutes = 30) =>
        await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput(name, "test project", SentimentSchema, overlap, leaseMinutes));

    public static async Task AddMemberAsync(ApiClient manager, Guid projectId, Guid userId) =>
        await ApiClient.EnsureAsync(await manager.PostRawAsync($"/api/v1/projects/{projectId}/members", new MemberRequest(userId)));

    public static async Task<JobRunInfo> UploadAsync(ApiClient client, Guid projectId, string fileName, string content)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", fileName);
        var response = await client.Http.PostAsync($"/api/v1/projects/{projectId}/imports", form);
        await ApiClient.EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
    }

    public static async Task<JobRunInfo> WaitForJobAsync(ApiClient client, Guid jobId, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var job = await client.GetAsync<JobRunInfo>($"/api/v1/jobs/{jobId}");
            if (job.State is JobState.Succeeded or JobState.Failed)
            {
                return job;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Job {jobId} still {job.State} ({job.Message}) after {timeoutSeconds} s.");
            }
            await Task.Delay(100);
        }
    }

    public static Dictionary<string, JsonElement> Values(params (string Field, object Value)[] values) =>
        values.ToDictionary(v => v.Field, v => JsonSerializer.SerializeToElement(v.Value));
}
