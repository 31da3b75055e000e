using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The label-error detector through the API (issue 14): Fashion-MNIST images imported as a ZIP, answers submitted by an
/// annotator with some labels flipped, the job's findings compared with the flipped set.
/// </summary>
public sealed class LabelErrorTests(ITestOutputHelper output)
{
    private static readonly LabelSchema ClothesSchema = new()
    {
        Fields =
        [
            new LabelField { Name = "category", Kind = FieldKind.Choice, Labels = [.. FashionMnistSubset.Labels], Required = true },
            new LabelField { Name = "note", Kind = FieldKind.Text, MaxLength = 200 },
        ],
    };

    /// <summary>
    /// The issue's setting and target: 3,000 images, 10 % of the answers flipped to another class at random, the
    /// findings compared with the flipped answers: precision ≥ 0.7 and recall ≥ 0.6. The data is Fashion-MNIST's test
    /// set, while the self-confidence ceiling the job uses by default was chosen on samples of its training set
    /// (bench/LabelHub.Bench.LabelErrors). SQLite only: this measures the models and confident learning, which do not
    /// depend on the database (the behaviour on both databases is the test below).
    /// </summary>
    [Fact]
    public async Task On_3000_fashion_images_with_10_percent_flipped_labels_most_flipped_answers_are_found_and_most_findings_are_flipped()
    {
        const int Count = 3000;
        const double Noise = 0.10;
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var (manager, project, flipped, answerOf) = await LabeledProjectAsync(app, Count, Noise, seed: 14);

        var job = await RunAsync(manager, project.Id, new { field = "category" }, timeoutSeconds: 1800);
        var result = CleansingJobs.LabelErrors.ReadResult(job)!;
        await using var db = app.CreateDbContext();
        var findings = await db.CleansingFindings.AsNoTracking().Where(f => f.RunId == result.RunId).ToListAsync();
        var flaggedAnswers = findings.Select(f => f.AnnotationId!.Value).ToHashSet();
        var flippedAnswers = flipped.Select(i => answerOf[i]).ToHashSet();
        var hits = flaggedAnswers.Count(flippedAnswers.Contains);
        var precision = (double)hits / flaggedAnswers.Count;
        var recall = (double)hits / flippedAnswers.Count;
        output.WriteLine($"{Count} images, {flippedAnswers.Count} flipped: {flaggedAnswers.Count} flagged, precision {precision:F3}, recall {recall:F3}; " +
            $"fold accuracy {result.MeanFoldAccuracy:F3} ({string.Join(", ", result.Folds.Select(f => FormattableString.Invariant($"{f.HeldOutAccuracy:F3} best epoch {f.BestEpoch} {f.Seconds:F0} s")))}), " +
            $"estimated noise {result.EstimatedNoiseRate:F3}, {result.Seconds:F0} s");
        Assert.Equal(Count, result.Items);
        Assert.True(precision >= 0.7, $"precision {precision:F3}");
        Assert.True(recall >= 0.6, $"recall {recall:F3}");
        Assert.InRange(result.EstimatedNoiseRate, Noise / 2, Noise * 2.5);
    }

    /// <summary>The job's behaviour on both databases, on a few hundred images and small, quick models.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_label_error_run_records_ranked_findings_with_suggestions_and_a_newer_run_supersedes_them(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var (manager, project, _, answerOf) = await LabeledProjectAsync(app, 300, 0.1, seed: 5);
        var url = $"/api/v1/projects/{project.Id}/cleansing/label-errors";

        // What cannot run is refused before a job starts, naming the field.
        await ExpectBadRequestAsync(manager, url, new { field = "note" }, "field");
        await ExpectBadRequestAsync(manager, url, new { field = "nope" }, "field");
        await ExpectBadRequestAsync(manager, url, new { folds = 1 }, "folds");
        await ExpectBadRequestAsync(manager, url, new { folds = 31 }, "folds");
        await ExpectBadRequestAsync(manager, url, new { ranking = "loudest" }, "ranking");
        await ExpectBadRequestAsync(manager, url, new { filter = "some" }, "filter");
        await ExpectBadRequestAsync(manager, url, new { maxEpochs = 0 }, "maxEpochs");
        await ExpectBadRequestAsync(manager, url, new { maxSelfConfidence = 0.0 }, "maxSelfConfidence");
        await ExpectBadRequestAsync(manager, url, new { maxSelfConfidence = 1.5 }, "maxSelfConfidence");
        // A project without answers has too few labeled items: 5 folds need at least 50.
        var empty = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Empty", "no answers", ClothesSchema, 1, 30));
        await ExpectBadRequestAsync(manager, $"/api/v1/projects/{empty.Id}/cleansing/label-errors", new { }, "folds");

