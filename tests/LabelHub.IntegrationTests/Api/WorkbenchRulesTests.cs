using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Guidelines in force, skip policies, limits, gold, priorities, drafts and suggestions — on both databases.</summary>
public sealed class WorkbenchRulesTests
{
    private sealed record Setup(LabelHubApp App, ApiClient Admin, ApiClient Manager, Guid ProjectId, List<long> ItemIds);

    private static async Task<Setup> SetUpAsync(string provider, int items, int overlap, LabelingSettings? labeling = null)
    {
        var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects",
            new ProjectInput("Rules", null, SentimentSchema, overlap, 30, labeling));
        var texts = Enumerable.Range(1, items).Select(i => new { text = $"item {i}" }).ToArray();
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", texts)).Id)).State);
        var page = await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items");
        return new Setup(app, admin, manager, project.Id, [.. page.Items.Select(i => i.Id)]);
    }

    private static async Task<ApiClient> AnnotatorAsync(Setup setup, string name, string role = Roles.Annotator)
    {
        var client = await setup.App.CreateUserClientAsync(name, role);
        await AddMemberAsync(setup.Manager, setup.ProjectId, client.UserId);
        return client;
    }

    private static async Task<LabelingTask?> NextAsync(ApiClient client, Guid projectId)
    {
        var response = await client.Http.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }
        await ApiClient.EnsureAsync(response);
        return await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json);
    }

    private static Task<SubmitResult> SubmitAsync(ApiClient client, long assignmentId, string sentiment = "positive", long? predictionId = null) =>
        client.PostAsync<SubmitResult>($"/api/v1/tasks/{assignmentId}/submit", new SubmitRequest(Values(("sentiment", sentiment)), 1000, null, predictionId));

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_new_guideline_version_must_be_acknowledged_before_the_next_task(string provider)
    {
        var setup = await SetUpAsync(provider, items: 3, overlap: 1);
        await using var app = setup.App;
        var ann = await AnnotatorAsync(setup, "ann");
        await setup.Admin.PostAsync<GuidelineView>($"/api/v1/projects/{setup.ProjectId}/guideline", new GuidelineRequest("# v1", null));

        var refused = await ann.Http.PostAsync($"/api/v1/projects/{setup.ProjectId}/tasks/next", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("guideline_acknowledgement_required", problem.GetProperty("code").GetString());
        Assert.Equal(1, problem.GetProperty("guidelineVersion").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await ann.PostRawAsync($"/api/v1/projects/{setup.ProjectId}/guideline/acknowledge", new AcknowledgeRequest(1))).StatusCode);
        var task = (await NextAsync(ann, setup.ProjectId))!;
        Assert.Equal(1, task.GuidelineVersion);
        Assert.Null((await SubmitAsync(ann, task.AssignmentId)).GuidelineToAcknowledge);

        // Version 2 appears while the annotator works: the next task waits for it, even one already reserved.
        var held = (await NextAsync(ann, setup.ProjectId))!;
        await setup.Admin.PostAsync<GuidelineView>($"/api/v1/projects/{setup.ProjectId}/guideline", new GuidelineRequest("# v2", "stricter"));
        Assert.Equal(HttpStatusCode.Conflict, (await ann.Http.PostAsync($"/api/v1/projects/{setup.ProjectId}/tasks/next", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ann.PostRawAsync($"/api/v1/projects/{setup.ProjectId}/guideline/acknowledge", new AcknowledgeRequest(9))).StatusCode);
        await ApiClient.EnsureAsync(await ann.PostRawAsync($"/api/v1/projects/{setup.ProjectId}/guideline/acknowledge", new AcknowledgeRequest(2)));
        Assert.Equal(held.AssignmentId, (await NextAsync(ann, setup.ProjectId))!.AssignmentId);
        Assert.Null((await SubmitAsync(ann, held.AssignmentId)).GuidelineToAcknowledge);

        // Version 3 while a task is open (a page that reserved its next task in advance would not ask again): the
        // submit is kept and says which version to read before going on.
        var open = (await NextAsync(ann, setup.ProjectId))!;
        await setup.Admin.PostAsync<GuidelineView>($"/api/v1/projects/{setup.ProjectId}/guideline", new GuidelineRequest("# v3", "even stricter"));
        Assert.Equal(3, (await SubmitAsync(ann, open.AssignmentId)).GuidelineToAcknowledge);

        await using var db = app.CreateDbContext();
        var versions = await db.Annotations.Where(a => a.ProjectId == setup.ProjectId).OrderBy(a => a.Id).Select(a => a.GuidelineVersion).ToListAsync();
        Assert.Equal([1, 2, 2], versions);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Leaving_gives_back_a_task_without_a_draft_at_once_and_keeps_one_with_a_draft(string provider)
    {
        var setup = await SetUpAsync(provider, items: 2, overlap: 1);
        await using var app = setup.App;
        var first = await AnnotatorAsync(setup, "first");
        var other = await AnnotatorAsync(setup, "other");

        var left = (await NextAsync(first, setup.ProjectId))!;
        // Nobody else can release it; its own annotator can, once.
        Assert.Equal(0, (await other.PostAsync<ReleaseResult>($"/api/v1/tasks/{left.AssignmentId}/release", new { })).Released);
        Assert.Equal(1, (await first.PostAsync<ReleaseResult>($"/api/v1/tasks/{left.AssignmentId}/release", new { })).Released);
        Assert.Equal(0, (await first.PostAsync<ReleaseResult>($"/api/v1/tasks/{left.AssignmentId}/release", new { })).Released);
        // The item goes to the next annotator now, not when the 30-minute lease would have run out.
        var taken = (await NextAsync(other, setup.ProjectId))!;
        Assert.Equal(left.ItemId, taken.ItemId);
        Assert.Equal(HttpStatusCode.Conflict, (await first.PostRawAsync($"/api/v1/tasks/{left.AssignmentId}/submit",
            new SubmitRequest(Values(("sentiment", "positive"))))).StatusCode);

        // A task with a draft stays reserved for its annotator.
        var drafted = (await NextAsync(first, setup.ProjectId))!;
        Assert.NotEqual(left.ItemId, drafted.ItemId);
        await ApiClient.EnsureAsync(await first.Http.PutAsJsonAsync($"/api/v1/tasks/{drafted.AssignmentId}/draft", Values(("sentiment", "negative")), LabelHubApp.Json));
        Assert.Equal(0, (await first.PostAsync<ReleaseResult>($"/api/v1/tasks/{drafted.AssignmentId}/release", new { })).Released);
        await SubmitAsync(other, taken.AssignmentId);
        Assert.Null(await NextAsync(other, setup.ProjectId));
        Assert.Equal(drafted.AssignmentId, (await NextAsync(first, setup.ProjectId))!.AssignmentId);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Skip_policies_requeue_to_others_to_me_or_use_up_the_slot(string provider)
    {
        // Requeue to me: the skipped item comes back to the same annotator once the rest is done.
        var toMe = await SetUpAsync(provider, items: 2, overlap: 1, new LabelingSettings { SkipPolicy = SkipPolicy.RequeueToMe });
        await using (toMe.App)
        {
            var ann = await AnnotatorAsync(toMe, "ann");
            var first = (await NextAsync(ann, toMe.ProjectId))!;
            await ApiClient.EnsureAsync(await ann.Http.PostAsync($"/api/v1/tasks/{first.AssignmentId}/skip", null));
            var second = (await NextAsync(ann, toMe.ProjectId))!;
            Assert.NotEqual(first.ItemId, second.ItemId);
            await SubmitAsync(ann, second.AssignmentId);
            var again = (await NextAsync(ann, toMe.ProjectId))!;
            Assert.Equal(first.ItemId, again.ItemId);
            await SubmitAsync(ann, again.AssignmentId);
            Assert.Null(await NextAsync(ann, toMe.ProjectId));
        }

        // Ignore: a skip uses up the slot; nobody else gets the item and it counts as done.
        var ignore = await SetUpAsync(provider, items: 1, overlap: 1, new LabelingSettings { SkipPolicy = SkipPolicy.Ignore });
        await using (ignore.App)
        {
            var a = await AnnotatorAsync(ignore, "ann-a");
            var b = await AnnotatorAsync(ignore, "ann-b");
            var task = (await NextAsync(a, ignore.ProjectId))!;
            await ApiClient.EnsureAsync(await a.Http.PostAsync($"/api/v1/tasks/{task.AssignmentId}/skip", null));
            Assert.Null(await NextAsync(b, ignore.ProjectId));
            Assert.Null(await NextAsync(a, ignore.ProjectId));
            var progress = await ignore.Manager.GetAsync<ProjectProgress>($"/api/v1/projects/{ignore.ProjectId}/progress");
            Assert.Equal(1, progress.CompletedItems);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Task_limits_priorities_and_drafts(string provider)
    {
        var setup = await SetUpAsync(provider, items: 5, overlap: 1, new LabelingSettings { MaxTasksPerAnnotator = 2 });
        await using var app = setup.App;
        // Priority decides among equally full items (the active-learning job writes it).
        await using (var db = app.CreateDbContext())
        {
            await db.Items.Where(i => i.Id == setup.ItemIds[3]).ExecuteUpdateAsync(s => s.SetProperty(i => i.Priority, 0.9));
            await db.Items.Where(i => i.Id == setup.ItemIds[1]).ExecuteUpdateAsync(s => s.SetProperty(i => i.Priority, 0.5));
        }
        var ann = await AnnotatorAsync(setup, "ann");
        var first = (await NextAsync(ann, setup.ProjectId))!;
        Assert.Equal(setup.ItemIds[3], first.ItemId);

        // A draft survives leaving and coming back, and goes when the task is submitted.
        var draft = Values(("sentiment", "negative"), ("note", "half done"));
        Assert.Equal(HttpStatusCode.NoContent, (await ann.Http.PutAsJsonAsync($"/api/v1/tasks/{first.AssignmentId}/draft", draft, LabelHubApp.Json)).StatusCode);
        var back = (await NextAsync(ann, setup.ProjectId))!;
        Assert.Equal("half done", back.Draft!["note"].GetString());
        await SubmitAsync(ann, first.AssignmentId);
        Assert.Equal(HttpStatusCode.Conflict, (await ann.Http.PutAsJsonAsync($"/api/v1/tasks/{first.AssignmentId}/draft", draft, LabelHubApp.Json)).StatusCode);

        var second = (await NextAsync(ann, setup.ProjectId))!;
        Assert.Equal(setup.ItemIds[1], second.ItemId);
        await SubmitAsync(ann, second.AssignmentId);
        var limited = await ann.Http.PostAsync($"/api/v1/projects/{setup.ProjectId}/tasks/next", null);
        Assert.Equal(HttpStatusCode.Conflict, limited.StatusCode);
        Assert.Equal("task_limit_reached", JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task An_answer_outside_its_values_wrapper_is_refused_by_name_and_nothing_is_stored(string provider)
    {
        var setup = await SetUpAsync(provider, items: 1, overlap: 1);
        await using var app = setup.App;
        var ann = await AnnotatorAsync(setup, "ann");
        var task = (await NextAsync(ann, setup.ProjectId))!;

        async Task<(HttpStatusCode Status, string Fields)> SendAsync(HttpMethod method, string url, string json)
        {
            var response = await ann.Http.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") });
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, response.StatusCode == HttpStatusCode.BadRequest
                ? string.Join(",", JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal))
                : "");
        }
        var submit = $"/api/v1/tasks/{task.AssignmentId}/submit";
        Assert.Equal((HttpStatusCode.BadRequest, "label,values"), await SendAsync(HttpMethod.Post, submit, """{"label":"1"}"""));
        Assert.Equal((HttpStatusCode.BadRequest, "values"), await SendAsync(HttpMethod.Post, submit, """{"values":null,"durationMs":5}"""));
        Assert.Equal((HttpStatusCode.BadRequest, "extra"), await SendAsync(HttpMethod.Post, submit, """{"values":{"sentiment":"positive"},"extra":1}"""));
        // A draft is the answer itself: its keys are the schema's fields.
        var draft = $"/api/v1/tasks/{task.AssignmentId}/draft";
        Assert.Equal((HttpStatusCode.BadRequest, "label"), await SendAsync(HttpMethod.Put, draft, """{"label":"1"}"""));
        Assert.Equal((HttpStatusCode.BadRequest, "values"), await SendAsync(HttpMethod.Put, draft, """{"values":{"sentiment":"positive"}}"""));

        await using (var db = app.CreateDbContext())
        {
            Assert.False(await db.Annotations.AnyAsync(a => a.ProjectId == setup.ProjectId));
            Assert.Null((await db.Assignments.SingleAsync(a => a.Id == task.AssignmentId)).DraftSavedAt);
        }
        // Well-formed bodies, property names in any case, still go through.
        Assert.Equal((HttpStatusCode.NoContent, ""), await SendAsync(HttpMethod.Put, draft, """{"sentiment":"neutral"}"""));
        Assert.Equal((HttpStatusCode.OK, ""), await SendAsync(HttpMethod.Post, submit, """{"Values":{"sentiment":"positive"},"durationMs":900}"""));
        await using (var db = app.CreateDbContext())
        {
            var stored = await db.Annotations.SingleAsync(a => a.ProjectId == setup.ProjectId);
            Assert.Equal(("positive", 900), (stored.Values["sentiment"].GetString(), stored.DurationMs));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Parallel_hand_outs_to_one_annotator_hold_at_most_the_current_and_the_prefetched_task(string provider)
    {
        var setup = await SetUpAsync(provider, items: 12, overlap: 1);
        await using var app = setup.App;
        var ann = await AnnotatorAsync(setup, "ann");

        var tasks = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => NextAsync(ann, setup.ProjectId))));

        await using var db = app.CreateDbContext();
        var leased = await db.Assignments.Where(a => a.ProjectId == setup.ProjectId && a.UserId == ann.UserId && a.State == AssignmentState.Leased)
            .Select(a => a.Id).ToListAsync();
        Assert.InRange(leased.Count, 1, TaskDistributor.MaxHeldLeases);
        // Every call got one of the held tasks, and the items count exactly those leases.
        Assert.All(tasks, task => Assert.Contains(task!.AssignmentId, leased));
        Assert.Equal(leased.Count, await db.Items.Where(i => i.ProjectId == setup.ProjectId).SumAsync(i => i.TakenSlots));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_removed_member_can_no_longer_save_a_draft_of_a_task_they_still_hold(string provider)
    {
        var setup = await SetUpAsync(provider, items: 1, overlap: 1);
        await using var app = setup.App;
        var ann = await AnnotatorAsync(setup, "ann");
        var task = (await NextAsync(ann, setup.ProjectId))!;
        var draft = $"/api/v1/tasks/{task.AssignmentId}/draft";
        Assert.Equal(HttpStatusCode.NoContent, (await ann.Http.PutAsJsonAsync(draft, Values(("sentiment", "neutral")), LabelHubApp.Json)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await setup.Manager.Http.DeleteAsync($"/api/v1/projects/{setup.ProjectId}/members/{ann.UserId}")).StatusCode);
        // As a submit or skip by a removed member: the project is no longer theirs to see.
        Assert.Equal(HttpStatusCode.NotFound, (await ann.Http.PutAsJsonAsync(draft, Values(("sentiment", "negative")), LabelHubApp.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ann.PostRawAsync($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "negative"))))).StatusCode);
        await using var db = app.CreateDbContext();
        Assert.Equal("neutral", (await db.Assignments.SingleAsync(a => a.Id == task.AssignmentId)).Draft!["sentiment"].GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Open_items_go_fullest_first_then_by_priority_then_oldest(string provider)
    {
        var setup = await SetUpAsync(provider, items: 4, overlap: 2);
        await using var app = setup.App;
        var ids = setup.ItemIds.Order().ToList();
        await SetPriorityAsync(app, ids[2], 0.9);
        var a = await AnnotatorAsync(setup, "ann-a");
        var b = await AnnotatorAsync(setup, "ann-b");
        var c = await AnnotatorAsync(setup, "ann-c");
        var d = await AnnotatorAsync(setup, "ann-d");
        Assert.Equal(ids[2], (await NextAsync(a, setup.ProjectId))!.ItemId);

        // Rescored above the item A started: B still finishes A's item first.
        await SetPriorityAsync(app, ids[1], 1.0);
        Assert.Equal(ids[2], (await NextAsync(b, setup.ProjectId))!.ItemId);
        var urgent = (await NextAsync(c, setup.ProjectId))!;
        Assert.Equal(ids[1], urgent.ItemId);

        // Among equally full and equally urgent items, the oldest; C never gets the item it already had.
        await SubmitAsync(c, urgent.AssignmentId);
        Assert.Equal(ids[0], (await NextAsync(c, setup.ProjectId))!.ItemId);
        // ids[0] and ids[1] are now equally full: the higher priority wins.
        Assert.Equal(ids[1], (await NextAsync(d, setup.ProjectId))!.ItemId);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Under_requeue_to_me_skipped_items_come_back_oldest_skip_first_while_a_slot_is_free(string provider)
    {
        var setup = await SetUpAsync(provider, items: 5, overlap: 1, new LabelingSettings { SkipPolicy = SkipPolicy.RequeueToMe });
        await using var app = setup.App;
        var ids = setup.ItemIds.Order().ToList();
        await SetPriorityAsync(app, ids[1], 0.9);
        await SetPriorityAsync(app, ids[2], 0.5);
        var a = await AnnotatorAsync(setup, "ann-a");
        var b = await AnnotatorAsync(setup, "ann-b");

        // A skips three items, in an order that is neither id nor priority order of what comes back.
        var skipped = new List<LabelingTask>();
        foreach (var expected in new[] { ids[1], ids[2], ids[0] })
        {
            var task = (await NextAsync(a, setup.ProjectId))!;
            Assert.Equal(expected, task.ItemId);
            await ApiClient.EnsureAsync(await a.Http.PostAsync($"/api/v1/tasks/{task.AssignmentId}/skip", null));
            skipped.Add(task);
        }
        // The skips gave the slots back: B takes the first one A skipped, which leaves it no free slot.
        Assert.Equal(ids[1], (await NextAsync(b, setup.ProjectId))!.ItemId);

        // Fresh items first, then A's own skips, oldest skip first, on the same assignment rows.
        foreach (var expected in new[] { ids[3], ids[4] })
        {
            var task = (await NextAsync(a, setup.ProjectId))!;
            Assert.Equal(expected, task.ItemId);
            await SubmitAsync(a, task.AssignmentId);
        }
        foreach (var earlier in skipped.Skip(1))
        {
            var again = (await NextAsync(a, setup.ProjectId))!;
            Assert.Equal((earlier.ItemId, earlier.AssignmentId), (again.ItemId, again.AssignmentId));
            await SubmitAsync(a, again.AssignmentId);
        }
        Assert.Null(await NextAsync(a, setup.ProjectId));
    }

    private static async Task SetPriorityAsync(LabelHubApp app, long itemId, double priority)
    {
        // What the active-learning job writes.
        await using var db = app.CreateDbContext();
        await db.Items.Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Priority, priority));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Gold_items_are_mixed_in_for_everyone_with_their_answers_hidden(string provider)
    {
        var setup = await SetUpAsync(provider, items: 15, overlap: 1, new LabelingSettings { GoldRate = 0.5, ShowGoldFeedback = true });
        await using var app = setup.App;
        var gold = setup.ItemIds.Take(3).ToHashSet();
        foreach (var id in gold)
        {
            await ApiClient.EnsureAsync(await setup.Manager.Http.PutAsJsonAsync($"/api/v1/projects/{setup.ProjectId}/items/{id}/gold",
                new GoldRequest(Values(("sentiment", "negative"))), LabelHubApp.Json));
        }
        var invalidGold = await setup.Manager.Http.PutAsJsonAsync($"/api/v1/projects/{setup.ProjectId}/items/{setup.ItemIds[4]}/gold",
            new GoldRequest(Values(("sentiment", "furious"))), LabelHubApp.Json);
        Assert.Equal(HttpStatusCode.BadRequest, invalidGold.StatusCode);

        // Two annotators work side by side until the real work runs out.
        var annotators = new[] { await AnnotatorAsync(setup, "ann-a"), await AnnotatorAsync(setup, "ann-b") };
        var served = annotators.ToDictionary(a => a.UserId, _ => new List<long>());
        var working = annotators.ToList();
        while (working.Count > 0)
        {
            foreach (var ann in working.ToList())
            {
                var response = await ann.Http.PostAsync($"/api/v1/projects/{setup.ProjectId}/tasks/next", null);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    working.Remove(ann);
                    continue;
                }
                var raw = await response.Content.ReadAsStringAsync();
                // The gold answer never travels with the task.
                Assert.DoesNotContain("negative", raw);
                var task = JsonSerializer.Deserialize<LabelingTask>(raw, LabelHubApp.Json)!;
                served[ann.UserId].Add(task.ItemId);
                var result = await SubmitAsync(ann, task.AssignmentId);
                // Feedback after submit, for gold items only.
                Assert.Equal(gold.Contains(task.ItemId), result.GoldAnswer is not null);
            }
        }
        foreach (var (_, items) in served)
        {
            // Gold items go to every annotator whatever the overlap.
            Assert.True(gold.IsSubsetOf(items), "an annotator did not see every gold item");
            Assert.Equal(items.Count, items.Distinct().Count());
        }
        await using var db = app.CreateDbContext();
        Assert.Equal(12, await db.Items.CountAsync(i => i.ProjectId == setup.ProjectId && !i.IsGold && i.SubmittedCount == 1));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_next_task_is_prefetched_and_is_the_one_served_after_submit(string provider)
    {
        var setup = await SetUpAsync(provider, items: 3, overlap: 1, new LabelingSettings { MaxTasksPerAnnotator = 2 });
        await using var app = setup.App;
        var ann = await AnnotatorAsync(setup, "ann");
        var actor = new LabelHub.Domain.Identity.Actor(ann.UserId, new HashSet<string> { Roles.Annotator });
        var distributor = app.Service<TaskDistributor>();

        var current = (await distributor.NextAsync(actor, setup.ProjectId))!;
        var prefetched = (await distributor.PrefetchAsync(actor, setup.ProjectId, current.AssignmentId))!;
        Assert.NotEqual(current.ItemId, prefetched.ItemId);
        // Asking again returns the same reservations, never a third item.
        Assert.Equal(prefetched.AssignmentId, (await distributor.PrefetchAsync(actor, setup.ProjectId, current.AssignmentId))!.AssignmentId);
        Assert.Equal(current.AssignmentId, (await distributor.NextAsync(actor, setup.ProjectId))!.AssignmentId);

        await SubmitAsync(ann, current.AssignmentId);
        Assert.Equal(prefetched.AssignmentId, (await distributor.NextAsync(actor, setup.ProjectId))!.AssignmentId);
        // The limit (2) leaves no room for another prefetch: none, rather than an error.
        Assert.Null(await distributor.PrefetchAsync(actor, setup.ProjectId, prefetched.AssignmentId));
    }

    [Fact]
    public void Gold_turns_come_at_the_configured_rate_without_a_fixed_pattern()
    {
        var user = Guid.Parse("0b7e6f62-3c8e-4d8c-9d3e-2a1c5b7f9e01");
        var turns = Enumerable.Range(0, 400).Select(n => TaskDistributor.GoldTurn(user, n, 0.1)).ToList();
        Assert.InRange(turns.Count(t => t), 38, 42);
        var gaps = turns.Select((t, i) => (t, i)).Where(x => x.t).Select(x => x.i).Zip(turns.Select((t, i) => (t, i)).Where(x => x.t).Select(x => x.i).Skip(1), (a, b) => b - a).Distinct().Count();
        Assert.True(gaps >= 2, "gold items must not come at one fixed interval");
        Assert.DoesNotContain(true, Enumerable.Range(0, 50).Select(n => TaskDistributor.GoldTurn(user, n, 0)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Model_suggestions_come_with_the_task_and_an_accepted_one_is_recorded(string provider)
    {
        var setup = await SetUpAsync(provider, items: 1, overlap: 1);
        await using var app = setup.App;
        var item = setup.ItemIds[0];
        var bad = await setup.Manager.PostRawAsync($"/api/v1/projects/{setup.ProjectId}/predictions",
            new[] { new PredictionInput(item, "m1", 0.5, Values(("sentiment", "furious"))) });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("predictions[0].values.sentiment", await bad.Content.ReadAsStringAsync());

        await ApiClient.EnsureAsync(await setup.Manager.PostRawAsync($"/api/v1/projects/{setup.ProjectId}/predictions", new[]
        {
            new PredictionInput(item, "resnet-v1", 0.61, Values(("sentiment", "neutral"))),
            new PredictionInput(item, "resnet-v2", 0.93, Values(("sentiment", "positive"))),
        }));
        var ann = await AnnotatorAsync(setup, "ann");
        var task = (await NextAsync(ann, setup.ProjectId))!;
        Assert.Equal(["resnet-v2", "resnet-v1"], task.Suggestions!.Select(s => s.ModelVersion));
        var accepted = task.Suggestions![0];
        await SubmitAsync(ann, task.AssignmentId, "positive", accepted.PredictionId);
        await using var db = app.CreateDbContext();
        Assert.Equal(accepted.PredictionId, (await db.Annotations.SingleAsync(a => a.ProjectId == setup.ProjectId)).PredictionId);
    }
}
