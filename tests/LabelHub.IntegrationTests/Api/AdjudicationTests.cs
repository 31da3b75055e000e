using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The adjudication queue over the API (ADR 0019, 3 and 5), on both databases: findings from runs, decisions as answer versions, restore.</summary>
public sealed class AdjudicationTests
{
    private static readonly object TrimAndFullWidth = new
    {
        rules = new object[]
        {
            new { kind = "trim", id = "trim-note", field = "note", mode = "Fix" },
            new { kind = "full_width_to_half_width", id = "half-width-note", field = "note", mode = "Flag", message = "Full-width letters in the note" },
        },
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rules_apply_records_its_run_with_flags_open_and_fixes_accepted_with_the_version_they_wrote(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var world = await SetUpAsync(app, ["  padded  ", "ＡＢＣ", "clean"]);
        var applied = await ApplyRulesAsync(world);
        Assert.Equal(1, applied.AnswersChanged);
        Assert.Equal(1, applied.AnswersFlagged);

        await using var db = app.CreateDbContext();
        var run = await db.CleansingRuns.AsNoTracking().SingleAsync(r => r.Id == applied.RunId);
        Assert.Equal(CleansingRunKind.Rules, run.Kind);
        Assert.Equal(1, run.RuleSetVersion);
        Assert.Equal(world.Manager.UserId, run.StartedById);
        Assert.Equal(2, run.Findings);
        Assert.Equal(1, run.Corrections);
        Assert.NotNull(run.FinishedAt);
        Assert.NotNull(run.JobRunId);

        var findings = await db.CleansingFindings.AsNoTracking().Where(f => f.RunId == run.Id).ToListAsync();
        var fix = findings.Single(f => f.Code == "trim-note");
        Assert.Equal(FindingState.Accepted, fix.State);
        Assert.Equal(world.Manager.UserId, fix.ResolvedById);
        Assert.NotNull(fix.ResolvedAt);
        var written = await db.Annotations.AsNoTracking().SingleAsync(a => a.Id == fix.ResultAnnotationId);
        Assert.Equal(2, written.Version);
        Assert.Equal("padded", written.Values["note"].GetString());
        Assert.Equal(fix.AnnotationId, (await db.Annotations.AsNoTracking().SingleAsync(a => a.ItemId == written.ItemId && a.AnnotatorId == written.AnnotatorId && a.Version == 1)).Id);

        var flag = findings.Single(f => f.Code == "half-width-note");
        Assert.Equal(FindingState.Open, flag.State);
        Assert.Equal(FindingSource.Rule, flag.Source);
        Assert.Equal("note", flag.Field);
        Assert.Equal("Full-width letters in the note", flag.Reason);
        Assert.Equal("ABC", flag.Suggestion!.Value.GetString());
        var flagged = await db.Annotations.AsNoTracking().SingleAsync(a => a.Id == flag.AnnotationId);
        Assert.Equal("ＡＢＣ", flagged.Values["note"].GetString());

        var open = await world.Reviewer.GetAsync<FindingPage>($"{world.P}/cleansing/findings?state=open");
        Assert.Equal([flag.Id], open.Findings.Select(f => f.Id));
        var summary = await world.Reviewer.GetAsync<AdjudicationQueueSummary>($"{world.P}/cleansing/queue");
        Assert.Equal(1, summary.OpenFindings);
        Assert.Equal(1, summary.OpenItems);
        Assert.Equal(1, summary.BySource.Single(s => s.Source == FindingSource.Rule).Findings);

        // A second apply raises the flag again: the older run's open finding is superseded, not piled up.
        var again = await ApplyRulesAsync(world);
        Assert.NotEqual(applied.RunId, again.RunId);
        Assert.Equal(FindingState.Superseded, (await db.CleansingFindings.AsNoTracking().SingleAsync(f => f.Id == flag.Id)).State);
        Assert.Single((await world.Reviewer.GetAsync<FindingPage>($"{world.P}/cleansing/findings?state=open")).Findings);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Accept_correct_dismiss_write_versions_by_the_reviewer_keep_the_original_and_a_second_decision_is_a_conflict(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var world = await SetUpAsync(app, ["ＡＢＣ", "fine", "good"]);
        await ApplyRulesAsync(world);
        var flag = (await world.Reviewer.GetAsync<FindingPage>($"{world.P}/cleansing/findings?state=open&source=rule")).Findings.Single();
        var original = flag.AnnotationId!.Value;

        // Accept: a new version with the suggestion, written by the reviewer, the annotator's answer still.
        var accepted = await world.Reviewer.PostAsync<FindingDecision>($"{world.P}/cleansing/findings/{flag.Id}/accept", null);
        Assert.Equal(FindingState.Accepted, accepted.State);
        await using (var db = app.CreateDbContext())
        {
            var version = await db.Annotations.AsNoTracking().SingleAsync(a => a.Id == accepted.WrittenAnnotationIds.Single());
            Assert.Equal(2, version.Version);
            Assert.True(version.IsCurrent);
            Assert.Equal("ABC", version.Values["note"].GetString());
            Assert.Equal("positive", version.Values["sentiment"].GetString());
            Assert.Equal(AnnotationReason.Cleansing, version.Reason);
            Assert.Equal(world.Reviewer.UserId, version.AuthorId);
            Assert.Equal(world.Annotators[0].UserId, version.AnnotatorId);
            Assert.Equal("rule: Full-width letters in the note", version.Comment);
            var first = await db.Annotations.AsNoTracking().SingleAsync(a => a.Id == original);
            Assert.False(first.IsCurrent);
            Assert.Equal("ＡＢＣ", first.Values["note"].GetString());
            var decided = await db.CleansingFindings.AsNoTracking().SingleAsync(f => f.Id == flag.Id);
            Assert.Equal(world.Reviewer.UserId, decided.ResolvedById);
            Assert.Equal(version.Id, decided.ResultAnnotationId);
        }

        // Someone else deciding the same finding afterwards: 409 with a code, nothing written.
        foreach (var (client, action) in new[] { (world.OtherReviewer, "accept"), (world.OtherReviewer, "dismiss"), (world.Reviewer, "accept") })
        {
            var late = await client.PostRawAsync($"{world.P}/cleansing/findings/{flag.Id}/{action}", new { });
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
            Assert.Contains("cleansing.queue.finding_decided", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Restore: a third version equal to the first; the history keeps all three.
        var restored = await world.OtherReviewer.PostAsync<RestoreResult>($"/api/v1/annotations/{original}/restore", null);
        Assert.Equal(3, restored.Version);
        Assert.Equal(1, restored.RestoredVersion);
        await using (var db = app.CreateDbContext())
        {
            var versions = await db.Annotations.AsNoTracking().Where(a => a.ItemId == flag.ItemId && a.AnnotatorId == flag.AnnotatorId).OrderBy(a => a.Version).ToListAsync();
            Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
            Assert.Equal(versions[0].Values.ToDictionary(v => v.Key, v => v.Value.GetRawText()), versions[2].Values.ToDictionary(v => v.Key, v => v.Value.GetRawText()));
            Assert.Equal("restored version 1", versions[2].Comment);
            Assert.Equal(world.OtherReviewer.UserId, versions[2].AuthorId);
            Assert.True(versions[2].IsCurrent);
        }
        Assert.Equal(HttpStatusCode.Conflict, (await world.Reviewer.PostRawAsync($"/api/v1/annotations/{restored.AnnotationId}/restore", null)).StatusCode);

        // Findings of another detector: a label error per answer and a split about the whole item.
        var (labelError, split, toDismiss) = await RaiseFindingsAsync(app, world);

        // Correct: the schema refuses a bad value, naming the field; a good one is a new version, the finding corrected.
        var bad = await world.Reviewer.PostRawAsync($"{world.P}/cleansing/findings/{labelError.Id}/correct", new CorrectFindingRequest(null, Values(("sentiment", "furious"))));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()))
        {
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("values.sentiment", out _), problem.RootElement.ToString());
        }
        var noValues = await world.Reviewer.PostRawAsync($"{world.P}/cleansing/findings/{labelError.Id}/correct", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noValues.StatusCode);
        Assert.Contains("\"values\"", await noValues.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var corrected = await world.Reviewer.PostAsync<FindingDecision>($"{world.P}/cleansing/findings/{labelError.Id}/correct",
            new CorrectFindingRequest(null, Values(("sentiment", "neutral"), ("note", "fine")), "neither, really"));
        Assert.Equal(FindingState.Corrected, corrected.State);
        await using (var db = app.CreateDbContext())
        {
            var version = await db.Annotations.AsNoTracking().SingleAsync(a => a.Id == corrected.WrittenAnnotationIds.Single());
            Assert.Equal("neutral", version.Values["sentiment"].GetString());
            Assert.Equal(labelError.FlaggedVersion + 1, version.Version);
            Assert.Equal("label error: given positive, model says negative; neither, really", version.Comment);
            Assert.Equal(world.Reviewer.UserId, version.AuthorId);
        }

        // Dismiss: the answer stays as it was; the note is kept with the reason.
        var dismissed = await world.Reviewer.PostAsync<FindingDecision>($"{world.P}/cleansing/findings/{toDismiss.Id}/dismiss", new DismissFindingRequest("the model is wrong here"));
        Assert.Equal(FindingState.Dismissed, dismissed.State);
        Assert.Empty(dismissed.WrittenAnnotationIds);
        await using (var db = app.CreateDbContext())
        {
            Assert.True(await db.Annotations.Where(a => a.Id == toDismiss.AnnotationId).Select(a => a.IsCurrent).SingleAsync());
            Assert.EndsWith("the model is wrong here", (await db.CleansingFindings.AsNoTracking().SingleAsync(f => f.Id == toDismiss.Id)).Reason);
        }

        // Accepting the item-level split writes the suggestion into every current answer whose field differs.
        var item = await world.Reviewer.GetAsync<AdjudicationItem>($"{world.P}/cleansing/items/{split.ItemId}");
        Assert.Contains(item.Open, f => f.Id == split.Id && f.AnnotationId is null);
        Assert.Equal(2, item.Answers.Count);
        var differing = item.Answers.Count(a => a.Values["sentiment"].GetString() != "negative");
        Assert.True(differing >= 1);
        var settled = await world.Reviewer.PostAsync<FindingDecision>($"{world.P}/cleansing/findings/{split.Id}/accept", null);
        await using (var db = app.CreateDbContext())
        {
            var current = await db.Annotations.AsNoTracking().Where(a => a.ItemId == split.ItemId && a.IsCurrent).ToListAsync();
            Assert.All(current, a => Assert.Equal("negative", a.Values["sentiment"].GetString()));
            Assert.Equal(differing, settled.WrittenAnnotationIds.Count);
            Assert.All(settled.WrittenAnnotationIds, id => Assert.Contains(current, a => a.Id == id && a.Reason == AnnotationReason.Cleansing));
        }
        var after = await world.Reviewer.GetAsync<AdjudicationItem>($"{world.P}/cleansing/items/{split.ItemId}");
        Assert.DoesNotContain(after.Open, f => f.Id == split.Id);
        Assert.Contains(after.Decided, f => f.Id == split.Id && f.State == FindingState.Accepted && f.ResolvedByName == "reviewer");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Two_reviewers_asking_at_once_get_different_items_in_queue_order_and_annotators_are_refused(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var world = await SetUpAsync(app, ["ＡＢＣ", "ＤＥＦ", "ok"]);
        await ApplyRulesAsync(world);
        var (labelError, _, other) = await RaiseFindingsAsync(app, world);

        // A duplicate finding (the duplicate detector's shape: about the item, its group in the code) links to its group.
        var group = await RaiseDuplicateAsync(app, world, labelError.ItemId);
        var duplicates = await world.Reviewer.GetAsync<AdjudicationNext>($"{world.P}/cleansing/queue/next?source=duplicate");
        var duplicate = duplicates.Item!.Open.Single(f => f.Source == FindingSource.Duplicate);
        Assert.Equal(group, duplicate.DuplicateGroupId);
        Assert.Null(duplicate.AnnotationId);
        Assert.Equal(FindingSource.Duplicate, duplicates.Item.Open[^1].Source);

        // Label errors come first, the highest score first.
        var first = await world.Reviewer.GetAsync<AdjudicationNext>($"{world.P}/cleansing/queue/next");
        Assert.Equal(labelError.ItemId, first.Item!.ItemId);
        Assert.NotNull(first.Item.ClaimedUntil);
        Assert.Equal(FindingSource.LabelError, first.Item.Open[0].Source);
        // The claimed item is not handed to another reviewer while the first holds it.
        var second = await world.OtherReviewer.GetAsync<AdjudicationNext>($"{world.P}/cleansing/queue/next");
        Assert.NotEqual(first.Item.ItemId, second.Item!.ItemId);
        // Skipping gives the item back and hands out another.
        var skipped = await world.Reviewer.GetAsync<AdjudicationNext>($"{world.P}/cleansing/queue/next?skip={first.Item.ItemId},{second.Item.ItemId}");
        Assert.DoesNotContain(skipped.Item?.ItemId, new long?[] { first.Item.ItemId, second.Item.ItemId });

        // Really at once, many times over: never the same item to both.
        for (var round = 0; round < 5; round++)
        {
            var both = await Task.WhenAll(
                world.Reviewer.GetAsync<AdjudicationNext>($"{world.P}/cleansing/queue/next"),
                world.OtherReviewer.GetAsync<AdjudicationNext>($"{world.P}/cleansing/queue/next"));
            Assert.NotNull(both[0].Item);
            Assert.NotNull(both[1].Item);
            Assert.NotEqual(both[0].Item!.ItemId, both[1].Item!.ItemId);
        }
        var filtered = await world.Reviewer.GetAsync<AdjudicationNext>($"{world.P}/cleansing/queue/next?source=Rule");
        Assert.All(filtered.Item!.Open.Where(f => f.Source == FindingSource.Rule), f => Assert.Equal("half-width-note", f.Code));
        Assert.Contains(filtered.Item.Open, f => f.Source == FindingSource.Rule);
        var badSource = await world.Reviewer.Http.GetAsync($"{world.P}/cleansing/queue/next?source=gossip");
        Assert.Equal(HttpStatusCode.BadRequest, badSource.StatusCode);
        Assert.Contains("\"source\"", await badSource.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Annotators do not adjudicate (403); a manager of another project does not see it (404).
        var annotator = world.Annotators[0];
        var outsider = await app.CreateUserClientAsync("outsider", Roles.Manager);
        foreach (var url in new[] { $"{world.P}/cleansing/queue/next", $"{world.P}/cleansing/queue", $"{world.P}/cleansing/items/{labelError.ItemId}", $"{world.P}/cleansing/findings" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.GetAsync(url)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.PostRawAsync($"{world.P}/cleansing/findings/{labelError.Id}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.PostRawAsync($"/api/v1/annotations/{labelError.AnnotationId}/restore", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostRawAsync($"{world.P}/cleansing/findings/{labelError.Id}/dismiss", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostRawAsync($"/api/v1/annotations/{labelError.AnnotationId}/restore", null)).StatusCode);

        // Two reviewers deciding one finding at the same moment: one decision, one 409, one new version.
        foreach (var (finding, secondAction) in new[] { (labelError, "accept"), (other, "dismiss") })
        {
            int versionsBefore;
            await using (var db = app.CreateDbContext())
            {
                versionsBefore = await db.Annotations.CountAsync(a => a.ItemId == finding.ItemId && a.AnnotatorId == finding.AnnotatorId);
            }
            var responses = await Task.WhenAll(
                world.Reviewer.PostRawAsync($"{world.P}/cleansing/findings/{finding.Id}/accept", null),
                world.OtherReviewer.PostRawAsync($"{world.P}/cleansing/findings/{finding.Id}/{secondAction}", null));
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
            await using (var db = app.CreateDbContext())
            {
                var versions = await db.Annotations.CountAsync(a => a.ItemId == finding.ItemId && a.AnnotatorId == finding.AnnotatorId);
                var state = await db.CleansingFindings.Where(f => f.Id == finding.Id).Select(f => f.State).SingleAsync();
                Assert.Equal(state == FindingState.Accepted ? versionsBefore + 1 : versionsBefore, versions);
                Assert.Equal(1, await db.Annotations.CountAsync(a => a.ItemId == finding.ItemId && a.AnnotatorId == finding.AnnotatorId && a.IsCurrent));
            }
        }
    }

    /// <summary>An exact-duplicate group of the item and another one, and the finding the duplicate detector raises on it.</summary>
    private static async Task<long> RaiseDuplicateAsync(LabelHubApp app, World world, long itemId)
    {
        var log = app.Service<CleansingRunLog>();
        var run = await log.StartAsync(world.ProjectId, CleansingRunKind.ExactDuplicates, null, world.Manager.UserId);
        long groupId;
        await using (var db = app.CreateDbContext())
        {
            var other = await db.Items.Where(i => i.ProjectId == world.ProjectId && i.Id != itemId).MinAsync(i => i.Id);
            var group = new DuplicateGroup
            {
                ProjectId = world.ProjectId,
                RunId = run.Id,
                Kind = DuplicateKind.Exact,
                RepresentativeItemId = itemId,
                CreatedAt = DateTimeOffset.UtcNow,
                Members = [new DuplicateGroupMember { ItemId = itemId, Similarity = 1 }, new DuplicateGroupMember { ItemId = other, Similarity = 1 }],
            };
            db.DuplicateGroups.Add(group);
            await db.SaveChangesAsync();
            groupId = group.Id;
        }
        await log.AddFindingsAsync(run,
        [
            new CleansingFinding
            {
                ItemId = itemId,
                Source = FindingSource.Duplicate,
                Code = $"{AdjudicationService.DuplicateGroupCodePrefix}{groupId}",
                Reason = "the same text as another item",
                Score = 1,
            },
        ]);
        await log.FinishAsync(run, 0);
        return groupId;
    }

    private sealed record World(Guid ProjectId, ApiClient Manager, ApiClient Reviewer, ApiClient OtherReviewer, ApiClient[] Annotators)
    {
        public string P => $"/api/v1/projects/{ProjectId}";
    }

    /// <summary>A project with overlap 2: the first annotator answers each item positive with the given notes, the second negative.</summary>
    private static async Task<World> SetUpAsync(LabelHubApp app, string[] notes)
    {
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var reviewer = await app.CreateUserClientAsync("reviewer", Roles.Reviewer);
        var otherReviewer = await app.CreateUserClientAsync("second-reviewer", Roles.Reviewer);
        var annotators = new[] { await app.CreateUserClientAsync("ann", Roles.Annotator), await app.CreateUserClientAsync("bea", Roles.Annotator) };
        var project = await CreateProjectAsync(manager, "adjudication", overlap: 2);
        foreach (var member in annotators.Append(reviewer).Append(otherReviewer))
        {
            await AddMemberAsync(manager, project.Id, member.UserId);
        }
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", notes.Select((_, i) => new { text = $"item {i}" }).ToArray());
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        var byItem = new Dictionary<long, string>();
        for (var a = 0; a < annotators.Length; a++)
        {
            var queue = new Queue<string>(notes);
            while (await annotators[a].Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
            {
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                // The first annotator's notes go in item order; the second writes plain notes that no rule flags.
                var note = a == 0 ? (byItem[task.ItemId] = queue.Dequeue()) : "plain";
                await annotators[a].PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                    new SubmitRequest(Values(("sentiment", a == 0 ? "positive" : "negative"), ("note", note))));
            }
        }
        Assert.Equal(notes.Length, byItem.Count);
        var world = new World(project.Id, manager, reviewer, otherReviewer, annotators);
        var saved = await manager.Http.PutAsJsonAsync($"{world.P}/cleansing/rules", TrimAndFullWidth, LabelHubApp.Json);
        await ApiClient.EnsureAsync(saved);
        return world;
    }

    private static async Task<CleansingApplyResult> ApplyRulesAsync(World world)
    {
        var response = await world.Manager.PostRawAsync($"{world.P}/cleansing/rules/apply", new { });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        var done = await WaitForJobAsync(world.Manager, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        return CleansingJobs.RulesApply.ReadResult(done)!;
    }

    /// <summary>
    /// What the label-error and disagreement detectors record, through the same run log: a label error on the first
    /// annotator's answer to the first item, another on the second item (to dismiss), and a split about the last item.
    /// </summary>
    private static async Task<(FindingView LabelError, FindingView Split, FindingView ToDismiss)> RaiseFindingsAsync(LabelHubApp app, World world)
    {
        List<Annotation> answers;
        await using (var db = app.CreateDbContext())
        {
            answers = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == world.ProjectId && a.IsCurrent).OrderBy(a => a.ItemId).ThenBy(a => a.Id).ToListAsync();
        }
        var items = answers.Select(a => a.ItemId).Distinct().Order().ToList();
        var firstAnnotator = world.Annotators[0].UserId;
        var log = app.Service<CleansingRunLog>();
        var labelErrors = await log.StartAsync(world.ProjectId, CleansingRunKind.LabelErrors, null, world.Manager.UserId, new { folds = 5 });
        CleansingFinding LabelError(long itemId, double score) => new()
        {
            ItemId = itemId,
            AnnotationId = answers.Single(a => a.ItemId == itemId && a.AnnotatorId == firstAnnotator).Id,
            Field = "sentiment",
            Source = FindingSource.LabelError,
            Code = "label-error",
            Reason = "given positive, model says negative",
            Suggestion = JsonSerializer.SerializeToElement("negative"),
            Score = score,
        };
        await log.AddFindingsAsync(labelErrors, [LabelError(items[0], 0.95), LabelError(items[1], 0.6)]);
        await log.FinishAsync(labelErrors, 0);
        var disagreement = await log.StartAsync(world.ProjectId, CleansingRunKind.Disagreement, null, world.Manager.UserId);
        await log.AddFindingsAsync(disagreement,
        [
            new CleansingFinding
            {
                ItemId = items[^1],
                Field = "sentiment",
                Source = FindingSource.Disagreement,
                Code = "vote-split",
                Reason = "annotators split 1:1",
                Suggestion = JsonSerializer.SerializeToElement("negative"),
                Score = 0.5,
            },
        ]);
        await log.FinishAsync(disagreement, 0);
        var open = (await world.Reviewer.GetAsync<FindingPage>($"{world.P}/cleansing/findings?state=Open&limit=2")).Findings.ToList();
        var page = await world.Reviewer.GetAsync<FindingPage>($"{world.P}/cleansing/findings?state=Open&limit=2");
        while (page.NextAfter is { } after)
        {
            page = await world.Reviewer.GetAsync<FindingPage>($"{world.P}/cleansing/findings?state=Open&limit=2&after={after}");
            open.AddRange(page.Findings);
        }
        Assert.Equal(open.Count, open.Select(f => f.Id).Distinct().Count());
        return (open.Single(f => f.Source == FindingSource.LabelError && f.ItemId == items[0]),
            open.Single(f => f.Source == FindingSource.Disagreement),
            open.Single(f => f.Source == FindingSource.LabelError && f.ItemId == items[1]));
    }
}
