using System.Security.Cryptography;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Jobs;

public sealed record FileDownload(string FileName, string ContentType, byte[] Bytes);

/// <summary>An image of a project. <see cref="Bytes"/> is null when the caller already holds this version.</summary>
public sealed record MediaFile(string FileName, string ContentType, string Sha256, long Length, byte[]? Bytes);

public sealed class StoredFileService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
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
            Content = new StoredFileContent { FileId = id, Bytes = bytes },
        };
    }

    public async Task<StoredFile> SaveAsync(Guid? projectId, Guid? createdBy, string fileName, string contentType, byte[] bytes, CancellationToken ct = default)
    {
        var file = Create(projectId, createdBy, fileName, contentType, bytes, clock.GetUtcNow());
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.StoredFiles.Add(file);
        await db.SaveChangesAsync(ct);
        return file;
    }

    /// <summary>A project file for someone who can see the project.</summary>
    public async Task<FileDownload> DownloadAsync(Actor actor, Guid fileId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var file = await db.StoredFiles.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fileId, ct) ?? throw new NotFoundException("File");
        if (file.ProjectId is { } projectId)
        {
            await db.GetVisibleAsync(actor, projectId, ct);
            ProjectAccess.EnsureManager(actor);
        }
        else if (!actor.IsAdmin && file.CreatedById != actor.UserId)
        {
            throw new NotFoundException("File");
        }
        var bytes = await db.StoredFileContents.AsNoTracking().Where(c => c.FileId == fileId).Select(c => c.Bytes).SingleAsync(ct);
        return new FileDownload(file.FileName, file.ContentType, bytes);
    }

    /// <summary>
    /// An image of the project for anyone who may see the project (its members, whatever their role, and
    /// admins). Files of other projects and files that are not images (uploads, exports) are reported missing.
    /// Pass the Sha256 the caller has cached to skip loading unchanged bytes.
    /// </summary>
    public async Task<MediaFile> MediaAsync(Actor actor, Guid projectId, Guid fileId, string? cachedSha256 = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        var file = await db.StoredFiles.AsNoTracking()
            .Where(f => f.Id == fileId && f.ProjectId == projectId)
            .Select(f => new { f.FileName, f.ContentType, f.Sha256, f.Length })
            .FirstOrDefaultAsync(ct);
        if (file is null || !ImageInfo.IsServableContentType(file.ContentType))
        {
            throw new NotFoundException("Image");
        }
        var bytes = string.Equals(cachedSha256, file.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : await db.StoredFileContents.AsNoTracking().Where(c => c.FileId == fileId).Select(c => c.Bytes).SingleAsync(ct);
        return new MediaFile(file.FileName, file.ContentType, file.Sha256, file.Length, bytes);
    }
}
