using System.Globalization;
using System.Security.Claims;
using LabelHub.Domain;
using LabelHub.Domain.Cleansing;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <summary>
/// The adjudication queue (ADR 0019, 3 and 5): the findings every cleansing run raised, item by item, for the project's
/// reviewers, managers and admins; accept, correct, dismiss, and restore an older answer version.
/// </summary>
public static class CleansingQueueEndpoints
{
    public static void MapCleansingQueueEndpoints(this RouteGroupBuilder api, RouteGroupBuilder cleansing)
    {
        // The project's findings by id (keyset: pass the last page's nextAfter as after), filtered by state, source or item.
        cleansing.MapGet("/findings", (Guid projectId, string? state, string? source, long? itemId, long? after, int? limit,
            AdjudicationService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.FindingsAsync(user.ToActor(), projectId, ParseState(state), ParseSource(source), itemId, after, limit ?? 100, ct));

        cleansing.MapGet("/queue", (Guid projectId, AdjudicationService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.SummaryAsync(user.ToActor(), projectId, ct));

        // The next item with open findings, claimed for the caller for a few minutes; skip lists items passed over (comma-separated ids).
        cleansing.MapGet("/queue/next", (Guid projectId, string? source, string? skip, AdjudicationService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.NextAsync(user.ToActor(), projectId, ParseSource(source), ParseIds(skip, "skip"), ct));

        cleansing.MapGet("/items/{itemId:long}", (Guid projectId, long itemId, AdjudicationService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.ItemAsync(user.ToActor(), projectId, itemId, ct));

        cleansing.MapPost("/findings/{findingId:long}/accept", (Guid projectId, long findingId, AdjudicationService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.AcceptAsync(user.ToActor(), projectId, findingId, ct))
            .ProducesConflict("the finding was already decided or replaced by a newer run, or its answer was changed meanwhile.");

        cleansing.MapPost("/findings/{findingId:long}/correct", (Guid projectId, long findingId, CorrectFindingRequest input, AdjudicationService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.CorrectAsync(user.ToActor(), projectId, findingId, input, ct))
            .ProducesConflict("the finding was already decided or replaced by a newer run, or its answer was changed meanwhile.");

        cleansing.MapPost("/findings/{findingId:long}/dismiss", (Guid projectId, long findingId, DismissFindingRequest? input, AdjudicationService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.DismissAsync(user.ToActor(), projectId, findingId, input, ct))
            .ProducesConflict("the finding was already decided or replaced by a newer run.");

        // A new version of an answer equal to an older one (the id of that older version); every version stays in the history.
        api.MapPost("/annotations/{annotationId:long}/restore", (long annotationId, AdjudicationService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.RestoreAsync(user.ToActor(), annotationId, ct))
            .WithTags("Cleansing")
            .ProducesConflict("the version is the current one, or the answer was changed meanwhile.");
    }

    private static FindingSource? ParseSource(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : Enum.TryParse<FindingSource>(value.Trim(), ignoreCase: true, out var source) && Enum.IsDefined(source) && !char.IsDigit(value.Trim()[0]) ? source
        : throw new ValidationException("source", "Sources: Rule, Duplicate, LabelError, Disagreement.");

    private static FindingState? ParseState(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : Enum.TryParse<FindingState>(value.Trim(), ignoreCase: true, out var state) && Enum.IsDefined(state) && !char.IsDigit(value.Trim()[0]) ? state
        : throw new ValidationException("state", "States: Open, Accepted, Corrected, Dismissed, Superseded.");

    private static List<long> ParseIds(string? value, string field)
    {
        var ids = new List<long>();
        foreach (var part in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new ValidationException(field, "Item ids separated by commas, such as 12,40,41.");
            }
            ids.Add(id);
        }
        return ids;
    }
}
