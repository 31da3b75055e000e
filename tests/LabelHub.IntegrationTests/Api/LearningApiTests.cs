using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// An active-learning round through the API on both databases: a model trains on the first answers, scores the
/// rest, and the annotator's queue then hands out the items it is least sure about first.
/// </summary>
public sealed class LearningApiTests
{
    private static readonly string[] PositiveWords = ["great", "love", "excellent", "perfect", "happy", "wonderful", "recommend", "fast"];
    private static readonly string[] NegativeWords = ["awful", "broken", "terrible", "refund", "angry", "slow", "worst", "disappointed"];

    /// <summary>
    /// Clear reviews of one side, and "mixed" ones with as many words of both: those are the ones a model trained on
    /// the clear ones cannot call, so an uncertainty strategy must choose them.
    /// </summary>
    private static List<(string Text, string? Label, bool Mixed)> Reviews(int clearPerSide, int mixed, int seed)
    {
        var random = new Random(seed);
        string Words(string[] from, int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => from[random.Next(from.Length)]));
        var reviews = new List<(string, string?, bool)>();
        for (var i = 0; i < clearPerSide; i++)
        {
            reviews.Add(($"{Words(PositiveWords, 4)} product {i}", "positive", false));
            reviews.Add(($"{Words(NegativeWords, 4)} product {i}", "negative", false));
        }
        for (var i = 0; i < mixed; i++)
        {
            reviews.Add(($"{Words(PositiveWords, 2)} but {Words(NegativeWords, 2)} item {i}", null, true));
        }
        return reviews;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_round_trains_on_the_answers_and_puts_the_most_uncertain_items_first_in_the_annotators_queue(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Reviews", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);

        // 40 clear reviews first (answered below), then 60 more clear ones and 20 mixed ones, shuffled.
        var first = Reviews(20, 0, seed: 1);
        var rest = Reviews(30, 20, seed: 2).OrderBy(_ => Random.Shared.Next()).ToList();
        var all = first.Concat(rest).ToList();
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", all.Select(r => new { text = r.Text }).ToArray());
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        var items = await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items?limit=500");
        var byText = all.ToDictionary(r => r.Text);
        var itemOf = items.Items.ToDictionary(i => i.Id, i => byText[i.Data["text"].GetString()!]);

        // Before any round, the queue is in import order: the annotator answers the first 40.
        for (var n = 0; n < first.Count; n++)
        {
            var task = await NextTaskAsync(annotator, project.Id);
            var review = itemOf[task.ItemId];
            Assert.False(review.Mixed);
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", review.Label!))));
        }

        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/learning/settings",
            new LearningSettings { Field = "sentiment", Strategy = SamplingStrategy.Margin, Diversity = false, BatchSize = 10, MinLabelsForModel = 10 }, LabelHubApp.Json));
        var start = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/learning/rounds", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var job = (await start.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        // A second round while one runs is refused.
        Assert.Equal(HttpStatusCode.Conflict, (await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/learning/rounds", null)).StatusCode);
        var finished = await WaitForJobAsync(manager, job.Id, timeoutSeconds: 180);
        Assert.True(finished.State == JobState.Succeeded, $"{finished.Message} {finished.Error}");

        var models = await manager.GetAsync<List<ModelVersionInfo>>($"/api/v1/projects/{project.Id}/models");
        var model = Assert.Single(models);
        Assert.Equal(ModelKind.TextMlp, model.Kind);
        Assert.Equal(first.Count, model.TrainCount + model.ValidationCount);
        Assert.NotEmpty(model.Epochs);
        var trainingSet = await manager.Http.GetStringAsync($"/api/v1/projects/{project.Id}/models/1/training-set");
        Assert.Equal(first.Count, trainingSet.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var round = await manager.GetAsync<RoundDetail>($"/api/v1/projects/{project.Id}/learning/rounds/1");
        Assert.False(round.Round.ColdStart);
        Assert.Equal(1, round.Round.ModelVersion);
        Assert.Equal(10, round.Picks.Count);
        Assert.Equal(Enumerable.Range(1, 10), round.Picks.Select(p => p.Rank));
        Assert.All(round.Picks, p => Assert.Contains("margin", p.Reason, StringComparison.OrdinalIgnoreCase));
        // Picks are in descending uncertainty, and most are the mixed reviews the model cannot call.
        Assert.Equal(round.Picks.Select(p => p.Score).OrderDescending(), round.Picks.Select(p => p.Score));
        Assert.True(round.Picks.Count(p => itemOf[p.ItemId].Mixed) >= 8, string.Join(" | ", round.Picks.Select(p => $"{itemOf[p.ItemId].Text} {p.Score:F3}")));

        // The annotator's queue now hands out the picks, in rank order, with the model's suggestion attached.
        foreach (var pick in round.Picks)
        {
            var task = await NextTaskAsync(annotator, project.Id);
            Assert.Equal(pick.ItemId, task.ItemId);
            var suggestion = Assert.Single(task.Suggestions!);
            Assert.Equal("LabelHub v1", suggestion.ModelVersion);
            Assert.Equal(pick.PredictedLabel, suggestion.Values["sentiment"].GetString());
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "neutral"))));
        }
        var status = await manager.GetAsync<LearningStatus>($"/api/v1/projects/{project.Id}/learning");
        Assert.Equal(10, status.AnswersSinceLastRound);
        Assert.Equal(all.Count - first.Count - 10, status.Pool);

        // "A round every 10 answers": the minutely upkeep starts the next round by itself, once.
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/learning/settings",
            status.Settings with { RoundEveryAnswers = 10 }, LabelHubApp.Json));
        Assert.Equal(1, await app.Service<LearningService>().StartDueRoundsAsync());
        Assert.Equal(0, await app.Service<LearningService>().StartDueRoundsAsync());
        var automatic = (await manager.GetAsync<LearningStatus>($"/api/v1/projects/{project.Id}/learning")).ActiveJob;
        Assert.NotNull(automatic);
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, automatic.Id, timeoutSeconds: 180)).State);
        var rounds = await manager.GetAsync<List<RoundInfo>>($"/api/v1/projects/{project.Id}/learning/rounds");
        Assert.Equal([2, 1], rounds.Select(r => r.Number));
        Assert.Equal(RoundTrigger.Automatic, rounds[0].Trigger);
        Assert.Equal(first.Count + 10, rounds[0].LabeledCount);
        Assert.Equal(2, rounds[0].ModelVersion);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task With_too_few_labels_a_round_picks_a_diverse_seed_set_and_it_comes_first(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Cold", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        // Three tight groups of near-identical texts (differing in one token, since exact duplicates are not imported): a diverse seed set of three takes one from each.
        var texts = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            texts.Add($"shipping delivery courier box arrived number{i}");
            texts.Add($"battery charger screen phone power number{i}");
            texts.Add($"colour fabric size fits shirt number{i}");
        }
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", texts.Select(t => new { text = t }).ToArray());
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/learning/settings",
            new LearningSettings { BatchSize = 3 }, LabelHubApp.Json));

        var job = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/learning/rounds", null);
        var finished = await WaitForJobAsync(manager, job.Id, timeoutSeconds: 120);
        Assert.True(finished.State == JobState.Succeeded, $"{finished.Message} {finished.Error}");
        var round = await manager.GetAsync<RoundDetail>($"/api/v1/projects/{project.Id}/learning/rounds/1");
        Assert.True(round.Round.ColdStart);
        Assert.Null(round.Round.ModelVersion);
        Assert.Equal(3, round.Picks.Count);
        var topics = round.Picks.Select(p => p.Item["text"].GetString()!.Split(' ')[0]).ToHashSet();
        Assert.Equal(["battery", "colour", "shipping"], topics.Order());
        Assert.Empty(await manager.GetAsync<List<ModelVersionInfo>>($"/api/v1/projects/{project.Id}/models"));

        foreach (var pick in round.Picks)
        {
            var task = await NextTaskAsync(annotator, project.Id);
            Assert.Equal(pick.ItemId, task.ItemId);
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "neutral"))));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Settings_are_validated_field_by_field(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Settings", overlap: 1);
        var response = await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/learning/settings",
            new LearningSettings { Field = "topics", BatchSize = 0, RoundEveryAnswers = 3 }, LabelHubApp.Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"field\"", problem, StringComparison.Ordinal);
        Assert.Contains("\"batchSize\"", problem, StringComparison.Ordinal);
        Assert.Contains("\"roundEveryAnswers\"", problem, StringComparison.Ordinal);
        var status = await manager.GetAsync<LearningStatus>($"/api/v1/projects/{project.Id}/learning");
        Assert.Equal("sentiment", status.Field);
        Assert.Equal(50, status.Settings.BatchSize);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_simulation_replays_labeling_on_the_projects_labeled_items_for_each_strategy_against_random(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Simulated", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        var reviews = Reviews(60, 30, seed: 3).Select(r => (r.Text, Label: r.Label ?? "neutral")).ToList();
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", reviews.Select(r => new { text = r.Text }).ToArray());
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        var labelOf = reviews.ToDictionary(r => r.Text, r => r.Label);
        for (var n = 0; n < reviews.Count; n++)
        {
            var task = await NextTaskAsync(annotator, project.Id);
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                new SubmitRequest(Values(("sentiment", labelOf[task.Data["text"].GetString()!]))));
        }

        // 150 labeled, 20 % held out: asking for 130 labels is refused, naming the limit.
        var tooMany = await manager.PostRawAsync($"/api/v1/projects/{project.Id}/learning/simulations", new SimulationRequest(MaxLabels: 130));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("maxLabels", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var job = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/learning/simulations",
            new SimulationRequest([SamplingStrategy.Margin], SeedLabels: 20, BatchSize: 20, MaxLabels: 80, Seeds: 2));
        var finished = await WaitForJobAsync(manager, job.Id, timeoutSeconds: 300);
        Assert.True(finished.State == JobState.Succeeded, $"{finished.Message} {finished.Error}");
        var simulation = Assert.Single(await manager.GetAsync<List<SimulationInfo>>($"/api/v1/projects/{project.Id}/learning/simulations"));
        var result = simulation.Result!;
        Assert.Equal(reviews.Count, result.PoolSize + result.TestSize);
        Assert.InRange(result.TestSize, 15, 50);
        Assert.Equal(2, result.Seeds);
        Assert.Equal([SamplingStrategy.Random, SamplingStrategy.Margin], result.Curves.Select(c => c.Strategy));
        Assert.All(result.Curves, c =>
        {
            Assert.Equal([20, 40, 60, 80], c.Points.Select(p => p.Labels));
            Assert.All(c.Points, p => Assert.InRange(p.Mean, p.Min, p.Max));
        });
        // Random reaches its own final accuracy by definition, at its last point at the latest.
        Assert.NotNull(result.Curves[0].LabelsToReachRandom);
        Assert.Contains("random sampling reached", finished.Message, StringComparison.Ordinal);
    }

    private static async Task<LabelingTask> NextTaskAsync(ApiClient annotator, Guid projectId)
    {
        var response = await annotator.Http.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
    }
}
