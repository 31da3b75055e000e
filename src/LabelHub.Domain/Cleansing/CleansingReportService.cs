using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>One run as the cleansing page lists it.</summary>
/// <param name="Kind">Rules, ExactDuplicates, TextDuplicates, ImageDuplicates, LabelErrors or Disagreement.</param>
public sealed record CleansingReportRun(
    long Id, CleansingRunKind Kind, int? RuleSetVersion, string StartedBy, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    DateTimeOffset? ClosedAt, int Findings, int Corrections, int OpenFindings);

/// <summary>
/// The before/after report of a cleansing run (ADR 0019, 6), the figures the cleansing page charts, the CSV exports and
/// the quality dashboard's KPIs read.
/// </summary>
/// <param name="Before">The snapshot taken when the run started; null for a run stored before snapshots were taken.</param>
/// <param name="After">The snapshot stored when the run was closed, else the project as it is now.</param>
/// <param name="AfterIsFrozen">True once the run is closed: <paramref name="After"/> no longer changes.</param>
/// <param name="AnswersCorrected">Distinct answers a decision on the run's findings (or the run itself) changed.</param>
public sealed record CleansingRunReport(
    CleansingReportRun Run, CleansingSnapshot? Before, CleansingSnapshot After, bool AfterIsFrozen,
    CorrectionsBySource Corrections, int AnswersCorrected, List<LabelCountDelta> Labels,
    FigureDelta Answers, FigureDelta QualityScore, FigureDelta Agreement, FigureDelta GoldAccuracy, List<FieldAgreementDelta> FieldAgreement);

/// <summary>Corrections counted from the run's findings: who or what made each.</summary>
/// <param name="Rule">Fixes the run applied itself (rule fixes, decided by the manager who started it).</param>
/// <param name="Reviewer">Rule and disagreement findings a reviewer accepted or corrected.</param>
/// <param name="LabelErrorReview">Label-error findings accepted or corrected.</param>
/// <param name="DuplicateMerge">Duplicate findings accepted (one item kept, the others' answers carried over).</param>
public sealed record CorrectionsBySource(int Rule, int Reviewer, int LabelErrorReview, int DuplicateMerge)
{
    public int Total => Rule + Reviewer + LabelErrorReview + DuplicateMerge;
}

public sealed record LabelCountDelta(string Field, string Label, int Before, int After)
{
    public int Delta => After - Before;
}

/// <summary>A figure before and after; the delta is null when either side is undefined.</summary>
public sealed record FigureDelta(double? Before, double? After)
{
    public double? Delta => Before is { } b && After is { } a ? a - b : null;
}

public sealed record FieldAgreementDelta(string Field, string? Metric, double? Before, double? After)
{
    public double? Delta => Before is { } b && After is { } a ? a - b : null;
}

/// <summary>The cleansing figures of the project's quality dashboard: the latest closed run (else the latest run).</summary>
public sealed record CleansingKpis(long RunId, CleansingRunKind Kind, bool Closed, int Corrections, double? QualityScoreBefore, double? QualityScoreAfter);

