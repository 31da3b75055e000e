using LabelHub.Domain.Collection;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Planning;

/// <summary>The overview's rules on facts alone: each stage's state, its KPIs against targets, the current stage and health.</summary>
public sealed class PipelineOverviewTests
{
    private static readonly PipelineFacts Nothing = new(0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, null, null, 0, 0, 0, null, 0, 0, 0, 0);

    private static Project NewProject(ProjectPlan? plan = null, StageTargets? targets = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Schema = new LabelSchema { Fields = [new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] }] },
        Overlap = 2,
        Plan = plan ?? new ProjectPlan(),
        Targets = targets ?? new StageTargets(),
        CreatedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
    };

    private static readonly ProjectPlan FullPlan = new() { TargetItems = 100, SecondsPerLabel = 20, Annotators = 2, HoursPerDay = 6, CostPerHour = 10, Budget = 1000 };

    [Fact]
    public void A_new_project_is_in_plan_with_every_stage_not_started_and_a_next_action_each()
    {
        var project = NewProject();
        var overview = PipelineReader.Build(project, Nothing);

        Assert.Equal([PipelineStage.Plan, PipelineStage.Collect, PipelineStage.Label, PipelineStage.Cleanse, PipelineStage.Finalize, PipelineStage.SynthesizeAndLearn],
            overview.Stages.Select(s => s.Stage));
        Assert.All(overview.Stages, s => Assert.Equal(StageState.NotStarted, s.State));
        Assert.Equal(PipelineStage.Plan, overview.CurrentStage);
        Assert.Equal(ProjectHealth.Green, overview.Health);
        Assert.Equal(new NextAction("Fill in the spec sheet", $"/projects/{project.Id}/plan"), overview[PipelineStage.Plan].Next);
        Assert.Equal(new NextAction("Import items", $"/projects/{project.Id}/import"), overview[PipelineStage.Collect].Next);
        Assert.Equal(new NextAction("Cut release 1", $"/projects/{project.Id}/releases"), overview[PipelineStage.Finalize].Next);
    }

    [Fact]
    public void One_source_over_its_share_makes_collect_need_attention_and_the_project_red()
    {
        // 80 of 100 items from one source: 0.8 over the 0.6 allowed.
        var project = NewProject(FullPlan, new StageTargets { MaxSourceShare = 0.6 });
        var facts = Nothing with { Items = 100, Sources = 2, LargestSourceItems = 80 };
        var overview = PipelineReader.Build(project, facts);

        var collect = overview[PipelineStage.Collect];
        Assert.Equal(StageState.NeedsAttention, collect.State);
        var share = collect.Kpis.Single(k => k.Key == "collect.largestSourceShare");
        Assert.Equal(0.8, share.Value!.Value, 9);
        Assert.Equal(KpiStatus.Missed, share.Status);
        Assert.Equal(KpiStatus.Met, collect.Kpis.Single(k => k.Key == "collect.items").Status);
        Assert.Equal(StageState.Done, overview[PipelineStage.Plan].State);
        Assert.Equal(PipelineStage.Collect, overview.CurrentStage);
        Assert.Equal(ProjectHealth.Red, overview.Health);
    }

    [Fact]
    public void Labeling_without_a_spec_sheet_or_a_finished_collect_is_amber_and_a_missed_agreement_is_red()
    {
        var facts = Nothing with { Items = 50, CompletedItems = 10, Labels = 30, Sources = 1, LargestSourceItems = 50 };
        var unplanned = PipelineReader.Build(NewProject(), facts);
        Assert.Equal(PipelineStage.Label, unplanned.CurrentStage);
        Assert.Equal(StageState.InProgress, unplanned[PipelineStage.Label].State);
        Assert.Equal(ProjectHealth.Amber, unplanned.Health);

        // Under the planned size: collect still runs and 10 of 50 completed is progress; neither is a missed target.
        var growing = PipelineReader.Build(NewProject(FullPlan), facts);
        Assert.Equal(StageState.InProgress, growing[PipelineStage.Collect].State);
        Assert.Equal(KpiStatus.NoTarget, growing[PipelineStage.Collect].Kpis.Single(k => k.Key == "collect.items").Status);
        Assert.Equal(KpiStatus.NoTarget, growing[PipelineStage.Label].Kpis.Single(k => k.Key == "label.completed").Status);
        Assert.Equal(ProjectHealth.Amber, growing.Health);

        // The newest report's α of 0.70 misses the default target; gold accuracy 0.97 meets 0.95.
        var report = new QualityReportData
        {
            Fields = [new FieldQuality("sentiment", "Choice", "krippendorff_alpha_nominal", [new MetricValue("krippendorff_alpha_nominal", new Agreement(0.70, 10))], [], null)],
            Kpis = new QualityKpis(GoldAccuracy: new Agreement(0.97, 20)),
        };
        var planned = PipelineReader.Build(NewProject(FullPlan with { TargetItems = 50 }), facts with { Quality = report });
        var label = planned[PipelineStage.Label];
        Assert.Equal(StageState.NeedsAttention, label.State);
        var agreement = label.Kpis.Single(k => k.Key == "label.agreement");
        Assert.Equal(("sentiment", KpiStatus.Missed), (agreement.Field, agreement.Status));
        Assert.Equal(KpiStatus.Met, label.Kpis.Single(k => k.Key == "label.goldAccuracy").Status);
        Assert.Equal("See the quality dashboard", label.Next!.Text);
        Assert.Equal(ProjectHealth.Red, planned.Health);
    }

    [Fact]
    public void A_failed_newest_release_needs_attention_and_a_ready_one_is_done()
    {
        var project = NewProject(FullPlan);
        var done = Nothing with { Items = 100, CompletedItems = 100, Labels = 200, CleansingRuns = 1, Releases = 1, NewestReleaseNumber = 1, NewestReleaseState = ReleaseState.Ready };
        var ready = PipelineReader.Build(project, done);
        Assert.Equal(StageState.Done, ready[PipelineStage.Finalize].State);
        Assert.Equal(PipelineStage.Finalize, ready.CurrentStage);
        Assert.Equal(ProjectHealth.Green, ready.Health);

        var failed = PipelineReader.Build(project, done with { Releases = 2, NewestReleaseNumber = 2, NewestReleaseState = ReleaseState.Failed });
        Assert.Equal(StageState.NeedsAttention, failed[PipelineStage.Finalize].State);
        Assert.Equal(new NextAction("Cut release 3", $"/projects/{project.Id}/releases"), failed[PipelineStage.Finalize].Next);
        Assert.Equal(ProjectHealth.Red, failed.Health);
    }

    [Fact]
    public void Reproducibility_is_not_measured_until_a_release_is_checked_and_a_checked_release_that_does_not_reproduce_needs_attention()
    {
        var project = NewProject(FullPlan);
        var done = Nothing with { Items = 100, CompletedItems = 100, Labels = 200, CleansingRuns = 1, Releases = 2, NewestReleaseNumber = 2, NewestReleaseState = ReleaseState.Ready };
        var notChecked = PipelineReader.Build(project, done)[PipelineStage.Finalize];
        var kpi = notChecked.Kpis.Single(k => k.Key == "finalize.reproducible");
        Assert.Equal(((double?)null, KpiStatus.NoTarget, StageState.Done), (kpi.Value, kpi.Status, notChecked.State));

        var good = PipelineReader.Build(project, done with { CheckedReleases = 2, ReproducedReleases = 2 })[PipelineStage.Finalize];
        Assert.Equal((1.0, KpiStatus.Met, StageState.Done), (good.Kpis.Single(k => k.Key == "finalize.reproducible").Value, good.Kpis.Single(k => k.Key == "finalize.reproducible").Status, good.State));

        var broken = PipelineReader.Build(project, done with { CheckedReleases = 2, ReproducedReleases = 1, NotReproducedReleaseNumber = 1 });
        var finalize = broken[PipelineStage.Finalize];
        Assert.Equal((0.5, KpiStatus.Missed, StageState.NeedsAttention), (finalize.Kpis.Single(k => k.Key == "finalize.reproducible").Value, finalize.Kpis.Single(k => k.Key == "finalize.reproducible").Status, finalize.State));
        Assert.Equal(new NextAction("See why release 1 does not reproduce", $"/projects/{project.Id}/releases/1"), finalize.Next);
        Assert.Equal(ProjectHealth.Red, broken.Health);

        // Without the target nothing is missed, and the share is still shown.
        var relaxed = NewProject(FullPlan, new StageTargets { ReproducibleReleases = false });
        var untargeted = PipelineReader.Build(relaxed, done with { CheckedReleases = 2, ReproducedReleases = 1, NotReproducedReleaseNumber = 1 })[PipelineStage.Finalize];
        Assert.Equal((0.5, StageState.Done), (untargeted.Kpis.Single(k => k.Key == "finalize.reproducible").Value, untargeted.State));
    }

    [Fact]
    public void A_source_dominating_a_label_needs_attention_only_where_the_label_balance_was_read()
    {
        var project = NewProject(FullPlan);
        var collected = Nothing with { Items = 100, Sources = 2, LargestSourceItems = 50 };
        var dominance = new LabelDominance(3, "news.txt", "sentiment", "positive", 0.9, 27, 30);

        // The list does not read it: no KPI, nothing missed.
        var listed = PipelineReader.Build(project, collected with { LargestLabelShare = dominance });
        Assert.DoesNotContain(listed[PipelineStage.Collect].Kpis, k => k.Key == "collect.largestLabelShare");

        var read = PipelineReader.Build(project, collected with { LabelBalanceRead = true, LargestLabelShare = dominance })[PipelineStage.Collect];
        var kpi = read.Kpis.Single(k => k.Key == "collect.largestLabelShare");
        // No target set: the sources page's ceiling, 80 %.
        Assert.Equal((0.9, 0.8, KpiStatus.Missed, StageState.NeedsAttention), (kpi.Value!.Value, kpi.Target, kpi.Status, read.State));
        Assert.Equal("Source 'news.txt' holds 90 % of label 'positive' of sentiment (27 of 30).", kpi.Detail);

        var noSource = PipelineReader.Build(project, collected with { LabelBalanceRead = true, LargestLabelShare = dominance with { SourceId = null, SourceName = "" } })[PipelineStage.Collect];
        Assert.StartsWith("Items without a recorded source hold 90 %", noSource.Kpis.Single(k => k.Key == "collect.largestLabelShare").Detail, StringComparison.Ordinal);

        var balanced = PipelineReader.Build(project, collected with { LabelBalanceRead = true, LargestLabelShare = dominance with { Share = 0.6 } })[PipelineStage.Collect];
        Assert.Equal(StageState.Done, balanced.State);
    }
}
