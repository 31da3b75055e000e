using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The spec sheet, its estimate against measured answers, skips and rejections, and the pipeline overview — on both databases.</summary>
public sealed class PlanApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_estimate_is_redone_at_the_measured_pace_with_skips_and_rejections_and_the_overview_follows_the_work(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var ann = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Reviews", overlap: 1);
        var empty = await CreateProjectAsync(manager, "Empty", overlap: 1);
        await AddMemberAsync(manager, project.Id, ann.UserId);
        // Two sources of three items each: neither holds more than the 0.7 the targets below allow.
        foreach (var (source, first) in new[] { ("Shop", 1), ("Partner", 4) })
        {
            var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items?sourceName={source}",
                Enumerable.Range(first, 3).Select(i => new { text = $"review {i}" }).ToArray());
            Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        }

        var plan = new ProjectPlan
        {
            Purpose = "Train a sentiment classifier",
            TargetItems = 6,
            SecondsPerLabel = 10,
            Annotators = 1,
            HoursPerDay = 8,
            CostPerHour = 36,
            Budget = 1,
            Currency = "krw",
            StartDate = new DateOnly(2026, 12, 7),
        };
        var saved = await PutAsync<PlanView>(manager, $"/api/v1/projects/{project.Id}/plan", new PlanInput(plan, new StageTargets { MaxSourceShare = 0.7 }));
        Assert.Equal("KRW", saved.Plan.Currency);
        Assert.Equal(0.7, saved.Targets.MaxSourceShare);

        // Before any answer: the plan alone. 6 labels × 10 s = 1/60 h × 36 = 0.60: 0.40 within the budget of 1.
        var before = await manager.GetAsync<PlanForecast>($"/api/v1/projects/{project.Id}/plan/estimate");
        Assert.Empty(before.Plan.Missing);
        Assert.Equal(6, before.Plan.Labels);
        Assert.Equal(0.60m, before.Plan.Cost);
        Assert.Equal(-0.40m, before.Plan.OverBudget);
        Assert.Null(before.Remaining);

        // Four answers: three of 20 s and one left open for an hour (over 10 × the 20 s median: dropped), then one skip.
        var answers = new List<long>();
        foreach (var duration in new[] { 20_000, 20_000, 3_600_000, 20_000 })
        {
            var task = await ann.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
            answers.Add((await ann.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive")), duration))).AnnotationId);
        }
        var skipped = await ann.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        await ApiClient.EnsureAsync(await ann.Http.PostAsync($"/api/v1/tasks/{skipped.AssignmentId}/skip", null));
        // One answer rejected (its slot goes back to the pool), one accepted: a rejection rate of 1/2.
        await ApiClient.EnsureAsync(await manager.PostRawAsync($"/api/v1/annotations/{answers[0]}/review", new ReviewRequest(ReviewDecision.Rejected, "Wrong sentiment")));
        await ApiClient.EnsureAsync(await manager.PostRawAsync($"/api/v1/annotations/{answers[1]}/review", new ReviewRequest(ReviewDecision.Accepted)));

        var forecast = await manager.GetAsync<PlanForecast>($"/api/v1/projects/{project.Id}/plan/estimate");
        var measured = forecast.Measured;
        Assert.Equal(3, measured.LabelsDone);
        Assert.Equal(4, measured.TimedAnswers);
        Assert.Equal(20, measured.SecondsPerLabel!.Value, 6);
        Assert.Equal((1, 5), (measured.Skips, measured.HandedOut));
        Assert.Equal((2, 1), (measured.Reviewed, measured.Rejected));
        Assert.Equal(1, measured.ActiveAnnotators);
        Assert.NotNull(measured.SecondsPerSkip);
        // Effective: 20 s × (1 + 1/2) + 1 skip per 4 answers × the measured seconds per skip.
        var effective = (20 * 1.5) + (0.25 * measured.SecondsPerSkip!.Value);
        Assert.Equal(effective, measured.EffectiveSecondsPerLabel!.Value, 6);
        Assert.Equal(3, forecast.Remaining!.Labels);
        Assert.Equal(3 * effective / 3600, forecast.Remaining.AnnotatorHours!.Value, 6);
        Assert.Equal((6 * effective / 3600) - (6 * 10 / 3600.0), forecast.HoursGap!.Value, 6);
        Assert.True(forecast.CostGap > 0);
        Assert.NotNull(forecast.Sentence);
        Assert.Contains("at the measured 180 labels/hour/annotator.", forecast.Sentence, StringComparison.Ordinal);

        var pipeline = await manager.GetAsync<PipelineOverview>($"/api/v1/projects/{project.Id}/pipeline");
        Assert.Equal(StageState.Done, pipeline[PipelineStage.Plan].State);
        Assert.Equal(StageState.Done, pipeline[PipelineStage.Collect].State);
        Assert.Equal(StageState.InProgress, pipeline[PipelineStage.Label].State);
        Assert.Equal(StageState.NotStarted, pipeline[PipelineStage.Cleanse].State);
        Assert.Equal(new NextAction("Run cleansing", $"/projects/{project.Id}/cleansing"), pipeline[PipelineStage.Cleanse].Next);
        Assert.Equal(PipelineStage.Label, pipeline.CurrentStage);
        Assert.Equal(ProjectHealth.Green, pipeline.Health);
        Assert.Equal(0.5, pipeline[PipelineStage.Collect].Kpis.Single(k => k.Key == "collect.largestSourceShare").Value);
        var completed = pipeline[PipelineStage.Label].Kpis.Single(k => k.Key == "label.completed");
        Assert.Equal((3.0, 6.0), (completed.Value, completed.Target));

        // The list carries each project's stage and health.
        var list = await manager.GetAsync<List<ProjectSummary>>("/api/v1/projects");
        Assert.Equal((PipelineStage.Plan, ProjectHealth.Green), list.Where(p => p.Id == empty.Id).Select(p => (p.Stage, p.Health)).Single());
        Assert.Equal((PipelineStage.Label, ProjectHealth.Green), list.Where(p => p.Id == project.Id).Select(p => (p.Stage, p.Health)).Single());

        // Annotators see neither costs nor the overview.
        Assert.Equal(HttpStatusCode.Forbidden, (await ann.Http.GetAsync($"/api/v1/projects/{project.Id}/plan/estimate")).StatusCode);
    }

    [Fact]
    public async Task Bad_figures_are_refused_naming_each_field_in_both_languages_and_nothing_is_written()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Plan", overlap: 1);
        await PutAsync<PlanView>(manager, $"/api/v1/projects/{project.Id}/plan", new PlanInput(new ProjectPlan { TargetItems = 500 }));

        var bad = new PlanInput(
            new ProjectPlan { TargetItems = -5, SecondsPerLabel = 0, Annotators = 0, HoursPerDay = 30, CostPerHour = -1, Budget = -10, Currency = "dollars", StartDate = new DateOnly(1990, 1, 1) },
            new StageTargets { MaxSourceShare = 1.5, MinQualityScore = -0.1 },
            new QualitySettings { AgreementTarget = 2 },
            Overlap: 0);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/projects/{project.Id}/plan") { Content = JsonContent.Create(bad, options: LabelHubApp.Json) };
        request.Headers.AcceptLanguage.ParseAdd("ko-KR");
        using var response = await manager.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Equal(
            ["overlap", "plan.annotators", "plan.budget", "plan.costPerHour", "plan.currency", "plan.hoursPerDay", "plan.secondsPerLabel", "plan.startDate", "plan.targetItems",
                "quality.agreementTarget", "targets.maxSourceShare", "targets.minQualityScore"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("작업자 수는 1에서 100,000 사이여야 합니다.", errors.GetProperty("plan.annotators")[0].GetString());

        var unchanged = await manager.GetAsync<PlanView>($"/api/v1/projects/{project.Id}/plan");
        Assert.Equal(500, unchanged.Plan.TargetItems);
        Assert.Null(unchanged.Plan.SecondsPerLabel);
        Assert.Equal(1, unchanged.Overlap);
    }

    private static async Task<T> PutAsync<T>(ApiClient client, string url, object body)
    {
        var response = await client.Http.PutAsJsonAsync(url, body, LabelHubApp.Json);
        await ApiClient.EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<T>(LabelHubApp.Json))!;
    }
}
