using System.Security.Cryptography;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Jobs;

/// <summary>A file to send: what it is, and a way to open it as a seekable stream (range requests).</summary>
public sealed record FileDownload(string FileName, string ContentType, long Length, string Sha256, DateTimeOffset CreatedAt, Func<CancellationToken, Task<Stream>> OpenAsync);

/// <summary>An image of a project. <see cref="OpenAsync"/> is null when the caller already holds this version.</summary>
public sealed record MediaFile(string FileName, string ContentType, string Sha256, long Length, Func<CancellationToken, Task<Stream>>? OpenAsync);

/// <summary>
/// Files in the database, in chunks of <see cref="StoredFileChunk.Size"/> (ADR 0013): written and read as streams,
/// each chunk in its own short transaction; a file becomes visible only once it is complete.
/// </summary>
public sealed class StoredFileService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>A small file with its bytes at hand, to add in the caller's own transaction (images of an import, model weights).</summary>
    public static StoredFile Create(Guid? projectId, Guid? createdBy, string fileName, string contentType, byte[] bytes, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7();
        return new StoredFile
        {
            Id = id,
            ProjectId = projectId,
            FileName = Path.GetFileName(fileName),
            ContentType = contentType,
            Length = bytes.LongLength,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            CreatedById = createdBy,
            CreatedAt = now,
            Chunks = [.. bytes.Chunk(StoredFileChunk.Size).Select((part, sequence) => new StoredFileChunk { FileId = id, Sequence = sequence, Bytes = part })],
        };
    }

    /// <summary>Stores a stream as it comes; past <paramref name="maxBytes"/> nothing is kept and <see cref="FileTooLargeException"/> is thrown.</summary>
    public Task<StoredFile> SaveAsync(Guid? projectId, Guid? createdBy, string fileName, string contentType, Stream content, long? maxBytes = null, CancellationToken ct = default) =>
        WriteAsync(projectId, createdBy, null, fileName, contentType, (output, token) => content.CopyToAsync(output, token), maxBytes, ct);

    /// <summary>
    /// A file written by <paramref name="write"/> into a stream, chunk by chunk. The row exists from the start (incomplete,
    /// never served) so that a killed writer's chunks can be found and removed; it is complete once the writer returns.
    /// </summary>
    public async Task<StoredFile> WriteAsync(
        Guid? projectId, Guid? createdBy, Guid? jobRunId, string fileName, string contentType, Func<Stream, CancellationToken, Task> write, long? maxBytes = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var file = new StoredFile
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            FileName = Path.GetFileName(fileName),
            ContentType = contentType,
            CreatedById = createdBy,
            CreatedAt = clock.GetUtcNow(),
            IsComplete = false,
            JobRunId = jobRunId,
        };
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.StoredFiles.Add(file);
            await db.SaveChangesAsync(ct);
        }
        try
        {
            await using var output = new StoredFileWriteStream(dbFactory, file.Id, maxBytes);
            await write(output, ct);
            (file.Length, file.Sha256) = await output.CompleteAsync(ct);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.StoredFiles.Where(f => f.Id == file.Id).ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Length, file.Length)
                .SetProperty(f => f.Sha256, file.Sha256)
                .SetProperty(f => f.IsComplete, true), ct);
            file.IsComplete = true;
            return file;
        }
        catch
        {
            // Nothing half-written stays behind (a killed process leaves an incomplete row: see RemoveIncompleteAsync).
            await DeleteAsync([file.Id], CancellationToken.None);
            throw;
        }
    }

    /// <summary>A complete file's content type, or null when there is no such file.</summary>
    public async Task<string?> ContentTypeAsync(Guid fileId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.StoredFiles.AsNoTracking().Where(f => f.Id == fileId && f.IsComplete).Select(f => f.ContentType).SingleOrDefaultAsync(ct);
    }

    /// <summary>The content types of those of the files that are complete, in one query (a page of a release's images).</summary>
    public async Task<Dictionary<Guid, string>> ContentTypesAsync(IReadOnlyCollection<Guid> fileIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        if (fileIds.Count == 0)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.StoredFiles.AsNoTracking().Where(f => fileIds.Contains(f.Id) && f.IsComplete)
            .Select(f => new { f.Id, f.ContentType }).ToDictionaryAsync(f => f.Id, f => f.ContentType, ct);
    }

    /// <summary>Opens a complete file for reading, chunk by chunk.</summary>
    public async Task<Stream> OpenReadAsync(Guid fileId, CancellationToken ct = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (!await db.StoredFiles.AnyAsync(f => f.Id == fileId && f.IsComplete, ct))
            {
                throw new NotFoundException("File");
            }
        }
        return await StoredFileReadStream.OpenAsync(dbFactory, fileId, ct);
    }

    /// <summary>A whole small file (an image, model weights).</summary>
    public static async Task<byte[]> ReadAllBytesAsync(LabelHubDbContext db, Guid fileId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var chunks = await db.StoredFileChunks.AsNoTracking().Where(c => c.FileId == fileId).OrderBy(c => c.Sequence).Select(c => c.Bytes).ToListAsync(ct);
        return chunks.Count == 1 ? chunks[0] : [.. chunks.SelectMany(c => c)];
    }

    /// <summary>Removes files and their chunks, a few at a time.</summary>
    public async Task DeleteAsync(IReadOnlyCollection<Guid> fileIds, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await DeleteAsync(db, fileIds, ct);
    }

    public static async Task DeleteAsync(LabelHubDbContext db, IReadOnlyCollection<Guid> fileIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        foreach (var chunk in fileIds.Chunk(200))
        {
            await db.StoredFileChunks.Where(c => chunk.Contains(c.FileId)).ExecuteDeleteAsync(ct);
            await db.StoredFiles.Where(f => chunk.Contains(f.Id)).ExecuteDeleteAsync(ct);
        }
    }

    /// <summary>What an earlier attempt of a job left unfinished (the process was killed while writing).</summary>
    public async Task RemoveIncompleteAsync(Guid jobRunId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await RemoveIncompleteAsync(db, jobRunId, ct);
    }

    /// <summary>A job's incomplete files: what a killed attempt left, or what a failed or cancelled one stored but never completed.</summary>
    public static async Task RemoveIncompleteAsync(LabelHubDbContext db, Guid jobRunId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var left = await db.StoredFiles.Where(f => f.JobRunId == jobRunId && !f.IsComplete).Select(f => f.Id).ToListAsync(ct);
        await DeleteAsync(db, left, ct);
    }

    /// <summary>Files marked complete per statement: each is a short write, however many files the job stored.</summary>
    private const int CompleteBatch = 1000;

    /// <summary>
    /// Makes the files a job stored incomplete (whole, but held back until the job was done, as an image import's) servable.
    /// </summary>
    public static async Task CompleteJobFilesAsync(LabelHubDbContext db, Guid jobRunId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var held = await db.StoredFiles.Where(f => f.JobRunId == jobRunId && !f.IsComplete).Select(f => f.Id).ToListAsync(ct);
        foreach (var batch in held.Chunk(CompleteBatch))
        {
            await db.StoredFiles.Where(f => batch.Contains(f.Id)).ExecuteUpdateAsync(s => s.SetProperty(f => f.IsComplete, true), ct);
        }
    }

    /// <summary>
    /// No upload streams and no job writes for this long without finishing: an incomplete file this old that no queued or
    /// running job owns was left by a process killed while writing it.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(6);

    /// <summary>Abandoned files removed per round: each round's deletes are short writes.</summary>
    private const int AbandonedBatch = 50;

    /// <summary>
    /// Removes incomplete files older than <see cref="AbandonedAfter"/> whose writer is gone: an upload (no job) or a
    /// finished, cancelled or deleted job's. A queued or running job's are its own to finish or remove on its re-run.
    /// </summary>
    /// <returns>How many files were removed.</returns>
    public async Task<int> RemoveAbandonedAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cutoff = clock.GetUtcNow() - AbandonedAfter;
        var removed = 0;
        while (true)
        {
            var abandoned = await db.StoredFiles
                .Where(f => !f.IsComplete && f.CreatedAt < cutoff
                    && !db.JobRuns.Any(j => j.Id == f.JobRunId && (j.State == JobState.Queued || j.State == JobState.Running)))
                .OrderBy(f => f.CreatedAt)
                .Select(f => f.Id)
                .Take(AbandonedBatch)
                .ToListAsync(ct);
            await DeleteAsync(db, abandoned, ct);
            removed += abandoned.Count;
            if (abandoned.Count < AbandonedBatch)
            {
                return removed;
            }
        }
    }

    /// <summary>A project file for someone who can see the project.</summary>
    public async Task<FileDownload> DownloadAsync(Actor actor, Guid fileId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var file = await db.StoredFiles.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fileId && f.IsComplete, ct) ?? throw new NotFoundException("File");
        if (file.ProjectId is { } projectId)
        {
            await db.GetVisibleAsync(actor, projectId, ct);
            ProjectAccess.EnsureManager(actor);
        }
        else if (!actor.IsAdmin && file.CreatedById != actor.UserId)
        {
            throw new NotFoundException("File");
        }
        return new FileDownload(file.FileName, file.ContentType, file.Length, file.Sha256, file.CreatedAt,
            async token => await StoredFileReadStream.OpenAsync(dbFactory, fileId, token));
    }

    /// <summary>
    /// An image of the project for anyone who may see the project (its members, whatever their role, and
    /// admins). Files of other projects and files that are not images (uploads, exports) are reported missing.
    /// Pass the Sha256 the caller has cached to skip opening unchanged bytes.
    /// </summary>
    public async Task<MediaFile> MediaAsync(Actor actor, Guid projectId, Guid fileId, string? cachedSha256 = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        var file = await db.StoredFiles.AsNoTracking()
            .Where(f => f.Id == fileId && f.ProjectId == projectId && f.IsComplete)
            .Select(f => new { f.FileName, f.ContentType, f.Sha256, f.Length })
            .FirstOrDefaultAsync(ct);
        if (file is null || !ImageInfo.IsServableContentType(file.ContentType))
        {
            throw new NotFoundException("Image");
        }
        Func<CancellationToken, Task<Stream>>? open = string.Equals(cachedSha256, file.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : async token => await StoredFileReadStream.OpenAsync(dbFactory, fileId, token);
        return new MediaFile(file.FileName, file.ContentType, file.Sha256, file.Length, open);
    }
}
