using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Quality;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Synthesis;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Planning;

/// <summary>What the overview of one project rests on; read for many projects at once.</summary>
/// <param name="CheckedReleases">Ready releases whose reproducibility was checked (at the cut or since).</param>
/// <param name="ReproducedReleases">Of those, the ones whose newest check matched.</param>
/// <param name="NotReproducedReleaseNumber">The newest ready release whose newest check did not match; null when none.</param>
public sealed record PipelineFacts(
    int Items, int CompletedItems, long Labels, int Sources, int LargestSourceItems, QualityReportData? Quality,
    int CleansingRuns, int OpenFindings, int ItemsWithOpenFindings, int Corrections,
    int Releases, int? NewestReleaseNumber, ReleaseState? NewestReleaseState, int FailedReleases,
    int CheckedReleases, int ReproducedReleases, int? NotReproducedReleaseNumber,
    int Generators, int ReadyGenerators, int LearningRounds, int Models)
{
    /// <summary>
    /// Whether <see cref="LargestLabelShare"/> was read. It takes a pass over the project's answers, so the project list
    /// (many projects, a fixed number of grouped queries) leaves it out and only a project's own pipeline reads it.
    /// </summary>
    public bool LabelBalanceRead { get; init; }

    /// <summary>The largest share one source holds of a label with enough items to judge; null when none has.</summary>
    public LabelDominance? LargestLabelShare { get; init; }
}

/// <summary>
/// Reads the pipeline overview of any number of projects in a fixed number of queries (one per kind of fact, each
/// grouped by project), so the project list costs the same with 3 projects or 300.
/// </summary>
public static class PipelineReader
{
    public static async Task<IReadOnlyDictionary<Guid, PipelineOverview>> ForProjectsAsync(LabelHubDbContext db, IReadOnlyList<Project> projects, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(projects);
        var facts = await FactsAsync(db, projects, ct);
        return projects.ToDictionary(p => p.Id, p => Build(p, facts[p.Id]));
    }

    /// <summary>
    /// One project's overview with what the list leaves out: the largest share one source holds of any label, counted
    /// as the sources page's balance counts it (<see cref="SourceService.LargestLabelShareAsync"/>, a pass over the answers).
    /// </summary>
    public static async Task<PipelineOverview> ForProjectAsync(LabelHubDbContext db, Project project, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(project);
        var facts = (await FactsAsync(db, [project], ct))[project.Id];
        var dominance = await SourceService.LargestLabelShareAsync(db, project, ct);
        return Build(project, facts with { LabelBalanceRead = true, LargestLabelShare = dominance });
    }

