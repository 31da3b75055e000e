using System.Globalization;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Primitives;

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

    /// <summary>The filter and sort the parameters give, read by the same rules as the page's URL and the export link.</summary>
    public (ItemFilter Filter, ItemSort Sort) ToFilterAndSort() => ItemFilterQuery.Parse(Pairs());

    private IEnumerable<KeyValuePair<string, StringValues>> Pairs()
    {
        KeyValuePair<string, StringValues> Pair(string name, string? value) => new(name, value);
        KeyValuePair<string, StringValues> Pairs(string name, string[]? values) => new(name, values ?? []);
        return
        [
            Pairs("status", Status), Pair("field", Field), Pair("label", Label), Pair("annotator", Annotator),
            Pair("agreementBelow", AgreementBelow), Pair("gold", Gold), Pair("hasPrediction", HasPrediction),
            Pair("scoreMin", ScoreMin), Pair("scoreMax", ScoreMax), Pairs("source", Source), Pair("synthetic", Synthetic),
            Pair("release", Release), Pair("split", Split), Pair("flagged", Flagged), Pair("q", Q), Pair("sort", Sort), Pair("order", Order),
        ];
    }

    public int ToLimit() => Text(Limit) is { } limit
        ? (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= ItemTableService.MaxPageSize
            ? n
            : throw Bad("limit", "Ask for 1 to 1000 items per page."))
        : DefaultLimit;

    private static string? Text(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : raw.Trim();

    private static ValidationException Bad(string name, string message) => new(name, message);
}
