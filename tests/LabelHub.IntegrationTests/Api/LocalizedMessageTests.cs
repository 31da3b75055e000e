using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The API answers in the caller's language (Accept-Language) and keeps a stable code beside every message.</summary>
public sealed class LocalizedMessageTests
{
    [Fact]
    public async Task Errors_and_job_messages_come_in_the_callers_language_with_stable_codes()
    {
        await using var app = await LabelHubApp.StartAsync("sqlite");
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "언어", overlap: 1);
        await AddMemberAsync(manager, project.Id, manager.UserId);
        var job = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "하나" } })).Id);
        var task = await manager.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);

        async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string url, object? body, string language)
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.AcceptLanguage.ParseAdd(language);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body, options: LabelHubApp.Json);
            }
            using var response = await manager.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        // Not found: the same code in both languages, the text in each.
        var missing = $"/api/v1/projects/{Guid.NewGuid()}";
        var (status, english) = await SendAsync(HttpMethod.Get, missing, null, "en-US");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Project was not found.", english.GetProperty("detail").GetString());
        var (_, korean) = await SendAsync(HttpMethod.Get, missing, null, "ko-KR,ko;q=0.9");
        Assert.Equal("프로젝트를 찾을 수 없습니다.", korean.GetProperty("detail").GetString());
        Assert.Equal("not_found.project", korean.GetProperty("code").GetString());
        Assert.Equal("not_found.project", english.GetProperty("code").GetString());

        // Validation: per field, Korean text and the code of each message.
        var (badStatus, invalid) = await SendAsync(HttpMethod.Post, $"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "awful"))), "ko-KR");
        Assert.True(badStatus == HttpStatusCode.BadRequest, invalid.GetRawText());
        Assert.True(invalid.GetProperty("errors").TryGetProperty("values.sentiment", out var sentimentErrors), invalid.GetRawText());
        var text = sentimentErrors[0].GetString()!;
        Assert.Contains("awful", text, StringComparison.Ordinal);
        Assert.Matches("[가-힣]", text);
        Assert.Equal("validation", invalid.GetProperty("code").GetString());
        Assert.StartsWith("labeling.", invalid.GetProperty("codes").GetProperty("values.sentiment")[0].GetString(), StringComparison.Ordinal);
        var (_, englishInvalid) = await SendAsync(HttpMethod.Post, $"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "awful"))), "en");
        Assert.Equal("The request has invalid values.", englishInvalid.GetProperty("title").GetString());
        Assert.DoesNotMatch("[가-힣]", englishInvalid.GetProperty("errors").GetProperty("values.sentiment")[0].GetString()!);

        // A job's summary was written in English by the job; a Korean reader gets it in Korean, with its code.
        var (_, koreanJob) = await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{job.Id}", null, "ko-KR");
        Assert.Matches("[가-힣]", koreanJob.GetProperty("message").GetString()!);
        Assert.NotNull(koreanJob.GetProperty("messageCode").GetString());
        var (_, englishJob) = await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{job.Id}", null, "en-US");
        Assert.Equal(job.Message, englishJob.GetProperty("message").GetString());
    }
}
