using System.Net;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The data manager's "label of a field" filter reads item_labels: the rows follow answers submitted through the
/// labeling path (PostgreSQL's one-statement submit included), revisions, review fixes and rejections, and item
/// deletion; the migration's backfill SQL gives the same rows from the answers alone.
/// </summary>
public sealed class ItemLabelFilterTests
{
    public static TheoryData<string> Providers => TestDatabases.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task Label_filter_follows_submits_revisions_reviews_and_deletions_and_the_backfill_rebuilds_the_same_rows(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("labels-boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Labels", overlap: 2);
        var import = await manager.PostAsync<LabelHub.Domain.Jobs.JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "one" }, new { text = "two" } });
        await WaitForJobAsync(manager, import.Id);
        var url = $"/api/v1/projects/{project.Id}/items";
        async Task<List<long>> Matching(string field, string label) =>
            [.. (await manager.GetAsync<ItemPage>($"{url}?field={field}&label={Uri.EscapeDataString(label)}")).Items.Select(i => i.Id).Order()];

        // Each annotator answers both items: A positive with two topics and a note, B negative with no topic.
        var answers = new Dictionary<(string Who, long Item), long>();
        ApiClient? annotatorA = null;
        foreach (var (who, values) in new[]
        {
            ("a", Values(("sentiment", "positive"), ("topics", new[] { "price", "service" }), ("note", "looks fine"))),
            ("b", Values(("sentiment", "negative"), ("topics", Array.Empty<string>()))),
        })
        {
            var annotator = await app.CreateUserClientAsync($"labels-ann-{who}", Roles.Annotator);
            await AddMemberAsync(manager, project.Id, annotator.UserId);
            for (var n = 0; n < 2; n++)
            {
                var task = await annotator.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", new { });
                var submitted = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(values));
                answers[(who, task.ItemId)] = submitted.AnnotationId;
            }
            annotatorA ??= annotator;
        }
        var items = answers.Keys.Select(k => k.Item).Distinct().Order().ToList();
        Assert.Equal(2, items.Count);
        var (first, second) = (items[0], items[1]);
        Assert.Equal(items, await Matching("sentiment", "positive"));
        Assert.Equal(items, await Matching("sentiment", "negative"));
        Assert.Equal(items, await Matching("topics", "service"));
        Assert.Equal(items, await Matching("note", "looks fine"));
        Assert.Empty(await Matching("sentiment", "neutral"));
        Assert.Empty(await Matching("topics", "positive"));

        // A revises the first item's answer: its old labels leave the item, the new ones arrive.
        await ApiClient.EnsureAsync(await annotatorA!.PostRawAsync($"/api/v1/annotations/{answers[("a", first)]}/revise",
            new ReviseRequest(Values(("sentiment", "neutral"), ("topics", new[] { "quality" })))));
        Assert.Equal([second], await Matching("sentiment", "positive"));
        Assert.Equal([first], await Matching("sentiment", "neutral"));
        Assert.Equal([second], await Matching("topics", "price"));
        Assert.Equal([first], await Matching("topics", "quality"));
        Assert.Equal([second], await Matching("note", "looks fine"));

        // A reviewer fixes B's first answer to positive, and rejects B's second: a rejected answer stays current until
        // it is replaced, and the filter matches current answers, as it did when it read their JSON.
        await manager.PostAsync<ReviewResult>($"/api/v1/annotations/{answers[("b", first)]}/review",
            new ReviewRequest(ReviewDecision.FixedAndAccepted, "it is positive", Values(("sentiment", "positive"))));
        await manager.PostAsync<ReviewResult>($"/api/v1/annotations/{answers[("b", second)]}/review", new ReviewRequest(ReviewDecision.Rejected, "no"));
        Assert.Equal(items, await Matching("sentiment", "positive"));
        Assert.Equal([second], await Matching("sentiment", "negative"));

        // What the refreshes wrote is what the migration's backfill computes from the answers alone: clear the table,
        // leave a stale row, run the backfill.
        await using (var db = app.CreateDbContext())
        {
            var written = await Rows(db, project.Id);
            Assert.Contains((first, "topics", "quality"), written);
            Assert.DoesNotContain(written, r => r.Field == "topics" && r.Item == first && r.Label == "price");
            await db.ItemLabels.ExecuteDeleteAsync();
            db.ItemLabels.Add(new ItemLabel { ItemId = first, ProjectId = project.Id, Field = "sentiment", Label = "stale" });
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlRawAsync(ItemLabelRows.BackfillSql(db.Provider));
            Assert.Equal(written, await Rows(db, project.Id));
        }

        // Deleting an item takes its rows with it.
        await using (var db = app.CreateDbContext())
        {
            await db.Items.Where(i => i.Id == second).ExecuteDeleteAsync();
            Assert.False(await db.ItemLabels.AnyAsync(l => l.ItemId == second));
        }
        Assert.Equal([first], await Matching("sentiment", "positive"));
        Assert.Empty(await Matching("sentiment", "negative"));

        // A label longer than item_labels keeps is refused, naming the parameter.
        var response = await manager.Http.GetAsync($"{url}?field=note&label={new string('x', ItemLabel.MaxLabelLength + 1)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("label", out _));
    }

    private static async Task<List<(long Item, string Field, string Label)>> Rows(LabelHub.Domain.Data.LabelHubDbContext db, Guid projectId) =>
        [.. (await db.ItemLabels.AsNoTracking().Where(l => l.ProjectId == projectId).ToListAsync())
            .Select(l => (l.ItemId, l.Field, l.Label))
            .OrderBy(r => r.ItemId).ThenBy(r => r.Field, StringComparer.Ordinal).ThenBy(r => r.Label, StringComparer.Ordinal)];
}
