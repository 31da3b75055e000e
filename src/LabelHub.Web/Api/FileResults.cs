using LabelHub.Domain.Jobs;
using Microsoft.Net.Http.Headers;

namespace LabelHub.Web.Api;

/// <summary>Stored files as downloads: streamed chunk by chunk, with Content-Length, an ETag and range requests.</summary>
public static class FileResults
{
    public static async Task<IResult> StreamAsync(FileDownload file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        var stream = await file.OpenAsync(ct);
        return Results.File(stream, file.ContentType, file.FileName, file.CreatedAt, new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
    }
}
