using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The data manager's columns live in item_stats, off the labeling path (ADR 0022, amendment): triggers add a row with
/// each item and queue the item when its answers, predictions or priority change; the refresh loop catches up on its own,
/// and a data manager read catches up its project first. items keeps no index on a column the data manager sorts by.
/// </summary>
public sealed class ItemStatsTests
{
    public static TheoryData<string> Providers => TestDatabases.Providers;

    // What a lease or submit writes; an index on any of these (besides the next-task index) costs every lease.
    private static readonly string[] DataManagerColumns = ["submitted_count", "agreement", "prediction_score", "search_text", "created_at", "source_id"];

    [Theory, MemberData(nameof(Providers))]
    public async Task Answers_predictions_and_priorities_reach_the_table_by_the_loop_and_before_any_read(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("stats-boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Stats", overlap: 2);
        var import = await manager.PostAsync<LabelHub.Domain.Jobs.JobRunInfo>(
            $"/api/v1/projects/{project.Id}/items?sourceName=Partner&sourceKind=Api", new[] { new { text = "one" }, new { text = "two" }, new { text = "three" } });
        await WaitForJobAsync(manager, import.Id);
        var url = $"/api/v1/projects/{project.Id}/items";

        // Every imported item has its row, with the values it was made with.
        await using (var db = app.CreateDbContext())
        {
            var items = await db.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).OrderBy(i => i.Id)
                .Select(i => new { i.Id, i.CreatedAt, i.SourceId }).ToListAsync();
            var stats = await db.ItemStats.AsNoTracking().Where(s => s.ProjectId == project.Id).OrderBy(s => s.ItemId)
                .Select(s => new { Id = s.ItemId, s.CreatedAt, s.SourceId }).ToListAsync();
            Assert.Equal(3, items.Count);
            Assert.NotNull(items[0].SourceId);
            Assert.Equal(items, stats);
        }

        // Two annotators give the same answer to one item and different answers to another.
        var answered = new List<long>();
        foreach (var (who, labels) in new[] { ("a", new[] { "positive", "positive" }), ("b", new[] { "positive", "negative" }) })
        {
            var annotator = await app.CreateUserClientAsync($"stats-{who}", Roles.Annotator);
            await AddMemberAsync(manager, project.Id, annotator.UserId);
            foreach (var label in labels)
            {
                var task = await annotator.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", new { });
                await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", label))));
                answered.Add(task.ItemId);
            }
        }
        var twice = answered.GroupBy(i => i).Where(g => g.Count() == 2).Select(g => g.Key).Order().ToList();
        Assert.Equal(2, twice.Count);

        // Nobody reads the table: the loop alone brings agreement, the submitted count and the labels up to date.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using var db = app.CreateDbContext();
            var queued = await db.ItemStatsQueue.CountAsync(c => c.ProjectId == project.Id);
            var agreements = await db.ItemStats.AsNoTracking().Where(s => twice.Contains(s.ItemId)).Select(s => s.Agreement).ToListAsync();
            if (queued == 0 && agreements.All(a => a is not null))
            {
                Assert.Equal([0.0, 1.0], agreements.Select(a => a!.Value).Order());
                Assert.Equal(2, await db.ItemStats.CountAsync(s => twice.Contains(s.ItemId) && s.SubmittedCount == 2));
                Assert.Equal(twice, [.. (await db.ItemLabels.Where(l => l.ProjectId == project.Id && l.Label == "positive").Select(l => l.ItemId).ToListAsync()).Order()]);
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The refresh loop left {queued} changes queued.");
            await Task.Delay(100);
        }

        // A priority written straight to the items (as a learning round does) and a new prediction are in the very next
        // read, sorted by them, whether or not the loop has run yet.
        var third = (await manager.GetAsync<ItemPage>($"{url}?status=unlabeled")).Items.Single().Id;
        await using (var db = app.CreateDbContext())
        {
            await db.Items.Where(i => i.Id == third).ExecuteUpdateAsync(s => s.SetProperty(i => i.Priority, 7.5));
            db.Predictions.Add(new Prediction { ProjectId = project.Id, ItemId = third, ModelVersion = "m1", Score = 0.25, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        var byPriority = await manager.GetAsync<ItemPage>($"{url}?sort=priority&order=desc&limit=1");
        Assert.Equal((third, 7.5), (byPriority.Items[0].Id, byPriority.Items[0].Priority));
        var scored = await manager.GetAsync<ItemPage>($"{url}?scoreMax=0.3");
        Assert.Equal([(third, (double?)0.25)], scored.Items.Select(i => (i.Id, i.PredictionScore)));

        // Deleting an item takes its row with it.
        await using (var db = app.CreateDbContext())
        {
            await db.Items.Where(i => i.Id == third).ExecuteDeleteAsync();
            Assert.False(await db.ItemStats.AnyAsync(s => s.ItemId == third));
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Items_keep_no_index_on_a_column_only_the_data_manager_reads(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        await using var db = app.CreateDbContext();
        var sql = db.Provider == DatabaseProvider.Postgres
            ? """
              SELECT a.attname AS "Value" FROM pg_index x
              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey)
              WHERE x.indrelid = 'items'::regclass
              """
            : "SELECT ii.name AS \"Value\" FROM pragma_index_list('items') il, pragma_index_info(il.name) ii";
        var indexed = await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
        Assert.Contains("taken_slots", indexed);
        // SQLite writes only the indexes of the columns an UPDATE changes, so there the foreign key's index on source_id
        // (which never changes) costs a lease nothing.
        var costly = db.Provider == DatabaseProvider.Postgres ? DataManagerColumns : [.. DataManagerColumns.Except(["source_id"])];
        Assert.Empty(indexed.Intersect(costly));
    }
}
