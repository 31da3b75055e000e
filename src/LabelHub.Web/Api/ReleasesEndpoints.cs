using System.Security.Claims;
using System.Text.Json.Serialization;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <param name="Scope">all (default), labeled (items with an answer) or reviewed (accepted answers only).</param>
/// <param name="ByteOrderMark">CSV: start with UTF-8's byte-order mark for Excel (default true).</param>
public sealed record ExportRequest(
    [property: JsonConverter(typeof(JsonStringEnumConverter<ExportFormat>))] ExportFormat Format,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ExportScope>))] ExportScope Scope = ExportScope.All,
    bool ByteOrderMark = true);

public static class ReleasesEndpoints
{
    public static void MapReleasesEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/projects/{projectId:guid}/exports", async (Guid projectId, ExportRequest input, ExportService exports, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await exports.StartAsync(user.ToActor(), projectId, new ExportParameters(input.Format, input.Scope, input.ByteOrderMark), ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).WithTags("Releases").RequireAuthorization(Policies.Manager).ProducesJob();

        // Numbered, immutable releases (ADR 0020): cut one as a job, list them, read one.
        api.MapPost("/projects/{projectId:guid}/releases", async (Guid projectId, ReleaseRequest? input, ReleaseService releases, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var (_, job) = await releases.StartAsync(user.ToActor(), projectId, input ?? new ReleaseRequest(), ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).WithTags("Releases").RequireAuthorization(Policies.Manager).ProducesJob()
            .ProducesConflict("a release of the project is being cut.");
        api.MapPost("/projects/{projectId:guid}/releases/preview", (Guid projectId, ReleaseRequest? input, ReleaseService releases, ClaimsPrincipal user, CancellationToken ct) =>
            releases.PreviewAsync(user.ToActor(), projectId, input ?? new ReleaseRequest(), ct))
            .WithTags("Releases").RequireAuthorization(Policies.Manager).Produces<ReleasePreview>();
        api.MapGet("/projects/{projectId:guid}/releases", (Guid projectId, ReleaseService releases, ClaimsPrincipal user, CancellationToken ct) =>
            releases.ListAsync(user.ToActor(), projectId, ct))
            .WithTags("Releases").RequireAuthorization(Policies.Manager).Produces<IReadOnlyList<ReleaseInfo>>();
        api.MapGet("/projects/{projectId:guid}/releases/{number:int}", (Guid projectId, int number, ReleaseService releases, ClaimsPrincipal user, CancellationToken ct) =>
            releases.GetAsync(user.ToActor(), projectId, number, ct))
            .WithTags("Releases").RequireAuthorization(Policies.Manager).Produces<ReleaseInfo>();
        // Checks again that a release reproduces (its manifest rebuilt from the stored rows, its items unchanged), as a job
        // like the cut: the check reads every row, and a ready release's row is frozen, so the job's result keeps it.
        api.MapPost("/projects/{projectId:guid}/releases/{number:int}/verify", async (Guid projectId, int number, ReleaseService releases, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await releases.StartVerifyAsync(user.ToActor(), projectId, number, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).WithTags("Releases").RequireAuthorization(Policies.Manager).ProducesJob()
            .ProducesConflict("the release is not finished (being cut or failed).");

        // What changed since the previous release: added, removed and relabeled items (with the reason), by item id.
        api.MapGet("/projects/{projectId:guid}/releases/{number:int}/changes", (Guid projectId, int number, string? kind, string? field, string? reason, long? after, int? limit,
            ReleaseChangeList changes, ClaimsPrincipal user, CancellationToken ct) =>
            changes.PageAsync(user.ToActor(), projectId, number, kind, field, reason, after, limit, ct))
            .WithTags("Releases").RequireAuthorization(Policies.Manager).Produces<ReleaseChangePage>()
            .ProducesConflict("the release is not cut yet, or its cut failed.");

        // A release in one format: a ZIP written from the stored release (the same bytes every time), with manifest.jsonl.
        api.MapGet("/projects/{projectId:guid}/releases/{number:int}/download", async (Guid projectId, int number, string? format, ReleaseDownloadService downloads,
            ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        {
            var download = await downloads.PrepareAsync(user.ToActor(), projectId, number, format, ct);
            // Everything checkable is checked above, before the first byte. The archive then streams straight into the
            // response; a failure once bytes went out aborts the connection, so the client sees a broken transfer, never
            // a 200 with a shorter file that looks whole (before that, the error handler still answers with a problem).
            return Results.Stream(async body =>
            {
                try
                {
                    await download.WriteAsync(body, ct);
                }
                catch (Exception) when (http.Response.HasStarted && !ct.IsCancellationRequested)
                {
                    http.Abort();
                    throw;
                }
            }, "application/zip", download.FileName);
        }).WithTags("Releases").RequireAuthorization(Policies.Manager).ProducesFile("application/zip")
            .ProducesConflict("the release is not cut yet, or its cut failed.");

        api.MapGet("/files/{fileId:guid}", async (Guid fileId, StoredFileService files, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var file = await files.DownloadAsync(user.ToActor(), fileId, ct);
            return await FileResults.StreamAsync(file, ct);
        }).WithTags("Releases")
            // Exports (JSON lines or CSV), imported files, images and training sets: each file keeps the type it was stored with.
            .ProducesFile("application/x-ndjson", "text/csv", "application/octet-stream");
    }
}
