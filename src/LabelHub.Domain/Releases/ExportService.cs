using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

public sealed class ExportService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, StoredFileService files, TimeProvider clock)
{
    public async Task<JobRunInfo> StartAsync(Actor actor, Guid projectId, ExportParameters parameters, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!Enum.IsDefined(parameters.Format))
        {
            throw new ValidationException("format", "Export formats: jsonl, csv.");
        }
        if (!Enum.IsDefined(parameters.Scope))
        {
            throw new ValidationException("scope", "Export scopes: all, labeled, reviewed.");
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
        }
        return await jobs.StartAsync(ReleaseJobs.Export, projectId, actor.UserId, parameters, ct);
    }

    /// <summary>The export job's work: writes the run's project's annotations to a file kept in the database, ready to download.</summary>
    public async Task<ExportResult> WriteFileAsync(JobRun run, ExportParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == run.ProjectId, ct);

        // A re-run replaces what an earlier attempt of this run left: a finished file, or the chunks of one it was writing when killed.
        if (ReleaseJobs.Export.ReadResult(run) is { } previous)
        {
            await files.DeleteAsync([previous.FileId], ct);
        }
        await files.RemoveIncompleteAsync(run.Id, ct);

        var count = 0;
        var contentType = parameters.Format == ExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        // Written straight into the store, a chunk at a time: memory stays flat whatever the project's size.
        var file = await files.WriteAsync(project.Id, run.RequestedById, run.Id, AnnotationExporter.FileName(project, parameters.Format, clock.GetUtcNow()), contentType,
            async (output, token) => count = await AnnotationExporter.WriteAsync(db, project, parameters, output, fraction => progress.ReportAsync(fraction * 0.95, "Writing", token), token), ct: ct);
        return new ExportResult(file.Id, file.FileName, count);
    }
}
