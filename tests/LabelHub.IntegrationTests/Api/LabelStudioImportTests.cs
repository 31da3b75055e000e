using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// A Label Studio JSON export (TestData/labelstudio/project-7-export.json, written in the shape Label Studio 1.x exports:
/// tasks with id, data, annotations with completed_by objects or numbers, result lists, predictions) keeps its annotations.
/// </summary>
public sealed class LabelStudioImportTests
{
    private static readonly LabelSchema StudioSchema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"] },
            new LabelField { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service", "quality"] },
            new LabelField { Name = "note", Kind = FieldKind.Text, MaxLength = 200 },
            new LabelField { Name = "ner", Kind = FieldKind.Spans, Labels = ["PER", "ORG", "LOC"] },
            new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] },
        ],
    };

    private static string Export => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "labelstudio", "project-7-export.json"));

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_label_studio_export_becomes_items_with_the_annotators_answers_and_the_models_predictions(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        Guid aliceId;
        using (var scope = app.Services.CreateScope())
        {
            aliceId = (await scope.ServiceProvider.GetRequiredService<UserAdminService>()
                .CreateAsync(app.Admin, new NewUser("alice", null, "Alice@Example.com", [Roles.Annotator]))).User.Id;
        }
        var dave = await app.CreateUserClientAsync("dave", Roles.Annotator);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("From Label Studio", null, StudioSchema, 2));
        await AddMemberAsync(manager, project.Id, aliceId);
        await AddMemberAsync(manager, project.Id, dave.UserId);

        var job = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "project-7-export.json", Export)).Id);

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal("Imported 4 items from project-7-export.json. Kept 7 Label Studio answers and 2 predictions; skipped 1 cancelled annotations.", job.Message);
        var result = JsonSerializer.Deserialize<ImportResult>(job.Result!, LabelHubApp.Json)!;
        Assert.Equal(new LabelStudioImportSummary(7, 2, 1, 1, 2), result.LabelStudio);

        await using var db = app.CreateDbContext();
        var items = await db.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.SourceLine).ToListAsync();
        // Each task is unwrapped to its data: the text (or image) at the top, nothing of the task's own keys.
        Assert.Equal(
            ["Apple opened a new store in Seoul, and Kim Minji loved it.", "The delivery was late and the box was damaged.", null, "Service was fine, nothing special."],
            items.Select(i => i.Data.TryGetValue("text", out var text) ? text.GetString() : null));
        Assert.All(items, i => Assert.Single(i.Data));
        Assert.Equal("https://example.com/photos/street-0042.jpg", items[2].Data["image"].GetString());
        // Answers hold their slots: with overlap 2, the first three items are complete and the last needs one more.
        Assert.Equal([2, 2, 2, 1], items.Select(i => i.SubmittedCount));
        Assert.Equal([2, 2, 2, 1], items.Select(i => i.TakenSlots));

        // Alice is matched by e-mail (as Identity compares them); Bob (an object without a member) and user 3 (a bare number) get service accounts.
        var accounts = await db.Users.Where(u => u.UserName!.StartsWith("ls-")).ToDictionaryAsync(u => u.UserName!, u => u);
        Assert.Equal(["ls-3", "ls-bob@labelstudio.example"], accounts.Keys.Order(StringComparer.Ordinal));
        Assert.All(accounts.Values, a => Assert.True(a.IsServiceAccount));
        var bobId = accounts["ls-bob@labelstudio.example"].Id;
        var carolId = accounts["ls-3"].Id;
        Assert.Equal(2, await db.ProjectMembers.CountAsync(m => m.ProjectId == project.Id && (m.UserId == bobId || m.UserId == carolId)));

        var answers = await db.Annotations.Where(a => a.ProjectId == project.Id).ToListAsync();
        Assert.Equal(7, answers.Count);
        Assert.All(answers, a => Assert.True(a is { Version: 1, IsCurrent: true, Reason: AnnotationReason.Submit, ReviewStatus: ReviewStatus.Unreviewed }));
        Assert.All(answers, a => Assert.Equal(a.AnnotatorId, a.AuthorId));
        var assignments = await db.Assignments.Where(a => a.ProjectId == project.Id).ToDictionaryAsync(a => a.Id);
        Assert.All(answers, a => Assert.True(assignments[a.AssignmentId!.Value] is { State: AssignmentState.Submitted } s && s.UserId == a.AnnotatorId && s.ItemId == a.ItemId));
        Annotation Answer(int item, Guid annotator) => Assert.Single(answers, a => a.ItemId == items[item].Id && a.AnnotatorId == annotator);

        var alice101 = Answer(0, aliceId);
        Assert.Equal(new DateTimeOffset(2024, 5, 2, 10, 15, 30, TimeSpan.Zero).AddTicks(1_234_560), alice101.CreatedAt);
        Assert.Equal(12_500, alice101.DurationMs);
        Assert.Equal("Label Studio task 101, annotation 11", alice101.Comment);
        Assert.Equal("positive", alice101.Values["sentiment"].GetString());
        Assert.Equal(
            [new SpanValue(0, 5, "ORG", "Apple"), new SpanValue(28, 33, "LOC", "Seoul"), new SpanValue(39, 48, "PER", "Kim Minji")],
            alice101.Values["ner"].Deserialize<SpanValue[]>()!);
        Assert.Equal(["ner", "sentiment"], Answer(0, bobId).Values.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, Answer(0, bobId).Values["ner"].GetArrayLength());

        var alice102 = Answer(1, aliceId);
        Assert.Equal(["service", "quality"], alice102.Values["topics"].Deserialize<string[]>()!);
        Assert.Equal("negative", alice102.Values["sentiment"].GetString());
        // Bob cancelled task 102: no answer of his; user 3's textarea became the note.
        Assert.DoesNotContain(answers, a => a.ItemId == items[1].Id && a.AnnotatorId == bobId);
        Assert.Equal("box arrived damaged", Answer(1, carolId).Values["note"].GetString());
        Assert.Equal(31_400, Answer(1, carolId).DurationMs);

        // Percent of a 640 x 480 image, snapped to whole pixels (hand-computed: 10.2 % of 640 = 65.28 → 65 px, 9.5 % = 60.8 → 61 px, and so on).
        Assert.Equal(
            [new BoxValue(0.1, 0.2, 0.3, 0.4, "car", 64, 96, 192, 192), new BoxValue(355 / 640.0, 0.1, 0.2, 0.5, "person", 355, 48, 128, 240)],
            Answer(2, aliceId).Values["objects"].Deserialize<BoxValue[]>()!);
        Assert.Equal([new BoxValue(65 / 640.0, 0.2, 190 / 640.0, 0.4, "car", 65, 96, 190, 192)], Answer(2, bobId).Values["objects"].Deserialize<BoxValue[]>()!);
        Assert.Equal("neutral", Answer(3, bobId).Values["sentiment"].GetString());
        // Revealing the answers (a bulk update, not SaveChanges) queues what the data manager's label filter reads; a data
        // manager read refreshes the queue first, as this does.
        await ItemStatsRefresh.RunAsync(db, project.Id);
        var labels = await db.ItemLabels.Where(l => l.ProjectId == project.Id).Select(l => new { l.ItemId, l.Field, l.Label }).ToListAsync();
        Assert.Equal([items[1].Id], labels.Where(l => l.Field == "note" && l.Label == "box arrived damaged").Select(l => l.ItemId));
        Assert.Equal([items[1].Id], labels.Where(l => l.Field == "topics" && l.Label == "quality").Select(l => l.ItemId));
        Assert.Contains(labels, l => l.ItemId == items[0].Id && l.Field == "sentiment" && l.Label == "positive");

        var predictions = await db.Predictions.Where(p => p.ProjectId == project.Id).OrderBy(p => p.ItemId).ToListAsync();
        Assert.Equal([items[0].Id, items[2].Id], predictions.Select(p => p.ItemId));
        Assert.Equal(["bert-sentiment-v1", "yolo-street-2"], predictions.Select(p => p.ModelVersion));
        Assert.Equal([0.87, 0.91], predictions.Select(p => p.Score));
        Assert.Equal("positive", predictions[0].Values["sentiment"].GetString());
        Assert.Equal([new BoxValue(61 / 640.0, 0.2, 0.3, 0.4, "car", 61, 96, 192, 192)], predictions[1].Values["objects"].Deserialize<BoxValue[]>()!);

        // The distributor sees the imported answers: Dave gets the one item that still needs an answer, then nothing.
        var next = await dave.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(items[3].Id, (await next.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!.ItemId);
        var submitted = await dave.PostRawAsync($"/api/v1/tasks/{(await db.Assignments.SingleAsync(a => a.UserId == dave.UserId)).Id}/submit",
            new SubmitRequest(Values(("sentiment", "neutral"))));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await dave.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).StatusCode);
        // Alice answered every item in Label Studio but 104, which is now full: nothing for her either.
        var alice = await app.ClientForAsync(aliceId);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).StatusCode);

        // A second import of the same annotators uses the same accounts.
        // (Seoul → Busan makes task 101 a new item; the other tasks repeat items of the project and are skipped with their answers.)
        var again = Export.Replace("Seoul", "Busan", StringComparison.Ordinal);
        var secondJob = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "again.json", again)).Id);
        Assert.Equal(JobState.Succeeded, secondJob.State);
        Assert.Equal(new LabelStudioImportSummary(2, 1, 0, 1, 1), JsonSerializer.Deserialize<ImportResult>(secondJob.Result!, LabelHubApp.Json)!.LabelStudio);
        Assert.Equal(2, await db.Users.CountAsync(u => u.UserName!.StartsWith("ls-")));
        var busan = await db.Items.SingleAsync(i => i.ProjectId == project.Id && i.ImportJobRunId == secondJob.Id);
        Assert.Equal([aliceId, bobId], (await db.Annotations.Where(a => a.ItemId == busan.Id).Select(a => a.AnnotatorId).ToListAsync()).Order());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Imported_answers_become_current_only_with_their_items_also_when_revealing_is_finished_after_a_crash(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Half revealed", null, StudioSchema, 2));
        var job = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "project-7-export.json", Export)).Id);
        Assert.Equal(JobState.Succeeded, job.State);
        await using var db = app.CreateDbContext();
        var firstTwo = await db.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.Id).Take(2).Select(i => i.Id).ToListAsync();

        // As the import stands while it is storing, or when the process died halfway through revealing: the first two items
        // pending, their four answers not current, so nothing that reads current answers (review, quality, exports) sees them.
        await db.Items.Where(i => firstTwo.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, Item.PendingSlots));
        await db.Annotations.Where(a => firstTwo.Contains(a.ItemId)).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsCurrent, false));
        await db.ItemLabels.Where(l => firstTwo.Contains(l.ItemId)).ExecuteDeleteAsync();
        Assert.Equal(3, await db.Annotations.CountAsync(a => a.ProjectId == project.Id && a.IsCurrent));

        var run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == job.Id);
        var outcome = await app.Service<ItemImporter>().RunAsync(run, CollectionJobs.Import.ReadParameters(run), new NoProgress(), CancellationToken.None);

        Assert.Equal(4, outcome.Result!.Imported);
        Assert.Equal(7, await db.Annotations.CountAsync(a => a.ProjectId == project.Id && a.IsCurrent));
        // Their labels arrive with them (the data manager's label filter).
        await ItemStatsRefresh.RunAsync(db, project.Id);
        var labels = await db.ItemLabels.Where(l => firstTwo.Contains(l.ItemId)).Select(l => l.Field + "=" + l.Label).ToListAsync();
        Assert.Contains("sentiment=positive", labels);
        Assert.Contains("note=box arrived damaged", labels);
        Assert.Equal([2, 2, 2, 1], await db.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.Id).Select(i => i.TakenSlots).ToListAsync());
    }

    private sealed class NoProgress : IJobProgress
    {
        public Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default) => Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_label_studio_export_whose_results_do_not_fit_the_schema_names_each_task_and_imports_nothing(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Mismatch", null, StudioSchema, 2));
        // One result names a field the schema lacks, another marks text the item does not hold there.
        var broken = Export
            .Replace("\"from_name\": \"topics\"", "\"from_name\": \"aspects\"", StringComparison.Ordinal)
            .Replace("\"text\": \"Kim Minji\"", "\"text\": \"Kim Minjae\"", StringComparison.Ordinal);

        var job = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "broken.json", broken)).Id);

        Assert.Equal(JobState.Failed, job.State);
        var errors = JsonSerializer.Deserialize<ImportResult>(job.Result!, LabelHubApp.Json)!.Errors!;
        Assert.Equal(2, errors.Count);
        Assert.Equal(2, errors[0].Line);
        Assert.Equal("task 101, annotation 11, result \"n3\": the text \"Kim Minjae\" is not what characters 39 to 48 of the item hold (\"Kim Minji\")", errors[0].Message);
        Assert.Equal("task 102, annotation 13, result \"t13\": the label schema has no field \"aspects\"", errors[1].Message);
        Assert.True(errors[1].Line > errors[0].Line);
        await using var db = app.CreateDbContext();
        Assert.Equal(0, await db.Items.IgnoreQueryFilters().CountAsync(i => i.ProjectId == project.Id));
        Assert.Equal(0, await db.Annotations.CountAsync(a => a.ProjectId == project.Id));
        Assert.Equal(0, await db.Assignments.CountAsync(a => a.ProjectId == project.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Two_label_studio_users_that_match_one_member_on_one_task_are_refused_by_name(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var alice = await app.CreateUserClientAsync("alice", Roles.Annotator);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Same person", null, StudioSchema, 2));
        await AddMemberAsync(manager, project.Id, alice.UserId);
        // Label Studio user 1 is matched by user name, user 9 too (names compare case-insensitively, as Identity does).
        const string tasks = """
            [{"id": 5, "data": {"text": "fine"}, "annotations": [
              {"id": 1, "completed_by": {"id": 1, "username": "alice"}, "result": []},
              {"id": 2, "completed_by": {"id": 9, "username": "ALICE"}, "result": []}]}]
            """;

        var job = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "same.json", tasks)).Id);

        Assert.Equal(JobState.Failed, job.State);
        var error = Assert.Single(JsonSerializer.Deserialize<ImportResult>(job.Result!, LabelHubApp.Json)!.Errors!);
        Assert.Equal(new ImportRowError(1, "task 5: annotations by Label Studio users 1 and 9 map to the same account"), error);
        await using var db = app.CreateDbContext();
        Assert.Equal(0, await db.Items.IgnoreQueryFilters().CountAsync(i => i.ProjectId == project.Id));
        Assert.False(await db.Users.AnyAsync(u => u.IsServiceAccount));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Label_studio_tasks_sent_through_the_api_are_unwrapped_and_keep_their_answers(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Via API", null, StudioSchema, 1));
        var tasks = JsonDocument.Parse(Export).RootElement.EnumerateArray().Take(1)
            .Append(JsonDocument.Parse("""{"data": {"text": "A bare task"}}""").RootElement)
            .Append(JsonDocument.Parse("""{"text": "A plain item", "data": "kept as a column"}""").RootElement)
            .ToList();

        var started = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", tasks);
        var job = await WaitForJobAsync(manager, started.Id);

        Assert.Equal(JobState.Succeeded, job.State);
        await using var db = app.CreateDbContext();
        var items = await db.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.SourceLine).ToListAsync();
        Assert.Equal(["text"], items[0].Data.Keys);
        Assert.Equal(["text"], items[1].Data.Keys);
        Assert.Equal("A bare task", items[1].Data["text"].GetString());
        Assert.Equal(["data", "text"], items[2].Data.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, await db.Annotations.CountAsync(a => a.ItemId == items[0].Id));
        Assert.Equal([2, 0, 0], items.Select(i => i.SubmittedCount));
    }
}
