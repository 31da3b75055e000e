using System.Globalization;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace LabelHub.Web.Api;

/// <summary>
/// The data manager's filter and sort as query parameters, so a view can be shared and reloaded (the page's URL) and
/// an export link carries it, and <c>GET /items</c> reads the same (a script sees what the table shows): status (repeatable
/// or a comma list), field, label, annotator, agreementBelow, gold, hasPrediction, scoreMin, scoreMax, source (repeatable),
/// synthetic, release, split, flagged, q (search), sort, order. Bad values name their parameter.
/// </summary>
public static class ItemFilterQuery
{
    /// <summary>The status names of the query, as <c>GET /items</c> documents them.</summary>
    public static readonly IReadOnlyDictionary<string, ItemStatus> StatusNames = new Dictionary<string, ItemStatus>(StringComparer.OrdinalIgnoreCase)
    {
        ["unlabeled"] = ItemStatus.Unlabeled,
        ["in_progress"] = ItemStatus.InProgress,
        ["completed"] = ItemStatus.Completed,
    };

    /// <summary>The sortable columns' names in the query.</summary>
    public static readonly IReadOnlyDictionary<string, ItemSortColumn> ColumnNames = new Dictionary<string, ItemSortColumn>(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ItemSortColumn.Id,
        ["created_at"] = ItemSortColumn.CreatedAt,
        ["priority"] = ItemSortColumn.Priority,
        ["submitted_count"] = ItemSortColumn.SubmittedCount,
        ["agreement"] = ItemSortColumn.Agreement,
        ["prediction_score"] = ItemSortColumn.PredictionScore,
        ["source"] = ItemSortColumn.Source,
    };

    public static (ItemFilter Filter, ItemSort Sort) Parse(IEnumerable<KeyValuePair<string, StringValues>> query)
    {
        var values = query.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        string? One(string name) => values.TryGetValue(name, out var v) && !StringValues.IsNullOrEmpty(v) && v[^1]?.Trim() is { Length: > 0 } last ? last : null;
        IEnumerable<string> Many(string name) => values.TryGetValue(name, out var v)
            ? v.SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : [];
        var filter = new ItemFilter
        {
            Statuses = [.. Many("status").Select(s => StatusNames.TryGetValue(s, out var status) ? status : throw new ValidationException("status", "Use unlabeled, in_progress or completed."))],
            Field = One("field"),
            Label = One("label"),
            AnnotatorId = One("annotator") is { } annotator
                ? Guid.TryParse(annotator, out var id) ? id : throw new ValidationException("annotator", "Give the annotator's user id.")
                : null,
            AgreementBelow = Number("agreementBelow", One("agreementBelow")),
            Gold = Flag("gold", One("gold")),
            HasPrediction = Flag("hasPrediction", One("hasPrediction")),
            ScoreMin = Number("scoreMin", One("scoreMin")),
            ScoreMax = Number("scoreMax", One("scoreMax")),
            SourceIds = [.. Many("source").Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var source)
                ? source : throw new ValidationException("source", "Give source ids."))],
            Synthetic = Flag("synthetic", One("synthetic")),
            ReleaseNumber = One("release") is { } release
                ? int.TryParse(release, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : throw new ValidationException("release", "Give a release number.")
                : null,
            Split = One("split"),
            Flagged = Flag("flagged", One("flagged")),
            Search = One("q"),
        };
        var column = One("sort") is { } name
            ? ColumnNames.TryGetValue(name, out var c) ? c : throw new ValidationException("sort", "Sort by id, created_at, priority, submitted_count, agreement, prediction_score or source.")
            : ItemSortColumn.Id;
        var descending = One("order")?.ToLowerInvariant() switch
        {
            null or "asc" => false,
            "desc" => true,
            _ => throw new ValidationException("order", "Use asc or desc."),
        };
        return (filter, new ItemSort(column, descending));
    }

    /// <summary>The query string (with its "?", or empty) that <see cref="Parse"/> reads back as the same filter and sort.</summary>
    public static string ToQueryString(ItemFilter filter, ItemSort sort, IEnumerable<KeyValuePair<string, string?>>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(sort);
        var pairs = new List<KeyValuePair<string, string?>>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                pairs.Add(new(name, value));
            }
        }
        foreach (var status in filter.Statuses)
        {
            Add("status", StatusNames.First(p => p.Value == status).Key);
        }
        Add("field", filter.Field);
        Add("label", filter.Label);
        Add("annotator", filter.AnnotatorId?.ToString());
        Add("agreementBelow", filter.AgreementBelow?.ToString(CultureInfo.InvariantCulture));
        Add("gold", FlagText(filter.Gold));
        Add("hasPrediction", FlagText(filter.HasPrediction));
        Add("scoreMin", filter.ScoreMin?.ToString(CultureInfo.InvariantCulture));
        Add("scoreMax", filter.ScoreMax?.ToString(CultureInfo.InvariantCulture));
        foreach (var source in filter.SourceIds)
        {
            Add("source", source.ToString(CultureInfo.InvariantCulture));
        }
        Add("synthetic", FlagText(filter.Synthetic));
        Add("release", filter.ReleaseNumber?.ToString(CultureInfo.InvariantCulture));
        Add("split", filter.Split);
        Add("flagged", FlagText(filter.Flagged));
        Add("q", filter.Search);
        if (sort.Column != ItemSortColumn.Id)
        {
            Add("sort", ColumnNames.First(p => p.Value == sort.Column).Key);
        }
        if (sort.Descending)
        {
            Add("order", "desc");
        }
        pairs.AddRange(extra ?? []);
        return QueryString.Create(pairs.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
    }

    /// <summary>Reads a URL's query (as <see cref="ToQueryString"/> wrote it).</summary>
    public static (ItemFilter Filter, ItemSort Sort) ParseUri(string uri)
    {
        var queryStart = uri.IndexOf('?', StringComparison.Ordinal);
        return Parse(queryStart < 0 ? [] : QueryHelpers.ParseQuery(uri[queryStart..]));
    }

    private static string? FlagText(bool? value) => value switch
    {
        true => "true",
        false => "false",
        null => null,
    };

    private static bool? Flag(string name, string? text) => text switch
    {
        null => null,
        _ when text.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        _ when text.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw new ValidationException(name, "Use true or false."),
    };

    private static double? Number(string name, string? text) => text switch
    {
        null => null,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) => value,
        _ => throw new ValidationException(name, "Give a number such as 0.5."),
    };
}
