using System.Globalization;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using Microsoft.AspNetCore.Mvc;

namespace LabelHub.Web.Api;

/// <summary>
/// The query parameters of <c>GET /projects/{id}/items</c> (the data manager's filters, sort and cursor). Bound as text
/// so that a bad value is refused with a 400 naming its parameter instead of the framework's anonymous binding error.
/// </summary>
public sealed class ItemTableQuery
{
    /// <summary>unlabeled, in_progress or completed; repeat the parameter or separate with commas.</summary>
    [FromQuery(Name = "status")] public string[]? Status { get; init; }
    [FromQuery(Name = "field")] public string? Field { get; init; }
    [FromQuery(Name = "label")] public string? Label { get; init; }
    [FromQuery(Name = "annotator")] public string? Annotator { get; init; }
    [FromQuery(Name = "agreementBelow")] public string? AgreementBelow { get; init; }
    [FromQuery(Name = "gold")] public string? Gold { get; init; }
    [FromQuery(Name = "hasPrediction")] public string? HasPrediction { get; init; }
    [FromQuery(Name = "scoreMin")] public string? ScoreMin { get; init; }
    [FromQuery(Name = "scoreMax")] public string? ScoreMax { get; init; }

    /// <summary>Source ids; repeat the parameter or separate with commas.</summary>
    [FromQuery(Name = "source")] public string[]? Source { get; init; }
    [FromQuery(Name = "synthetic")] public string? Synthetic { get; init; }

    /// <summary>A release number of the project; with split (train, validation, test) only that split.</summary>
    [FromQuery(Name = "release")] public string? Release { get; init; }
    [FromQuery(Name = "split")] public string? Split { get; init; }
    [FromQuery(Name = "flagged")] public string? Flagged { get; init; }

    /// <summary>Text to find in the item (case-insensitive substring).</summary>
    [FromQuery(Name = "q")] public string? Q { get; init; }

    /// <summary>id (default), created_at, priority, submitted_count, agreement, prediction_score or source.</summary>
    [FromQuery(Name = "sort")] public string? Sort { get; init; }

    /// <summary>asc (default) or desc.</summary>
    [FromQuery(Name = "order")] public string? Order { get; init; }

    /// <summary>The previous page's <c>next</c>; for the id order also a plain item id, as before.</summary>
    [FromQuery(Name = "after")] public string? After { get; init; }

    /// <summary>1 to 1000 rows; 100 when left out.</summary>
    [FromQuery(Name = "limit")] public string? Limit { get; init; }

    public const int DefaultLimit = 100;

    private static readonly Dictionary<string, ItemStatus> Statuses = new(StringComparer.OrdinalIgnoreCase)
    {
        ["unlabeled"] = ItemStatus.Unlabeled,
        ["in_progress"] = ItemStatus.InProgress,
        ["completed"] = ItemStatus.Completed,
    };

    private static readonly Dictionary<string, ItemSortColumn> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ItemSortColumn.Id,
        ["created_at"] = ItemSortColumn.CreatedAt,
        ["priority"] = ItemSortColumn.Priority,
        ["submitted_count"] = ItemSortColumn.SubmittedCount,
        ["agreement"] = ItemSortColumn.Agreement,
        ["prediction_score"] = ItemSortColumn.PredictionScore,
        ["source"] = ItemSortColumn.Source,
    };

    public ItemFilter ToFilter() => new()
    {
        Statuses = [.. Values(Status).Select(v => Statuses.TryGetValue(v, out var s) ? s : throw Bad("status", "Use unlabeled, in_progress or completed."))],
        Field = Text(Field),
        Label = Text(Label),
        AnnotatorId = Text(Annotator) is { } annotator ? (Guid.TryParse(annotator, out var id) ? id : throw Bad("annotator", "Give the annotator's user id.")) : null,
        AgreementBelow = Number("agreementBelow", AgreementBelow),
        Gold = Flag("gold", Gold),
        HasPrediction = Flag("hasPrediction", HasPrediction),
        ScoreMin = Number("scoreMin", ScoreMin),
        ScoreMax = Number("scoreMax", ScoreMax),
        SourceIds = [.. Values(Source).Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : throw Bad("source", "Give source ids."))],
        Synthetic = Flag("synthetic", Synthetic),
        ReleaseNumber = Text(Release) is { } release
            ? (int.TryParse(release, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw Bad("release", "Give a release number."))
            : null,
        Split = Text(Split),
        Flagged = Flag("flagged", Flagged),
        Search = Text(Q),
    };

    public ItemSort ToSort()
    {
        var column = Text(Sort) is { } sort ? (Columns.TryGetValue(sort, out var c) ? c : throw Bad("sort", "Sort by id, created_at, priority, submitted_count, agreement, prediction_score or source.")) : ItemSortColumn.Id;
        var descending = Text(Order)?.ToLowerInvariant() switch
        {
            null or "asc" => false,
            "desc" => true,
            _ => throw Bad("order", "Use asc or desc."),
        };
        return new ItemSort(column, descending);
    }

    public int ToLimit() => Text(Limit) is { } limit
        ? (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= ItemTableService.MaxPageSize
            ? n
            : throw Bad("limit", "Ask for 1 to 1000 items per page."))
        : DefaultLimit;

    private static IEnumerable<string> Values(string[]? raw) =>
        (raw ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static string? Text(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : raw.Trim();

    private static bool? Flag(string name, string? raw) => Text(raw)?.ToLowerInvariant() switch
    {
        null => null,
        "true" => true,
        "false" => false,
        _ => throw Bad(name, "Use true or false."),
    };

    private static double? Number(string name, string? raw) => Text(raw) is { } text
        ? (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : throw Bad(name, "Give a number such as 0.5."))
        : null;

    private static ValidationException Bad(string name, string message) => new(name, message);
}
