using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Jobs;

public sealed record JobRunInfo(
    Guid Id, string Kind, Guid? ProjectId, JobState State, double Progress, string? Message,
    string? ResultSummary, string? Result, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed class JobRunService(IDbContextFactory<LabelHubDbContext> dbFactory, IJobScheduler scheduler, TimeProvider clock)
{
    /// <summary>Records a run, then enqueues it. The row is written first so a crash in between is recovered at start-up.</summary>
    public async Task<JobRunInfo> StartAsync<TParameters, TResult>(
        JobContract<TParameters, TResult> contract, Guid? projectId, Guid? requestedBy, TParameters parameters, CancellationToken ct = default)
        where TParameters : class
        where TResult : class
    {
        var run = new JobRun
        {
            Id = Guid.CreateVersion7(),
            Kind = contract.Kind,
            ProjectId = projectId,
            RequestedById = requestedBy,
            Parameters = contract.SerializeParameters(parameters),
            State = JobState.Queued,
            CreatedAt = clock.GetUtcNow(),
            Message = "Waiting for a worker",
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.JobRuns.Add(run);
        await db.SaveChangesAsync(ct);
        run.ExecutorJobId = scheduler.Enqueue(run.Id);
        await db.SaveChangesAsync(ct);
        return ToInfo(run);
    }

    public async Task<JobRunInfo> GetAsync(Actor actor, Guid jobRunId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.JobRuns.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobRunId, ct) ?? throw new NotFoundException("Job");
        if (run.ProjectId is { } projectId)
        {
            try
            {
                await db.GetVisibleAsync(actor, projectId, ct);
            }
            catch (NotFoundException) when (actor.IsAdmin || run.RequestedById == actor.UserId)
            {
                // A job whose project is gone (it deleted the project, perhaps a moment ago) stays readable by whoever started it.
                if (await db.Projects.AnyAsync(p => p.Id == projectId, ct))
                {
                    throw;
                }
            }
        }
        else if (!actor.IsAdmin && run.RequestedById != actor.UserId)
        {
            throw new NotFoundException("Job");
        }
        return ToInfo(run);
    }

    public async Task<IReadOnlyList<JobRunInfo>> ListForProjectAsync(Actor actor, Guid projectId, int limit = 50, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        var runs = await db.JobRuns.AsNoTracking()
            .Where(j => j.ProjectId == projectId)
            .OrderByDescending(j => j.CreatedAt)
            .Take(Math.Clamp(limit, 1, 500))
            .ToListAsync(ct);
        return [.. runs.Select(ToInfo)];
    }

    public static JobRunInfo ToInfo(JobRun j) =>
        new(j.Id, j.Kind, j.ProjectId, j.State, j.Progress, j.Message, j.ResultSummary, j.Result, j.Error, j.CreatedAt, j.StartedAt, j.FinishedAt);
}
