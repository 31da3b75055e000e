using System.Security.Claims;
using System.Text.Json;
using Bunit;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Synthesis;
using LabelHub.Web.Components.Pages.Synthesis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>
/// The Synthesis page against the real synthesis service on SQLite, with answers and generators stored as annotators
/// and the training job leave them. The model runtime is stood in for (this process has no TorchSharp); jobs are recorded, not run.
/// </summary>
public sealed class SynthesisPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Category = new() { Name = "category", Kind = FieldKind.Choice, Labels = ["shirt", "shoe", "bag"] };

    private readonly WorkbenchDatabase database;
    private readonly RecordingScheduler scheduler = new();

    public SynthesisPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IJobScheduler>(scheduler);
        Services.AddSingleton<JobRunService>();
        Services.AddSingleton<ProjectService>();
        Services.AddSingleton<ILearningRuntime>(new ReadyRuntime());
        Services.AddSingleton<SynthesisService>();
    }

    [Fact]
    public async Task Too_few_labeled_images_block_training_with_the_reason_and_no_generator_is_listed()
    {
        var (user, projectId) = await ImageProjectAsync(("shirt", 25), ("shoe", 5));

        var page = await OpenAsync(user, projectId);

        Assert.Equal("A generator needs at least 2 classes with 20 labeled images each; 1 classes have that many.", page.Find("[data-testid=synthesis-blocker]").TextContent.Trim());
        Assert.True(page.Find("button[data-testid=synthesis-train-start]").HasAttribute("disabled"));
        Assert.Contains("30 image items, 30 of them labeled", page.Find("[data-testid=synthesis-status-summary]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=synthesis-generators-empty]"));
        Assert.Empty(page.FindAll("[data-testid=synthesis-generator]"));
    }

    [Fact]
    public async Task Starting_training_from_the_form_creates_generator_v1_and_follows_its_job()
    {
        var (user, projectId) = await ImageProjectAsync(("shirt", 20), ("shoe", 21), ("bag", 3));
        var page = await OpenAsync(user, projectId);
        Assert.Empty(page.FindAll("[data-testid=synthesis-blocker]"));

        page.Find("input[data-testid=synthesis-train-epochs]").Input("5");
        page.Find("input[data-testid=synthesis-train-batch]").Input("32");
        page.Find("button[data-testid=synthesis-train-start]").Click();

        page.WaitForAssertion(() => Assert.True(page.FindAll("[data-testid=synthesis-job]").Count == 1, page.Markup), TimeSpan.FromSeconds(10));
        var job = page.Find("[data-testid=synthesis-job]");
        Assert.Equal(SynthesisJobs.Train.Kind, job.GetAttribute("data-job-kind"));
        Assert.Equal(Guid.Parse(job.GetAttribute("data-job-id")!), Assert.Single(scheduler.Enqueued));
        var generator = page.Find("[data-testid=synthesis-generator]");
        Assert.Equal("1", generator.GetAttribute("data-version"));
        Assert.Equal(nameof(GeneratorState.Training), generator.GetAttribute("data-state"));
        Assert.Contains("Epoch 0 of 5", page.Find("[data-testid=synthesis-epoch-count]").TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("button[data-testid=synthesis-train-start]").HasAttribute("disabled"));
        Assert.Equal("LabelHub GAN v1 is still training; it can generate once it is ready.", page.Find("[data-testid=synthesis-generate-disabled]").TextContent.Trim());

        await using var db = await database.Factory.CreateDbContextAsync();
        var row = await db.Generators.AsNoTracking().SingleAsync(g => g.ProjectId == projectId);
        Assert.Equal((5, 32), (row.Settings.Epochs, row.Settings.BatchSize));
        Assert.Equal(["shirt", "shoe", "bag"], row.Labels);
    }

    [Fact]
    public async Task A_collapsed_generator_shows_the_alert_and_picking_a_healthy_one_in_the_table_enables_generation()
    {
        var (user, projectId) = await ImageProjectAsync(("shirt", 22), ("shoe", 20));
        await AddGeneratorAsync(projectId, 1, GanHealth.Healthy, null);
        await AddGeneratorAsync(projectId, 2, GanHealth.ModeCollapse, "Mode collapse: it makes nearly the same image whatever the noise.");

        var page = await OpenAsync(user, projectId);

        Assert.Equal(["2", "1"], page.FindAll("[data-testid=synthesis-generator-row]").Select(r => r.GetAttribute("data-version")));
        Assert.Equal("ModeCollapse", page.Find("[data-testid=synthesis-health-alert]").GetAttribute("data-health"));
        Assert.Equal("true", page.Find("[data-testid=synthesis-generate]").GetAttribute("data-disabled"));

        page.FindAll("[data-testid=synthesis-generator-row]")[1].Click();

        Assert.Equal("1", page.Find("[data-testid=synthesis-generator]").GetAttribute("data-version"));
        Assert.Empty(page.FindAll("[data-testid=synthesis-health-alert]"));
        Assert.Equal("false", page.Find("[data-testid=synthesis-generate]").GetAttribute("data-disabled"));
        // shoe has 20 labeled images to shirt's 22.
        Assert.Equal("Balancing would make shoe 2.", page.Find("[data-testid=synthesis-balance-plan]").TextContent.Trim());
        Assert.Equal("true", page.Find("[data-testid=evaluation-ratio-value]").GetAttribute("data-good"));
    }

    private async Task<IRenderedComponent<SynthesisPage>> OpenAsync(Actor user, Guid projectId)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        var page = Render<SynthesisPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=synthesis-status]", TimeSpan.FromSeconds(20));
        return page;
    }

    /// <summary>An image project whose items were each answered once with the given class.</summary>
    private async Task<(Actor User, Guid ProjectId)> ImageProjectAsync(params (string Label, int Count)[] classes)
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Category);
        var n = 0;
        foreach (var (label, count) in classes)
        {
            for (var i = 0; i < count; i++, n++)
            {
                var itemId = await database.AddItemAsync(projectId, new { image = $"https://images.example.com/{n}.png", width = 28, height = 28 });
                await using var db = await database.Factory.CreateDbContextAsync();
                db.Annotations.Add(new Annotation
                {
                    ProjectId = projectId,
                    ItemId = itemId,
                    AnnotatorId = user.UserId,
                    AuthorId = user.UserId,
                    Version = 1,
                    IsCurrent = true,
                    Values = new Dictionary<string, JsonElement> { ["category"] = JsonSerializer.SerializeToElement(label) },
                    CreatedAt = DateTimeOffset.UtcNow,
                });
                await db.SaveChangesAsync();
            }
        }
        return (user, projectId);
    }

    private async Task AddGeneratorAsync(Guid projectId, int version, GanHealth health, string? reason)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        db.Generators.Add(new Generator
        {
            Id = Guid.NewGuid(),
            ProjectId = projectId,
            Version = version,
            State = GeneratorState.Ready,
            Field = "category",
            Labels = ["shirt", "shoe"],
            ImageSide = 28,
            Channels = 1,
            Settings = new GeneratorSettings { Epochs = 2 },
            EpochsDone = 2,
            Health = health,
            HealthReason = reason,
            CollapsedClasses = health == GanHealth.ModeCollapse ? ["shoe"] : [],
            Evaluation = SynthesisSamples.Evaluation(casRatio: 0.8),
            JobRunId = Guid.NewGuid(),
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    private sealed class ReadyRuntime : ILearningRuntime
    {
        public LearningAvailability Availability => LearningAvailability.Ready("cpu");
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
