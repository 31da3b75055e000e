using System.Text;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>Takes an uploaded file, keeps it, and starts the import job that turns it into items.</summary>
public sealed class ImportService(IDbContextFactory<LabelHubDbContext> dbFactory, StoredFileService files, JobRunService jobs)
{
    public const long MaxFileBytes = 200L * 1024 * 1024;
    public const int MaxApiItems = 100_000;

    public async Task<JobRunInfo> StartAsync(Actor actor, Guid projectId, string fileName, Stream content, CancellationToken ct = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
        }
        if (!TryDetectFormat(fileName, out var format))
        {
            throw new ValidationException("file", $"'{Path.GetFileName(fileName)}' is not a CSV, TSV, JSON, JSONL, image ({ImageInfo.Formats}) or ZIP file (by its extension).");
        }
        var bytes = await ReadLimitedAsync(content, ct);
        if (bytes.Length == 0)
        {
            throw new ValidationException("file", "The file is empty.");
        }
        var file = await files.SaveAsync(projectId, actor.UserId, fileName, UploadContentType(fileName, format, bytes), bytes, ct);
        return await jobs.StartAsync(CollectionJobs.Import, projectId, actor.UserId, new ImportParameters(file.Id, file.FileName, format), ct);
    }

    /// <summary>Item files by their extension, plus single images and ZIP archives of images.</summary>
    public static bool TryDetectFormat(string fileName, out ItemFileFormat format)
    {
        if (ItemFileParser.TryDetectFormat(fileName, out format))
        {
            return true;
        }
        if (ImageInfo.HasImageExtension(fileName))
        {
            format = ItemFileFormat.Image;
            return true;
        }
        if (Path.GetExtension(fileName).Equals(".zip", StringComparison.OrdinalIgnoreCase))
        {
            format = ItemFileFormat.Zip;
            return true;
        }
        return false;
    }

    /// <summary>
    /// A single image is checked now, so a wrong file fails at once, and kept under its real type: the
    /// upload itself is the image the item shows.
    /// </summary>
    private static string UploadContentType(string fileName, ItemFileFormat format, byte[] bytes)
    {
        switch (format)
        {
            case ItemFileFormat.Image:
                if (bytes.LongLength > ImageArchiveLimits.Default.MaxEntryBytes)
                {
                    throw new ValidationException("file", $"An image may be at most {ImageArchiveLimits.Default.MaxEntryBytes / (1024 * 1024)} MB.");
                }
                if (!ImageInfo.TryRead(bytes, out var imageFormat, out _, out _))
                {
                    throw new ValidationException("file", $"'{Path.GetFileName(fileName)}' is not a {ImageInfo.Formats} image.");
                }
                return ImageInfo.ContentType(imageFormat);
            case ItemFileFormat.Zip:
                return "application/zip";
            default:
                return "application/octet-stream";
        }
    }

    /// <summary>Items sent as JSON through the API take the same path as an uploaded JSONL file.</summary>
    public Task<JobRunInfo> StartFromJsonAsync(Actor actor, Guid projectId, IReadOnlyList<JsonElement> items, CancellationToken ct = default)
    {
        if (items.Count == 0)
        {
            throw new ValidationException("items", "No items were sent.");
        }
        if (items.Count > MaxApiItems)
        {
            throw new ValidationException("items", $"At most {MaxApiItems:N0} items per request; upload a file for more.");
        }
        var jsonl = new StringBuilder();
        foreach (var item in items)
        {
            jsonl.Append(item.GetRawText().ReplaceLineEndings(" ")).Append('\n');
        }
        return StartAsync(actor, projectId, "api-items.jsonl", new MemoryStream(Encoding.UTF8.GetBytes(jsonl.ToString())), ct);
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream content, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
            {
                throw new ValidationException("file", $"The file is larger than {MaxFileBytes / (1024 * 1024)} MB.");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
