using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Several annotators label through the API; the quality report computed by the job is read back — on both databases.</summary>
public sealed class QualityApiTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"], Required = true },
            new LabelField { Name = "stars", Kind = FieldKind.Rating, Min = 1, Max = 5 },
        ],
    };

    // Per item (in item order): the sentiment and stars each annotator gives. Item 5 splits C from A and B;
    // item 6 becomes gold ("neutral") after everyone answered it.
    private static readonly (string Sentiment, int Stars)[][] Answers =
    [
        [("positive", 5), ("positive", 5), ("positive", 4)],
        [("negative", 1), ("negative", 1), ("negative", 2)],
        [("neutral", 3), ("neutral", 3), ("neutral", 3)],
        [("positive", 4), ("positive", 4), ("positive", 5)],
        [("positive", 5), ("positive", 5), ("negative", 2)],
        [("neutral", 3), ("negative", 2), ("neutral", 3)],
    ];

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Annotators_label_a_project_and_the_manager_reads_agreement_gold_accuracy_and_the_pairs_behind_it(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects",
            new ProjectInput("Quality", null, Schema, Overlap: 3, Quality: new QualitySettings { AgreementTarget = 0.7, RecomputeEveryAnnotations = 10 }));
        var texts = Enumerable.Range(1, Answers.Length).Select(i => new { text = $"review {i}" }).ToArray();
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", texts)).Id)).State);
        var itemIds = (await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items.Select(i => i.Id).Order().ToList();

        var annotators = new List<ApiClient>();
        foreach (var name in new[] { "ann-a", "ann-b", "ann-c" })
        {
            var client = await app.CreateUserClientAsync(name, Roles.Annotator);
            await AddMemberAsync(manager, project.Id, client.UserId);
            annotators.Add(client);
        }
        Assert.Equal(QualityReportState.None, (await manager.GetAsync<QualityReportState>($"/api/v1/projects/{project.Id}/quality")).Status);

        for (var who = 0; who < annotators.Count; who++)
        {
            while (await annotators[who].Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
            {
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                var answer = Answers[itemIds.IndexOf(task.ItemId)][who];
                await annotators[who].PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                    new SubmitRequest(Values(("sentiment", answer.Sentiment), ("stars", answer.Stars)), DurationMs: 2000 + (1000 * who)));
            }
        }
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/items/{itemIds[5]}/gold",
            new GoldRequest(Values(("sentiment", "neutral"))), LabelHubApp.Json));

        // 18 answers since no report and "recompute every 10": the minutely check starts a job by itself.
        Assert.Equal(1, await app.Service<QualityService>().StartDueRecomputesAsync());
        Assert.Equal(0, await app.Service<QualityService>().StartDueRecomputesAsync());
        var automatic = await WaitForLatestJobAsync(app, manager, project.Id);
        Assert.Equal(JobState.Succeeded, automatic.State);

        var recompute = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/quality/recompute", null);
        Assert.Equal(HttpStatusCode.Accepted, recompute.StatusCode);
        var run = (await recompute.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        var finished = await WaitForJobAsync(manager, run.Id);
        Assert.Equal(JobState.Succeeded, finished.State);

        var report = await manager.GetAsync<QualityReportInfo>($"/api/v1/projects/{project.Id}/quality");
        Assert.Equal(18, report.Annotations);
        // The job's result names the report it stored and the figures its summary states.
        var jobResult = QualityJobs.Recompute.ReadResult(finished)!;
        Assert.Equal((report.Id, 18, report.Data.Kpis.Agreement?.Value), (jobResult.ReportId, jobResult.Annotations, jobResult.Agreement));
        Assert.Equal(jobResult.Summary(), finished.ResultSummary);
        Assert.Equal(0, report.NewAnnotationsSince);
        Assert.Equal(0.7, report.Targets.AgreementTarget);

        // The same statistics over the 5 non-gold items, built here by hand (annotators in the report's order).
        var order = report.Data.Fields.Single(f => f.Field == "sentiment").Pairs!.Annotators;
        var raterOf = annotators.ToDictionary(a => a.UserId, a => order.IndexOf(a.UserId));
        var sentimentCodes = new[] { "positive", "negative", "neutral" };
        var expectedSentiment = RatingMatrix.FromTriples(5, 3, 3,
            Enumerable.Range(0, 5).SelectMany(item => Enumerable.Range(0, 3).Select(who =>
                (item, raterOf[annotators[who].UserId], Array.IndexOf(sentimentCodes, Answers[item][who].Sentiment)))));
        var sentiment = report.Data.Fields.Single(f => f.Field == "sentiment");
        Assert.Equal("krippendorff_alpha_nominal", sentiment.Headline);
        AssertClose(KrippendorffAlpha.Compute(expectedSentiment, AlphaLevel.Nominal), Metric(sentiment, "krippendorff_alpha_nominal"));
        AssertClose(FleissKappa.Compute(expectedSentiment), Metric(sentiment, "fleiss_kappa"));
        Assert.Equal(5, Metric(sentiment, "krippendorff_alpha_nominal").Items);
        // A and B agree on every item; C parts from them on item 5.
        var (a, b, c) = (raterOf[annotators[0].UserId], raterOf[annotators[1].UserId], raterOf[annotators[2].UserId]);
        Assert.Equal(1.0, sentiment.Pairs!.Values[a][b]!.Value!.Value, 9);
        AssertClose(CohenKappa.Compute(expectedSentiment, a, c), sentiment.Pairs.Values[a][c]!);
        Assert.True(sentiment.Pairs.Values[a][c]!.Value < 1);

        var stars = report.Data.Fields.Single(f => f.Field == "stars");
        Assert.Equal("krippendorff_alpha_ordinal", stars.Headline);
        var starValues = new double[] { 1, 2, 3, 4, 5 };
        var expectedStars = RatingMatrix.FromTriples(5, 3, 5,
            Enumerable.Range(0, 5).SelectMany(item => Enumerable.Range(0, 3).Select(who => (item, raterOf[annotators[who].UserId], Answers[item][who].Stars - 1))));
        AssertClose(KrippendorffAlpha.Compute(expectedStars, AlphaLevel.Interval, starValues), Metric(stars, "krippendorff_alpha_interval"));

        // Gold: A and C answered the gold item right, B wrong.
        var byName = report.Data.Annotators.ToDictionary(x => x.AnnotatorId);
        Assert.Equal(1.0, byName[annotators[0].UserId].GoldAccuracy.Value);
        Assert.Equal(0.0, byName[annotators[1].UserId].GoldAccuracy.Value);
        Assert.Equal(6, byName[annotators[2].UserId].Labels);
        Assert.Equal(4.0, byName[annotators[2].UserId].MedianSeconds);
        Assert.Equal(2.0 / 3, report.Data.Kpis.GoldAccuracy!.Value!.Value, 9);
        Assert.Equal(1.0, report.Data.Kpis.Progress);

        // Per field: B answered "negative" where gold says "neutral".
        var goldB = report.Data.GoldByField.Single(g => g.Field == "sentiment" && g.AnnotatorId == annotators[1].UserId);
        Assert.Equal(0.0, goldB.Accuracy.Value);
        Assert.Equal(1, goldB.Confusion[goldB.Categories.IndexOf("neutral")][goldB.Categories.IndexOf("negative")]);
        Assert.Equal(1, goldB.Confusion.Sum(row => row.Sum()));

        // Aggregation of the choice field over all six items (the gold one included, seeding Dawid–Skene).
        var vote = report.Data.Aggregations.Single(x => x.Field == "sentiment" && x.Method == "majority_vote");
        Assert.Equal(6, vote.Items);
        Assert.Equal(0, vote.Ties);
        // Four unanimous items and two decided 2 to 1.
        Assert.Equal(4 + (2 * (2.0 / 3)), vote.MeanConfidence * 6, 9);
        var ds = report.Data.Aggregations.Single(x => x.Field == "sentiment" && x.Method == "dawid_skene");
        Assert.Equal(6, ds.Items);
        Assert.True(ds.Converged);
        Assert.Equal(3, ds.Annotators.Count);

        // Every item's aggregated answer, on demand: item 5 goes to "positive" 2 to 1, the gold item keeps its gold answer.
        var majority = await manager.GetAsync<ItemAggregation>($"/api/v1/projects/{project.Id}/quality/aggregation?field=sentiment&method=majority_vote");
        Assert.Equal(6, majority.Items.Count);
        Assert.Equal("positive", majority.Items.Single(i => i.Item == itemIds[4]).Label);
        Assert.Equal(2.0 / 3, majority.Items.Single(i => i.Item == itemIds[4]).Confidence, 9);
        var dawidSkene = await manager.GetAsync<ItemAggregation>($"/api/v1/projects/{project.Id}/quality/aggregation?field=sentiment&method=dawid_skene");
        Assert.Equal("neutral", dawidSkene.Items.Single(i => i.Item == itemIds[5]).Label);
        Assert.Equal(1.0, dawidSkene.Items.Single(i => i.Item == itemIds[5]).Confidence, 9);
        var aggregationCsv = await manager.Http.GetStringAsync($"/api/v1/projects/{project.Id}/quality/aggregation?field=sentiment&format=csv");
        Assert.StartsWith("item_id,label,confidence,tie", aggregationCsv);
        Assert.Equal(7, aggregationCsv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var notChoice = await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/quality/aggregation?field=stars&method=vote");
        Assert.Equal(HttpStatusCode.BadRequest, notChoice.StatusCode);
        var problem = await notChoice.Content.ReadAsStringAsync();
        Assert.Contains("field", problem);
        Assert.Contains("method", problem);

        // The heatmap cell A × C opens the items behind it, the disagreement first.
        var pairs = await manager.GetAsync<PairItemsPage>(
            $"/api/v1/projects/{project.Id}/quality/pairs?field=sentiment&a={annotators[0].UserId}&b={annotators[2].UserId}");
        Assert.Equal(5, pairs.Total);
        Assert.Equal(1, pairs.Disagreements);
        Assert.Equal(itemIds[4], pairs.Items[0].ItemId);
        Assert.False(pairs.Items[0].Agree);
        Assert.Equal("positive", pairs.Items[0].AnswerA!.Value.GetString());
        Assert.Equal("negative", pairs.Items[0].AnswerB!.Value.GetString());

        Assert.Null(pairs.Items[0].Data);

        // For spans the list carries the item's text, so the page can draw both annotators' spans on it.
        var nerSchema = new LabelSchema { Fields = [new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "ORG"], Source = "text" }] };
        var ner = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("NER quality", null, nerSchema, Overlap: 2));
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{ner.Id}/items", new[] { new { text = "Ada Lovelace met Babbage" } })).Id)).State);
        foreach (var (who, end) in new[] { (0, 12), (1, 3) })
        {
            await AddMemberAsync(manager, ner.Id, annotators[who].UserId);
            var task = (await (await annotators[who].Http.PostAsync($"/api/v1/projects/{ner.Id}/tasks/next", null)).Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            await annotators[who].PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                new SubmitRequest(Values(("entities", new[] { new { start = 0, end, label = "PER" } }))));
        }
        var nerPairs = await manager.GetAsync<PairItemsPage>(
            $"/api/v1/projects/{ner.Id}/quality/pairs?field=entities&a={annotators[0].UserId}&b={annotators[1].UserId}");
        Assert.False(Assert.Single(nerPairs.Items).Agree);
        Assert.Equal("Ada Lovelace met Babbage", nerPairs.Items[0].Data!["text"].GetString());

        var csv = await manager.Http.GetStringAsync($"/api/v1/projects/{project.Id}/quality/annotators.csv");
        Assert.StartsWith("annotator,annotator_id,labels", csv);
        Assert.Contains("ann-a", csv);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/quality/nothing.csv")).StatusCode);

        var trend = await manager.GetAsync<List<QualityTrendPoint>>($"/api/v1/projects/{project.Id}/quality/trend");
        Assert.Equal(2, trend.Count);
        Assert.True(trend[0].ComputedAt <= trend[1].ComputedAt);

        // Annotators see none of it; bad input names the field.
        Assert.Equal(HttpStatusCode.Forbidden, (await annotators[0].Http.GetAsync($"/api/v1/projects/{project.Id}/quality")).StatusCode);
        var badPage = await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/quality/pairs?field=sentiment&a={annotators[0].UserId}&b={annotators[1].UserId}&pageSize=0");
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Contains("pageSize", await badPage.Content.ReadAsStringAsync());
        var badField = await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/quality/pairs?field=nope&a={annotators[0].UserId}&b={annotators[1].UserId}");
        Assert.Contains("field", await badField.Content.ReadAsStringAsync());
        var badTarget = await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}",
            new ProjectInput("Quality", null, Schema, 3, Quality: new QualitySettings { GoldAccuracyTarget = 1.5 }), LabelHubApp.Json);
        Assert.Equal(HttpStatusCode.BadRequest, badTarget.StatusCode);
        Assert.Contains("quality.goldAccuracyTarget", await badTarget.Content.ReadAsStringAsync());
    }

    private static Agreement Metric(FieldQuality field, string metric) => field.Metrics.Single(m => m.Metric == metric).Value;

    private static void AssertClose(Agreement expected, Agreement actual)
    {
        Assert.True(expected.IsDefined, expected.UndefinedReason);
        Assert.True(actual.IsDefined, actual.UndefinedReason);
        Assert.Equal(expected.Value!.Value, actual.Value!.Value, 9);
    }

    private static async Task<JobRunInfo> WaitForLatestJobAsync(LabelHubApp app, ApiClient manager, Guid projectId)
    {
        await using var db = app.CreateDbContext();
        var id = await db.JobRuns.Where(j => j.ProjectId == projectId && j.Kind == QualityJobs.Recompute.Kind).OrderByDescending(j => j.CreatedAt).Select(j => j.Id).FirstAsync();
        return await WaitForJobAsync(manager, id);
    }
}
