using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// The image half of <see cref="ItemImporter"/>: a single uploaded image, or every image of a ZIP archive, becomes
/// an item {"image": media URL, "file_name", "width", "height"}. Same rules as text imports: the upload is read as a
/// stream from the store, a chunk at a time, and every entry is checked before anything is stored; then each batch of
/// images goes in its own short transaction, its files incomplete (never served) and its items pending (hidden), and
/// only once all are stored are the items revealed and the files completed (ADR 0014, 0015). A failed or cancelled
/// import removes what it stored; a killed one is finished or cleared by its re-run (<see cref="ItemImporter.RunAsync"/>).
/// An image whose bytes are already in the project (or earlier in the archive) is skipped as an exact duplicate. An
/// image item's content hash is the SHA-256 of its bytes, which is also its stored file's hash.
/// </summary>
internal static class ImageImporter
{
    /// <summary>Image bytes per stored batch: each batch is one short write, and all memory holds. A bigger image is a batch of its own.</summary>
    private const long BatchBytes = 16L * 1024 * 1024;

    private const int BatchImages = 200;

    public static async Task<JobOutcome<ImportResult>> RunAsync(
        IDbContextFactory<LabelHubDbContext> dbFactory, LabelHubDbContext db, JobRun run, ImportParameters parameters, Guid projectId, long sourceId,
        IJobProgress progress, IProgress<double> readingProgress, DateTimeOffset now, CancellationToken ct)
    {
        var single = parameters.Format == ItemFileFormat.Image;
        await using var upload = await StoredFileReadStream.OpenAsync(dbFactory, parameters.FileId, ct);
        IReadOnlyList<ArchiveImage> images;
        if (single)
        {
            // A single image is at most 50 MB (checked at upload): it is read whole.
            var bytes = new byte[upload.Length];
            await upload.ReadExactlyAsync(bytes, ct);
            if (!ImageInfo.TryRead(bytes, out var format, out var width, out var height))
            {
                return ItemImporter.Failure(parameters.FileName, [new ImportRowError(1, $"\"{parameters.FileName}\": it is not a {ImageInfo.Formats} image")], "bad file");
            }
            var sha256 = await db.StoredFiles.AsNoTracking().Where(f => f.Id == parameters.FileId).Select(f => f.Sha256).SingleAsync(ct);
            images = [new ArchiveImage(1, parameters.FileName, format, width, height, bytes.LongLength, sha256)];
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
        var inProject = await ItemImporter.ExistingHashesAsync(db, projectId, [.. images.Select(i => i.Sha256)], ct);
        // Each distinct image's first entry, so a repeat can name the entry it repeats.
        var firstEntry = new Dictionary<string, int>();
        var fresh = new List<ArchiveImage>(images.Count);
        var duplicateEntries = new List<ImportDuplicate>();
        foreach (var image in images)
        {
            if (inProject.TryGetValue(image.Sha256, out var itemId))
            {
                duplicateEntries.Add(ImportDuplicate.OfItem(image.Index, itemId));
            }
            else if (firstEntry.TryGetValue(image.Sha256, out var first))
            {
                duplicateEntries.Add(ImportDuplicate.OfLine(image.Index, first, "entry"));
            }
            else
            {
                firstEntry[image.Sha256] = image.Index;
                fresh.Add(image);
            }
        }

        await progress.ReportAsync(0.7, $"Storing {fresh.Count:N0} images", ct);
        if (single)
        {
            // The upload is already a stored image of this project: the item shows it, no second copy. One row in one
            // write, so it needs no pending stage: a re-run after a kill finds it and finishes.
            if (fresh.Count == 1)
            {
                db.Items.Add(NewItem(run, projectId, sourceId, fresh[0], parameters.FileId, now, pending: false));
                await db.SaveChangesAsync(ct);
            }
        }
        else
        {
            try
            {
                await StoreArchiveImagesAsync(db, run, projectId, sourceId, upload, fresh, progress, now, ct);
            }
            catch
            {
                // Failed or cancelled: nothing of it stays behind.
                db.ChangeTracker.Clear();
                await ItemImporter.RemovePendingAsync(db, run.Id, CancellationToken.None);
                await StoredFileService.RemoveIncompleteAsync(db, run.Id, CancellationToken.None);
                throw;
            }
            await progress.ReportAsync(0.95, "Making the items available", ct);
            // Items first, then files: a kill in between leaves revealed items, and the re-run completes the files.
            await ItemImporter.RevealAsync(db, run.Id, ct);
            await StoredFileService.CompleteJobFilesAsync(db, run.Id, ct);
        }
        return ItemImporter.Success(parameters.FileName, fresh.Count, duplicateEntries, single ? "file" : "entry");
    }

    /// <summary>
    /// Stores the images a batch at a time, each batch one SaveChanges (so one transaction) holding its files, incomplete,
    /// and their items, pending. Progress is written between batches: on SQLite, inside one it would wait for this very writer.
    /// </summary>
    private static async Task StoreArchiveImagesAsync(
        LabelHubDbContext db, JobRun run, Guid projectId, long sourceId, Stream zip, List<ArchiveImage> images, IJobProgress progress, DateTimeOffset now, CancellationToken ct)
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var stored = 0;
        var batchImages = 0;
        long batchBytes = 0;
        async Task StoreBatchAsync()
        {
            await db.SaveChangesAsync(ct);
            // Lets the saved bytes go: the change tracker would otherwise hold every image until the end.
            db.ChangeTracker.Clear();
            stored += batchImages;
            (batchImages, batchBytes) = (0, 0);
            await progress.ReportAsync(0.7 + (0.25 * stored / images.Count), $"Stored {stored:N0} of {images.Count:N0} items", ct);
        }

        foreach (var (image, bytes) in ImageArchive.Read(zip, images))
        {
            ct.ThrowIfCancellationRequested();
            if (batchImages > 0 && batchBytes + bytes.LongLength > BatchBytes)
            {
                await StoreBatchAsync();
            }
            var file = StoredFileService.Create(projectId, run.RequestedById, StoredName(image.Name), ImageInfo.ContentType(image.Format), bytes, now);
            file.IsComplete = false;
            file.JobRunId = run.Id;
            db.StoredFiles.Add(file);
            db.Items.Add(NewItem(run, projectId, sourceId, image, file.Id, now, pending: true));
            batchImages++;
            batchBytes += bytes.LongLength;
            if (batchImages == BatchImages || batchBytes >= BatchBytes)
            {
                await StoreBatchAsync();
            }
        }
        if (batchImages > 0)
        {
            await StoreBatchAsync();
        }
    }

