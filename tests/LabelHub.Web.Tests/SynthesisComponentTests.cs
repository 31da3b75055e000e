using Bunit;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Synthesis;
using LabelHub.Web.Components.Pages.Synthesis;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>The Synthesis page's presentational parts: the evaluation table, the health alert, the epochs view and the generate panel.</summary>
public sealed class SynthesisComponentTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    public SynthesisComponentTests(WorkbenchDatabase database) => SynthesisTestServices.Add(Services, database);

    [Fact]
    public void The_evaluation_table_shows_each_measure_and_colours_the_cas_ratio_green_from_0_70()
    {
        var good = Render<GeneratorEvaluationTable>(p => p.Add(c => c.Evaluation, SynthesisSamples.Evaluation(casRatio: 0.82)));

        Assert.Equal("91.0%", good.Find("[data-testid=evaluation-real] td").TextContent.Trim());
        Assert.Equal("74.6%", good.Find("[data-testid=evaluation-cas] td").TextContent.Trim());
        var ratio = good.Find("[data-testid=evaluation-ratio-value]");
        Assert.Equal("0.82", ratio.TextContent.Trim());
        Assert.Equal("true", ratio.GetAttribute("data-good"));
        Assert.Contains("mud-success-text", ratio.ClassName, StringComparison.Ordinal);
        Assert.Equal("23.4", good.Find("[data-testid=evaluation-fid-value]").TextContent.Trim());
        Assert.Contains("real vs real: 4.2", good.Find("[data-testid=evaluation-fid-floor]").TextContent, StringComparison.Ordinal);
        Assert.Equal("100 real per class: 70.0% (best epoch 9)", good.Find("[data-testid=evaluation-gain-real]").TextContent.Trim());
        Assert.Equal("+ 500 synthetic per class: 76.5% (best epoch 5)", good.Find("[data-testid=evaluation-gain-synthetic]").TextContent.Trim());
        Assert.Contains("tested on 2,000 held-out real images", good.Markup, StringComparison.Ordinal);

        var poor = Render<GeneratorEvaluationTable>(p => p.Add(c => c.Evaluation, SynthesisSamples.Evaluation(casRatio: 0.69)));
        var poorRatio = poor.Find("[data-testid=evaluation-ratio-value]");
        Assert.Equal("false", poorRatio.GetAttribute("data-good"));
        Assert.Contains("mud-error-text", poorRatio.ClassName, StringComparison.Ordinal);

        var pending = Render<GeneratorEvaluationTable>(p => p.Add(c => c.Evaluation, new GeneratorEvaluation()));
        Assert.Empty(pending.FindAll("[data-testid=synthesis-evaluation]"));
        Assert.Contains("Not measured yet", pending.Find("[data-testid=synthesis-evaluation-pending]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_health_alert_names_the_collapse_its_reason_and_classes_and_a_healthy_generator_shows_none()
    {
        var collapsed = SynthesisSamples.Generator(GeneratorState.Ready, GanHealth.ModeCollapse) with
        {
            HealthReason = "Mode collapse: it makes nearly the same image whatever the noise.",
            CollapsedClasses = ["Sandal", "Bag"],
        };
        var alert = Render<GanHealthAlert>(p => p.Add(c => c.Generator, collapsed));

        var box = alert.Find("[data-testid=synthesis-health-alert]");
        Assert.Equal("ModeCollapse", box.GetAttribute("data-health"));
        Assert.Contains("mud-alert-text-error", box.ClassName, StringComparison.Ordinal);
        Assert.Contains("LabelHub GAN v2: mode collapse", box.TextContent, StringComparison.Ordinal);
        Assert.Equal("Mode collapse: it makes nearly the same image whatever the noise.", alert.Find("[data-testid=synthesis-health-reason]").TextContent.Trim());
        Assert.Equal("Classes affected: Sandal, Bag", alert.Find("[data-testid=synthesis-health-classes]").TextContent.Trim());

        var diverged = Render<GanHealthAlert>(p => p.Add(c => c.Generator, SynthesisSamples.Generator(GeneratorState.Ready, GanHealth.Diverged)));
        Assert.Contains("training diverged", diverged.Find("[data-testid=synthesis-health-alert]").TextContent, StringComparison.Ordinal);
        // Without a reason of its own, the health's sentence stands in.
        Assert.Equal(SynthesisService.HealthSentence(GanHealth.Diverged), diverged.Find("[data-testid=synthesis-health-reason]").TextContent.Trim());

        var healthy = Render<GanHealthAlert>(p => p.Add(c => c.Generator, SynthesisSamples.Generator(GeneratorState.Ready, GanHealth.Healthy)));
        Assert.Empty(healthy.FindAll("[data-testid=synthesis-health-alert]"));
    }

    [Fact]
    public void The_epochs_view_shows_the_newest_grid_from_the_media_endpoint_with_a_label_per_row_and_earlier_grids_to_click()
    {
        var projectId = Guid.NewGuid();
        var generator = SynthesisSamples.Generator(GeneratorState.Training, GanHealth.Healthy) with { EpochsDone = 3, Epochs = SynthesisSamples.Epochs(3) };
        var view = Render<GeneratorEpochsView>(p => p.Add(c => c.ProjectId, projectId).Add(c => c.Generator, generator));

        Assert.Contains("Epoch 3 of 20", view.Find("[data-testid=synthesis-epoch-count]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"/api/v1/projects/{projectId}/media/{generator.Epochs[2].GridFileId}", view.Find("[data-testid=synthesis-grid-image]").GetAttribute("src"));
        Assert.Equal(["T-shirt/top", "Trouser", "Pullover"], view.FindAll("[data-testid=synthesis-grid-labels] div").Select(d => d.TextContent.Trim()));
        Assert.Equal(["Discriminator", "Generator"], view.FindAll("[data-testid=synthesis-loss-line]").Select(l => l.GetAttribute("data-series")));

        view.FindAll("[data-testid=synthesis-grid-thumb]")[0].Click();
        Assert.Equal("1", view.Find("[data-testid=synthesis-grid]").GetAttribute("data-epoch"));
        Assert.Equal($"/api/v1/projects/{projectId}/media/{generator.Epochs[0].GridFileId}", view.Find("[data-testid=synthesis-grid-image]").GetAttribute("src"));
    }

    [Fact]
    public void The_generate_panel_is_disabled_with_the_reason_while_the_generator_trains_and_shows_what_balance_would_make()
    {
        var training = SynthesisSamples.Generator(GeneratorState.Training, null);
        var panel = Render<GeneratePanel>(p => p.Add(c => c.Actor, SynthesisSamples.Manager).Add(c => c.ProjectId, Guid.NewGuid()).Add(c => c.Generator, training)
            .Add(c => c.BalancePlan, new Dictionary<string, int> { ["Pullover"] = 14 })
            .Add(c => c.DisabledReason, SynthesisService.CannotGenerateReason(training)));

        Assert.Equal("true", panel.Find("[data-testid=synthesis-generate]").GetAttribute("data-disabled"));
        Assert.Equal("LabelHub GAN v2 is still training; it can generate once it is ready.", panel.Find("[data-testid=synthesis-generate-disabled]").TextContent.Trim());
        Assert.True(panel.Find("button[data-testid=synthesis-generate-start]").HasAttribute("disabled"));
        Assert.Equal("Balancing would make Pullover 14.", panel.Find("[data-testid=synthesis-balance-plan]").TextContent.Trim());

        var ready = SynthesisSamples.Generator(GeneratorState.Ready, GanHealth.Healthy);
        Assert.Null(SynthesisService.CannotGenerateReason(ready));
        var open = Render<GeneratePanel>(p => p.Add(c => c.Actor, SynthesisSamples.Manager).Add(c => c.ProjectId, Guid.NewGuid()).Add(c => c.Generator, ready)
            .Add(c => c.BalancePlan, new Dictionary<string, int>()));
        Assert.Equal("false", open.Find("[data-testid=synthesis-generate]").GetAttribute("data-disabled"));
        Assert.False(open.Find("button[data-testid=synthesis-generate-start]").HasAttribute("disabled"));
        Assert.Contains("balancing would make nothing", open.Find("[data-testid=synthesis-balance-plan]").TextContent, StringComparison.Ordinal);
    }
}

/// <summary>The same parts in Korean: texts from the .ko.resx files, server sentences from the catalog.</summary>
public sealed class SynthesisComponentKoreanTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    public SynthesisComponentKoreanTests(WorkbenchDatabase database)
        : base("ko") => SynthesisTestServices.Add(Services, database);

    [Fact]
    public void The_alert_the_table_and_the_disabled_reason_read_in_korean()
    {
        var collapsed = SynthesisSamples.Generator(GeneratorState.Ready, GanHealth.ModeCollapse) with
        {
            HealthReason = "Mode collapse: it makes nearly the same image whatever the noise.",
        };
        var alert = Render<GanHealthAlert>(p => p.Add(c => c.Generator, collapsed));
        Assert.Contains("LabelHub GAN v2: 모드 붕괴", alert.Find("[data-testid=synthesis-health-alert]").TextContent, StringComparison.Ordinal);
        Assert.Equal("모드 붕괴: 노이즈와 관계없이 거의 같은 이미지를 만듭니다.", alert.Find("[data-testid=synthesis-health-reason]").TextContent.Trim());

        var table = Render<GeneratorEvaluationTable>(p => p.Add(c => c.Evaluation, SynthesisSamples.Evaluation(casRatio: 0.82)));
        Assert.Contains("분류 정확도 점수(CAS)", table.Find("[data-testid=evaluation-cas]").TextContent, StringComparison.Ordinal);
        Assert.Contains("실제 대 실제: 4.2", table.Find("[data-testid=evaluation-fid-floor]").TextContent, StringComparison.Ordinal);

        var panel = Render<GeneratePanel>(p => p.Add(c => c.Actor, SynthesisSamples.Manager).Add(c => c.ProjectId, Guid.NewGuid()).Add(c => c.Generator, collapsed)
            .Add(c => c.BalancePlan, new Dictionary<string, int>())
            .Add(c => c.DisabledReason, SynthesisService.CannotGenerateReason(collapsed)));
        Assert.Equal("LabelHub GAN v2은(는) 상태가 좋지 않아 생성할 수 없습니다: 모드 붕괴: 노이즈와 관계없이 거의 같은 이미지를 만듭니다.",
            panel.Find("[data-testid=synthesis-generate-disabled]").TextContent.Trim());
        Assert.Equal("생성", panel.Find("button[data-testid=synthesis-generate-start]").TextContent.Trim());
    }
}

internal static class SynthesisTestServices
{
    /// <summary>The generate panel's service over the shared SQLite database; these tests never make it start a job.</summary>
    public static void Add(IServiceCollection services, WorkbenchDatabase database)
    {
        services.AddSingleton(database.Factory);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IJobScheduler, QueueOnlyScheduler>();
        services.AddSingleton<JobRunService>();
        services.AddSingleton<ILearningRuntime>(new ReadyRuntime());
        services.AddSingleton<SynthesisService>();
    }

    private sealed class ReadyRuntime : ILearningRuntime
    {
        public LearningAvailability Availability => LearningAvailability.Ready("cpu");
    }

    private sealed class QueueOnlyScheduler : IJobScheduler
    {
        public string Enqueue(Guid jobRunId) => jobRunId.ToString("N");
    }
}

internal static class SynthesisSamples
{
    public static readonly LabelHub.Domain.Identity.Actor Manager = new(Guid.NewGuid(), new HashSet<string> { LabelHub.Domain.Identity.Roles.Manager });

    public static GeneratorEvaluation Evaluation(double casRatio) => new()
    {
        PerClass = 500,
        TestCount = 2_000,
        RealAccuracy = 0.91,
        SyntheticAccuracy = 0.746,
        CasRatio = casRatio,
        FrechetDistance = 23.4,
        RealFrechetDistance = 4.2,
        GainRealPerClass = 100,
        GainSyntheticPerClass = 500,
        RealOnlyAccuracy = 0.70,
        WithSyntheticAccuracy = 0.765,
        RealOnlyBestEpoch = 9,
        WithSyntheticBestEpoch = 5,
    };

    public static GeneratorInfo Generator(GeneratorState state, GanHealth? health) => new(
        Guid.NewGuid(), 2, "LabelHub GAN v2", state, "category", ["T-shirt/top", "Trouser", "Pullover"], 28, 1, new GeneratorSettings(), 800, 200, 0, [],
        health, null, [], new GeneratorEvaluation(), Guid.NewGuid(), DateTimeOffset.UtcNow, null, 0, 0);

    public static IReadOnlyList<GeneratorEpoch> Epochs(int count) =>
        [.. Enumerable.Range(1, count).Select(e => new GeneratorEpoch(e, 1.2 - (0.1 * e), 0.9 + (0.1 * e), 0.7, 0.3, 0.95, 12, Guid.NewGuid()))];
}
