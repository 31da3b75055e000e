using Hangfire;
using Hangfire.States;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Jobs;

/// <summary>
/// Finds JobRuns that are still queued or running but that no executor holds any more (the in-memory queue
/// died with the process, an enqueue was interrupted, a worker crashed) and enqueues them again.
/// Runs at the start of every job-server host and then every few minutes.
/// </summary>
public sealed class JobRecovery(IDbContextFactory<LabelHubDbContext> dbFactory, IJobScheduler scheduler, JobStorage storage, TimeProvider clock, ILogger<JobRecovery> logger)
{
    /// <summary>A run enqueued this recently may still be on its way into the queue; leave it alone.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> AliveStates = [EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName, AwaitingState.StateName];

    public async Task<int> RecoverAsync(bool atStartup, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cutoff = clock.GetUtcNow() - Grace;
        var unfinished = await db.JobRuns
            .Where(j => j.State == JobState.Queued || j.State == JobState.Running)
            .OrderBy(j => j.CreatedAt)
            .ToListAsync(ct);
        var recovered = 0;
        using var connection = storage.GetConnection();
        foreach (var run in unfinished)
        {
            if (!atStartup && run.CreatedAt > cutoff)
            {
                continue;
            }
            var state = run.ExecutorJobId is null ? null : connection.GetJobData(run.ExecutorJobId)?.State;
            var alive = state is not null && AliveStates.Contains(state);
            if (alive)
            {
                continue;
            }
            run.ExecutorJobId = scheduler.Enqueue(run.Id);
            run.Message = "Queued again after a restart";
            recovered++;
            logger.LogInformation("Re-enqueued {Kind} job {JobRunId} (executor state was {State})", run.Kind, run.Id, state ?? "unknown");
        }
        await db.SaveChangesAsync(ct);
        return recovered;
    }
}
