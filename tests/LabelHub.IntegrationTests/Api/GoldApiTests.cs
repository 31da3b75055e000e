using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The gold items list: answers, how many annotators answered each item and how accurately — on both databases.</summary>
public sealed class GoldApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Managers_list_gold_items_with_the_annotators_accuracy_on_them(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotators = new[]
        {
            await app.CreateUserClientAsync("ann-a", Roles.Annotator),
            await app.CreateUserClientAsync("ann-b", Roles.Annotator),
            await app.CreateUserClientAsync("ann-c", Roles.Annotator),
        };
        var project = await CreateProjectAsync(manager, "Gold", overlap: 3);
        foreach (var annotator in annotators)
        {
            await AddMemberAsync(manager, project.Id, annotator.UserId);
        }
        var import = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items",
            new[] { new { text = "one" }, new { text = "two" }, new { text = "three" }, new { text = "four" } })).Id);
        Assert.Equal(JobState.Succeeded, import.State);
        var itemIds = (await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items.Select(i => i.Id).ToList();

        // Every annotator answers the first three items (the fullest open item comes first); nobody sees the fourth.
        var answers = new Dictionary<string, Dictionary<string, JsonElement>[]>
        {
            // "one": all three say negative. "two": topics in another order, too few topics, an empty note.
            ["ann-a"] = [Values(("sentiment", "negative")), Values(("sentiment", "positive"), ("topics", new[] { "service", "price" })), Values(("sentiment", "neutral"))],
            ["ann-b"] = [Values(("sentiment", "negative")), Values(("sentiment", "positive"), ("topics", new[] { "price" })), Values(("sentiment", "neutral"))],
            ["ann-c"] = [Values(("sentiment", "negative")), Values(("sentiment", "positive"), ("topics", new[] { "price", "service" }), ("note", "")), Values(("sentiment", "positive"))],
        };
        foreach (var (annotator, name) in annotators.Zip(answers.Keys))
        {
            for (var i = 0; i < 3; i++)
            {
                var task = await annotator.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
                Assert.Equal(itemIds[i], task.ItemId);
                await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(answers[name][i], 1000));
            }
        }

        // "one", "two" and the unanswered "four" become gold.
        async Task SetGoldAsync(long itemId, Dictionary<string, JsonElement> answer) =>
            await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/items/{itemId}/gold", new GoldRequest(answer), LabelHubApp.Json));
        await SetGoldAsync(itemIds[0], Values(("sentiment", "negative")));
        await SetGoldAsync(itemIds[1], Values(("sentiment", "positive"), ("topics", new[] { "price", "service" })));
        await SetGoldAsync(itemIds[3], Values(("sentiment", "neutral")));

        var first = await manager.GetAsync<GoldItemPage>($"/api/v1/projects/{project.Id}/gold?page=1&pageSize=2");
        Assert.Equal((1, 2, 3), (first.Page, first.PageSize, first.Total));
        Assert.Equal([itemIds[0], itemIds[1]], first.Items.Select(i => i.ItemId));
        var one = first.Items[0];
        Assert.Equal(("one", 3, 3, (double?)1.0), (one.Preview, one.Annotators, one.Correct, one.Accuracy));
        Assert.Equal("negative", one.Answer["sentiment"].GetString());
        var two = first.Items[1];
        // A's topics in another order and C's empty note still match; B has too few topics.
        Assert.Equal(("two", 3, 2), (two.Preview, two.Annotators, two.Correct));
        Assert.Equal(2.0 / 3, two.Accuracy!.Value, 6);
        Assert.Equal(["price", "service"], two.Answer["topics"].EnumerateArray().Select(t => t.GetString()));

        var second = await manager.GetAsync<GoldItemPage>($"/api/v1/projects/{project.Id}/gold?page=2&pageSize=2");
        var four = Assert.Single(second.Items);
        Assert.Equal((itemIds[3], "four", 0, 0, (double?)null), (four.ItemId, four.Preview, four.Annotators, four.Correct, four.Accuracy));

        // Removed from gold, an item leaves the list; the defaults are page 1 of 20.
        Assert.Equal(HttpStatusCode.NoContent, (await manager.Http.DeleteAsync($"/api/v1/projects/{project.Id}/items/{itemIds[1]}/gold")).StatusCode);
        var afterRemoval = await manager.GetAsync<GoldItemPage>($"/api/v1/projects/{project.Id}/gold");
        Assert.Equal((1, 20, 2), (afterRemoval.Page, afterRemoval.PageSize, afterRemoval.Total));
        Assert.Equal([itemIds[0], itemIds[3]], afterRemoval.Items.Select(i => i.ItemId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_gold_answer_shown_after_submit_and_copied_into_a_new_version_does_not_raise_the_score(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects",
            new ProjectInput("Honeypot", null, SentimentSchema, 1, 30, new LabelingSettings { GoldRate = 0.5, ShowGoldFeedback = true }));
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        var import = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items",
            new[] { new { text = "check" }, new { text = "two" }, new { text = "three" } })).Id);
        Assert.Equal(JobState.Succeeded, import.State);
        var goldId = (await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items[0].Id;
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/items/{goldId}/gold",
            new GoldRequest(Values(("sentiment", "negative"))), LabelHubApp.Json));

        // A wrong first answer reveals the gold answer; submitting that again is kept as version 2.
        var answered = 0;
        var copiedGold = false;
        while (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } next)
        {
            var task = (await next.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            var first = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive")), 1000));
            answered++;
            if (task.ItemId == goldId)
            {
                Assert.Equal("negative", first.GoldAnswer!["sentiment"].GetString());
                var copied = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(first.GoldAnswer, 1000));
                Assert.Equal((2, false), (copied.Version, copied.AlreadySubmitted));
                copiedGold = true;
            }
        }
        Assert.True(copiedGold, "the gold item was never handed out");

        // Every gold score still counts the first answer: wrong.
        var mine = await annotator.GetAsync<MyWork>($"/api/v1/projects/{project.Id}/my-work");
        Assert.Equal((1, (double?)0.0), (mine.GoldAnswered, mine.GoldAccuracy));
        var listed = Assert.Single((await manager.GetAsync<GoldItemPage>($"/api/v1/projects/{project.Id}/gold")).Items);
        Assert.Equal((1, 0, (double?)0.0), (listed.Annotators, listed.Correct, listed.Accuracy));

        var recompute = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/quality/recompute", null);
        Assert.Equal(HttpStatusCode.Accepted, recompute.StatusCode);
        var run = (await recompute.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, run.Id)).State);
        var report = await manager.GetAsync<QualityReportInfo>($"/api/v1/projects/{project.Id}/quality");
        // The edit is still the current answer: the first version is not counted as another answer.
        Assert.Equal(answered, report.Annotations);
        var quality = Assert.Single(report.Data.Annotators);
        Assert.Equal((answered, 0.0, 1), (quality.Labels, quality.GoldAccuracy.Value, quality.GoldAccuracy.Items));
        Assert.Equal(0.0, report.Data.Kpis.GoldAccuracy!.Value);
        var byField = Assert.Single(report.Data.GoldByField);
        Assert.Equal(("sentiment", 0.0), (byField.Field, byField.Accuracy.Value));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Only_managers_of_the_project_list_gold_items_and_bad_paging_names_the_field(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var otherManager = await app.CreateUserClientAsync("other-boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var reviewer = await app.CreateUserClientAsync("rev", Roles.Reviewer);
        var project = await CreateProjectAsync(manager, "Gold access", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        await AddMemberAsync(manager, project.Id, reviewer.UserId);
        var url = $"/api/v1/projects/{project.Id}/gold";

        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.Http.GetAsync(url)).StatusCode);
        // A manager who is not a member does not even learn that the project exists.
        Assert.Equal(HttpStatusCode.NotFound, (await otherManager.Http.GetAsync(url)).StatusCode);
        Assert.Equal(0, (await manager.GetAsync<GoldItemPage>(url)).Total);

        foreach (var (query, field) in new[] { ("pageSize=0", "pageSize"), ("pageSize=101", "pageSize"), ("page=0", "page"), ("page=2000000", "page") })
        {
            var response = await manager.Http.GetAsync($"{url}?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
            Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        }
    }
}
