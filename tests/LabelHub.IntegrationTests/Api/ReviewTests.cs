using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

public sealed class ReviewTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Reviewers_accept_fix_or_reject_and_every_step_stays_in_the_history(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var reviewer = await app.CreateUserClientAsync("rev", Roles.Reviewer);
        var a = await app.CreateUserClientAsync("ann-a", Roles.Annotator);
        var b = await app.CreateUserClientAsync("ann-b", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Review", overlap: 1);
        foreach (var member in new[] { reviewer, a, b })
        {
            await AddMemberAsync(manager, project.Id, member.UserId);
        }
        await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items",
            new[] { new { text = "one" }, new { text = "two" }, new { text = "three" } })).Id);
        var items = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var task = await a.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
            await a.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive"))));
            items.Add(task.ItemId);
        }

        // Annotators neither review nor see the queue.
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Http.GetAsync($"/api/v1/projects/{project.Id}/reviews/queue")).StatusCode);
        var queue = await reviewer.GetAsync<ReviewQueuePage>($"/api/v1/projects/{project.Id}/reviews/queue");
        Assert.Equal(3, queue.Remaining);
        Assert.All(queue.Entries, e => Assert.Equal("ann-a", e.AnnotatorName));
        var (first, second, third) = (queue.Entries[0], queue.Entries[1], queue.Entries[2]);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.PostRawAsync($"/api/v1/annotations/{first.AnnotationId}/review", new ReviewRequest(ReviewDecision.Accepted))).StatusCode);

        var accepted = await reviewer.PostAsync<ReviewResult>($"/api/v1/annotations/{first.AnnotationId}/review", new ReviewRequest(ReviewDecision.Accepted));
        Assert.Equal(first.AnnotationId, accepted.CurrentAnnotationId);
        Assert.Equal(HttpStatusCode.Conflict, (await reviewer.PostRawAsync($"/api/v1/annotations/{first.AnnotationId}/review", new ReviewRequest(ReviewDecision.Accepted))).StatusCode);

        var badFix = await reviewer.PostRawAsync($"/api/v1/annotations/{second.AnnotationId}/review", new ReviewRequest(ReviewDecision.FixedAndAccepted, null, Values(("sentiment", "awful"))));
        Assert.Equal(HttpStatusCode.BadRequest, badFix.StatusCode);
        var fixedResult = await reviewer.PostAsync<ReviewResult>($"/api/v1/annotations/{second.AnnotationId}/review",
            new ReviewRequest(ReviewDecision.FixedAndAccepted, "sarcasm", Values(("sentiment", "negative"))));
        Assert.NotEqual(second.AnnotationId, fixedResult.CurrentAnnotationId);

        var noReason = await reviewer.PostRawAsync($"/api/v1/annotations/{third.AnnotationId}/review", new ReviewRequest(ReviewDecision.Rejected));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("comment", await noReason.Content.ReadAsStringAsync());
        await reviewer.PostAsync<ReviewResult>($"/api/v1/annotations/{third.AnnotationId}/review", new ReviewRequest(ReviewDecision.Rejected, "Read the guideline on sarcasm."));
        Assert.Equal(0, (await reviewer.GetAsync<ReviewQueuePage>($"/api/v1/projects/{project.Id}/reviews/queue")).Remaining);

        // The rejected item goes back to the pool, to someone else; A cannot change a reviewed answer.
        var retry = await b.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(third.ItemId, retry.ItemId);
        var aNext = await a.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(HttpStatusCode.NoContent, aNext.StatusCode);

        // History: the fix is a new version by the reviewer; the annotator's own answer is kept.
        var history = await reviewer.GetAsync<AnnotationHistory>($"/api/v1/items/{second.ItemId}/annotations/{a.UserId}/history");
        Assert.Equal([1, 2], history.Versions.Select(v => v.Version));
        Assert.Equal([AnnotationReason.Submit, AnnotationReason.ReviewFix], history.Versions.Select(v => v.Reason));
        Assert.Equal(["ann-a", "rev"], history.Versions.Select(v => v.AuthorName));
        Assert.Equal("positive", history.Versions[0].Values["sentiment"].GetString());
        Assert.Equal(ReviewDecision.FixedAndAccepted, history.Reviews.Single().Decision);
        Assert.Equal("sarcasm", history.Reviews.Single().Comment);
        // The annotator sees their own history, not another annotator's (blind labeling).
        Assert.Equal(2, (await a.GetAsync<AnnotationHistory>($"/api/v1/items/{second.ItemId}/annotations/{a.UserId}/history")).Versions.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Http.GetAsync($"/api/v1/items/{second.ItemId}/annotations/{a.UserId}/history")).StatusCode);

        await using var db = app.CreateDbContext();
        var item3 = await db.Items.SingleAsync(i => i.Id == third.ItemId);
        Assert.Equal((1, 0), (item3.TakenSlots, item3.SubmittedCount));
        Assert.Equal(3, await db.Reviews.CountAsync(r => r.ProjectId == project.Id));
    }
}
