using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>An annotator's own page: what is left and done, a rejected answer with the reviewer's note, and redoing it — on both databases.</summary>
public sealed class MyWorkTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_rejected_answer_reaches_its_annotator_with_the_note_and_is_redone_as_a_new_version(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var ann = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var other = await app.CreateUserClientAsync("other", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Reviews", overlap: 1);
        await AddMemberAsync(manager, project.Id, ann.UserId);
        await AddMemberAsync(manager, project.Id, other.UserId);
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "one" }, new { text = "two" }, new { text = "three" } });
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);

        var answered = new Dictionary<string, long>();
        while (await ann.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            var result = await ann.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive")), 500));
            answered[task.Data["text"].GetString()!] = result.AnnotationId;
        }
        Assert.Equal(3, answered.Count);

        var mine = await ann.GetAsync<MyWork>($"/api/v1/projects/{project.Id}/my-work?utcOffsetMinutes=540");
        Assert.Equal((0, 3, 3), (mine.TasksLeft, mine.DoneToday, mine.DoneTotal));
        Assert.Empty(mine.Rejected);
        Assert.Equal(3, mine.Recent.Count);
        Assert.Null(mine.GoldAccuracy);
        Assert.Equal(HttpStatusCode.BadRequest, (await ann.Http.GetAsync($"/api/v1/projects/{project.Id}/my-work?utcOffsetMinutes=5000")).StatusCode);

        // The reviewer rejects "one" with a note and accepts "two".
        await manager.PostAsync<ReviewResult>($"/api/v1/annotations/{answered["one"]}/review", new ReviewRequest(ReviewDecision.Rejected, "Too vague: read rule 2"));
        await manager.PostAsync<ReviewResult>($"/api/v1/annotations/{answered["two"]}/review", new ReviewRequest(ReviewDecision.Accepted));

        mine = await ann.GetAsync<MyWork>($"/api/v1/projects/{project.Id}/my-work");
        var rejected = Assert.Single(mine.Rejected);
        Assert.Equal(answered["one"], rejected.AnnotationId);
        Assert.Equal(("Too vague: read rule 2", "boss", true), (rejected.ReviewComment, rejected.Reviewer, rejected.CanRevise));
        Assert.Equal("one", rejected.ItemData["text"].GetString());
        var byId = mine.Recent.ToDictionary(a => a.AnnotationId);
        Assert.False(byId[answered["two"]].CanRevise);
        Assert.True(byId[answered["three"]].CanRevise);

        // Nobody else may revise it; a bad answer is refused by field; an accepted answer stays.
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostRawAsync($"/api/v1/annotations/{answered["one"]}/revise", new ReviseRequest(Values(("sentiment", "negative"))))).StatusCode);
        var invalid = await ann.PostRawAsync($"/api/v1/annotations/{answered["one"]}/revise", new ReviseRequest(Values(("note", "no sentiment"))));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.True(JsonDocument.Parse(await invalid.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("values.sentiment", out _));
        Assert.Equal(HttpStatusCode.Conflict, (await ann.PostRawAsync($"/api/v1/annotations/{answered["two"]}/revise", new ReviseRequest(Values(("sentiment", "negative"))))).StatusCode);

        // The redo is version 2, unreviewed, back in the review queue; the slot it had given back is its own again.
        var redone = await ann.PostAsync<MyAnswer>($"/api/v1/annotations/{answered["one"]}/revise", new ReviseRequest(Values(("sentiment", "negative")), 800));
        Assert.Equal((2, ReviewStatus.Unreviewed), (redone.Version, redone.Status));
        Assert.Equal(HttpStatusCode.Conflict, (await ann.PostRawAsync($"/api/v1/annotations/{answered["one"]}/revise", new ReviseRequest(Values(("sentiment", "neutral"))))).StatusCode);
        Assert.Empty((await ann.GetAsync<MyWork>($"/api/v1/projects/{project.Id}/my-work")).Rejected);
        var queue = await manager.GetAsync<ReviewQueuePage>($"/api/v1/projects/{project.Id}/reviews/queue");
        Assert.Contains(queue.Entries, e => e.AnnotationId == redone.AnnotationId && e.Version == 2);
        Assert.Equal(HttpStatusCode.NoContent, (await other.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).StatusCode);

        // An answer not reviewed yet can be changed too.
        var changed = await ann.PostAsync<MyAnswer>($"/api/v1/annotations/{answered["three"]}/revise", new ReviseRequest(Values(("sentiment", "neutral"))));
        Assert.Equal("neutral", changed.Values["sentiment"].GetString());
    }
}
