using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Workers.Releases;

public sealed record ExportResult(Guid FileId, string FileName, int Items);

/// <summary>Writes the project's annotations to a file kept in the database, ready to download.</summary>
public sealed class ExportJob(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock) : IJobHandler
{
    public string Kind => JobKinds.Export;

    public async Task<JobOutcome> RunAsync(JobRun run, IJobProgress progress, CancellationToken ct)
    {
        var parameters = JsonSerializer.Deserialize<ExportParameters>(run.Parameters, JsonColumn.Options)
            ?? throw new InvalidOperationException("Export parameters are missing.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == run.ProjectId, ct);

        // A re-run replaces the file an earlier attempt of this run may have left.
        var previous = TryReadResult(run.Result);
        if (previous is not null)
        {
            await db.StoredFiles.Where(f => f.Id == previous.FileId).ExecuteDeleteAsync(ct);
        }

        using var buffer = new MemoryStream();
        var count = await AnnotationExporter.WriteAsync(db, project, parameters.Format, buffer,
            fraction => progress.ReportAsync(fraction * 0.9, "Writing", ct), ct);
        var now = clock.GetUtcNow();
        var contentType = parameters.Format == ExportFormat.Csv ? "text/csv" : "application/x-ndjson";
        var file = StoredFileService.Create(project.Id, run.RequestedById, AnnotationExporter.FileName(project, parameters.Format, now), contentType, buffer.ToArray(), now);
        db.StoredFiles.Add(file);
        await db.SaveChangesAsync(ct);
        var result = new ExportResult(file.Id, file.FileName, count);
        return new JobOutcome(true, $"Exported {count:N0} items to {file.FileName}.", JsonSerializer.Serialize(result, JsonColumn.Options));
    }

    private static ExportResult? TryReadResult(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<ExportResult>(json, JsonColumn.Options);
}
