using System.Security.Claims;
using Bunit;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Learning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>
/// The Models page and its parts against the real learning service on a SQLite database, with models, rounds and
/// picks stored as a round job leaves them. The model runtime is the one thing stood in for: this process has no
/// TorchSharp, and whether it loads is exactly what the page has to show.
/// </summary>
public sealed class ModelsPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };
    private static readonly LabelField Comment = new() { Name = "comment", Kind = FieldKind.Text };

    private readonly WorkbenchDatabase database;
    private readonly RecordingScheduler scheduler = new();

    public ModelsPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IJobScheduler>(scheduler);
        Services.AddSingleton<JobRunService>();
        Services.AddSingleton<ProjectService>();
        Services.AddSingleton<LearningService>();
    }

    [Fact]
    public async Task Without_a_model_runtime_the_page_says_why_and_nothing_can_be_started()
    {
        Services.AddSingleton<ILearningRuntime>(new FixedRuntime(LearningAvailability.Unavailable("libtorch_cpu.so could not be loaded.")));
        var (user, projectId) = await ProjectAsync();

        var page = await OpenAsync(user, projectId);

        var alert = page.Find("[data-testid=learning-disabled]");
        Assert.Contains("Learning jobs are disabled: libtorch_cpu.so could not be loaded.", alert.TextContent);
        Assert.True(page.Find("[data-testid=models-run-round]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=simulation-start]").HasAttribute("disabled"));
        Assert.Contains("Unavailable", page.Find("[data-testid=learning-device]").TextContent);
        Assert.NotNull(page.Find("[data-testid=models-empty]"));
        Assert.NotNull(page.Find("[data-testid=rounds-empty]"));
        Assert.NotNull(page.Find("[data-testid=learning-curve-empty]"));
    }

    [Fact]
    public async Task The_disabled_alert_speaks_korean()
    {
        CultureInfo("ko");
        Services.AddSingleton<ILearningRuntime>(new FixedRuntime(LearningAvailability.Unavailable("no libtorch")));
        var (user, projectId) = await ProjectAsync();

        var page = await OpenAsync(user, projectId);

        Assert.Contains("학습 작업이 비활성화되었습니다: no libtorch", page.Find("[data-testid=learning-disabled]").TextContent);
        Assert.Contains("라운드 실행", page.Find("[data-testid=models-run-round]").TextContent);
    }

    [Fact]
    public async Task The_tables_list_the_stored_models_and_rounds_and_a_round_opens_its_picks()
    {
        Services.AddSingleton<ILearningRuntime>(new FixedRuntime(LearningAvailability.Ready("cpu")));
        var (user, projectId) = await ProjectAsync();
        var textItem = await database.AddItemAsync(projectId, new { text = "The delivery was late and the box was crushed." });
        var imageItem = await database.AddItemAsync(projectId, new { image = "https://images.example.com/cat.png" });
        var recordItem = await database.AddItemAsync(projectId, new { price = 12, city = "Seoul" });
        await AnswerAsync(textItem);
        var v1 = await AddModelAsync(projectId, 1, train: 16, validation: 4, accuracy: 0.60);
        await AddModelAsync(projectId, 2, train: 32, validation: 8, accuracy: 0.70);
        await AddModelAsync(projectId, 3, train: 64, validation: 16, accuracy: 0.76);
        await AddRoundAsync(projectId, 1, coldStart: true, model: null, (recordItem, null, null));
        await AddRoundAsync(projectId, 2, coldStart: false, model: v1, (textItem, "positive", 0.55), (imageItem, "negative", 0.51));

        var page = await OpenAsync(user, projectId);

        Assert.Contains("CPU", page.Find("[data-testid=learning-device]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=learning-disabled]"));
        Assert.False(page.Find("[data-testid=models-run-round]").HasAttribute("disabled"));

        var models = page.FindAll("[data-testid=models-table] [data-testid=model-row]");
        Assert.Equal(["3", "2", "1"], models.Select(r => r.GetAttribute("data-version")));
        Assert.Equal("76.0%", models[0].QuerySelector("[data-testid=model-accuracy]")!.TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=model-detail]"));
        models[1].Click();
        var detail = page.Find("[data-testid=model-detail]");
        Assert.Equal("2", detail.GetAttribute("data-version"));
        Assert.Equal($"/api/v1/projects/{projectId}/models/2/training-set", page.Find("[data-testid=model-training-set]").GetAttribute("href"));
        Assert.Equal(2, page.FindAll("[data-testid=model-loss-line]").Count);
        Assert.Equal(3, page.Find("[data-testid=model-accuracy-line]").GetAttribute("points")!.Split(' ').Length);

        // Three training-set sizes with rising accuracy: the curve is fitted and says what more labels would bring.
        Assert.Equal("3", page.Find("[data-testid=learning-curve]").GetAttribute("data-points"));
        var expected = page.Find("[data-testid=learning-expected]");
        Assert.Contains("With 200 more labels", expected.TextContent);
        Assert.True(double.Parse(expected.GetAttribute("data-expected")!, System.Globalization.CultureInfo.InvariantCulture) > 0.76);

        var rounds = page.FindAll("[data-testid=rounds-table] [data-testid=round-row]");
        Assert.Equal(["2", "1"], rounds.Select(r => r.GetAttribute("data-number")));
        Assert.NotNull(rounds[1].QuerySelector("[data-testid=round-cold-start]"));
        Assert.Null(rounds[0].QuerySelector("[data-testid=round-cold-start]"));
        Assert.Equal("Margin + diversity", rounds[0].QuerySelector("[data-testid=round-strategy]")!.TextContent.Trim());
        Assert.StartsWith("v1", rounds[0].QuerySelector("[data-testid=round-model]")!.TextContent.Trim(), StringComparison.Ordinal);

        rounds[0].Click();
        var picks = page.WaitForElements("[data-testid=round-picks] [data-testid=round-pick]", TimeSpan.FromSeconds(10));
        Assert.Equal([textItem.ToString(System.Globalization.CultureInfo.InvariantCulture), imageItem.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            picks.Select(p => p.GetAttribute("data-item-id")));
        Assert.Contains("The delivery was late", picks[0].QuerySelector("[data-testid=round-pick-preview]")!.TextContent);
        Assert.Equal("https://images.example.com/cat.png", picks[1].QuerySelector("[data-testid=round-pick-image]")!.GetAttribute("src"));
        Assert.Contains("positive", picks[0].QuerySelector("[data-testid=round-pick-guess]")!.TextContent);
        Assert.Equal("true", picks[0].QuerySelector("[data-testid=round-pick-answered]")!.GetAttribute("data-answered"));
        Assert.Equal("false", picks[1].QuerySelector("[data-testid=round-pick-answered]")!.GetAttribute("data-answered"));

        // A record item has no text or image: its data is shown as JSON.
        page.FindAll("[data-testid=round-row]")[1].Click();
        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-testid=round-picks]").GetAttribute("data-number")));
        var record = page.WaitForElement("[data-testid=round-pick-preview]", TimeSpan.FromSeconds(10));
        Assert.Equal("""{"price":12,"city":"Seoul"}""", record.TextContent.Trim());
    }

    [Fact]
    public async Task Run_a_round_starts_a_learning_job_and_shows_it_queued()
    {
        Services.AddSingleton<ILearningRuntime>(new FixedRuntime(LearningAvailability.Ready("cpu")));
        var (user, projectId) = await ProjectAsync();
        var page = await OpenAsync(user, projectId);
        Assert.Empty(page.FindAll("[data-testid=models-job]"));

        page.Find("[data-testid=models-run-round]").Click();

        var job = page.WaitForElement("[data-testid=models-job]", TimeSpan.FromSeconds(10));
        Assert.Equal("learning-round", job.GetAttribute("data-job-kind"));
        Assert.Equal(nameof(JobState.Queued), job.GetAttribute("data-job-state"));
        Assert.Equal(Guid.Parse(job.GetAttribute("data-job-id")!), Assert.Single(scheduler.Enqueued));
        Assert.True(page.Find("[data-testid=models-run-round]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=simulation-start]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task The_settings_form_shows_the_servers_objection_next_to_a_bad_batch_size_and_saves_a_good_one()
    {
        Services.AddSingleton<ILearningRuntime>(new FixedRuntime(LearningAvailability.Ready("cpu")));
        var (user, projectId) = await ProjectAsync();
        var learning = Services.GetRequiredService<LearningService>();
        var saved = new List<LearningSettings>();
        var form = Render<LearningSettingsForm>(p => p.Add(c => c.Actor, user).Add(c => c.ProjectId, projectId)
            .Add(c => c.Schema, new LabelSchema { Fields = [Sentiment, Comment] }).Add(c => c.Settings, new LearningSettings())
            .Add(c => c.OnSaved, s => saved.Add(s)));

        AngleSharp.Dom.IElement BatchSizeControl() => form.Find("input[data-testid=learning-batch-size]").Closest(".mud-input-control")!;

        form.Find("input[data-testid=learning-batch-size]").Input("0");
        form.Find("[data-testid=learning-settings-save]").Click();

        // The message sits under the box it is about, and the box is marked as in error.
        form.WaitForAssertion(() => Assert.Contains("A batch holds 1 to 5,000 items.", BatchSizeControl().TextContent));
        Assert.Contains("mud-input-error", BatchSizeControl().InnerHtml);
        Assert.DoesNotContain("A batch holds", form.Find("input[data-testid=learning-min-labels]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(saved);
        Assert.Equal(50, (await learning.StatusAsync(user, projectId)).Settings.BatchSize);

        form.Find("input[data-testid=learning-batch-size]").Input("25");
        form.Find("input[data-testid=learning-round-every]").Input("40");
        form.Find("[data-testid=learning-settings-save]").Click();

        form.WaitForAssertion(() => Assert.Single(saved));
        Assert.DoesNotContain("A batch holds", form.Markup, StringComparison.Ordinal);
        var stored = (await learning.StatusAsync(user, projectId)).Settings;
        Assert.Equal(25, stored.BatchSize);
        Assert.Equal(40, stored.RoundEveryAnswers);
    }

    private async Task<IRenderedComponent<ModelsPage>> OpenAsync(Actor user, Guid projectId)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        var page = Render<ModelsPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=learning-status]", TimeSpan.FromSeconds(20));
        return page;
    }

    private async Task<(Actor User, Guid ProjectId)> ProjectAsync()
    {
        var user = await database.CreateUserAsync();
        return (user, await database.CreateProjectAsync(user, Sentiment, Comment));
    }

    private async Task AnswerAsync(long itemId)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        await db.Items.Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.SubmittedCount, 1));
    }

    /// <summary>A model with a short training curve whose last epoch is its best, and its two stored files.</summary>
    private async Task<Guid> AddModelAsync(Guid projectId, int version, int train, int validation, double accuracy)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        var files = Enumerable.Range(0, 2).Select(i => new StoredFile
        {
            Id = Guid.NewGuid(),
            ProjectId = projectId,
            FileName = $"model-v{version}-{i}",
            CreatedAt = DateTimeOffset.UtcNow,
        }).ToList();
        db.StoredFiles.AddRange(files);
        var model = new ModelVersion
        {
            Id = Guid.NewGuid(),
            ProjectId = projectId,
            Version = version,
            Kind = ModelKind.TextMlp,
            Field = Sentiment.Name,
            Labels = [.. Sentiment.Labels],
            TrainCount = train,
            ValidationCount = validation,
            AnswersSeen = train + validation,
            ValidationAccuracy = accuracy,
            ValidationLoss = 0.5,
            BestEpoch = 3,
            Curve = new ModelCurve
            {
                Epochs = [new(1, 0.69, 0.68, accuracy - 0.1, 0.2), new(2, 0.6, 0.6, accuracy - 0.05, 0.2), new(3, 0.5, 0.5, accuracy, 0.2)],
            },
            TrainingSeconds = 0.6,
            TrainedAt = DateTimeOffset.UtcNow.AddMinutes(version),
            JobRunId = Guid.NewGuid(),
            CheckpointFileId = files[0].Id,
            TrainingSetFileId = files[1].Id,
        };
        db.ModelVersions.Add(model);
        await db.SaveChangesAsync();
        return model.Id;
    }

    private async Task AddRoundAsync(Guid projectId, int number, bool coldStart, Guid? model, params (long ItemId, string? Label, double? Confidence)[] picks)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        db.LearningRounds.Add(new LearningRound
        {
            Id = Guid.NewGuid(),
            ProjectId = projectId,
            Number = number,
            JobRunId = Guid.NewGuid(),
            Trigger = RoundTrigger.Manual,
            Strategy = SamplingStrategy.Margin,
            Diversity = true,
            ColdStart = coldStart,
            ModelVersionId = model,
            LabeledCount = 20 * number,
            PoolSize = 100,
            CreatedAt = DateTimeOffset.UtcNow.AddMinutes(number),
            FinishedAt = DateTimeOffset.UtcNow.AddMinutes(number),
            Picks = [.. picks.Select((p, i) => new RoundPick
            {
                ItemId = p.ItemId,
                Rank = i + 1,
                Score = 0.9 - i * 0.1,
                Reason = coldStart ? "diverse seed" : "the two likeliest labels are close",
                PredictedLabel = p.Label,
                Confidence = p.Confidence,
            })],
        });
        await db.SaveChangesAsync();
    }

    private static void CultureInfo(string name)
    {
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo(name);
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo(name);
    }

    private sealed class FixedRuntime(LearningAvailability availability) : ILearningRuntime
    {
        public LearningAvailability Availability => availability;
    }

    /// <summary>Stands in for Hangfire: the page's part ends once the run is recorded and handed over.</summary>
    private sealed class RecordingScheduler : IJobScheduler
    {
        public List<Guid> Enqueued { get; } = [];

        public string Enqueue(Guid jobRunId)
        {
            Enqueued.Add(jobRunId);
            return jobRunId.ToString("N");
        }
    }
}
