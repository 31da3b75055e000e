using System.Globalization;
using System.Security.Claims;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Releases;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <summary>Items chosen by id (checked rows) or by a filter (every item it matches, at most 100,000); one of the two.</summary>
public sealed record ItemSelectionRequest(IReadOnlyList<long>? Ids = null, ItemFilter? Filter = null);

public sealed record SetPriorityRequest(IReadOnlyList<long>? Ids = null, ItemFilter? Filter = null, double? Priority = null);

/// <param name="Gold">true marks gold (with the items' final answer as the gold answer), false unmarks.</param>
public sealed record SetGoldRequest(IReadOnlyList<long>? Ids = null, ItemFilter? Filter = null, bool Gold = true);

/// <param name="ConfirmCount">How many items are selected, typed back by the person deleting them.</param>
public sealed record DeleteItemsRequest(IReadOnlyList<long>? Ids = null, ItemFilter? Filter = null, int? ConfirmCount = null);

/// <summary>The data manager's bulk actions and selection export (issue 17). Managers and admins.</summary>
public static class CollectionItemEndpoints
{
    public static void MapCollectionItemEndpoints(this RouteGroupBuilder api)
    {
        var items = api.MapGroup("/projects/{projectId:guid}/items").WithTags("Collection").RequireAuthorization(Policies.Manager);

        items.MapPost("/actions/priority", (Guid projectId, SetPriorityRequest input, ItemBulkActions actions, ClaimsPrincipal user, CancellationToken ct) =>
            actions.SetPriorityAsync(user.ToActor(), projectId, new ItemSelection(input.Ids, input.Filter), input.Priority, ct))
            .Produces<BulkActionResult>();
        items.MapPost("/actions/review", (Guid projectId, ItemSelectionRequest input, ItemBulkActions actions, ClaimsPrincipal user, CancellationToken ct) =>
            actions.SendToReviewAsync(user.ToActor(), projectId, new ItemSelection(input.Ids, input.Filter), ct))
            .Produces<BulkActionResult>();
        items.MapPost("/actions/gold", (Guid projectId, SetGoldRequest input, ItemBulkActions actions, ClaimsPrincipal user, CancellationToken ct) =>
            actions.SetGoldAsync(user.ToActor(), projectId, new ItemSelection(input.Ids, input.Filter), input.Gold, ct))
            .Produces<BulkActionResult>();
        items.MapPost("/actions/delete", (Guid projectId, DeleteItemsRequest input, ItemBulkActions actions, ClaimsPrincipal user, CancellationToken ct) =>
            actions.DeleteAsync(user.ToActor(), projectId, new ItemSelection(input.Ids, input.Filter), input.ConfirmCount, ct))
            .Produces<BulkActionResult>();

        // The selection as a file: by ids (ids=1,2,3) or by the data manager's filter parameters (ItemFilterQuery).
        items.MapGet("/export", async (Guid projectId, string? format, string? ids, HttpContext http, ItemBulkActions actions, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var selection = ids is null
                ? new ItemSelection(Filter: ItemFilterQuery.Parse(http.Request.Query).Filter)
                : new ItemSelection(Ids: ParseIds(ids));
            return await ExportAsync(projectId, format, selection, actions, user, ct);
        }).ProducesSelectionFile();
        items.MapPost("/export", (Guid projectId, string? format, ItemSelectionRequest input, ItemBulkActions actions, ClaimsPrincipal user, CancellationToken ct) =>
            ExportAsync(projectId, format, new ItemSelection(input.Ids, input.Filter), actions, user, ct))
            .ProducesSelectionFile();
    }

    /// <summary>The selection as JSON lines or CSV, streamed as it is written (no length, no ranges).</summary>
    private static RouteHandlerBuilder ProducesSelectionFile(this RouteHandlerBuilder builder) => builder
        .Produces<Stream>(StatusCodes.Status200OK, "application/x-ndjson", "text/csv")
        .ProducesValidationProblem()
        .Describe(StatusCodes.Status200OK, "The selected items with their current answers and final answer, as a project export writes them.");

    private static async Task<IResult> ExportAsync(Guid projectId, string? format, ItemSelection selection, ItemBulkActions actions, ClaimsPrincipal user, CancellationToken ct)
    {
        var exportFormat = format?.ToLowerInvariant() switch
        {
            null or "jsonl" => ExportFormat.Jsonl,
            "csv" => ExportFormat.Csv,
            _ => throw new ValidationException("format", "Give the format as jsonl or csv."),
        };
        var actor = user.ToActor();
        // Resolved before the response starts, so a bad selection is a 400 rather than a broken download.
        var (chosen, _) = await actions.ResolveAsync(actor, projectId, selection, ct);
        var (contentType, extension) = exportFormat == ExportFormat.Csv ? ("text/csv", "csv") : ("application/x-ndjson", "jsonl");
        var fileName = $"items-{DateTimeOffset.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.{extension}";
        return Results.Stream(output => actions.ExportAsync(actor, projectId, chosen, exportFormat, output, ct), contentType, fileName);
    }

    private static List<long> ParseIds(string ids)
    {
        var parsed = new List<long>();
        foreach (var part in ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            parsed.Add(long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? id
                : throw new ValidationException("ids", "Give the item ids as numbers separated by commas."));
        }
        return parsed;
    }
}
