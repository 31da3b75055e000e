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

    /// <summary>The name of the source of items sent through the API when the caller names none.</summary>
    public const string ApiSourceName = "API";

    /// <param name="source">Where the items come from; null: the file name and <see cref="SourceKind.Upload"/>.</param>
    public async Task<JobRunInfo> StartAsync(Actor actor, Guid projectId, string fileName, Stream content, CancellationToken ct = default, ImportSource? source = null)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
        }
        if (!TryDetectFormat(fileName, out var format))
        {
            throw new ValidationException("file", $"'{Path.GetFileName(fileName)}' is not a CSV, TSV, JSON, JSONL, TXT, image ({ImageInfo.Formats}) or ZIP file (by its extension).");
        }
        StoredFile file;
        try
        {
            if (format == ItemFileFormat.Image)
            {
                // A single image is checked now, so a wrong file fails at once, and kept under its real type.
                var bytes = await ReadLimitedAsync(content, ImageArchiveLimits.Default.MaxEntryBytes, $"An image may be at most {ImageArchiveLimits.Default.MaxEntryBytes / (1024 * 1024)} MB.", ct);
                file = await files.SaveAsync(projectId, actor.UserId, fileName, ImageContentType(fileName, bytes), new MemoryStream(bytes, writable: false), ct: ct);
            }
            else
            {
                // Anything else goes to the store as it arrives, a chunk at a time.
                var contentType = format == ItemFileFormat.Zip ? "application/zip" : "application/octet-stream";
                file = await files.SaveAsync(projectId, actor.UserId, fileName, contentType, content, MaxFileBytes, ct);
            }
        }
        catch (FileTooLargeException)
        {
            throw new ValidationException("file", $"The file is larger than {MaxFileBytes / (1024 * 1024)} MB.");
        }
        if (file.Length == 0)
        {
            await files.DeleteAsync([file.Id], ct);
            throw new ValidationException("file", "The file is empty.");
        }
        return await jobs.StartAsync(CollectionJobs.Import, projectId, actor.UserId, new ImportParameters(file.Id, file.FileName, format, source ?? DefaultSource(fileName, SourceKind.Upload)), ct);
    }

    private static ImportSource DefaultSource(string name, SourceKind kind) => new(SourceService.DefaultName(name), kind);

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

    private static string ImageContentType(string fileName, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw new ValidationException("file", "The file is empty.");
        }
        if (!ImageInfo.TryRead(bytes, out var imageFormat, out _, out _))
        {
            throw new ValidationException("file", $"'{Path.GetFileName(fileName)}' is not a {ImageInfo.Formats} image.");
        }
        return ImageInfo.ContentType(imageFormat);
    }

    /// <summary>Items sent as JSON through the API take the same path as an uploaded JSONL file.</summary>
    /// <param name="source">Where the items come from; null: "API" and <see cref="SourceKind.Api"/>.</param>
    public Task<JobRunInfo> StartFromJsonAsync(Actor actor, Guid projectId, IReadOnlyList<JsonElement> items, CancellationToken ct = default, ImportSource? source = null)
    {
        if (items.Count == 0)
        {
            throw new ValidationException("items", "No items were sent.");
        }
        if (items.Count > MaxApiItems)
        {
            throw new ValidationException("items", $"At most {MaxApiItems:N0} items per request; upload a file for more.");
        }
        return StartJsonLinesAsync(actor, projectId, items, source ?? DefaultSource(ApiSourceName, SourceKind.Api), ct);
    }

    /// <summary>The items as JSON lines, written into the store one by one.</summary>
    private async Task<JobRunInfo> StartJsonLinesAsync(Actor actor, Guid projectId, IReadOnlyList<JsonElement> items, ImportSource source, CancellationToken ct)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
        }
        var file = await files.WriteAsync(projectId, actor.UserId, null, "api-items.jsonl", "application/x-ndjson", async (output, token) =>
        {
            await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            foreach (var item in items)
            {
                await writer.WriteAsync(item.GetRawText().ReplaceLineEndings(" "));
                await writer.WriteAsync('\n');
            }
        }, MaxFileBytes, ct);
        return await jobs.StartAsync(CollectionJobs.Import, projectId, actor.UserId, new ImportParameters(file.Id, file.FileName, ItemFileFormat.Jsonl, source), ct);
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream content, long maxBytes, string tooLarge, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ValidationException("file", tooLarge);
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
