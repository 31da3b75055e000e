using System.Text.Json;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// The one way every detector records its run and its findings (ADR 0019, 2–3), so the queue and the report read
/// the same rows whoever wrote them. A job attempted again after a worker restart starts its run over: the findings of
/// the interrupted attempt are removed first, so nothing is counted twice.
/// </summary>
public sealed class CleansingRunLog(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Findings are written in batches of this many, each batch its own short transaction.</summary>
    public const int BatchSize = 1000;

    private readonly CleansingSnapshotTaker snapshots = new(dbFactory, clock);

    public async Task<CleansingRun> StartAsync(Guid projectId, CleansingRunKind kind, Guid? jobRunId, Guid startedById,
        object? settings = null, int? ruleSetVersion = null, CancellationToken ct = default)
    {
        // The "before" of the report: read first, outside the run's own writes (one streaming pass, ADR 0019, 6).
        var before = await snapshots.TakeAsync(projectId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (jobRunId is { } job)
        {
            var interrupted = await db.CleansingRuns.Where(r => r.JobRunId == job).Select(r => r.Id).ToListAsync(ct);
            if (interrupted.Count > 0)
            {
                await db.CleansingRuns.Where(r => interrupted.Contains(r.Id)).ExecuteDeleteAsync(ct);
            }
        }
        var run = new CleansingRun
        {
            ProjectId = projectId,
            Kind = kind,
            JobRunId = jobRunId,
            RuleSetVersion = ruleSetVersion,
            SettingsJson = settings is null ? "{}" : JsonSerializer.Serialize(settings, JsonColumn.Options),
            StartedById = startedById,
            StartedAt = clock.GetUtcNow(),
            BeforeJson = before.ToJson(),
        };
        db.CleansingRuns.Add(run);
        await db.SaveChangesAsync(ct);
        return run;
    }

    /// <summary>Adds findings to the run (project, run, state and time are set here), a batch per transaction.</summary>
    public async Task AddFindingsAsync(CleansingRun run, IEnumerable<CleansingFinding> findings, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        foreach (var batch in findings.Chunk(BatchSize))
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            foreach (var finding in batch)
            {
                finding.ProjectId = run.ProjectId;
                finding.RunId = run.Id;
                finding.State = FindingState.Open;
                finding.CreatedAt = now;
                finding.Reason = finding.Reason.Length > 2000 ? finding.Reason[..2000] : finding.Reason;
            }
            db.CleansingFindings.AddRange(batch);
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// Ends the run: counts its findings, records the corrections it made itself, and marks the open findings of older
    /// runs of the same kind superseded — the newest run's view of that detector is the one the queue shows.
    /// </summary>
    public async Task<CleansingRun> FinishAsync(CleansingRun run, int corrections, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var olderRuns = db.CleansingRuns.Where(r => r.ProjectId == run.ProjectId && r.Kind == run.Kind && r.Id < run.Id).Select(r => r.Id);
        await db.CleansingFindings
            .Where(f => f.ProjectId == run.ProjectId && f.State == FindingState.Open && olderRuns.Contains(f.RunId))
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.State, FindingState.Superseded), ct);
        var findings = await db.CleansingFindings.CountAsync(f => f.RunId == run.Id, ct);
        var finishedAt = clock.GetUtcNow();
        await db.CleansingRuns.Where(r => r.Id == run.Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Findings, findings)
                .SetProperty(r => r.Corrections, corrections)
                .SetProperty(r => r.FinishedAt, finishedAt), ct);
        run.Findings = findings;
        run.Corrections = corrections;
        run.FinishedAt = finishedAt;
        return run;
    }
}
