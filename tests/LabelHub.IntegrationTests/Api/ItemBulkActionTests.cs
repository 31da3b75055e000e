using System.Net;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The data manager's bulk actions (issue 17) through the API, on both databases.</summary>
public sealed class ItemBulkActionTests
{
    /// <summary>
    /// Five items, overlap 2: "one" answered negative by both, "two" negative and positive, "three" by A alone, "four"
    /// leased by B and not submitted, "five" untouched.
    /// </summary>
    private sealed record World(LabelHubApp App, ApiClient Manager, ApiClient AnnotatorB, Guid ProjectId, long[] Ids, long FourAssignmentId)
    {
        public string P => $"/api/v1/projects/{ProjectId}";

        public async Task<BulkActionResult> ActAsync(string action, object body) =>
            await Manager.PostAsync<BulkActionResult>($"{P}/items/actions/{action}", body);
    }

    private static async Task<World> SetUpAsync(string provider)
    {
        var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var a = await app.CreateUserClientAsync("ann-a", Roles.Annotator);
        var b = await app.CreateUserClientAsync("ann-b", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Bulk", overlap: 2);
        await AddMemberAsync(manager, project.Id, a.UserId);
        await AddMemberAsync(manager, project.Id, b.UserId);
        var import = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items",
            new[] { new { text = "one" }, new { text = "two" }, new { text = "three" }, new { text = "four" }, new { text = "five" } })).Id);
        Assert.Equal(JobState.Succeeded, import.State);
        var ids = (await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items.Select(i => i.Id).ToArray();
        async Task<LabelingTask> AnswerAsync(ApiClient annotator, long expected, string sentiment)
        {
            var task = await annotator.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
            Assert.Equal(expected, task.ItemId);
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", sentiment)), 500));
            return task;
        }
        await AnswerAsync(a, ids[0], "negative");
        await AnswerAsync(b, ids[0], "negative");
        await AnswerAsync(a, ids[1], "negative");
        await AnswerAsync(b, ids[1], "positive");
        await AnswerAsync(a, ids[2], "neutral");
        // B's next task is "three" (fullest open item); the one after it, "four", B holds without answering.
        await AnswerAsync(b, ids[2], "neutral");
        var four = await b.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(ids[3], four.ItemId);
        return new World(app, manager, b, project.Id, ids, four.AssignmentId);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Priority_review_and_gold_change_what_they_can_and_say_why_they_skipped_the_rest(string provider)
    {
        var w = await SetUpAsync(provider);
        await using var app = w.App;
        var ids = w.Ids;

        var priority = await w.ActAsync("priority", new SetPriorityRequest([ids[0], ids[4], 987_654_321], Priority: 7.5));
        Assert.Equal((3, 2, false), (priority.Selected, priority.Changed, priority.Capped));
        var notFound = Assert.Single(priority.Skipped);
        Assert.Equal((BulkSkipReason.NotFound, 1), (notFound.Reason, notFound.Count));
        Assert.Equal([987_654_321L], notFound.FirstIds);
        await using (var db = app.CreateDbContext())
        {
            var priorities = await db.Items.Where(i => i.ProjectId == w.ProjectId).OrderBy(i => i.Id).Select(i => i.Priority).ToListAsync();
            Assert.Equal([7.5, 0, 0, 0, 7.5], priorities);
        }

        // "one" is unanimous, so a reviewer's bulk accept accepts both its answers; then it goes back to review.
        var accepted = await w.Manager.PostAsync<AcceptUnanimousResult>($"{w.P}/reviews/accept-unanimous", new AcceptUnanimousRequest());
        Assert.True(accepted.Items >= 1);
        var review = await w.ActAsync("review", new ItemSelectionRequest([ids[0], ids[1], ids[4]]));
        Assert.Equal(1, review.Changed);
        Assert.Equal([(BulkSkipReason.NoAnswers, ids[4]), (BulkSkipReason.AlreadyInReview, ids[1])], review.Skipped.Select(s => (s.Reason, Assert.Single(s.FirstIds))));
        await using (var db = app.CreateDbContext())
        {
            var statuses = await db.Annotations.Where(a => a.ItemId == ids[0] && a.IsCurrent).Select(a => a.ReviewStatus).ToListAsync();
            Assert.Equal([ReviewStatus.Unreviewed, ReviewStatus.Unreviewed], statuses);
        }

        // Gold by a filter (every item): "one" and "three" have a final answer; "two" disagrees; "four" and "five" have none.
        var gold = await w.ActAsync("gold", new SetGoldRequest(Filter: new ItemFilter()));
        Assert.Equal((5, 2), (gold.Selected, gold.Changed));
        var noFinal = Assert.Single(gold.Skipped);
        Assert.Equal((BulkSkipReason.NoFinalAnswer, 3), (noFinal.Reason, noFinal.Count));
        Assert.Equal([ids[1], ids[3], ids[4]], noFinal.FirstIds);
        await using (var db = app.CreateDbContext())
        {
            var one = await db.Items.SingleAsync(i => i.Id == ids[0]);
            Assert.True(one.IsGold);
            Assert.Equal("negative", one.GoldAnswer["sentiment"].GetString());
        }
        var again = await w.ActAsync("gold", new SetGoldRequest([ids[0]]));
        Assert.Equal((0, BulkSkipReason.AlreadyGold), (again.Changed, Assert.Single(again.Skipped).Reason));
        var unmark = await w.ActAsync("gold", new SetGoldRequest([ids[0], ids[4]], Gold: false));
        Assert.Equal((1, BulkSkipReason.NotGold), (unmark.Changed, Assert.Single(unmark.Skipped).Reason));
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal([ids[2]], await db.Items.Where(i => i.ProjectId == w.ProjectId && i.IsGold).Select(i => i.Id).ToListAsync());
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Delete_needs_the_count_typed_refuses_released_items_and_ends_live_leases(string provider)
    {
        var w = await SetUpAsync(provider);
        await using var app = w.App;
        var ids = w.Ids;
        await using (var db = app.CreateDbContext())
        {
            // A release holding "two" (only the rows the refusal reads).
            var release = new Release { ProjectId = w.ProjectId, Number = 1, State = ReleaseState.Ready, CreatedById = w.Manager.UserId, CreatedAt = DateTimeOffset.UtcNow };
            db.Releases.Add(release);
            await db.SaveChangesAsync();
            db.ReleaseItems.Add(new ReleaseItem { ReleaseId = release.Id, ItemId = ids[1], ContentHash = "x" });
            await db.SaveChangesAsync();
        }

        var wrong = await w.Manager.PostRawAsync($"{w.P}/items/actions/delete", new DeleteItemsRequest(Filter: new ItemFilter(), ConfirmCount: 4));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var problem = JsonDocument.Parse(await wrong.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("confirmCount", out _), problem.ToString());
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(5, await db.Items.CountAsync(i => i.ProjectId == w.ProjectId));
        }

        var deleted = await w.ActAsync("delete", new DeleteItemsRequest(Filter: new ItemFilter(), ConfirmCount: 5));
        Assert.Equal((5, 4), (deleted.Selected, deleted.Changed));
        var held = Assert.Single(deleted.Skipped);
        Assert.Equal(BulkSkipReason.InRelease, held.Reason);
        Assert.Equal([ids[1]], held.FirstIds);
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal([ids[1]], await db.Items.Where(i => i.ProjectId == w.ProjectId).Select(i => i.Id).ToListAsync());
            // The deleted items' answers and tasks went with them; "two" keeps its own.
            Assert.Equal(2, await db.Annotations.CountAsync(a => a.ProjectId == w.ProjectId));
            Assert.False(await db.Assignments.AnyAsync(a => a.Id == w.FourAssignmentId));
        }
        // B's live lease on "four" ended: submitting it now fails instead of writing an answer to a deleted item.
        var late = await w.AnnotatorB.PostRawAsync($"/api/v1/tasks/{w.FourAssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive"))));
        Assert.False(late.IsSuccessStatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_failing_batch_writes_nothing(string provider)
    {
        var w = await SetUpAsync(provider);
        await using var app = w.App;
        var ids = w.Ids;
        // The database refuses to delete "five", as a crash mid-batch would stop it.
        await using (var db = app.CreateDbContext())
        {
            if (app.Database.Provider == DatabaseProvider.Postgres)
            {
                await db.Database.ExecuteSqlRawAsync(
                    "CREATE FUNCTION refuse_delete() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END; $$ LANGUAGE plpgsql;");
                var trigger = "CREATE TRIGGER refuse BEFORE DELETE ON items FOR EACH ROW WHEN (OLD.id = " + ids[4].ToString(System.Globalization.CultureInfo.InvariantCulture) + ") EXECUTE FUNCTION refuse_delete();";
                await db.Database.ExecuteSqlRawAsync(trigger);
            }
            else
            {
                var trigger = "CREATE TRIGGER refuse BEFORE DELETE ON items WHEN OLD.id = " + ids[4].ToString(System.Globalization.CultureInfo.InvariantCulture) + " BEGIN SELECT RAISE(ABORT, 'refused'); END;";
                await db.Database.ExecuteSqlRawAsync(trigger);
            }
        }
        var actions = app.Service<ItemBulkActions>();
        await Assert.ThrowsAnyAsync<Exception>(() => actions.DeleteAsync(app.Admin, w.ProjectId, new ItemSelection([ids[0], ids[3], ids[4]]), 3));
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(5, await db.Items.CountAsync(i => i.ProjectId == w.ProjectId));
            Assert.Equal(6, await db.Annotations.CountAsync(a => a.ProjectId == w.ProjectId));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_selection_exports_with_its_answers_and_bad_input_names_the_field(string provider)
    {
        var w = await SetUpAsync(provider);
        await using var app = w.App;
        var ids = w.Ids;

        var jsonl = await w.Manager.Http.PostAsync($"{w.P}/items/export?format=jsonl",
            new StringContent(JsonSerializer.Serialize(new { ids = new[] { ids[2], ids[0] } }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, jsonl.StatusCode);
        var lines = (await jsonl.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([ids[0], ids[2]], lines.Select(l => l.GetProperty("item_id").GetInt64()));
        Assert.Equal(2, lines[0].GetProperty("annotations").GetArrayLength());
        Assert.Equal("neutral", lines[1].GetProperty("final").GetProperty("sentiment").GetString());

        // By filter in the query: the search finds "three" only.
        await using (var db = app.CreateDbContext())
        {
            // The search text as an import writes it (ItemSearchText), in case this import path does not yet.
            await db.Items.Where(i => i.Id == ids[2]).ExecuteUpdateAsync(s => s.SetProperty(i => i.SearchText, "three"));
        }
        var csv = await w.Manager.Http.GetStringAsync($"{w.P}/items/export?format=csv&q=three");
        var rows = csv.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("item_id,", rows[0], StringComparison.Ordinal);
        Assert.Equal(3, rows.Length);
        Assert.All(rows.Skip(1), r => Assert.StartsWith(ids[2].ToString(System.Globalization.CultureInfo.InvariantCulture) + ",", r, StringComparison.Ordinal));

        async Task AssertNamesAsync(HttpResponseMessage response, string field)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        await AssertNamesAsync(await w.Manager.PostRawAsync($"{w.P}/items/actions/priority", new SetPriorityRequest([ids[0]])), "priority");
        await AssertNamesAsync(await w.Manager.PostRawAsync($"{w.P}/items/actions/review", new ItemSelectionRequest([ids[0]], new ItemFilter())), "ids");
        await AssertNamesAsync(await w.Manager.PostRawAsync($"{w.P}/items/actions/review", new ItemSelectionRequest([])), "ids");
        await AssertNamesAsync(await w.Manager.Http.GetAsync($"{w.P}/items/export?format=xml&ids=1"), "format");
        await AssertNamesAsync(await w.Manager.Http.GetAsync($"{w.P}/items/export?gold=maybe"), "gold");
        await AssertNamesAsync(await w.Manager.Http.GetAsync($"{w.P}/items/export?ids=1,x"), "ids");
    }
}
