using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

public sealed class ExportService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, TimeProvider clock)
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

        // A re-run replaces the file an earlier attempt of this run may have left.
        if (ReleaseJobs.Export.ReadResult(run) is { } previous)
        {
            await db.StoredFiles.Where(f => f.Id == previous.FileId).ExecuteDeleteAsync(ct);
        }

        using var buffer = new MemoryStream();
        var count = await AnnotationExporter.WriteAsync(db, project, parameters, buffer,
            fraction => progress.ReportAsync(fraction * 0.9, "Writing", ct), ct);
        var now = clock.GetUtcNow();
        var contentType = parameters.Format == ExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        var file = StoredFileService.Create(project.Id, run.RequestedById, AnnotationExporter.FileName(project, parameters.Format, now), contentType, buffer.ToArray(), now);
        db.StoredFiles.Add(file);
        await db.SaveChangesAsync(ct);
        return new ExportResult(file.Id, file.FileName, count);
    }
}