/// <summary>Reports, closing and the runs list; the project's managers (and admins) only.</summary>
public sealed class CleansingReportService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxRuns = 200;

    private readonly CleansingSnapshotTaker snapshots = new(dbFactory, clock);

    /// <summary>The newest runs first, every kind.</summary>
    public async Task<IReadOnlyList<CleansingReportRun>> RunsAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        return await RunRows(db, db.CleansingRuns.Where(r => r.ProjectId == projectId)).Take(MaxRuns).ToListAsync(ct);
    }

    public async Task<CleansingRunReport> ReportAsync(Actor actor, Guid projectId, long runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var run = await FindAsync(db, projectId, runId, ct);
        var after = CleansingSnapshot.FromJson(run.AfterJson) ?? await snapshots.TakeAsync(projectId, ct);
        return await BuildAsync(db, run, after, ct);
    }

    /// <summary>
    /// Freezes the report: the project as it is now becomes the run's "after". Closing a closed run changes nothing;
    /// a run still working cannot be closed (its after would miss its own corrections).
    /// </summary>
    public async Task<CleansingRunReport> CloseAsync(Actor actor, Guid projectId, long runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var run = await FindAsync(db, projectId, runId, ct);
        if (run.ClosedAt is null)
        {
            if (run.FinishedAt is null)
            {
                throw new ValidationException("run", "The run has not finished yet; close it when its job is done.");
            }
            var after = await snapshots.TakeAsync(projectId, ct);
            var closedAt = clock.GetUtcNow();
            var json = after.ToJson();
            // Two managers closing at once: the first one's after stays.
            await db.CleansingRuns.Where(r => r.Id == run.Id && r.ClosedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.AfterJson, json).SetProperty(r => r.ClosedAt, closedAt), ct);
            run = await FindAsync(db, projectId, runId, ct);
        }
        return await BuildAsync(db, run, CleansingSnapshot.FromJson(run.AfterJson)!, ct);
    }

    /// <summary>The latest closed run's figures, else the latest run's (its after is the project now); null without runs.</summary>
    public async Task<CleansingKpis?> KpisAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var runs = db.CleansingRuns.AsNoTracking().Where(r => r.ProjectId == projectId);
        var run = await runs.Where(r => r.ClosedAt != null).OrderByDescending(r => r.ClosedAt).ThenByDescending(r => r.Id).FirstOrDefaultAsync(ct)
            ?? await runs.OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        if (run is null)
        {
            return null;
        }
        // An open run's "after" is the project now: its score from two counts, not a full snapshot on every dashboard visit.
        var after = CleansingSnapshot.FromJson(run.AfterJson)?.QualityScore ?? await CleansingQualityScore.NowAsync(db, projectId, ct);
        var corrections = await CorrectionsAsync(db, run, ct);
        return new CleansingKpis(run.Id, run.Kind, run.ClosedAt is not null, corrections.Sources.Total,
            CleansingSnapshot.FromJson(run.BeforeJson)?.QualityScore, after);
    }

    private static async Task<CleansingRun> FindAsync(LabelHubDbContext db, Guid projectId, long runId, CancellationToken ct) =>
        await db.CleansingRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.ProjectId == projectId, ct)
            ?? throw new NotFoundException("Cleansing run");

    /// <summary>
    /// A run's corrections are its decided findings (accepted or corrected): a rule's own fixes and what reviewers decided
    /// in the adjudication queue since, so a label-error run shows the answers its review changed.
    /// </summary>
    private static IQueryable<CleansingReportRun> RunRows(LabelHubDbContext db, IQueryable<CleansingRun> runs) =>
        from r in runs.AsNoTracking()
        join u in db.Users on r.StartedById equals u.Id into starters
        from u in starters.DefaultIfEmpty()
        orderby r.Id descending
        select new CleansingReportRun(r.Id, r.Kind, r.RuleSetVersion, u == null ? "?" : u.UserName!, r.StartedAt, r.FinishedAt, r.ClosedAt,
            r.Findings, db.CleansingFindings.Count(f => f.RunId == r.Id && (f.State == FindingState.Accepted || f.State == FindingState.Corrected)),
            db.CleansingFindings.Count(f => f.RunId == r.Id && f.State == FindingState.Open));

    private static async Task<CleansingRunReport> BuildAsync(LabelHubDbContext db, CleansingRun run, CleansingSnapshot after, CancellationToken ct)
    {
        var row = await RunRows(db, db.CleansingRuns.Where(r => r.Id == run.Id)).SingleAsync(ct);
        var before = CleansingSnapshot.FromJson(run.BeforeJson);
        var (sources, answersCorrected) = await CorrectionsAsync(db, run, ct);
        return new CleansingRunReport(row, before, after, run.ClosedAt is not null, sources, answersCorrected,
            LabelDeltas(before, after),
            new FigureDelta(before?.Answers, after.Answers),
            new FigureDelta(before?.QualityScore, after.QualityScore),
            new FigureDelta(before?.Agreement, after.Agreement),
            new FigureDelta(before?.GoldAccuracy, after.GoldAccuracy),
            [.. FieldNames(before, after).Select(name =>
            {
                var b = before?.Fields.FirstOrDefault(f => f.Field == name);
                var a = after.Fields.FirstOrDefault(f => f.Field == name);
                return new FieldAgreementDelta(name, a?.AgreementMetric ?? b?.AgreementMetric, b?.Agreement, a?.Agreement);
            })]);
    }

    /// <summary>Counted from the run's decided findings (ADR 0019, 6), never from the run's own summary.</summary>
    private static async Task<(CorrectionsBySource Sources, int Answers)> CorrectionsAsync(LabelHubDbContext db, CleansingRun run, CancellationToken ct)
    {
        var decided = await db.CleansingFindings.AsNoTracking()
            .Where(f => f.RunId == run.Id && (f.State == FindingState.Accepted || f.State == FindingState.Corrected))
            .Select(f => new { f.Source, f.State, f.ResolvedById, f.AnnotationId, f.ItemId, f.ResultAnnotationId })
            .ToListAsync(ct);
        int rule = 0, reviewer = 0, labelError = 0, duplicate = 0;
        foreach (var f in decided)
        {
            switch (f.Source)
            {
                case FindingSource.Rule when f.State == FindingState.Accepted && f.ResolvedById == run.StartedById:
                    rule++;
                    break;
                case FindingSource.Rule or FindingSource.Disagreement:
                    reviewer++;
                    break;
                case FindingSource.LabelError:
                    labelError++;
                    break;
                case FindingSource.Duplicate when f.State == FindingState.Accepted:
                    duplicate++;
                    break;
                case FindingSource.Duplicate:
                    break;
            }
        }
        // An answer corrected twice (a fix, then a reviewer) is one answer corrected.
        var answers = decided.Where(f => f.ResultAnnotationId is not null || f.AnnotationId is not null)
            .Select(f => f.AnnotationId ?? f.ResultAnnotationId).Distinct().Count();
        return (new CorrectionsBySource(rule, reviewer, labelError, duplicate), answers);
    }

    private static IEnumerable<string> FieldNames(CleansingSnapshot? before, CleansingSnapshot after) =>
        after.Fields.Select(f => f.Field).Concat(before?.Fields.Select(f => f.Field) ?? []).Distinct(StringComparer.Ordinal);

    /// <summary>Every field's labels on either side, in the after snapshot's order, a label missing on one side counting 0.</summary>
    private static List<LabelCountDelta> LabelDeltas(CleansingSnapshot? before, CleansingSnapshot after)
    {
        var deltas = new List<LabelCountDelta>();
        foreach (var name in FieldNames(before, after))
        {
            var b = before?.Fields.FirstOrDefault(f => f.Field == name)?.Labels ?? [];
            var a = after.Fields.FirstOrDefault(f => f.Field == name)?.Labels ?? [];
            foreach (var label in a.Select(l => l.Label).Concat(b.Select(l => l.Label)).Distinct(StringComparer.Ordinal))
            {
                deltas.Add(new LabelCountDelta(name, label,
                    b.FirstOrDefault(l => l.Label == label)?.Count ?? 0, a.FirstOrDefault(l => l.Label == label)?.Count ?? 0));
            }
        }
        return deltas;
    }
}