    public static async Task<IReadOnlyDictionary<Guid, PipelineFacts>> FactsAsync(LabelHubDbContext db, IReadOnlyList<Project> projects, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(projects);
        var ids = projects.Select(p => p.Id).ToList();
        var items = await db.Items.AsNoTracking().Where(i => ids.Contains(i.ProjectId))
            .GroupBy(i => new { i.ProjectId, i.SourceId })
            .Select(g => new { g.Key.ProjectId, g.Key.SourceId, Count = g.Count() })
            .ToListAsync(ct);
        // Completed needs the project's overlap: one grouped count per distinct overlap (usually one or two).
        var completed = new Dictionary<Guid, int>();
        foreach (var overlap in projects.Select(p => p.Overlap).Distinct())
        {
            var sameOverlap = projects.Where(p => p.Overlap == overlap).Select(p => p.Id).ToList();
            foreach (var row in await db.Items.AsNoTracking().Where(i => sameOverlap.Contains(i.ProjectId)).WhereCompleted(db, overlap)
                .GroupBy(i => i.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            {
                completed[row.Key] = row.Count;
            }
        }
        var labels = await db.Assignments.AsNoTracking().Where(a => ids.Contains(a.ProjectId) && a.State == AssignmentState.Submitted)
            .GroupBy(a => a.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var newestReportIds = await db.QualityReports.AsNoTracking().Where(r => ids.Contains(r.ProjectId))
            .GroupBy(r => r.ProjectId).Select(g => g.Max(r => r.Id)).ToListAsync(ct);
        var reports = await db.QualityReports.AsNoTracking().Where(r => newestReportIds.Contains(r.Id))
            .Select(r => new { r.ProjectId, r.Data }).ToDictionaryAsync(r => r.ProjectId, r => r.Data, ct);
        var runs = await db.CleansingRuns.AsNoTracking().Where(r => ids.Contains(r.ProjectId))
            .GroupBy(r => r.ProjectId).Select(g => new { g.Key, Runs = g.Count(), Corrections = g.Sum(r => r.Corrections) })
            .ToDictionaryAsync(x => x.Key, ct);
        var findings = await db.CleansingFindings.AsNoTracking().Where(f => ids.Contains(f.ProjectId) && f.State == FindingState.Open)
            .GroupBy(f => f.ProjectId).Select(g => new { g.Key, Open = g.Count(), Items = g.Select(f => f.ItemId).Distinct().Count() })
            .ToDictionaryAsync(x => x.Key, ct);
        var releases = await db.Releases.AsNoTracking().Where(r => ids.Contains(r.ProjectId))
            .Select(r => new { r.Id, r.ProjectId, r.Number, r.State }).ToListAsync(ct);
        var checks = await ReleaseChecks.NewestAsync(db, ids, ct);
        var generators = await db.Generators.AsNoTracking().Where(g => ids.Contains(g.ProjectId))
            .GroupBy(g => g.ProjectId).Select(g => new { g.Key, All = g.Count(), Ready = g.Count(x => x.State == GeneratorState.Ready) })
            .ToDictionaryAsync(x => x.Key, ct);
        var rounds = await db.LearningRounds.AsNoTracking().Where(r => ids.Contains(r.ProjectId))
            .GroupBy(r => r.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var models = await db.ModelVersions.AsNoTracking().Where(m => ids.Contains(m.ProjectId))
            .GroupBy(m => m.ProjectId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

        var result = new Dictionary<Guid, PipelineFacts>();
        foreach (var id in ids)
        {
            var own = items.Where(i => i.ProjectId == id).ToList();
            var bySource = own.Where(i => i.SourceId is not null).ToList();
            var ownReleases = releases.Where(r => r.ProjectId == id).OrderByDescending(r => r.Number).ToList();
            var ownChecks = ownReleases.Where(r => r.State == ReleaseState.Ready && checks.ContainsKey(r.Id)).Select(r => (r.Number, checks[r.Id].Matches)).ToList();
            result[id] = new PipelineFacts(
                own.Sum(i => i.Count),
                completed.GetValueOrDefault(id),
                labels.GetValueOrDefault(id),
                bySource.Count,
                bySource.Count == 0 ? 0 : bySource.Max(i => i.Count),
                reports.GetValueOrDefault(id),
                runs.GetValueOrDefault(id)?.Runs ?? 0,
                findings.GetValueOrDefault(id)?.Open ?? 0,
                findings.GetValueOrDefault(id)?.Items ?? 0,
                runs.GetValueOrDefault(id)?.Corrections ?? 0,
                ownReleases.Count,
                ownReleases.FirstOrDefault()?.Number,
                ownReleases.FirstOrDefault()?.State,
                ownReleases.Count(r => r.State == ReleaseState.Failed),
                ownChecks.Count,
                ownChecks.Count(c => c.Matches),
                ownChecks.Where(c => !c.Matches).Select(c => (int?)c.Number).FirstOrDefault(),
                generators.GetValueOrDefault(id)?.All ?? 0,
                generators.GetValueOrDefault(id)?.Ready ?? 0,
                rounds.GetValueOrDefault(id),
                models.GetValueOrDefault(id));
        }
        return result;
    }

    /// <summary>The overview from its facts: pure, so each rule is tested without a database.</summary>
    public static PipelineOverview Build(Project project, PipelineFacts f)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(f);
        var link = $"/projects/{project.Id}";
        return PipelineOverview.Of(project.Id, [
            PlanStage(project, link),
            CollectStage(project, f, link),
            LabelStage(project, f, link),
            CleanseStage(project, f, link),
            FinalizeStage(project, f, link),
            LearnStage(f, link),
        ]);
    }

    /// <summary>Progress towards a size is green once reached, and never red: being under it is the stage still running.</summary>
    private static StageKpi Progress(StageKpi kpi) => kpi.Status == KpiStatus.Missed ? kpi with { Status = KpiStatus.NoTarget } : kpi;

    private static StageOverview PlanStage(Project project, string link)
    {
        var missing = PlanEstimate.FromPlan(project.Plan, project.Overlap, DateOnly.FromDateTime(project.CreatedAt.UtcDateTime)).Missing;
        var touched = missing.Count < 6 || project.Plan.Purpose.Length > 0 || project.Plan.DataDescription.Length > 0;
        var state = project.Schema.Fields.Count > 0 && missing.Count == 0 ? StageState.Done : touched ? StageState.InProgress : StageState.NotStarted;
        var next = state == StageState.Done ? null : new NextAction("Fill in the spec sheet", $"{link}/plan");
        return new StageOverview(PipelineStage.Plan, state, [StageKpi.Of("plan.missing", missing.Count, 0, atMost: true)], next);
    }

    private static StageOverview CollectStage(Project project, PipelineFacts f, string link)
    {
        double? share = f.Items == 0 || f.Sources == 0 ? null : (double)f.LargestSourceItems / f.Items;
        StageKpi[] kpis = [
            Progress(StageKpi.Of("collect.items", f.Items, project.Plan.TargetItems)),
            StageKpi.Of("collect.sources", f.Sources, null),
            StageKpi.Of("collect.largestSourceShare", share, project.Targets.MaxSourceShare, atMost: true),
            .. LabelShareKpi(project, f),
        ];
        var state = f.Items == 0 ? StageState.NotStarted
            : kpis.Any(k => k.Status == KpiStatus.Missed) ? StageState.NeedsAttention
            : project.Plan.TargetItems is { } target && f.Items < target ? StageState.InProgress
            : StageState.Done;
        var next = state switch
        {
            StageState.NotStarted or StageState.InProgress => new NextAction("Import items", $"{link}/import"),
            StageState.NeedsAttention => new NextAction("Import items from other sources", $"{link}/import"),
            StageState.Done => null,
        };
        return new StageOverview(PipelineStage.Collect, state, kpis, next);
    }

    /// <summary>
    /// The largest share one source holds of any label (with at least <see cref="SourceService.MinLabelItemsForDominance"/>
    /// items), against the same ceiling the sources page marks red at; only where it was read (a project's own pipeline).
    /// </summary>
    private static StageKpi[] LabelShareKpi(Project project, PipelineFacts f)
    {
        if (!f.LabelBalanceRead)
        {
            return [];
        }
        var kpi = StageKpi.Of("collect.largestLabelShare", f.LargestLabelShare?.Share, project.Targets.MaxSourceShare ?? SourceService.DefaultMaxSourceShare,
            atMost: true, field: f.LargestLabelShare?.Field);
        return [f.LargestLabelShare is not { } d ? kpi : kpi with
        {
            Detail = d.SourceName.Length == 0
                ? FormattableString.Invariant($"Items without a recorded source hold {d.Share * 100:0} % of label '{d.Label}' of {d.Field} ({d.Items:N0} of {d.LabelItems:N0}).")
                : FormattableString.Invariant($"Source '{d.SourceName}' holds {d.Share * 100:0} % of label '{d.Label}' of {d.Field} ({d.Items:N0} of {d.LabelItems:N0})."),
        }];
    }

    private static StageOverview LabelStage(Project project, PipelineFacts f, string link)
    {
        var quality = project.Quality;
        var kpis = new List<StageKpi> { Progress(StageKpi.Of("label.completed", f.CompletedItems, f.Items == 0 ? null : f.Items)) };
        foreach (var field in f.Quality?.Fields ?? [])
        {
            var headline = field.Metrics.FirstOrDefault(m => m.Metric == field.Headline)?.Value.Value;
            kpis.Add(StageKpi.Of("label.agreement", headline, quality.AgreementTargetFor(field.Field), field: field.Field));
        }
        kpis.Add(StageKpi.Of("label.goldAccuracy", f.Quality?.Kpis.GoldAccuracy?.Value, quality.GoldAccuracyTarget));
        kpis.Add(StageKpi.Of("label.labelsPerHour", f.Quality?.Kpis.LabelsPerHour, quality.LabelsPerHourTarget));
        var missed = kpis.Any(k => k.Status == KpiStatus.Missed);
        var state = f.Labels == 0 ? StageState.NotStarted
            : missed ? StageState.NeedsAttention
            : f.Items > 0 && f.CompletedItems >= f.Items ? StageState.Done
            : StageState.InProgress;
        var next = state switch
        {
            StageState.NotStarted or StageState.InProgress => new NextAction("Label items", $"{link}/label"),
            StageState.NeedsAttention => new NextAction("See the quality dashboard", $"{link}/quality"),
            StageState.Done => null,
        };
        return new StageOverview(PipelineStage.Label, state, kpis, next);
    }

    private static StageOverview CleanseStage(Project project, PipelineFacts f, string link)
    {
        double? correctionRate = f.CleansingRuns == 0 || f.Labels == 0 ? null : Math.Min(1, (double)f.Corrections / f.Labels);
        double? qualityScore = f.CleansingRuns == 0 || f.Items == 0 ? null : 1 - ((double)f.ItemsWithOpenFindings / f.Items);
        StageKpi[] kpis = [
            StageKpi.Of("cleanse.runs", f.CleansingRuns, null),
            StageKpi.Of("cleanse.openFindings", f.OpenFindings, null),
            StageKpi.Of("cleanse.correctionRate", correctionRate, project.Targets.MaxCorrectionRate, atMost: true),
            StageKpi.Of("cleanse.qualityScore", qualityScore, project.Targets.MinQualityScore),
        ];
        var state = f.CleansingRuns == 0 ? StageState.NotStarted
            : kpis.Any(k => k.Status == KpiStatus.Missed) ? StageState.NeedsAttention
            : f.OpenFindings > 0 ? StageState.InProgress
            : StageState.Done;
        var next = state switch
        {
            StageState.NotStarted => new NextAction("Run cleansing", $"{link}/cleansing"),
            StageState.InProgress or StageState.NeedsAttention => new NextAction("Review the open findings", $"{link}/cleansing/queue"),
            StageState.Done => null,
        };
        return new StageOverview(PipelineStage.Cleanse, state, kpis, next);
    }

    private static StageOverview FinalizeStage(Project project, PipelineFacts f, string link)
    {
        // The share of checked ready releases whose newest check rebuilt the manifest recorded at the cut from the stored
        // rows, with every item unchanged since (ReleaseVerifier); not measured until a release was checked.
        double? reproducible = f.CheckedReleases == 0 ? null : (double)f.ReproducedReleases / f.CheckedReleases;
        StageKpi[] kpis = [
            StageKpi.Of("finalize.releases", f.Releases, null),
            StageKpi.Of("finalize.reproducible", reproducible, project.Targets.ReproducibleReleases ? 1 : null),
        ];
        var state = f.NewestReleaseState is not { } newest ? StageState.NotStarted : newest switch
        {
            ReleaseState.Cutting => StageState.InProgress,
            ReleaseState.Ready => kpis.Any(k => k.Status == KpiStatus.Missed) ? StageState.NeedsAttention : StageState.Done,
            ReleaseState.Failed => StageState.NeedsAttention,
        };
        var nextNumber = (f.NewestReleaseNumber ?? 0) + 1;
        var next = state switch
        {
            StageState.NotStarted => new NextAction($"Cut release {nextNumber}", $"{link}/releases"),
            StageState.NeedsAttention when f.NewestReleaseState == ReleaseState.Ready && f.NotReproducedReleaseNumber is { } broken =>
                new NextAction($"See why release {broken} does not reproduce", $"{link}/releases/{broken}"),
            StageState.NeedsAttention => new NextAction($"Cut release {nextNumber}", $"{link}/releases"),
            StageState.InProgress or StageState.Done => null,
        };
        return new StageOverview(PipelineStage.Finalize, state, kpis, next);
    }

    private static StageOverview LearnStage(PipelineFacts f, string link)
    {
        StageKpi[] kpis = [
            StageKpi.Of("learn.generators", f.Generators, null),
            StageKpi.Of("learn.rounds", f.LearningRounds, null),
            StageKpi.Of("learn.models", f.Models, null),
        ];
        var state = f.Generators == 0 && f.LearningRounds == 0 && f.Models == 0 ? StageState.NotStarted
            : f.ReadyGenerators > 0 || f.Models > 0 ? StageState.Done
            : StageState.InProgress;
        var next = state switch
        {
            StageState.NotStarted => new NextAction("Train a model", $"{link}/models"),
            StageState.InProgress => new NextAction("Train a generator", $"{link}/synthesis"),
            StageState.Done or StageState.NeedsAttention => null,
        };
        return new StageOverview(PipelineStage.SynthesizeAndLearn, state, kpis, next);
    }
}