        var first = await RunAsync(manager, project.Id, new { folds = 3, maxEpochs = 4, ranking = "self-confidence", seed = 1 }, timeoutSeconds: 600);
        var result = CleansingJobs.LabelErrors.ReadResult(first)!;
        Assert.Equal("category", result.Field);
        Assert.Equal("ImageCnn", result.ModelKind);
        Assert.Equal(300, result.Items);
        Assert.Equal([1, 2, 3], result.Folds.Select(f => f.Fold));
        Assert.Equal(300, result.Folds.Sum(f => f.HeldOutCount));
        Assert.All(result.Folds, f => Assert.InRange(f.HeldOutAccuracy, 0, 1));
        Assert.Equal(10, result.NoiseMatrix.Count);
        Assert.True(result.Flagged > 0, "A 4-epoch model on 300 images with 30 flipped labels flags something.");

        await using (var db = app.CreateDbContext())
        {
            var findings = await db.CleansingFindings.AsNoTracking().Where(f => f.RunId == result.RunId).ToListAsync();
            Assert.Equal(result.FlaggedAnswers, findings.Count);
            var answers = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == project.Id && a.IsCurrent).ToDictionaryAsync(a => a.Id);
            foreach (var finding in findings)
            {
                Assert.Equal(FindingSource.LabelError, finding.Source);
                Assert.Equal(FindingState.Open, finding.State);
                Assert.Equal("label-error", finding.Code);
                Assert.Equal("category", finding.Field);
                var answer = answers[finding.AnnotationId!.Value];
                Assert.Equal(answer.ItemId, finding.ItemId);
                // The suggestion is stored as an answer value: another label of the field.
                var given = answer.Values["category"].GetString()!;
                var suggested = finding.Suggestion!.Value.GetString()!;
                Assert.Contains(suggested, FashionMnistSubset.Labels);
                Assert.NotEqual(given, suggested);
                Assert.StartsWith($"Labeled {given}; the model says {suggested} (p = ", finding.Reason, StringComparison.Ordinal);
                Assert.InRange(finding.Score, 0, 1);
            }
            Assert.Equal(answerOf.Count, answers.Count);
        }

        var runs = await manager.GetAsync<List<CleansingRunInfo>>($"/api/v1/projects/{project.Id}/cleansing/runs");
        var run = Assert.Single(runs);
        Assert.Equal(CleansingRunKind.LabelErrors, run.Kind);
        Assert.Equal(first.Id, run.JobRunId);
        Assert.Equal(result.FlaggedAnswers, run.Findings);
        Assert.Equal("boss", run.StartedByName);
        Assert.NotNull(run.FinishedAt);
        Assert.Equal(3, run.Settings.GetProperty("folds").GetInt32());
        Assert.Equal("ImageCnn", run.Settings.GetProperty("modelKind").GetString());
        Assert.Equal(3, run.Settings.GetProperty("foldAccuracies").GetArrayLength());
        var one = await manager.GetAsync<CleansingRunInfo>($"/api/v1/projects/{project.Id}/cleansing/runs/{run.Id}");
        Assert.Equal(run.Findings, one.Findings);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/cleansing/runs/{run.Id + 1000}")).StatusCode);

        // Ranked by margin this time; the first run's open findings give way to the newer run's.
        var second = CleansingJobs.LabelErrors.ReadResult(await RunAsync(manager, project.Id, new { folds = 3, maxEpochs = 4, ranking = "normalized-margin", seed = 1 }, 600))!;
        await using (var db = app.CreateDbContext())
        {
            var states = await db.CleansingFindings.AsNoTracking().Where(f => f.RunId == result.RunId).Select(f => f.State).Distinct().ToListAsync();
            Assert.Equal([FindingState.Superseded], states);
            var newer = await db.CleansingFindings.AsNoTracking().Where(f => f.RunId == second.RunId).ToListAsync();
            Assert.All(newer, f => Assert.Equal(FindingState.Open, f.State));
            Assert.All(newer, f => Assert.InRange(f.Score, 0.5, 1));
        }
        Assert.Equal(2, (await manager.GetAsync<List<CleansingRunInfo>>($"/api/v1/projects/{project.Id}/cleansing/runs")).Count);
    }

    /// <summary>Three annotators per item: a three-way split is flagged at item level, a unanimous item is not.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_disagreement_run_flags_the_items_whose_annotators_split(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Split", overlap: 3);
        var annotators = new List<ApiClient>();
        foreach (var name in new[] { "ann", "bob", "cat" })
        {
            var annotator = await app.CreateUserClientAsync(name, Roles.Annotator);
            await AddMemberAsync(manager, project.Id, annotator.UserId);
            annotators.Add(annotator);
        }
        var texts = new[] { "all agree", "two agree", "all differ" };
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", texts.Select(t => new { text = t }).ToArray());
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        string[] Answers(string text) => text switch
        {
            "all agree" => ["positive", "positive", "positive"],
            "two agree" => ["positive", "positive", "negative"],
            _ => ["positive", "negative", "neutral"],
        };
        for (var a = 0; a < annotators.Count; a++)
        {
            while (await annotators[a].Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
            {
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                var answers = Answers(task.Data["text"].GetString()!);
                await annotators[a].PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", answers[a]))));
            }
        }

        var url = $"/api/v1/projects/{project.Id}/cleansing/disagreement";
        await ExpectBadRequestAsync(manager, url, new { field = "topics" }, "field");
        await ExpectBadRequestAsync(manager, url, new { minVoteShare = 1.5 }, "minVoteShare");
        var start = await manager.PostRawAsync(url, new { });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var job = await WaitForJobAsync(manager, (await start.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id);
        Assert.True(job.State == JobState.Succeeded, $"{job.ResultSummary} {job.Error}");
        var result = CleansingJobs.Disagreement.ReadResult(job)!;
        Assert.Equal(3, result.Items);

        await using var db = app.CreateDbContext();
        var textOf = await db.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).ToDictionaryAsync(i => i.Id, i => i.Data["text"].GetString()!);
        var findings = await db.CleansingFindings.AsNoTracking().Where(f => f.RunId == result.RunId).ToListAsync();
        Assert.Equal(result.Flagged, findings.Count);
        var split = Assert.Single(findings, f => textOf[f.ItemId] == "all differ");
        Assert.Equal(DisagreementRun.VoteSplitCode, split.Code);
        Assert.Equal(FindingSource.Disagreement, split.Source);
        Assert.Null(split.AnnotationId);
        Assert.Equal("sentiment", split.Field);
        Assert.StartsWith("3 answers: 1 × negative, 1 × neutral, 1 × positive (vote share 0.33)", split.Reason, StringComparison.Ordinal);
        Assert.InRange(split.Score, 0, 1);
        Assert.DoesNotContain(findings, f => textOf[f.ItemId] == "all agree");
        var run = Assert.Single(await manager.GetAsync<List<CleansingRunInfo>>($"/api/v1/projects/{project.Id}/cleansing/runs"));
        Assert.Equal(CleansingRunKind.Disagreement, run.Kind);
        Assert.Equal(0.6, run.Settings.GetProperty("minVoteShare").GetDouble());
    }

    /// <summary>
    /// A project of <paramref name="count"/> Fashion-MNIST images imported as a ZIP and answered by two annotators
    /// (one answer per item), a seeded <paramref name="noise"/> share of them flipped to another class.
    /// </summary>
    private static async Task<(ApiClient Manager, PlanningEndpoints.ProjectDto Project, HashSet<int> Flipped, Dictionary<int, long> AnswerOf)> LabeledProjectAsync(
        LabelHubApp app, int count, double noise, int seed)
    {
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Clothes", "Fashion-MNIST", ClothesSchema, 1, 30));
        var (images, classes) = FashionMnistSubset.Load(count);
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent(FashionMnistSubset.Zip(images)), "file", "clothes.zip");
            using var response = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/imports", form);
            await ApiClient.EnsureAsync(response);
            var import = await WaitForJobAsync(manager, (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id, timeoutSeconds: 600);
            Assert.True(import.State == JobState.Succeeded, $"{import.ResultSummary} {import.Error}");
        }
        var random = new Random(seed);
        var flipped = Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take((int)Math.Round(count * noise)).ToHashSet();
        var given = classes.Select((c, i) => flipped.Contains(i) ? (c + 1 + random.Next(FashionMnistSubset.Labels.Length - 1)) % FashionMnistSubset.Labels.Length : c).ToArray();

        var answerOf = new Dictionary<int, long>();
        async Task AnswerAsync(ApiClient annotator)
        {
            while (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
            {
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                var index = int.Parse(Path.GetFileNameWithoutExtension(task.Data["file_name"].GetString()!), System.Globalization.CultureInfo.InvariantCulture);
                var submitted = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                    new SubmitRequest(Values(("category", FashionMnistSubset.Labels[given[index]]))));
                lock (answerOf)
                {
                    answerOf[index] = submitted.AnnotationId;
                }
            }
        }
        var annotators = new List<ApiClient>();
        foreach (var name in new[] { "ann", "bob" })
        {
            var annotator = await app.CreateUserClientAsync(name, Roles.Annotator);
            await AddMemberAsync(manager, project.Id, annotator.UserId);
            annotators.Add(annotator);
        }
        await Task.WhenAll(annotators.Select(AnswerAsync));
        Assert.Equal(count, answerOf.Count);
        return (manager, project, flipped, answerOf);
    }

    private static async Task<JobRunInfo> RunAsync(ApiClient manager, Guid projectId, object body, int timeoutSeconds)
    {
        var start = await manager.PostRawAsync($"/api/v1/projects/{projectId}/cleansing/label-errors", body);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var job = await WaitForJobAsync(manager, (await start.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id, timeoutSeconds);
        Assert.True(job.State == JobState.Succeeded, $"{job.ResultSummary} {job.Error}");
        return job;
    }

    private static async Task ExpectBadRequestAsync(ApiClient manager, string url, object body, string field)
    {
        using var response = await manager.PostRawAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
    }
}
