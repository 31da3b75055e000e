using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Jobs;

/// <summary>A job as its readers see it: message, summary and error in the reader's language, with the message's stable code.</summary>
public sealed record JobRunInfo(
    Guid Id, string Kind, Guid? ProjectId, JobState State, double Progress, string? Message,
    string? ResultSummary, string? Result, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string? MessageCode = null, string? ErrorCode = null);

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
                // A project's job history (export files, quality summaries, import errors) is for its managers; whoever
                // started a job can always follow it.
                if (!actor.IsManager && run.RequestedById != actor.UserId)
                {
                    throw new ForbiddenException("Only managers and admins can do this.");
                }
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

    /// <summary>
    /// Cancels a queued or running job, for whoever started it, a manager of its project or an admin. A queued run never
    /// starts; a running one stops at its next progress report and removes what it wrote (imports their items,
    /// exports their file).
    /// </summary>
    public async Task<JobRunInfo> CancelAsync(Actor actor, Guid jobRunId, CancellationToken ct = default)
    {
        var run = await GetAsync(actor, jobRunId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!actor.IsAdmin && (await db.JobRuns.AsNoTracking().Where(j => j.Id == jobRunId).Select(j => j.RequestedById).SingleAsync(ct)) != actor.UserId)
        {
            if (run.ProjectId is not { } projectId)
            {
                throw new ForbiddenException("Only whoever started a job, a manager of its project or an admin can cancel it.");
            }
            await db.GetVisibleAsync(actor, projectId, ct);
            if (!actor.IsManager)
            {
                throw new ForbiddenException("Only whoever started a job, a manager of its project or an admin can cancel it.");
            }
        }
        var now = clock.GetUtcNow();
        var cancelled = await db.JobRuns
            .Where(j => j.Id == jobRunId && (j.State == JobState.Queued || j.State == JobState.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobState.Cancelled)
                .SetProperty(j => j.Message, "Cancelled")
                .SetProperty(j => j.FinishedAt, now), ct);
        if (cancelled == 0)
        {
            throw new ConflictException("The job has already finished.");
        }
        return ToInfo(await db.JobRuns.AsNoTracking().SingleAsync(j => j.Id == jobRunId, ct));
    }

    /// <summary>The latest jobs the actor may read: admins all; managers those they started and those of their projects; others those they started.</summary>
    public async Task<IReadOnlyList<JobRunInfo>> ListRecentAsync(Actor actor, int limit = 100, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var runs = db.JobRuns.AsNoTracking();
        if (actor.ProjectScope is { } scope)
        {
            runs = runs.Where(j => j.ProjectId == scope);
        }
        if (!actor.IsAdmin)
        {
            var projects = db.ProjectMembers.Where(m => m.UserId == actor.UserId).Select(m => (Guid?)m.ProjectId);
            runs = actor.IsManager
                ? runs.Where(j => j.RequestedById == actor.UserId || projects.Contains(j.ProjectId))
                : runs.Where(j => j.RequestedById == actor.UserId);
        }
        var latest = await runs.OrderByDescending(j => j.CreatedAt).Take(Math.Clamp(limit, 1, 500)).ToListAsync(ct);
        return [.. latest.Select(ToInfo)];
    }

    public async Task<IReadOnlyList<JobRunInfo>> ListForProjectAsync(Actor actor, Guid projectId, int limit = 50, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var runs = await db.JobRuns.AsNoTracking()
            .Where(j => j.ProjectId == projectId)
            .OrderByDescending(j => j.CreatedAt)
            .Take(Math.Clamp(limit, 1, 500))
            .ToListAsync(ct);
        return [.. runs.Select(ToInfo)];
    }

    /// <summary>The run for a reader in the current UI culture: jobs write English, readers get their own language.</summary>
    public static JobRunInfo ToInfo(JobRun j)
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        return new(j.Id, j.Kind, j.ProjectId, j.State, j.Progress, Localized(j.Message, culture), Localized(j.ResultSummary, culture), j.Result,
            Localized(j.Error, culture), j.CreatedAt, j.StartedAt, j.FinishedAt, ServerMessages.CodeOf(j.Message), ServerMessages.CodeOf(j.Error));
    }

    private static string? Localized(string? text, System.Globalization.CultureInfo culture) => text is null ? null : ServerMessages.Localize(text, culture);
}