    private static Item NewItem(JobRun run, Guid projectId, long sourceId, ArchiveImage image, Guid fileId, DateTimeOffset now, bool pending)
    {
        var data = new Dictionary<string, JsonElement>
        {
            [MediaUrls.ImageKey] = JsonSerializer.SerializeToElement(MediaUrls.For(projectId, fileId)),
            [MediaUrls.FileNameKey] = JsonSerializer.SerializeToElement(image.Name),
            [MediaUrls.WidthKey] = JsonSerializer.SerializeToElement(image.Width),
            [MediaUrls.HeightKey] = JsonSerializer.SerializeToElement(image.Height),
        };
        return new()
        {
            ProjectId = projectId,
            Data = data,
            ContentHash = image.Sha256,
            ImportJobRunId = run.Id,
            SourceLine = image.Index,
            SourceId = sourceId,
            SearchText = ItemSearchText.Of(data),
            TakenSlots = pending ? Item.PendingSlots : 0,
            CreatedAt = now,
        };
    }

    /// <summary>The stored file's name: the entry's own name, cut to fit the column (the full path stays in the item).</summary>
    private static string StoredName(string entryPath)
    {
        var name = Path.GetFileName(entryPath);
        return name.Length <= 255 ? name : name[..200] + name[^55..];
    }
}
