using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Planning;

/// <summary>
/// Deleting a project for good: only an archived one, only when its name is typed back, and as a job that removes the
/// items in short batches (their answers, tasks, reviews and suggestions go with them by the database's cascades), so
/// the write lock is never held for long while other projects are labeled. The job's own record stays.
/// </summary>
public sealed class ProjectDeletion(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs)
{
    public const int BatchSize = 2_000;

    public async Task<JobRunInfo> StartAsync(Actor actor, Guid projectId, string? confirmName, CancellationToken ct = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var project = await db.GetManageableAsync(actor, projectId, ct);
            if (project.ArchivedAt is null)
            {
                throw new ConflictException("Archive the project first: only an archived project can be deleted.");
            }
            if (!string.Equals(confirmName?.Trim(), project.Name, StringComparison.Ordinal))
            {
                throw new ValidationException("confirmName", $"Type the project's name, \"{project.Name}\", to delete it.");
            }
        }
        return await jobs.StartAsync(PlanningJobs.Delete, projectId, actor.UserId, new DeleteProjectParameters(confirmName!.Trim()), ct);
    }

    public async Task<DeleteProjectResult> RunAsync(JobRun run, IJobProgress progress, CancellationToken ct)
    {
        var projectId = run.ProjectId ?? throw new InvalidOperationException("A project deletion needs its project.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        var total = await db.Items.CountAsync(i => i.ProjectId == projectId, ct);
        var deleted = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var batch = await db.Items.Where(i => i.ProjectId == projectId).OrderBy(i => i.Id).Select(i => i.Id).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }
            // Releases hold their items (no cascade from items, ADR 0020); the archived project's releases may go now.
            await db.ReleaseItems.Where(r => batch.Contains(r.ItemId)).ExecuteDeleteAsync(ct);
            deleted += await db.Items.Where(i => batch.Contains(i.Id)).ExecuteDeleteAsync(ct);
            await progress.ReportAsync(total == 0 ? 0.9 : 0.9 * deleted / total, $"Deleted {deleted:N0} of {total:N0} items", ct);
        }
        // Models point at their files, so they go first; then the files, then the project with what hangs on it.
        await db.ModelVersions.Where(m => m.ProjectId == projectId).ExecuteDeleteAsync(ct);
        // Newest first: a release points at the one before it.
        foreach (var releaseId in await db.Releases.Where(r => r.ProjectId == projectId).OrderByDescending(r => r.Number).Select(r => r.Id).ToListAsync(ct))
        {
            await db.Releases.Where(r => r.Id == releaseId).ExecuteDeleteAsync(ct);
        }
        var fileIds = await db.StoredFiles.Where(f => f.ProjectId == projectId).Select(f => f.Id).ToListAsync(ct);
        await StoredFileService.DeleteAsync(db, fileIds, ct);
        await db.Projects.Where(p => p.Id == projectId).ExecuteDeleteAsync(ct);
        return new DeleteProjectResult(deleted, fileIds.Count);
    }
}
