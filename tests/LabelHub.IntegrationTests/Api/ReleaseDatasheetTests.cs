using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Quality;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;
using static LabelHub.IntegrationTests.Api.ReleaseTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The datasheet and the diff of a release (ADR 0020) on both databases: release 1 is cut, answers then change by review
/// (a fix and an accept), by a cleansing correction (a rule's finding), by adjudication (a disagreement finding settled) and
/// by new answers, items are added and one falls out; release 2 counts each change with its reason, lists them page by
/// page, and its datasheet gives the quality report's agreement, gold accuracy, the guideline version, the annotators and
/// the cleansing corrections — the same datasheet.md in every download.
/// </summary>
public sealed class ReleaseDatasheetTests
{
    private static readonly string[] ThreeWay = ["positive", "negative", "neutral"];

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_next_release_says_what_changed_and_why_and_its_datasheet_gives_the_real_figures(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var actor = new Actor(manager.UserId, new HashSet<string> { Roles.Manager });
        var project = await CreateProjectAsync(manager, "Reviews", overlap: 3);
        var annotators = new List<ApiClient>();
        foreach (var name in new[] { "ann", "bob", "cat" })
        {
            var annotator = await app.CreateUserClientAsync(name, Roles.Annotator);
            await AddMemberAsync(manager, project.Id, annotator.UserId);
            annotators.Add(annotator);
        }
        var p = $"/api/v1/projects/{project.Id}";
        await ApiClient.EnsureAsync(await manager.PostRawAsync($"{p}/guideline", new { markdown = "Label the tone of the review.", changeNote = "first" }));
        foreach (var annotator in annotators)
        {
            await ApiClient.EnsureAsync(await annotator.PostRawAsync($"{p}/guideline/acknowledge", new { version = 1 }));
        }
        // 30 texts: unanimous, except n ≡ 7 (mod 10) a three-way tie (left out) and n ≡ 8 a 2–1 split with cat saying neutral.
        await ImportTextsAsync(manager, project.Id, Enumerable.Range(0, 30).Select(n => $"review {n}"));
        await AnswerAllAsync(project.Id, annotators, (n, a) => n % 10 == 7 ? ThreeWay[a] : n % 10 == 8 && a == 2 ? "neutral" : Base(n));
        var item = await ItemIdsAsync(app, project.Id);
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"{p}/items/{item[0]}/gold", new { answer = new { sentiment = "negative" } }, LabelHubApp.Json));
        await RecomputeQualityAsync(manager, p);

        var first = await CutReleaseAsync(app, manager, actor, project.Id, new ReleaseRequest(Split: new SplitSettings { Seed = "s1" }));
        Assert.Equal(27, first.Items);
        var one = await manager.GetAsync<ReleaseInfo>($"{p}/releases/1");
        Assert.Null(one.Diff);
        Assert.Contains("| sentiment | negative | ", one.Datasheet, StringComparison.Ordinal);
        var nothing = await manager.GetAsync<ReleaseChangePage>($"{p}/releases/1/changes");
        Assert.Equal((0, (long?)null), (nothing.Changes.Count, nothing.NextAfter));

        // Review: a fix of ann's answer to item 1, an accept of cat's minority answer to item 18.
        var answer = await CurrentAnswersAsync(app, project.Id);
        var (ann, bob, cat) = (annotators[0].UserId, annotators[1].UserId, annotators[2].UserId);
        await manager.PostAsync<JsonElement>($"/api/v1/annotations/{answer[(item[1], ann)]}/review",
            new ReviewRequest(ReviewDecision.FixedAndAccepted, "negative in fact", Values(("sentiment", "negative"))));
        await manager.PostAsync<JsonElement>($"/api/v1/annotations/{answer[(item[18], cat)]}/review", new ReviewRequest(ReviewDecision.Accepted));
        // Cleansing: a rule flags neutral answers; cat's answer to item 28 is corrected to negative.
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"{p}/cleansing/rules", new
        {
            rules = new[] { new { kind = "allowed_values", id = "no-neutral", field = "sentiment", values = new[] { "positive", "negative" }, mode = "Flag" } },
        }, LabelHubApp.Json));
        await RunJobAsync(manager, $"{p}/cleansing/rules/apply", new { });
        var ruleFinding = (await manager.GetAsync<FindingPage>($"{p}/cleansing/findings?source=Rule&itemId={item[28]}")).Findings.Single();
        await manager.PostAsync<FindingDecision>($"{p}/cleansing/findings/{ruleFinding.Id}/correct", new CorrectFindingRequest(ruleFinding.AnnotationId, Values(("sentiment", "negative"))));
        // Adjudication: the disagreement detector flags the 2–1 splits; item 8 is settled as neutral.
        await RunJobAsync(manager, $"{p}/cleansing/disagreement", new { minVoteShare = 0.7 });
        var split = (await manager.GetAsync<FindingPage>($"{p}/cleansing/findings?source=Disagreement&itemId={item[8]}")).Findings.Single();
        await manager.PostAsync<FindingDecision>($"{p}/cleansing/findings/{split.Id}/correct", new CorrectFindingRequest(answer[(item[8], ann)], Values(("sentiment", "neutral"))));
        // New answers: ann and bob turn item 2's vote; on item 5 they make it a three-way tie, so it leaves the release.
        await annotators[0].PostAsync<JsonElement>($"/api/v1/annotations/{answer[(item[2], ann)]}/revise", new ReviseRequest(Values(("sentiment", "negative"))));
        await annotators[1].PostAsync<JsonElement>($"/api/v1/annotations/{answer[(item[2], bob)]}/revise", new ReviseRequest(Values(("sentiment", "negative"))));
        await annotators[0].PostAsync<JsonElement>($"/api/v1/annotations/{answer[(item[5], ann)]}/revise", new ReviseRequest(Values(("sentiment", "negative"))));
        await annotators[1].PostAsync<JsonElement>($"/api/v1/annotations/{answer[(item[5], bob)]}/revise", new ReviseRequest(Values(("sentiment", "neutral"))));
        // Three new texts, answered alike by all.
        await ImportTextsAsync(manager, project.Id, Enumerable.Range(30, 3).Select(n => $"review {n}"));
        await AnswerAllAsync(project.Id, annotators, (n, _) => Base(n));
        item = await ItemIdsAsync(app, project.Id);
        await RecomputeQualityAsync(manager, p);

        var second = await CutReleaseAsync(app, manager, actor, project.Id, new ReleaseRequest(Split: new SplitSettings { Seed = "s1" }));
        Assert.Equal(29, second.Items);
        var two = await manager.GetAsync<ReleaseInfo>($"{p}/releases/2");
        var diff = two.Diff!;
        Assert.Equal((3L, 1L, 5L, 21L), (diff.Added, diff.Removed, diff.Relabeled, diff.Unchanged));
        Assert.Equal(
            [("sentiment", RelabelReason.Review, 2L), ("sentiment", RelabelReason.Cleansing, 1L), ("sentiment", RelabelReason.Adjudication, 1L), ("sentiment", RelabelReason.Aggregation, 1L)],
            diff.RelabeledByField.Select(r => (r.Field, r.Reason, r.Items)));
        Assert.Equal([("negative", 9L, 12L), ("neutral", 0L, 2L), ("positive", 18L, 15L)],
            diff.LabelCounts.Where(c => c.Field == "sentiment").Select(c => (c.Label, c.Before, c.After)));
        await using (var db = app.CreateDbContext())
        {
            var reasons = await db.ReleaseItems.AsNoTracking().Where(r => r.ReleaseId == second.ReleaseId && r.ChangeReason != null)
                .ToDictionaryAsync(r => r.ItemId, r => r.ChangeReason);
            Assert.Equal(new Dictionary<long, string?>
            {
                [item[1]] = "Review",
                [item[2]] = "Aggregation",
                [item[8]] = "Adjudication",
                [item[18]] = "Review",
                [item[28]] = "Cleansing",
            }, reasons);
        }

        // The change list, four items a page in item id order.
        var changes = new List<ReleaseChangeView>();
        var pages = 0;
        long? after = null;
        do
        {
            var page = await manager.GetAsync<ReleaseChangePage>($"{p}/releases/2/changes?limit=4{(after is { } a ? $"&after={a}" : "")}");
            changes.AddRange(page.Changes);
            after = page.NextAfter;
            pages++;
        }
        while (after is not null);
        Assert.Equal(3, pages);
        Assert.Equal(
            [
                (item[1], ReleaseChangeKind.Relabeled, (RelabelReason?)RelabelReason.Review), (item[2], ReleaseChangeKind.Relabeled, RelabelReason.Aggregation),
                (item[5], ReleaseChangeKind.Removed, null), (item[8], ReleaseChangeKind.Relabeled, RelabelReason.Adjudication),
                (item[18], ReleaseChangeKind.Relabeled, RelabelReason.Review), (item[28], ReleaseChangeKind.Relabeled, RelabelReason.Cleansing),
                (item[30], ReleaseChangeKind.Added, null), (item[31], ReleaseChangeKind.Added, null), (item[32], ReleaseChangeKind.Added, null),
            ],
            changes.Select(c => (c.ItemId, c.Kind, c.Reason)));
        var cleansed = Assert.Single(await ChangesAsync(manager, p, "field=sentiment&reason=cleansing"));
        Assert.Equal((item[28], "sentiment", "positive", "negative", "review 28"), (cleansed.ItemId, cleansed.Field, cleansed.Before!.Value.GetString(), cleansed.After!.Value.GetString(), cleansed.Preview));
        Assert.Equal([item[30], item[31], item[32]], (await ChangesAsync(manager, p, "kind=added")).Select(c => c.ItemId));
        Assert.Equal([item[5]], (await ChangesAsync(manager, p, "kind=Removed")).Select(c => c.ItemId));
        Assert.Equal([item[1], item[18]], (await ChangesAsync(manager, p, "kind=relabeled&reason=Review")).Select(c => c.ItemId));
        foreach (var (query, field) in new[] { ("kind=moved", "kind"), ("reason=luck", "reason"), ("field=nope", "field"), ("limit=0", "limit"), ("limit=501", "limit"), ("after=-1", "after") })
        {
            using var refused = await manager.Http.GetAsync($"{p}/releases/2/changes?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains($"\"{field}\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"{p}/releases/9/changes")).StatusCode);

        // The datasheet: the figures of the quality report the dashboard shows, gold, guideline, annotators, cleansing.
        var sheet = two.Datasheet!;
        var quality = await manager.GetAsync<QualityReportState>($"{p}/quality");
        var sentiment = quality.Data!.Fields.Single(f => f.Field == "sentiment");
        var alpha = sentiment.Metrics.Single(m => m.Metric == sentiment.Headline).Value.Value!.Value;
        Assert.Contains(FormattableString.Invariant($"| sentiment | {sentiment.Headline} | {alpha:0.000} |"), sheet, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"over {quality.Annotations:N0} answers"), sheet, StringComparison.Ordinal);
        Assert.Equal(1.0, quality.Data.Kpis.GoldAccuracy!.Value);
        Assert.Contains("- Gold accuracy: 100.0% over 1 gold items", sheet, StringComparison.Ordinal);
        Assert.Contains($"- Guideline versions in force: v1 ({DateTime.UtcNow:yyyy-MM-dd})", sheet, StringComparison.Ordinal);
        Assert.Contains("## Purpose\n\ntest project\n", sheet, StringComparison.Ordinal);
        foreach (var s in second.Split.Splits)
        {
            Assert.Contains(FormattableString.Invariant($"| {s.Split} | {s.Items:N0} |"), sheet, StringComparison.Ordinal);
        }
        Assert.Contains("| total | 29 |", sheet, StringComparison.Ordinal);
        await using (var db = app.CreateDbContext())
        {
            var inRelease = db.ReleaseItems.Where(r => r.ReleaseId == second.ReleaseId).Select(r => r.ItemId);
            var current = await db.Annotations.AsNoTracking().Where(a => a.IsCurrent && inRelease.Contains(a.ItemId))
                .Select(a => new { a.AnnotatorId, a.DurationMs }).ToListAsync();
            foreach (var (name, id) in new[] { ("ann", ann), ("bob", bob), ("cat", cat) })
            {
                var mine = current.Where(a => a.AnnotatorId == id).ToList();
                Assert.Equal(29, mine.Count);
                var hours = mine.Sum(a => (long?)a.DurationMs ?? 0) / 3_600_000.0;
                Assert.Contains(FormattableString.Invariant($"| {name} | 29 | {hours:0.0} |"), sheet, StringComparison.Ordinal);
            }
            var runs = await db.CleansingRuns.CountAsync(r => r.ProjectId == project.Id);
            Assert.Equal(2, runs);
        }
        Assert.Contains("2 runs; corrections: rules 1, disagreements 1.", sheet, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"| sentiment | neutral | "), sheet, StringComparison.Ordinal);

        // The Korean datasheet, written in the same step, says the same figures in Korean.
        var korean = two.DatasheetKorean!;
        Assert.StartsWith("# 데이터시트: ", korean, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"| sentiment | {sentiment.Headline} | {alpha:0.000} |"), korean, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"답변 {quality.Annotations:N0}개로 계산한 품질 보고서"), korean, StringComparison.Ordinal);
        Assert.Contains("- 골드 정확도: 골드 항목 1개에서 100.0%", korean, StringComparison.Ordinal);
        Assert.Contains($"- 적용된 가이드라인 버전: v1 ({DateTime.UtcNow:yyyy-MM-dd})", korean, StringComparison.Ordinal);
        Assert.Contains("실행 2회, 수정: 규칙 1, 불일치 1.", korean, StringComparison.Ordinal);
        Assert.Contains("| 합계 | 29 |", korean, StringComparison.Ordinal);
        Assert.DoesNotContain("## Purpose", korean, StringComparison.Ordinal);

        // Every download carries the datasheet, byte for byte the same each time.
        var url = $"{p}/releases/2/download?format=jsonl";
        var zipped = await manager.Http.GetByteArrayAsync(url);
        Assert.Equal(zipped, await manager.Http.GetByteArrayAsync(url));
        using var zip = new ZipArchive(new MemoryStream(zipped));
        Assert.Equal(["release.jsonl", "datasheet.md", "datasheet.ko.md", "manifest.jsonl"], zip.Entries.Select(e => e.FullName));
        using (var reader = new StreamReader(zip.GetEntry("datasheet.md")!.Open(), Encoding.UTF8))
        {
            Assert.Equal(sheet, await reader.ReadToEndAsync());
        }
        using (var reader = new StreamReader(zip.GetEntry("datasheet.ko.md")!.Open(), Encoding.UTF8))
        {
            Assert.Equal(korean, await reader.ReadToEndAsync());
        }
    }

    private static string Base(int n) => n % 3 == 0 ? "negative" : "positive";

    private static int Number(string text) => int.Parse(text["review ".Length..], CultureInfo.InvariantCulture);

    private static async Task<List<ReleaseChangeView>> ChangesAsync(ApiClient manager, string p, string query) =>
        [.. (await manager.GetAsync<ReleaseChangePage>($"{p}/releases/2/changes?{query}")).Changes];

    private static async Task<Dictionary<int, long>> ItemIdsAsync(LabelHubApp app, Guid projectId)
    {
        await using var db = app.CreateDbContext();
        return (await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId).ToListAsync()).ToDictionary(i => Number(i.Data["text"].GetString()!), i => i.Id);
    }

    private static async Task<Dictionary<(long Item, Guid Annotator), long>> CurrentAnswersAsync(LabelHubApp app, Guid projectId)
    {
        await using var db = app.CreateDbContext();
        return await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.IsCurrent).ToDictionaryAsync(a => (a.ItemId, a.AnnotatorId), a => a.Id);
    }

    private static async Task RecomputeQualityAsync(ApiClient manager, string p) => await RunJobAsync(manager, $"{p}/quality/recompute", null);

    private static async Task RunJobAsync(ApiClient manager, string url, object? body)
    {
        using var response = await manager.PostRawAsync(url, body);
        await ApiClient.EnsureAsync(response);
        var job = await WaitForJobAsync(manager, (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id, timeoutSeconds: 120);
        Assert.True(job.State == JobState.Succeeded, $"{url}: {job.ResultSummary} {job.Error}");
    }

    /// <summary>Each annotator answers every task handed out, ten minutes each under guideline version 1.</summary>
    private static async Task AnswerAllAsync(Guid projectId, List<ApiClient> annotators, Func<int, int, string> label)
    {
        for (var a = 0; a < annotators.Count; a++)
        {
            while (await annotators[a].Http.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
            {
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                await annotators[a].PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                    new SubmitRequest(Values(("sentiment", label(Number(task.Data["text"].GetString()!), a))), DurationMs: 600_000, GuidelineVersion: 1));
            }
        }
    }
}
