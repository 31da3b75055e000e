using Hangfire;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Jobs;

/// <summary>
/// The one entry point Hangfire calls. It claims the JobRun, runs the handler for its kind and records the
/// outcome. Hangfire's own retries are off: a failure is a result the user sees, and a crash or restart is
/// recovered by <see cref="JobRecovery"/>.
/// </summary>
public sealed class JobExecutor(
    IDbContextFactory<LabelHubDbContext> dbFactory,
    IEnumerable<IJobHandler> handlers,
    TimeProvider clock,
    ILogger<JobExecutor> logger)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task ExecuteAsync(Guid jobRunId, CancellationToken ct)
    {
        // On SQLite a job's writes wait for every waiting request (SqliteWriteGate): annotators never queue behind a batch.
        SqliteWriteGate.MarkJob();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var claimed = await db.JobRuns
            .Where(j => j.Id == jobRunId && (j.State == JobState.Queued || j.State == JobState.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobState.Running)
                .SetProperty(j => j.StartedAt, now)
                .SetProperty(j => j.Attempts, j => j.Attempts + 1)
                .SetProperty(j => j.Message, "Started"), ct);
        if (claimed == 0)
        {
            logger.LogInformation("Job run {JobRunId} is finished or unknown; nothing to do", jobRunId);
            return;
        }
        var run = await db.JobRuns.AsNoTracking().SingleAsync(j => j.Id == jobRunId, ct);
        var handler = handlers.FirstOrDefault(h => h.Kind == run.Kind);
        JobOutcome outcome;
        string? error = null;
        if (handler is null)
        {
            outcome = new JobOutcome(false, $"No handler for job kind '{run.Kind}'.");
        }
        else
        {
            try
            {
                logger.LogInformation("Running {Kind} job {JobRunId} (attempt {Attempt})", run.Kind, run.Id, run.Attempts);
                outcome = await handler.RunAsync(run, new JobProgressReporter(dbFactory, jobRunId, clock), ct);
            }
            catch (JobCancelledException)
            {
                // Cancelled meanwhile: the handler stopped and removed what it wrote; the run stays Cancelled.
                logger.LogInformation("Job {JobRunId} ({Kind}) was cancelled", run.Id, run.Kind);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The host is stopping: the run stays Running and is recovered at the next start.
                logger.LogWarning("Job {JobRunId} interrupted by shutdown; it will run again after restart", jobRunId);
                throw;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Job {JobRunId} ({Kind}) failed", run.Id, run.Kind);
                outcome = new JobOutcome(false, "The job failed unexpectedly. Its error is in the job history.");
                error = ex.Message;
            }
        }
        var finished = clock.GetUtcNow();
        // A run cancelled while its handler was finishing keeps its cancellation.
        await db.JobRuns.Where(j => j.Id == jobRunId && j.State == JobState.Running).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, outcome.Succeeded ? JobState.Succeeded : JobState.Failed)
            .SetProperty(j => j.Progress, outcome.Succeeded ? 1.0 : run.Progress)
            .SetProperty(j => j.ResultSummary, outcome.Summary)
            .SetProperty(j => j.Message, outcome.Summary)
            .SetProperty(j => j.Result, outcome.ResultJson)
            .SetProperty(j => j.Error, error)
            .SetProperty(j => j.FinishedAt, finished), CancellationToken.None);
    }
}

/// <summary>Writes progress to the JobRun row at most a few times a second.</summary>
internal sealed class JobProgressReporter(IDbContextFactory<LabelHubDbContext> dbFactory, Guid jobRunId, TimeProvider clock) : IJobProgress
{
    private DateTimeOffset lastWrite = DateTimeOffset.MinValue;

    public async Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        // Written (and a cancellation noticed) at most four times a second.
        if (now - lastWrite < TimeSpan.FromMilliseconds(250) && fraction < 1)
        {
            return;
        }
        lastWrite = now;
        var clamped = Math.Clamp(fraction, 0, 1);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var running = await db.JobRuns.Where(j => j.Id == jobRunId && j.State == JobState.Running).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Progress, clamped)
            .SetProperty(j => j.Message, j => message ?? j.Message), ct);
        if (running == 0)
        {
            // Someone cancelled the job: it stops here, and its handler removes what it wrote.
            throw new JobCancelledException();
        }
    }
}
