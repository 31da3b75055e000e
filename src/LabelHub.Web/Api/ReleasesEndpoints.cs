using System.Security.Claims;
using System.Text.Json.Serialization;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public sealed record ExportRequest([property: JsonConverter(typeof(JsonStringEnumConverter<ExportFormat>))] ExportFormat Format);

public static class ReleasesEndpoints
{
    public static void MapReleasesEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/projects/{projectId:guid}/exports", async (Guid projectId, ExportRequest input, ExportService exports, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await exports.StartAsync(user.ToActor(), projectId, input.Format, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).WithTags("Releases").RequireAuthorization(Policies.Manager);

        api.MapGet("/files/{fileId:guid}", async (Guid fileId, StoredFileService files, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var file = await files.DownloadAsync(user.ToActor(), fileId, ct);
            return Results.File(file.Bytes, file.ContentType, file.FileName);
        }).WithTags("Releases");
    }
}
