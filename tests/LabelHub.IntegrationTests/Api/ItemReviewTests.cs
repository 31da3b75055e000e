using System.Net;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

public sealed class ItemReviewTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Reviewers_settle_an_item_with_all_its_answers_at_once_filter_the_queue_and_accept_unanimous_items_in_bulk(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var reviewer = await app.CreateUserClientAsync("rev", Roles.Reviewer);
        var annotators = new[]
        {
            await app.CreateUserClientAsync("ann-a", Roles.Annotator),
            await app.CreateUserClientAsync("ann-b", Roles.Annotator),
            await app.CreateUserClientAsync("ann-c", Roles.Annotator),
        };
        var project = await CreateProjectAsync(manager, "By item", overlap: 3);
        foreach (var member in annotators.Append(reviewer))
        {
            await AddMemberAsync(manager, project.Id, member.UserId);
        }
        await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items",
            new[] { new { text = "same" }, new { text = "two to one" }, new { text = "all differ" }, new { text = "topics differ" } })).Id);

        // What each annotator answers, by item text; C skips the last item.
        var answers = new Dictionary<string, (string Sentiment, string[] Topics)?[]>
        {
            ["same"] = [("positive", []), ("positive", []), ("positive", [])],
            ["two to one"] = [("negative", []), ("negative", []), ("neutral", [])],
            ["all differ"] = [("positive", []), ("negative", []), ("neutral", [])],
            ["topics differ"] = [("positive", ["price"]), ("positive", ["service"]), null],
        };
        var itemIds = new Dictionary<string, long>();
        for (var who = 0; who < annotators.Length; who++)
        {
            for (var i = 0; i < answers.Count; i++)
            {
                var task = await annotators[who].PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
                var text = task.Data["text"].GetString()!;
                itemIds[text] = task.ItemId;
                if (answers[text][who] is { } answer)
                {
                    await annotators[who].PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                        new SubmitRequest(Values(("sentiment", answer.Sentiment), ("topics", answer.Topics))));
                }
                else
                {
                    await ApiClient.EnsureAsync(await annotators[who].Http.PostAsync($"/api/v1/tasks/{task.AssignmentId}/skip", null));
                }
            }
        }
        var queueUrl = $"/api/v1/projects/{project.Id}/reviews/items";

        // Annotators do not see the queue.
        Assert.Equal(HttpStatusCode.Forbidden, (await annotators[0].Http.GetAsync(queueUrl)).StatusCode);

        // Every item once, with all its answers and the majority proposed.
        var queue = await reviewer.GetAsync<ItemReviewPage>(queueUrl);
        Assert.Equal(4, queue.Remaining);
        Assert.Null(queue.NextAfter);
        Assert.Equal(itemIds.Values.Order(), queue.Items.Select(i => i.ItemId));
        var twoToOne = queue.Items.Single(i => i.ItemId == itemIds["two to one"]);
        Assert.Equal(["ann-a", "ann-b", "ann-c"], twoToOne.Answers.Select(a => a.AnnotatorName));
        Assert.All(twoToOne.Answers, a => Assert.True(a.CanDecide));
        var sentiment = twoToOne.Consensus.Fields.Single(f => f.Field == "sentiment");
        Assert.Equal(FieldAgreementState.Majority, sentiment.State);
        Assert.Equal("negative", sentiment.Value!.Value.GetString());
        Assert.Equal([twoToOne.Answers[2].AnnotationId], sentiment.Differing);
        Assert.True(queue.Items.Single(i => i.ItemId == itemIds["same"]).Consensus.Unanimous);

        // Filters: disagreements only, one annotator's answers, one label anywhere in an answer; paging goes on from NextAfter.
        Assert.Equal(new[] { itemIds["two to one"], itemIds["all differ"], itemIds["topics differ"] },
            (await reviewer.GetAsync<ItemReviewPage>($"{queueUrl}?disagreementsOnly=true")).Items.Select(i => i.ItemId));
        var byC = await reviewer.GetAsync<ItemReviewPage>($"{queueUrl}?annotatorId={annotators[2].UserId}");
        Assert.Equal(3, byC.Remaining);
        Assert.DoesNotContain(itemIds["topics differ"], byC.Items.Select(i => i.ItemId));
        Assert.Equal([itemIds["two to one"], itemIds["all differ"]], (await reviewer.GetAsync<ItemReviewPage>($"{queueUrl}?label=neutral")).Items.Select(i => i.ItemId));
        Assert.Equal([itemIds["topics differ"]], (await reviewer.GetAsync<ItemReviewPage>($"{queueUrl}?label=service")).Items.Select(i => i.ItemId));
        var firstPage = await reviewer.GetAsync<ItemReviewPage>($"{queueUrl}?limit=3");
        Assert.Equal(3, firstPage.Items.Count);
        var secondPage = await reviewer.GetAsync<ItemReviewPage>($"{queueUrl}?limit=3&after={firstPage.NextAfter}");
        Assert.Equal([itemIds["topics differ"]], secondPage.Items.Select(i => i.ItemId));
        Assert.Null(secondPage.NextAfter);

        // Bulk accept: a dry run counts, the real one accepts only the unanimous item's three answers.
        var unanimousUrl = $"/api/v1/projects/{project.Id}/reviews/accept-unanimous";
        Assert.Equal(new AcceptUnanimousResult(1, 3, true), await reviewer.PostAsync<AcceptUnanimousResult>(unanimousUrl, new AcceptUnanimousRequest(DryRun: true)));
        Assert.Equal(4, (await reviewer.GetAsync<ItemReviewPage>(queueUrl)).Remaining);
        Assert.Equal(new AcceptUnanimousResult(1, 3, false), await reviewer.PostAsync<AcceptUnanimousResult>(unanimousUrl, new AcceptUnanimousRequest()));
        Assert.Equal(3, (await reviewer.GetAsync<ItemReviewPage>(queueUrl)).Remaining);
        Assert.Equal(new AcceptUnanimousResult(0, 0, false), await reviewer.PostAsync<AcceptUnanimousResult>(unanimousUrl, new AcceptUnanimousRequest()));

        // Settling "two to one": a rejection needs the note; answers of another item are refused by position.
        var (a, b, c) = (twoToOne.Answers[0].AnnotationId, twoToOne.Answers[1].AnnotationId, twoToOne.Answers[2].AnnotationId);
        var decideUrl = $"/api/v1/items/{itemIds["two to one"]}/review";
        var noNote = await reviewer.PostRawAsync(decideUrl, new ItemReviewRequest([new(a, ReviewDecision.Accepted), new(c, ReviewDecision.Rejected)]));
        Assert.Equal(HttpStatusCode.BadRequest, noNote.StatusCode);
        Assert.Contains("\"comment\"", await noNote.Content.ReadAsStringAsync());
        var otherItem = queue.Items.Single(i => i.ItemId == itemIds["all differ"]).Answers[0].AnnotationId;
        var foreign = await reviewer.PostRawAsync(decideUrl, new ItemReviewRequest([new(a, ReviewDecision.Accepted), new(otherItem, ReviewDecision.Accepted)]));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains("verdicts[1]", await foreign.Content.ReadAsStringAsync());
        var settled = await reviewer.PostAsync<ItemReviewResult>(decideUrl, new ItemReviewRequest(
            [new(a, ReviewDecision.Accepted), new(b, ReviewDecision.Accepted), new(c, ReviewDecision.Rejected)], Comment: "Complaints about delivery are negative."));
        Assert.Equal([ReviewDecision.Accepted, ReviewDecision.Accepted, ReviewDecision.Rejected], settled.Reviews.Select(r => r.Decision));
        var rejected = await annotators[2].GetAsync<JsonElement>($"/api/v1/projects/{project.Id}/my-work");
        Assert.Contains("Complaints about delivery are negative.", rejected.GetRawText());

        // Settling "all differ" with a fix: the two that differ from the fixed answer get it as a new version by the reviewer.
        var allDiffer = (await reviewer.GetAsync<ItemReviewPage>(queueUrl)).Items.Single(i => i.ItemId == itemIds["all differ"]);
        Assert.Equal(FieldAgreementState.NoMajority, allDiffer.Consensus.Fields.Single(f => f.Field == "sentiment").State);
        var badFix = await reviewer.PostRawAsync($"/api/v1/items/{allDiffer.ItemId}/review",
            new ItemReviewRequest([new(allDiffer.Answers[0].AnnotationId, ReviewDecision.FixedAndAccepted)], Values(("sentiment", "awful"))));
        Assert.Equal(HttpStatusCode.BadRequest, badFix.StatusCode);
        Assert.Contains("sentiment", await badFix.Content.ReadAsStringAsync());
        await reviewer.PostAsync<ItemReviewResult>($"/api/v1/items/{allDiffer.ItemId}/review", new ItemReviewRequest(
            [new(allDiffer.Answers[0].AnnotationId, ReviewDecision.FixedAndAccepted), new(allDiffer.Answers[1].AnnotationId, ReviewDecision.FixedAndAccepted),
             new(allDiffer.Answers[2].AnnotationId, ReviewDecision.Accepted)],
            Values(("sentiment", "neutral")), "Mixed: neutral."));
        var history = await reviewer.GetAsync<AnnotationHistory>($"/api/v1/items/{allDiffer.ItemId}/annotations/{annotators[0].UserId}/history");
        Assert.Equal([AnnotationReason.Submit, AnnotationReason.ReviewFix], history.Versions.Select(v => v.Reason));
        Assert.Equal("neutral", history.Versions[1].Values["sentiment"].GetString());
        Assert.Equal("Mixed: neutral.", history.Reviews.Single().Comment);

        // All or nothing: one answer decided meanwhile makes the whole item decision a conflict, and the other answer stays waiting.
        var topics = (await reviewer.GetAsync<ItemReviewPage>(queueUrl)).Items.Single();
        await reviewer.PostAsync<ReviewResult>($"/api/v1/annotations/{topics.Answers[1].AnnotationId}/review", new ReviewRequest(ReviewDecision.Accepted));
        var conflict = await reviewer.PostRawAsync($"/api/v1/items/{topics.ItemId}/review",
            new ItemReviewRequest([new(topics.Answers[0].AnnotationId, ReviewDecision.Accepted), new(topics.Answers[1].AnnotationId, ReviewDecision.Accepted)]));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var left = await reviewer.GetAsync<ItemReviewPage>(queueUrl);
        Assert.Equal(1, left.Remaining);
        Assert.Equal([true, false], left.Items.Single().Answers.Select(x => x.CanDecide));
    }
}
