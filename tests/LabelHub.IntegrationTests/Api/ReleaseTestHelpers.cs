using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Steps the release tests share: import items and cut a release to the end of its job.</summary>
internal static class ReleaseTestHelpers
{
    public static async Task<CutReleaseResult> CutReleaseAsync(LabelHubApp app, ApiClient manager, Actor actor, Guid projectId, ReleaseRequest request)
    {
        var (_, job) = await app.Service<ReleaseService>().StartAsync(actor, projectId, request);
        var done = await WaitForJobAsync(manager, job.Id, timeoutSeconds: 120);
        Assert.True(done.State == JobState.Succeeded, $"{done.ResultSummary} {done.Error}");
        return ReleaseJobs.Cut.ReadResult(done)!;
    }

    /// <summary>Items through POST /items (a job), each an object of data such as <c>new { text = "…" }</c>.</summary>
    public static async Task ImportItemsAsync(ApiClient manager, Guid projectId, IEnumerable<object> items)
    {
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{projectId}/items", items.ToArray());
        var done = await WaitForJobAsync(manager, import.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
    }

    public static Task ImportTextsAsync(ApiClient manager, Guid projectId, IEnumerable<string> texts) =>
        ImportItemsAsync(manager, projectId, texts.Select(t => (object)new { text = t }));
}
