using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// The image half of <see cref="ItemImporter"/>: a single uploaded image, or every image of a ZIP archive, becomes
/// an item {"image": media URL, "file_name", "width", "height"}. Same rules as text imports: everything is
/// checked before anything is stored, then files and items go in together in one transaction; an image whose
/// bytes are already in the project (or earlier in the archive) is skipped as an exact duplicate. An image
/// item's content hash is the SHA-256 of its bytes, which is also its stored file's hash.
/// </summary>
internal static class ImageImporter
{
    /// <summary>Files and items are saved in batches of about this many bytes, so memory stays bounded.</summary>
    private const long BatchBytes = 64L * 1024 * 1024;

    private const int BatchImages = 500;

    public static async Task<JobOutcome<ImportResult>> RunAsync(
        LabelHubDbContext db, JobRun run, ImportParameters parameters, Guid projectId, byte[] upload,
        IJobProgress progress, IProgress<double> readingProgress, DateTimeOffset now, CancellationToken ct)
    {
        var single = parameters.Format == ItemFileFormat.Image;
        IReadOnlyList<ArchiveImage> images;
        if (single)
        {
            if (!ImageInfo.TryRead(upload, out var format, out var width, out var height))
            {
                return ItemImporter.Failure(parameters.FileName, [new ImportRowError(1, $"\"{parameters.FileName}\": it is not a {ImageInfo.Formats} image")], "bad file");
            }
            var sha256 = await db.StoredFiles.AsNoTracking().Where(f => f.Id == parameters.FileId).Select(f => f.Sha256).SingleAsync(ct);
            images = [new ArchiveImage(1, parameters.FileName, format, width, height, upload.LongLength, sha256)];
        }
        else
        {
            var scan = ImageArchive.Scan(upload, progress: readingProgress, ct: ct);
            if (!scan.Succeeded)
            {
                return ItemImporter.Failure(parameters.FileName, scan.Errors, "bad entry");
            }
            images = scan.Images;
        }

        await progress.ReportAsync(0.6, "Checking for duplicates", ct);
        var seen = await ItemImporter.ExistingHashesAsync(db, projectId, [.. images.Select(i => i.Sha256)], ct);
        var fresh = new List<ArchiveImage>(images.Count);
        var duplicateEntries = new List<int>();
        foreach (var image in images)
        {
            if (seen.Add(image.Sha256))
            {
                fresh.Add(image);
            }
            else
            {
                duplicateEntries.Add(image.Index);
            }
        }

        await progress.ReportAsync(0.7, $"Storing {fresh.Count:N0} images", ct);
        // Progress is not written during the transaction: on SQLite it would wait for this very writer.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            if (single)
            {
                // The upload is already a stored image of this project: the item shows it, no second copy.
                if (fresh.Count == 1)
                {
                    db.Items.Add(NewItem(run, projectId, fresh[0], parameters.FileId, now));
                    await db.SaveChangesAsync(ct);
                }
            }
            else
            {
                await StoreArchiveImagesAsync(db, run, projectId, upload, fresh, now, ct);
            }
            await transaction.CommitAsync(ct);
        }
        return ItemImporter.Success(parameters.FileName, fresh.Count, duplicateEntries, single ? "file" : "entry");
    }

    private static async Task StoreArchiveImagesAsync(
        LabelHubDbContext db, JobRun run, Guid projectId, byte[] zip, List<ArchiveImage> images, DateTimeOffset now, CancellationToken ct)
    {
        long pendingBytes = 0;
        var pending = 0;
        foreach (var (image, bytes) in ImageArchive.Read(zip, images))
        {
            ct.ThrowIfCancellationRequested();
            var file = StoredFileService.Create(projectId, run.RequestedById, StoredName(image.Name), ImageInfo.ContentType(image.Format), bytes, now);
            db.StoredFiles.Add(file);
            db.Items.Add(NewItem(run, projectId, image, file.Id, now));
            pendingBytes += bytes.LongLength;
            pending++;
            if (pendingBytes >= BatchBytes || pending >= BatchImages)
            {
                await FlushAsync(db, ct);
                pendingBytes = 0;
                pending = 0;
            }
        }
        await FlushAsync(db, ct);
    }

    private static async Task FlushAsync(LabelHubDbContext db, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        // Lets the saved bytes go: the change tracker would otherwise hold every image until the end.
        db.ChangeTracker.Clear();
    }

    private static Item NewItem(JobRun run, Guid projectId, ArchiveImage image, Guid fileId, DateTimeOffset now) => new()
    {
        ProjectId = projectId,
        Data = new Dictionary<string, JsonElement>
        {
            [MediaUrls.ImageKey] = JsonSerializer.SerializeToElement(MediaUrls.For(projectId, fileId)),
            [MediaUrls.FileNameKey] = JsonSerializer.SerializeToElement(image.Name),
            [MediaUrls.WidthKey] = JsonSerializer.SerializeToElement(image.Width),
            [MediaUrls.HeightKey] = JsonSerializer.SerializeToElement(image.Height),
        },
        ContentHash = image.Sha256,
        ImportJobRunId = run.Id,
        SourceLine = image.Index,
        CreatedAt = now,
    };

    /// <summary>The stored file's name: the entry's own name, cut to fit the column (the full path stays in the item).</summary>
    private static string StoredName(string entryPath)
    {
        var name = Path.GetFileName(entryPath);
        return name.Length <= 255 ? name : name[..200] + name[^55..];
    }
}
