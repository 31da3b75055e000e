using System.Security.Claims;
using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Planning;
using LabelHub.Web.Identity;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Web.Api;

public sealed record ItemDto(long Id, Dictionary<string, JsonElement> Data, int SubmittedCount, int TakenSlots, int? SourceLine, DateTimeOffset CreatedAt);

public sealed record ItemPage(IReadOnlyList<ItemDto> Items, long? NextAfter);

public static class CollectionEndpoints
{
    public static void MapCollectionEndpoints(this RouteGroupBuilder api)
    {
        var projects = api.MapGroup("/projects/{projectId:guid}").WithTags("Collection");

        // Multipart upload of a CSV, TSV, JSON or JSONL file; the import runs as a job.
        projects.MapPost("/imports", async (Guid projectId, IFormFile? file, ImportService imports, ClaimsPrincipal user, CancellationToken ct) =>
        {
            if (file is null)
            {
                throw new ValidationException("file", "Send the file as multipart/form-data in a field named 'file'.");
            }
            await using var stream = file.OpenReadStream();
            var job = await imports.StartAsync(user.ToActor(), projectId, file.FileName, stream, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager);

        // Bulk import of items as a JSON array: [{"text": "..."}, {"key": "value"}, ...].
        projects.MapPost("/items", async (Guid projectId, List<JsonElement> items, ImportService imports, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await imports.StartFromJsonAsync(user.ToActor(), projectId, items, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).RequireAuthorization(Policies.Manager);

        // Keyset-paged item listing for managers.
        projects.MapGet("/items", async (Guid projectId, long? after, int? limit, IDbContextFactory<LabelHubDbContext> dbFactory, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.GetManageableAsync(user.ToActor(), projectId, ct);
            var take = Math.Clamp(limit ?? 100, 1, 1000);
            var items = await db.Items.AsNoTracking()
                .Where(i => i.ProjectId == projectId && i.Id > (after ?? 0))
                .OrderBy(i => i.Id).Take(take)
                .Select(i => new ItemDto(i.Id, i.Data, i.SubmittedCount, i.TakenSlots, i.SourceLine, i.CreatedAt))
                .ToListAsync(ct);
            return new ItemPage(items, items.Count == take ? items[^1].Id : null);
        }).RequireAuthorization(Policies.Manager);
    }
}
