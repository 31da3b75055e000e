using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The smaller API gaps of issue 13, point 18, on both databases.</summary>
public sealed class ApiGapsTests
{
    private static readonly LabelSchema ChoiceSchema = new()
    {
        Fields = [new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"], Required = true }],
    };

    // Per item, what annotators A and B answer. scikit-learn 1.2.1: cohen_kappa_score(A, B) = 0.4545454545454545; they agree on 4 of 6.
    private static readonly (string A, string B)[] Answers =
    [
        ("positive", "positive"), ("positive", "negative"), ("negative", "negative"),
        ("neutral", "neutral"), ("positive", "positive"), ("negative", "positive"),
    ];

    private static async Task<JsonElement> GetJsonAsync(ApiClient client, string url)
    {
        var response = await client.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Quality_answers_an_empty_state_before_the_first_report_then_each_pairs_cohens_kappa(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects",
            new ProjectInput("Pairs", null, ChoiceSchema, Overlap: 2, Quality: new QualitySettings { AgreementTarget = 0.6 }));
        var texts = Enumerable.Range(1, Answers.Length).Select(i => new { text = $"review {i}" }).ToArray();
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", texts)).Id)).State);
        var itemIds = (await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items.Select(i => i.Id).Order().ToList();

        // Before any report: 200 with a documented empty state, not 204; the CSV tables are their header alone.
        var empty = await GetJsonAsync(manager, $"/api/v1/projects/{project.Id}/quality");
        Assert.Equal("none", empty.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("computedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("data").ValueKind);
        Assert.Equal(0.6, empty.GetProperty("targets").GetProperty("agreementTarget").GetDouble());
        var emptyCsv = await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/quality/pairs.csv");
        Assert.Equal(HttpStatusCode.OK, emptyCsv.StatusCode);
        Assert.Equal("field,statistic,annotator_a,annotator_a_id,annotator_b,annotator_b_id,value,items,cohens_kappa,percent_agreement,undefined_reason",
            (await emptyCsv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').TrimEnd());

        var a = await app.CreateUserClientAsync("ann-a", Roles.Annotator);
        var b = await app.CreateUserClientAsync("ann-b", Roles.Annotator);
        foreach (var (annotator, who) in new[] { (a, 0), (b, 1) })
        {
            await AddMemberAsync(manager, project.Id, annotator.UserId);
            while (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
            {
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                var answer = Answers[itemIds.IndexOf(task.ItemId)];
                await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                    new SubmitRequest(Values(("sentiment", who == 0 ? answer.A : answer.B))));
            }
        }
        var recompute = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/quality/recompute", null);
        var run = (await recompute.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, run.Id)).State);

        // The same shape once a report exists, each pair listed with its statistic named.
        var report = await GetJsonAsync(manager, $"/api/v1/projects/{project.Id}/quality");
        Assert.Equal("computed", report.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, report.GetProperty("computedAt").ValueKind);
        var pair = report.GetProperty("data").GetProperty("fields")[0].GetProperty("pairAgreements").EnumerateArray().Single();
        Assert.Equal(new HashSet<Guid> { a.UserId, b.UserId }, [pair.GetProperty("annotatorA").GetGuid(), pair.GetProperty("annotatorB").GetGuid()]);
        Assert.Equal(new HashSet<string> { "ann-a", "ann-b" }, [pair.GetProperty("annotatorAName").GetString()!, pair.GetProperty("annotatorBName").GetString()!]);
        Assert.Equal("cohen_kappa", pair.GetProperty("statistic").GetString());
        Assert.Equal(0.4545454545454545, pair.GetProperty("cohensKappa").GetDouble(), 12);
        Assert.Equal(4.0 / 6, pair.GetProperty("percentAgreement").GetDouble(), 12);
        Assert.Equal(6, pair.GetProperty("items").GetInt32());

        // The list behind a heatmap cell states its pair's statistic, value and n.
        var items = await GetJsonAsync(manager, $"/api/v1/projects/{project.Id}/quality/pairs?field=sentiment&a={a.UserId}&b={b.UserId}");
        var agreement = items.GetProperty("agreement");
        Assert.Equal("cohen_kappa", agreement.GetProperty("statistic").GetString());
        Assert.Equal(0.4545454545454545, agreement.GetProperty("value").GetDouble(), 12);
        Assert.Equal(0.4545454545454545, agreement.GetProperty("cohensKappa").GetDouble(), 12);
        Assert.Equal(6, agreement.GetProperty("items").GetInt32());
        Assert.Equal((a.UserId, "ann-a"), (agreement.GetProperty("annotatorA").GetGuid(), agreement.GetProperty("annotatorAName").GetString()));

        var csv = (await manager.Http.GetStringAsync($"/api/v1/projects/{project.Id}/quality/pairs.csv")).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var row = Assert.Single(csv.Skip(1)).Split(',');
        Assert.Equal(("sentiment", "cohen_kappa", "6"), (row[0], row[1], row[7]));
        Assert.Equal(0.4545454545454545, double.Parse(row[8], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_project_response_carries_its_quality_settings(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var settings = new QualitySettings { AgreementTarget = 0.7, GoldAccuracyTarget = 0.9, LabelsPerHourTarget = 120, RecomputeEveryAnnotations = 50 };

        var created = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Targets", null, ChoiceSchema, 1, Quality: settings));
        Assert.Equal((0.7, 0.9, 120.0, 50), (created.Quality.AgreementTarget, created.Quality.GoldAccuracyTarget, created.Quality.LabelsPerHourTarget, created.Quality.RecomputeEveryAnnotations));
        var read = await GetJsonAsync(manager, $"/api/v1/projects/{created.Id}");
        Assert.Equal(50, read.GetProperty("quality").GetProperty("recomputeEveryAnnotations").GetInt32());

        var changed = settings with { AgreementTarget = 0.85, FieldAgreementTargets = new() { ["sentiment"] = 0.75 } };
        var response = await manager.Http.PutAsJsonAsync($"/api/v1/projects/{created.Id}", new ProjectInput("Targets", null, ChoiceSchema, 1, Quality: changed), LabelHubApp.Json);
        await ApiClient.EnsureAsync(response);
        var updated = (await response.Content.ReadFromJsonAsync<PlanningEndpoints.ProjectDto>(LabelHubApp.Json))!;
        Assert.Equal((0.85, 0.75), (updated.Quality.AgreementTarget, updated.Quality.FieldAgreementTargets["sentiment"]));
        Assert.Equal(0.85, (await manager.GetAsync<PlanningEndpoints.ProjectDto>($"/api/v1/projects/{created.Id}")).Quality.AgreementTarget);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task An_import_lists_each_identical_row_it_skipped_with_what_it_repeats(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Duplicates", overlap: 1);

        // Line 1 is the header: line 4 repeats line 2, line 6 repeats line 3.
        var first = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "first.csv", "text\nalpha\nbeta\nalpha\ngamma\nbeta\n")).Id);
        Assert.Equal(JobState.Succeeded, first.State);
        var firstResult = JsonDocument.Parse(first.Result!).RootElement;
        Assert.Equal(2, firstResult.GetProperty("duplicatesSkipped").GetInt32());
        Assert.Equal([(4, 2, "identical to line 2"), (6, 3, "identical to line 3")],
            firstResult.GetProperty("duplicates").EnumerateArray().Select(d => (d.GetProperty("line").GetInt32(), d.GetProperty("sameAsLine").GetInt32(), d.GetProperty("reason").GetString())));

        // A second file: "gamma" (line 3) is already an item of the project, "delta" twice (lines 2 and 4) is new once.
        var gamma = (await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items.Single(i => i.Data["text"].GetString() == "gamma").Id;
        var second = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "second.csv", "text\ndelta\ngamma\ndelta\n")).Id);
        var duplicates = JsonDocument.Parse(second.Result!).RootElement.GetProperty("duplicates").EnumerateArray().ToList();
        Assert.Equal([3, 4], duplicates.Select(d => d.GetProperty("line").GetInt32()));
        Assert.Equal(gamma, duplicates[0].GetProperty("sameAsItem").GetInt64());
        Assert.Equal($"already in the project as item {gamma}", duplicates[0].GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, duplicates[0].GetProperty("sameAsLine").ValueKind);
        Assert.Equal("identical to line 2", duplicates[1].GetProperty("reason").GetString());
        Assert.Equal(1, JsonDocument.Parse(second.Result!).RootElement.GetProperty("imported").GetInt32());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Admins_delete_accounts_without_work_and_archive_and_restore_the_others(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var idle = await app.CreateUserClientAsync("idle", Roles.Annotator);
        var worker = await app.CreateUserClientAsync("worker", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "People", overlap: 1);
        await AddMemberAsync(manager, project.Id, idle.UserId);
        await AddMemberAsync(manager, project.Id, worker.UserId);
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "one" } })).Id)).State);
        var task = (await (await worker.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
        await worker.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive"))));

        // Only admins, never themselves.
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.Http.DeleteAsync($"/api/v1/users/{idle.UserId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.Http.PostAsync($"/api/v1/users/{idle.UserId}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.DeleteAsync($"/api/v1/users/{admin.UserId}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PostAsync($"/api/v1/users/{admin.UserId}/archive", null)).StatusCode);

        // An account that never did any work goes, memberships and tokens with it.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/users/{idle.UserId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync($"/api/v1/users/{idle.UserId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await idle.Http.GetAsync("/api/v1/me")).StatusCode);
        var members = await GetJsonAsync(manager, $"/api/v1/projects/{project.Id}/members");
        Assert.DoesNotContain(members.EnumerateArray(), m => m.GetProperty("userId").GetGuid() == idle.UserId);

        // One with work is refused, told why and what to do instead, and stays as it was.
        var refused = await admin.Http.DeleteAsync($"/api/v1/users/{worker.UserId}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Archive it instead", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync($"/api/v1/users/{worker.UserId}")).StatusCode);

        // Archived: disabled at once (its token ends), hidden from the list unless asked for, its work kept under its name.
        var archived = await admin.PostAsync<Domain.Identity.UserInfo>($"/api/v1/users/{worker.UserId}/archive", null);
        Assert.NotNull(archived.ArchivedAt);
        Assert.True(archived.Disabled);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.Http.GetAsync("/api/v1/me")).StatusCode);
        Assert.DoesNotContain((await admin.GetAsync<List<Domain.Identity.UserInfo>>("/api/v1/users")), u => u.Id == worker.UserId);
        Assert.Contains((await admin.GetAsync<List<Domain.Identity.UserInfo>>("/api/v1/users?archived=true")), u => u.Id == worker.UserId && u.ArchivedAt != null);
        Assert.Equal(1, (await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items.Single().SubmittedCount);

        var restored = await admin.PostAsync<Domain.Identity.UserInfo>($"/api/v1/users/{worker.UserId}/restore", null);
        Assert.Null(restored.ArchivedAt);
        Assert.False(restored.Disabled);
        Assert.Contains((await admin.GetAsync<List<Domain.Identity.UserInfo>>("/api/v1/users")), u => u.Id == worker.UserId);
    }
}
