using System.Net;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Quality;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The whole thin path through the product, over the REST API, on both databases.</summary>
public sealed class FoundationFlowTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Admin_sets_up_manager_imports_annotators_label_and_manager_exports(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();

        // Admin creates the team through the API.
        var created = await admin.PostAsync<CreatedUser>("/api/v1/users", new NewUser("mina", "Mina Park", "mina@example.com", [Roles.Manager]));
        Assert.NotNull(created.GeneratedPassword);
        Assert.Equal([Roles.Manager], created.User.Roles);
        var manager = await app.ClientForAsync(created.User.Id);
        var ann1 = await app.CreateUserClientAsync("ann1", Roles.Annotator);
        var ann2 = await app.CreateUserClientAsync("ann2", Roles.Annotator);

        var project = await CreateProjectAsync(manager, "Reviews", overlap: 2);
        await AddMemberAsync(manager, project.Id, ann1.UserId);
        await AddMemberAsync(manager, project.Id, ann2.UserId);

        // Every guideline save is a new version.
        await admin.PostAsync<GuidelineView>($"/api/v1/projects/{project.Id}/guideline", new GuidelineRequest("# Sentiment\nPick **one**.", "first"));
        var v2 = await admin.PostAsync<GuidelineView>($"/api/v1/projects/{project.Id}/guideline", new GuidelineRequest("# Sentiment\nPick **one**. <script>alert(1)</script>", "clarify"));
        Assert.Equal(2, v2.Version);
        Assert.DoesNotContain("<script", v2.Html, StringComparison.OrdinalIgnoreCase);
        var history = await ann1.GetAsync<List<GuidelineVersionInfo>>($"/api/v1/projects/{project.Id}/guideline/versions");
        Assert.Equal([2, 1], history.Select(h => h.Version));

        // Import: a CSV with a quoted comma, a TSV, and a duplicate row that is skipped.
        var import = await UploadAsync(manager, project.Id, "reviews.csv", "text,source\n\"Great, fast delivery\",web\nToo expensive,app\nOkay I guess,web\nToo expensive,app\n");
        var finished = await WaitForJobAsync(manager, import.Id);
        Assert.Equal(JobState.Succeeded, finished.State);
        // API clients read these exact names; the other outcome's members are left out, not null.
        Assert.Equal(["duplicateLines", "duplicates", "duplicatesSkipped", "imported"], PropertyNames(finished.Result));
        var summary = CollectionJobs.Import.ReadResult(finished)!;
        Assert.Equal(3, summary.Imported);
        Assert.Equal([5], summary.DuplicateLines);
        var items = await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items");
        Assert.Equal(["Great, fast delivery", "Too expensive", "Okay I guess"], items.Items.Select(i => i.Data["text"].GetString()));

        // Both annotators label every item; nobody gets an item twice.
        foreach (var annotator in new[] { ann1, ann2 })
        {
            // The guideline in force is acknowledged before the first task.
            await ApiClient.EnsureAsync(await annotator.PostRawAsync($"/api/v1/projects/{project.Id}/guideline/acknowledge", new AcknowledgeRequest(2)));
            var seen = new HashSet<long>();
            while (true)
            {
                var response = await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    break;
                }
                await ApiClient.EnsureAsync(response);
                var task = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<LabelingTask>(response.Content, LabelHubApp.Json))!;
                Assert.True(seen.Add(task.ItemId), "the same item came back to the same annotator");
                var result = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                    new SubmitRequest(Values(("sentiment", "positive"), ("topics", new[] { "service" })), 1200, 2));
                Assert.False(result.AlreadySubmitted);
            }
            Assert.Equal(3, seen.Count);
        }

        var progress = await manager.GetAsync<ProjectProgress>($"/api/v1/projects/{project.Id}/progress");
        Assert.Equal(3, progress.TotalItems);
        Assert.Equal(3, progress.CompletedItems);
        Assert.Equal(6, progress.Annotations);
        Assert.Equal(new[] { 3, 3 }, progress.Annotators.Select(a => a.Annotations));
        Assert.Equal(1.0, progress.Fraction);

        // Exports as jobs, then downloads.
        var jsonlJob = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/exports", new { format = "jsonl" })).Id);
        Assert.Equal(JobState.Succeeded, jsonlJob.State);
        Assert.Equal(["fileId", "fileName", "items"], PropertyNames(jsonlJob.Result));
        var jsonlFile = JsonSerializer.Deserialize<JsonElement>(jsonlJob.Result!).GetProperty("fileId").GetGuid();
        var jsonl = await manager.Http.GetStringAsync($"/api/v1/files/{jsonlFile}");
        var rows = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(2, r.GetProperty("annotations").GetArrayLength()));
        Assert.Equal("positive", rows[0].GetProperty("annotations")[0].GetProperty("values").GetProperty("sentiment").GetString());

        var csvJob = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/exports", new { format = "csv" })).Id);
        var csvFile = JsonSerializer.Deserialize<JsonElement>(csvJob.Result!).GetProperty("fileId").GetGuid();
        var csvBytes = await manager.Http.GetByteArrayAsync($"/api/v1/files/{csvFile}");
        // UTF-8 with its byte-order mark by default, so Excel reads the text right.
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csvBytes[..3]);
        var csv = System.Text.Encoding.UTF8.GetString(csvBytes[3..]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("item_id,data.text,data.source,annotator,version,created_at,duration_ms,review_status,sentiment,topics,note,final.sentiment,final.topics,final.note", csv[0]);
        Assert.Equal(7, csv.Length);
        Assert.Contains(csv, line => line.Contains("\"Great, fast delivery\",web,ann1,1,", StringComparison.Ordinal)
            && line.EndsWith(",1200,Unreviewed,positive,service,,positive,service,", StringComparison.Ordinal));

        // Job history lists all three jobs, newest first.
        var jobs = await manager.GetAsync<List<JobRunInfo>>($"/api/v1/projects/{project.Id}/jobs");
        Assert.Equal(["export", "export", "import"], jobs.Select(j => j.Kind));

        // Nothing about annotation versions was lost on the way.
        await using var db = app.CreateDbContext();
        Assert.Equal(6, await db.Annotations.CountAsync(a => a.ProjectId == project.Id && a.IsCurrent && a.GuidelineVersion == 2));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_bad_file_is_rejected_with_every_bad_line_and_stores_nothing(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Bad file", overlap: 1);

        var job = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "items.csv", "text,lang\nfine,en\nmissing a field\nalso fine,ko\n\"unterminated,en\n")).Id);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("nothing was imported", job.ResultSummary);
        Assert.Equal(["errors", "totalErrors"], PropertyNames(job.Result));
        var errors = CollectionJobs.Import.ReadResult(job)!;
        Assert.Equal([3, 5], errors.Errors!.Select(e => e.Line));
        await using var db = app.CreateDbContext();
        Assert.Equal(0, await db.Items.CountAsync(i => i.ProjectId == project.Id));

        // The same goes for JSON items sent through the API.
        var apiJob = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items",
            new object[] { new { text = "ok" }, 42, new { text = "ok too" } })).Id);
        Assert.Equal(JobState.Failed, apiJob.State);
        Assert.Equal(2, CollectionJobs.Import.ReadResult(apiJob)!.Errors!.Single().Line);
        Assert.Equal(0, await db.Items.CountAsync(i => i.ProjectId == project.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submits_are_validated_idempotent_and_versioned(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Submits", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "one" } })).Id);

        var task = await annotator.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        // Asking again returns the task already reserved, not a new one.
        Assert.Equal(task.AssignmentId, (await annotator.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null)).AssignmentId);

        var invalid = await annotator.PostRawAsync($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "furious"), ("colour", "red"))));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not one of the labels", problem.GetProperty("errors").GetProperty("values.sentiment")[0].GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("values.colour", out _));

        var first = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "neutral"))));
        var again = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "neutral"))));
        Assert.True(again.AlreadySubmitted);
        Assert.Equal(first.AnnotationId, again.AnnotationId);
        var edit = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "negative"))));
        Assert.Equal(2, edit.Version);

        await using var db = app.CreateDbContext();
        var versions = await db.Annotations.Where(a => a.ProjectId == project.Id).OrderBy(a => a.Version).ToListAsync();
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal([false, true], versions.Select(v => v.IsCurrent));
        Assert.Equal("neutral", versions[0].Values["sentiment"].GetString());
        Assert.Equal(1, (await db.Items.SingleAsync(i => i.ProjectId == project.Id)).SubmittedCount);

        // Someone else's task is invisible.
        var other = await app.CreateUserClientAsync("other", Roles.Annotator);
        var stolen = await other.PostRawAsync($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "neutral"))));
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task An_expired_lease_returns_its_slot_and_a_skip_frees_it_for_others(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var a = await app.CreateUserClientAsync("ann-a", Roles.Annotator);
        var b = await app.CreateUserClientAsync("ann-b", Roles.Annotator);
        var c = await app.CreateUserClientAsync("ann-c", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Leases", overlap: 1, leaseMinutes: 1);
        foreach (var user in new[] { a, b, c })
        {
            await AddMemberAsync(manager, project.Id, user.UserId);
        }
        await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "only item" } })).Id);

        var taskA = await a.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(HttpStatusCode.NoContent, (await b.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).StatusCode);

        // A's lease runs out: the slot goes back and B gets the item.
        await using (var db = app.CreateDbContext())
        {
            var past = DateTimeOffset.UtcNow.AddMinutes(-5);
            await db.Assignments.Where(x => x.Id == taskA.AssignmentId).ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseExpiresAt, past));
        }
        var taskB = await b.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(taskA.ItemId, taskB.ItemId);

        // A's late submit is refused with a clear conflict, and nothing is stored for A.
        var late = await a.PostRawAsync($"/api/v1/tasks/{taskA.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "neutral"))));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("expired", await late.Content.ReadAsStringAsync());

        // B skips: C may now take it, and B will not be offered it again.
        Assert.Equal(HttpStatusCode.NoContent, (await b.Http.PostAsync($"/api/v1/tasks/{taskB.AssignmentId}/skip", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await b.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).StatusCode);
        var taskC = await c.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(taskA.ItemId, taskC.ItemId);
        await using var check = app.CreateDbContext();
        Assert.Equal(1, (await check.Items.SingleAsync(i => i.ProjectId == project.Id)).TakenSlots);
        Assert.Equal(0, await check.Annotations.CountAsync(x => x.ProjectId == project.Id));
    }

    /// <summary>A job result's top-level property names, sorted (PostgreSQL's jsonb keeps its own key order).</summary>
    private static List<string> PropertyNames(string? json) =>
        [.. JsonDocument.Parse(json!).RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_reclaim_job_frees_every_expired_lease_once_and_the_row_is_leased_again(string provider)
    {
        // No job server: the minutely reclaim job must not run behind the test's back.
        await using var app = await LabelHubApp.StartAsync(await TestDatabases.CreateAsync(provider), runJobServer: false);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var a = await app.CreateUserClientAsync("ann-a", Roles.Annotator);
        var b = await app.CreateUserClientAsync("ann-b", Roles.Annotator);
        var many = await CreateProjectAsync(manager, "Many leases", overlap: 1);
        var pair = await CreateProjectAsync(manager, "Two per item", overlap: 2);
        await AddMemberAsync(manager, many.Id, a.UserId);

        // More expired leases than one batch of 200, in two projects, beside a live lease and a submission.
        const int expiredInMany = 205;
        var now = DateTimeOffset.UtcNow;
        var items = Enumerable.Range(0, expiredInMany + 1).Select(n => NewItem(many.Id, $"item {n}", takenSlots: 1)).ToList();
        var pairItem = NewItem(pair.Id, "pair item", takenSlots: 2);
        pairItem.SubmittedCount = 1;
        List<Assignment> expired;
        Assignment live, submitted;
        await using (var db = app.CreateDbContext())
        {
            db.Items.AddRange([.. items, pairItem]);
            await db.SaveChangesAsync();
            expired = [.. items.Take(expiredInMany).Select(i => Lease(i, a.UserId, now.AddMinutes(-5))), Lease(pairItem, b.UserId, now.AddSeconds(-1))];
            live = Lease(items[^1], b.UserId, now.AddMinutes(25));
            submitted = Lease(pairItem, a.UserId, now.AddMinutes(-5));
            submitted.State = AssignmentState.Submitted;
            db.Assignments.AddRange([.. expired, live, submitted]);
            await db.SaveChangesAsync();
        }

        // One call frees one batch, whatever plan the database picks (on PostgreSQL an IN (…) subquery with LIMIT once
        // took all 206); the job comes back for the rest.
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(200, await TaskDistributor.ReclaimExpiredAsync(db, null, DateTimeOffset.UtcNow, CancellationToken.None));
        }
        var distributor = app.Service<TaskDistributor>();
        Assert.Equal(expired.Count - 200, await distributor.ReclaimAllExpiredAsync());
        Assert.Equal(0, await distributor.ReclaimAllExpiredAsync());

        await using (var db = app.CreateDbContext())
        {
            var states = await db.Assignments.ToDictionaryAsync(x => x.Id, x => (x.State, x.CompletedAt));
            Assert.All(expired, x => Assert.Equal(AssignmentState.Expired, states[x.Id].State));
            Assert.All(expired, x => Assert.NotNull(states[x.Id].CompletedAt));
            Assert.Equal(AssignmentState.Leased, states[live.Id].State);
            Assert.Equal(AssignmentState.Submitted, states[submitted.Id].State);
            var slots = await db.Items.ToDictionaryAsync(i => i.Id, i => (i.TakenSlots, i.SubmittedCount));
            Assert.All(items.Take(expiredInMany), i => Assert.Equal((0, 0), slots[i.Id]));
            Assert.Equal((1, 0), slots[items[^1].Id]);
            Assert.Equal((1, 1), slots[pairItem.Id]);
        }

        // A's expired row is taken up again, not duplicated, and takes the slot again.
        var again = (await distributor.NextAsync(new Actor(a.UserId, new HashSet<string> { Roles.Annotator }), many.Id))!;
        Assert.Equal((items[0].Id, expired[0].Id), (again.ItemId, again.AssignmentId));
        await using var check = app.CreateDbContext();
        Assert.Equal(1, (await check.Items.SingleAsync(i => i.Id == items[0].Id)).TakenSlots);
        Assert.Equal(AssignmentState.Leased, (await check.Assignments.SingleAsync(x => x.Id == expired[0].Id)).State);
    }

    private static Item NewItem(Guid projectId, string text, int takenSlots) => new()
    {
        ProjectId = projectId,
        Data = Values(("text", text)),
        ContentHash = text,
        TakenSlots = takenSlots,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static Assignment Lease(Item item, Guid userId, DateTimeOffset expiresAt) => new()
    {
        ProjectId = item.ProjectId,
        ItemId = item.Id,
        UserId = userId,
        State = AssignmentState.Leased,
        LeasedAt = expiresAt.AddMinutes(-30),
        LeaseExpiresAt = expiresAt,
    };
}
