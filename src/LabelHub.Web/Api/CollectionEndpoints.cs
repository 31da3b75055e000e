using System.Security.Claims;
using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using LabelHub.Web.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace LabelHub.Web.Api;

/// <param name="Next">The cursor of the next page (pass it as <c>after</c>); null on the last page.</param>
/// <param name="NextAfter">In id order only: the same as a number, as the listing gave it before issue 17.</param>
public sealed record ItemPage(IReadOnlyList<ItemRow> Items, string? Next, long? NextAfter);

public static class CollectionEndpoints
{
    /// <summary>The hash a conditional request already holds ("*" counts as any), so unchanged bytes are not loaded.</summary>
    private static string? CachedSha256(IList<EntityTagHeaderValue> tags) =>
        tags.Select(t => t.Tag.Value?.Trim('"')).FirstOrDefault(t => t is { Length: 64 } && t.All(char.IsAsciiHexDigit));

    public static void MapCollectionEndpoints(this RouteGroupBuilder api)
    {
        var projects = api.MapGroup("/projects/{projectId:guid}").WithTags("Collection");

        // Multipart upload of a CSV, TSV, JSON, JSONL or TXT file, an image or a ZIP; the import runs as a job. Optional
        // form fields describe its source (issue 17): sourceName (default: the file name), sourceKind (default Upload),
        // licence, collectedOn (yyyy-mm-dd).
        projects.MapPost("/imports", async (Guid projectId, IFormFile? file, [FromForm] string? sourceName, [FromForm] string? sourceKind,
            [FromForm] string? licence, [FromForm] string? collectedOn, ImportService imports, ClaimsPrincipal user, CancellationToken ct) =>
        {
            if (file is null)
            {
                throw new ValidationException("file", "Send the file as multipart/form-data in a field named 'file'.");
            }
            var source = SourceService.ImportSourceOf(sourceName, sourceKind, licence, collectedOn, file.FileName, SourceKind.Upload);
            await using var stream = file.OpenReadStream();
            var job = await imports.StartAsync(user.ToActor(), projectId, file.FileName, stream, ct, source);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager).ProducesJob().ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        // Bulk import of items as a JSON array: [{"text": "..."}, {"key": "value"}, ...]. Optional query parameters
        // describe their source: sourceName (default "API"), sourceKind (default Api), licence, collectedOn (yyyy-mm-dd).
        projects.MapPost("/items", async (Guid projectId, List<JsonElement> items, string? sourceName, string? sourceKind, string? licence, string? collectedOn,
            ImportService imports, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var source = SourceService.ImportSourceOf(sourceName, sourceKind, licence, collectedOn, ImportService.ApiSourceName, SourceKind.Api);
            var job = await imports.StartFromJsonAsync(user.ToActor(), projectId, items, ct, source);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager).ProducesJob().ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        // An image of the project, for any member (annotators included): what image items and the box field show.
        projects.MapGet("/media/{fileId:guid}", async (Guid projectId, Guid fileId, HttpContext http, StoredFileService files, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var cached = http.Request.GetTypedHeaders().IfNoneMatch;
            var media = await files.MediaAsync(user.ToActor(), projectId, fileId, CachedSha256(cached), ct);
            var etag = new EntityTagHeaderValue($"\"{media.Sha256}\"");
            var headers = http.Response.GetTypedHeaders();
            headers.ETag = etag;
            headers.CacheControl = new CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromHours(1) };
            // Only raster images get here (never SVG or HTML); still, the browser must not guess another type or run anything.
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            return media.OpenAsync is null || cached.Any(tag => tag.Compare(etag, useStrongComparison: false) || tag.Equals(EntityTagHeaderValue.Any))
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Stream(await media.OpenAsync(ct), media.ContentType, enableRangeProcessing: true);
        }).ProducesFile("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp");

        // The data manager's table (issue 17): every filter, sort and an opaque keyset cursor as query parameters.
        projects.MapGet("/items", async (Guid projectId, [AsParameters] ItemTableQuery query, ItemTableService table, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var (filter, sort) = query.ToFilterAndSort();
            var page = await table.PageAsync(user.ToActor(), projectId, filter, sort, query.After, query.ToLimit(), ct);
            // Scripts written before the data manager page on with a numeric nextAfter in id order; it still comes.
            long? nextAfter = sort.Column == ItemSortColumn.Id && page.Next is { } next ? long.Parse(next, System.Globalization.CultureInfo.InvariantCulture) : null;
            return new ItemPage(page.Items, page.Next, nextAfter);
        }).RequireAuthorization(Policies.Manager);
    }
}
