using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>A project's cleansing rules over the API (ADR 0018, 0019): versioned saves, the dry run and the apply job, on both databases.</summary>
public sealed class CleansingRulesTests
{
    private static readonly object TrimAndFullWidth = new
    {
        rules = new object[]
        {
            new { kind = "trim", id = "trim-note", field = "note", mode = "Fix" },
            new { kind = "full_width_to_half_width", id = "half-width-note", field = "note", mode = "Flag" },
        },
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rules_are_saved_as_versions_checked_against_the_schema_and_only_for_the_projects_managers(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var otherManager = await app.CreateUserClientAsync("other-boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "rules", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        var url = $"/api/v1/projects/{project.Id}/cleansing/rules";

        var empty = await manager.GetAsync<CleansingRulesView>(url);
        Assert.Equal(0, empty.Version);
        Assert.Equal(0, empty.Rules.GetArrayLength());

        var saved = await PutAsync<CleansingRulesView>(manager, url, TrimAndFullWidth);
        Assert.Equal(1, saved.Version);
        Assert.Equal("boss", saved.AuthorName);
        var current = await manager.GetAsync<CleansingRulesView>(url);
        Assert.Equal(1, current.Version);
        Assert.Equal(2, current.Rules.GetArrayLength());
        Assert.Equal("trim", current.Rules[0].GetProperty("kind").GetString());
        Assert.Equal("half-width-note", current.Rules[1].GetProperty("id").GetString());

        // A bad pattern is a 400 naming the rule's line; nothing is saved.
        var bad = await manager.Http.PutAsJsonAsync(url, new { rules = new[] { new { kind = "regex", id = "r", field = "note", pattern = "(" } } }, LabelHubApp.Json);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()))
        {
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("rules[0].pattern", out _), problem.RootElement.ToString());
        }
        var unreadable = await manager.Http.PutAsJsonAsync(url, new { rules = new[] { new { id = "no-kind", field = "note" } } }, LabelHubApp.Json);
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);

        var second = await PutAsync<CleansingRulesView>(manager, url, new { rules = new[] { new { kind = "trim", id = "trim-note", field = "note", mode = "Fix" } } });
        Assert.Equal(2, second.Version);
        var versions = await manager.GetAsync<List<CleansingRuleSetVersionInfo>>($"{url}/versions");
        Assert.Equal([2, 1], versions.Select(v => v.Version));
        Assert.Equal([1, 2], versions.Select(v => v.RuleCount));
        var missing = await manager.PostRawAsync($"{url}/apply", new { version = 99 });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("\"version\"", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Annotators get the rules as hints another way; a manager of another project does not see this one.
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.PutAsJsonAsync(url, TrimAndFullWidth, LabelHubApp.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherManager.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherManager.Http.PutAsJsonAsync(url, TrimAndFullWidth, LabelHubApp.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherManager.PostRawAsync($"{url}/dry-run", new { })).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_dry_run_counts_and_an_apply_writes_new_versions_keeping_the_originals(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "apply", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "one" }, new { text = "two" }, new { text = "three" } });
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        var notes = new Queue<string>(["  padded  ", "clean", "ＡＢＣ"]);
        while (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                new SubmitRequest(Values(("sentiment", "positive"), ("note", notes.Dequeue()))));
        }
        Assert.Empty(notes);
        var url = $"/api/v1/projects/{project.Id}/cleansing/rules";

        // Before any save: no version to apply, but rules sent inline can be tried.
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.PostRawAsync($"{url}/apply", new { })).StatusCode);
        var inline = await RunAsync(manager, $"{url}/dry-run", TrimAndFullWidth);
        var report = CleansingJobs.RulesDryRun.ReadResult(inline)!;
        Assert.Equal(3, report.Answers);
        Assert.Equal(1, report.AnswersChanged);
        Assert.Equal(1, report.AnswersFlagged);
        Assert.Equal([1, 0], report.Rules.Select(r => r.Changed));
        Assert.Equal([0, 1], report.Rules.Select(r => r.Flagged));
        Assert.Equal("\"padded\"", report.Rules[0].ChangedExamples.Single().After);

        await PutAsync<CleansingRulesView>(manager, url, TrimAndFullWidth);
        var saved = CleansingJobs.RulesDryRun.ReadResult(await RunAsync(manager, $"{url}/dry-run", new { version = 1 }))!;
        Assert.Equal(report.AnswersChanged, saved.AnswersChanged);
        await using (var db = app.CreateDbContext())
        {
            var rows = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == project.Id).ToListAsync();
            Assert.True(rows.Count == 3, string.Join("\n", rows.Select(a => $"{a.Id} item {a.ItemId} v{a.Version} {a.Reason} current={a.IsCurrent} {JsonSerializer.Serialize(a.Values)}")));
        }

        var applied = CleansingJobs.RulesApply.ReadResult(await RunAsync(manager, $"{url}/apply", new { }))!;
        Assert.Equal(1, applied.RuleSetVersion);
        Assert.Equal(3, applied.Answers);
        Assert.Equal(1, applied.AnswersChanged);
        Assert.Equal(0, applied.Skipped);
        Assert.Equal([1, 0], applied.Rules.Select(r => r.Changed));
        Assert.Equal([0, 1], applied.Rules.Select(r => r.Flagged));

        await using (var db = app.CreateDbContext())
        {
            var all = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == project.Id).ToListAsync();
            Assert.Equal(4, all.Count);
            var versions = all.GroupBy(a => a.ItemId).Single(g => g.Count() == 2).OrderBy(a => a.Version).ToList();
            var (original, fix) = (versions[0], versions[1]);
            Assert.False(original.IsCurrent);
            Assert.Equal("  padded  ", original.Values["note"].GetString());
            Assert.True(fix.IsCurrent);
            Assert.Equal(2, fix.Version);
            Assert.Equal("padded", fix.Values["note"].GetString());
            Assert.Equal("positive", fix.Values["sentiment"].GetString());
            Assert.Equal(AnnotationReason.Cleansing, fix.Reason);
            Assert.Equal(annotator.UserId, fix.AnnotatorId);
            Assert.Equal(manager.UserId, fix.AuthorId);
            Assert.StartsWith("rule trim-note:", fix.Comment);
            Assert.Equal(3, all.Count(a => a.IsCurrent));
        }

        // The fixed answers are clean now: a second apply changes nothing.
        var again = CleansingJobs.RulesApply.ReadResult(await RunAsync(manager, $"{url}/apply", new { version = 1 }))!;
        Assert.Equal(0, again.AnswersChanged);
        Assert.Equal(1, again.AnswersFlagged);
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(4, await db.Annotations.CountAsync(a => a.ProjectId == project.Id));
        }
    }

    private static async Task<T> PutAsync<T>(ApiClient client, string url, object body)
    {
        var response = await client.Http.PutAsJsonAsync(url, body, LabelHubApp.Json);
        await ApiClient.EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<T>(LabelHubApp.Json))!;
    }

    private static async Task<JobRunInfo> RunAsync(ApiClient manager, string url, object body)
    {
        var response = await manager.PostRawAsync(url, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        var done = await WaitForJobAsync(manager, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        return done;
    }
}
