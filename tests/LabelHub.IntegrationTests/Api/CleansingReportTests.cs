using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>A cleansing run's before/after report over the API (ADR 0019, 6), on both databases.</summary>
public sealed class CleansingReportTests
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
    public async Task A_rules_run_reports_its_fixes_a_reviewers_correction_and_freezes_when_closed(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var reviewer = await app.CreateUserClientAsync("rev", Roles.Reviewer);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "report", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        await AnswerAsync(manager, annotator, project.Id, [("positive", "  padded  "), ("positive", " also "), ("negative", "clean"), ("negative", "ＡＢＣ")]);
        var url = $"/api/v1/projects/{project.Id}/cleansing";
        var saved = await manager.Http.PutAsJsonAsync($"{url}/rules", TrimAndFullWidth, LabelHubApp.Json);
        await ApiClient.EnsureAsync(saved);

        // Every member reads the newest rules as hints (the workbench's checks); someone outside the project does not.
        var hints = await annotator.GetAsync<CleansingRulesView>($"{url}/rules/hints");
        Assert.Equal(1, hints.Version);
        Assert.Equal(["trim-note", "half-width-note"], hints.Rules.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Null(hints.AuthorName);
        Assert.Equal(HttpStatusCode.NotFound, (await reviewer.Http.GetAsync($"{url}/rules/hints")).StatusCode);

        var applied = CleansingJobs.RulesApply.ReadResult(await RunAsync(manager, $"{url}/rules/apply", new { }))!;
        Assert.Equal(2, applied.AnswersChanged);
        var runId = applied.RunId;

        var report = await manager.GetAsync<CleansingRunReport>($"{url}/runs/{runId}/report");
        Assert.Equal(CleansingRunKind.Rules, report.Run.Kind);
        Assert.Equal(1, report.Run.RuleSetVersion);
        Assert.Equal(1, report.Run.OpenFindings);
        Assert.False(report.AfterIsFrozen);
        Assert.NotNull(report.Before);
        Assert.Equal(4, report.Before.Answers);
        Assert.Equal(new CorrectionsBySource(2, 0, 0, 0), report.Corrections);
        Assert.Equal(2, report.AnswersCorrected);
        // The flag on ＡＢＣ is open: one of four answers has a finding on it now, none had before.
        Assert.Equal(1.0, report.QualityScore.Before);
        Assert.Equal(0.75, report.QualityScore.After);
        Assert.Equal((2, 2), Count(report, "sentiment", "positive"));
        Assert.Equal((2, 2), Count(report, "sentiment", "negative"));
        Assert.Equal((0, 0), Count(report, "sentiment", "neutral"));

        // A reviewer decides the flag by writing another answer, as the adjudication queue does: a new version, a decided finding.
        await CorrectAsync(app, runId, reviewer.UserId, "positive", "ABC");
        report = await manager.GetAsync<CleansingRunReport>($"{url}/runs/{runId}/report");
        Assert.Equal(new CorrectionsBySource(2, 1, 0, 0), report.Corrections);
        Assert.Equal(3, report.AnswersCorrected);
        // The runs lists count the reviewer's decision too, on the page and through the API.
        Assert.Equal(3, (await manager.GetAsync<List<CleansingRunInfo>>($"{url}/runs")).Single(r => r.Id == runId).Corrections);
        Assert.Equal(3, report.Run.Corrections);
        Assert.Equal((2, 3), Count(report, "sentiment", "positive"));
        Assert.Equal((2, 1), Count(report, "sentiment", "negative"));
        Assert.Equal(-1, report.Labels.Single(l => l.Field == "sentiment" && l.Label == "negative").Delta);
        Assert.Equal(1.0, report.QualityScore.After);
        Assert.Equal(0.0, report.QualityScore.Delta);

        // CSV by query or by Accept header: one table with the documented header.
        var csv = await CsvAsync(manager, $"{url}/runs/{runId}/report?format=csv", null);
        Assert.Equal("section,field,label,before,after,delta", csv[0]);
        Assert.Contains("labels,sentiment,positive,2,3,1", csv);
        Assert.Contains("labels,sentiment,negative,2,1,-1", csv);
        Assert.Contains("corrections,,rule,,2,", csv);
        Assert.Contains("corrections,,reviewer,,1,", csv);
        Assert.Contains("summary,,quality_score,1,1,0", csv);
        Assert.Equal(csv, await CsvAsync(manager, $"{url}/runs/{runId}/report", "text/csv"));
        var badFormat = await manager.Http.GetAsync($"{url}/runs/{runId}/report?format=xml");
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Contains("\"format\"", await badFormat.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The quality dashboard's KPIs: the latest run (none closed yet), its corrections and the score now.
        var managerActor = new Actor(manager.UserId, new HashSet<string> { Roles.Manager });
        var kpis = (await app.Service<CleansingReportService>().KpisAsync(managerActor, project.Id))!;
        Assert.Equal((runId, false, 3, 1.0, 1.0), (kpis.RunId, kpis.Closed, kpis.Corrections, kpis.QualityScoreBefore, kpis.QualityScoreAfter));

        // Closing freezes the after: answers given later do not move it, and closing again changes nothing.
        var closed = await manager.PostAsync<CleansingRunReport>($"{url}/runs/{runId}/close", new { });
        Assert.True(closed.AfterIsFrozen);
        Assert.NotNull(closed.Run.ClosedAt);
        await AnswerAsync(manager, annotator, project.Id, [("neutral", "late")]);
        var frozen = await manager.GetAsync<CleansingRunReport>($"{url}/runs/{runId}/report");
        Assert.Equal(4, frozen.After.Answers);
        Assert.Equal((0, 0), Count(frozen, "sentiment", "neutral"));
        var again = await manager.PostAsync<CleansingRunReport>($"{url}/runs/{runId}/close", new { });
        Assert.Equal(closed.Run.ClosedAt, again.Run.ClosedAt);
        Assert.Equal(4, again.After.Answers);

        // The runs list shows it; a run of another project or none at all is a 404; an annotator is refused.
        Assert.True((await app.Service<CleansingReportService>().KpisAsync(managerActor, project.Id))!.Closed);
        var runs = await app.Service<CleansingReportService>().RunsAsync(managerActor, project.Id);
        Assert.Equal(runId, runs.Single().Id);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"{url}/runs/{runId + 1000}/report")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.GetAsync($"{url}/runs/{runId}/report")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_run_still_working_cannot_be_closed(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "unfinished", overlap: 1);
        var run = await app.Service<CleansingRunLog>().StartAsync(project.Id, CleansingRunKind.LabelErrors, null, manager.UserId);
        Assert.NotNull(run.BeforeJson);

        var response = await manager.PostRawAsync($"/api/v1/projects/{project.Id}/cleansing/runs/{run.Id}/close", new { });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"run\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var report = await manager.GetAsync<CleansingRunReport>($"/api/v1/projects/{project.Id}/cleansing/runs/{run.Id}/report");
        Assert.False(report.AfterIsFrozen);
        Assert.Null(report.QualityScore.After);
        Assert.Equal(0, report.After.Answers);
    }

    private static (int Before, int After) Count(CleansingRunReport report, string field, string label)
    {
        var row = report.Labels.Single(l => l.Field == field && l.Label == label);
        return (row.Before, row.After);
    }

    private static async Task AnswerAsync(ApiClient manager, ApiClient annotator, Guid projectId, (string Sentiment, string Note)[] answers)
    {
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{projectId}/items", answers.Select(a => new { text = $"item {a.Note}" }).ToArray());
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        var queue = new Queue<(string Sentiment, string Note)>(answers);
        while (queue.Count > 0 && await annotator.Http.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            var (sentiment, note) = queue.Dequeue();
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", sentiment), ("note", note))));
        }
        Assert.Empty(queue);
    }

    /// <summary>Decides the run's one open finding as a reviewer writing another answer would.</summary>
    private static async Task CorrectAsync(LabelHubApp app, long runId, Guid reviewerId, string sentiment, string note)
    {
        await using var db = app.CreateDbContext();
        var finding = await db.CleansingFindings.SingleAsync(f => f.RunId == runId && f.State == FindingState.Open);
        var original = await db.Annotations.SingleAsync(a => a.Id == finding.AnnotationId && a.IsCurrent);
        original.IsCurrent = false;
        var corrected = new Annotation
        {
            ProjectId = original.ProjectId,
            ItemId = original.ItemId,
            AnnotatorId = original.AnnotatorId,
            AuthorId = reviewerId,
            Version = original.Version + 1,
            IsCurrent = true,
            Reason = AnnotationReason.Cleansing,
            Comment = finding.Reason,
            Values = new Dictionary<string, JsonElement>(original.Values)
            {
                ["sentiment"] = JsonSerializer.SerializeToElement(sentiment),
                ["note"] = JsonSerializer.SerializeToElement(note),
            },
            GuidelineVersion = original.GuidelineVersion,
            AssignmentId = original.AssignmentId,
            ReviewStatus = original.ReviewStatus,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Annotations.Add(corrected);
        await db.SaveChangesAsync();
        finding.State = FindingState.Corrected;
        finding.ResolvedById = reviewerId;
        finding.ResolvedAt = DateTimeOffset.UtcNow;
        finding.ResultAnnotationId = corrected.Id;
        await db.SaveChangesAsync();
    }

    private static async Task<string[]> CsvAsync(ApiClient client, string url, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }
        var response = await client.Http.SendAsync(request);
        await ApiClient.EnsureAsync(response);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        return text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
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
