using System.Net.Http.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The collect stage judges source balance per label on both databases: the largest share one source holds of a label
/// with at least 20 items, counted as the sources page counts it, turns the stage red above the target and names the
/// source, field and label; the project list (grouped queries only) does not read it.
/// </summary>
public sealed class CollectBalanceKpiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_source_dominating_a_label_turns_the_collect_stage_red_naming_source_field_and_label(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Dominated", overlap: 1);
        static string Lines(string prefix) => string.Concat(Enumerable.Range(0, 30).Select(n => $"{prefix} {n}\n"));
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "news.txt", Lines("news"))).Id)).State);
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "forum.txt", Lines("forum"))).Id)).State);

        // Nothing labeled yet: half the items from each source, and no label to judge.
        var collect = await CollectAsync(manager, project.Id);
        Assert.Equal(StageState.Done, collect.State);
        var kpi = collect.Kpis.Single(k => k.Key == "collect.largestLabelShare");
        Assert.Equal(((double?)null, KpiStatus.NoTarget, (string?)null), (kpi.Value, kpi.Status, kpi.Detail));

        // News: 24 positive, 6 negative. Forum: 2 positive, 25 negative, 3 neutral (all of neutral, but only 3 items).
        await using (var db = app.CreateDbContext())
        {
            var items = await db.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync();
            Assert.Equal(60, items.Count);
            string LabelOf(int n) => n < 30 ? (n < 24 ? "positive" : "negative") : (n < 32 ? "positive" : n < 57 ? "negative" : "neutral");
            db.Annotations.AddRange(items.Select((id, n) => new Annotation
            {
                ProjectId = project.Id,
                ItemId = id,
                AnnotatorId = manager.UserId,
                AuthorId = manager.UserId,
                Version = 1,
                IsCurrent = true,
                Values = Values(("sentiment", LabelOf(n))),
                CreatedAt = DateTimeOffset.UtcNow,
            }));
            await db.SaveChangesAsync();
        }
        collect = await CollectAsync(manager, project.Id);
        kpi = collect.Kpis.Single(k => k.Key == "collect.largestLabelShare");
        Assert.Equal((24 / 26.0, 0.8, KpiStatus.Missed, "sentiment"), (kpi.Value!.Value, kpi.Target, kpi.Status, kpi.Field));
        Assert.Equal("Source 'news.txt' holds 92 % of label 'positive' of sentiment (24 of 26).", kpi.Detail);
        Assert.Equal(StageState.NeedsAttention, collect.State);
        // The share of all items is still its own KPI, and fine.
        Assert.Equal((0.5, KpiStatus.NoTarget), collect.Kpis.Where(k => k.Key == "collect.largestSourceShare").Select(k => (k.Value!.Value, k.Status)).Single());

        // The list reads grouped counts only: it does not judge labels, so it is not red for it.
        var list = await manager.GetAsync<List<ProjectSummary>>("/api/v1/projects");
        Assert.NotEqual(ProjectHealth.Red, list.Single(p => p.Id == project.Id).Health);

        // A looser target: the same share is met.
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/plan",
            new PlanInput(new ProjectPlan(), new StageTargets { MaxSourceShare = 0.95 }), LabelHubApp.Json));
        collect = await CollectAsync(manager, project.Id);
        Assert.Equal((KpiStatus.Met, StageState.Done), (collect.Kpis.Single(k => k.Key == "collect.largestLabelShare").Status, collect.State));
    }

    private static async Task<StageOverview> CollectAsync(ApiClient manager, Guid projectId) =>
        (await manager.GetAsync<PipelineOverview>($"/api/v1/projects/{projectId}/pipeline"))[PipelineStage.Collect];
}
