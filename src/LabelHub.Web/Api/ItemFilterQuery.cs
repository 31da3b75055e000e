using System.Globalization;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace LabelHub.Web.Api;

/// <summary>
/// The data manager's filter and sort as query parameters, so a view can be shared and reloaded (the page's URL) and
/// an export link carries it: status (repeatable), field, label, annotator, agreementBelow, gold, prediction, scoreMin,
/// scoreMax, source (repeatable), synthetic, release, split, flagged, q (search), sort, desc. Bad values name their parameter.
/// </summary>
public static class ItemFilterQuery
{
    public static (ItemFilter Filter, ItemSort Sort) Parse(IEnumerable<KeyValuePair<string, StringValues>> query)
    {
        var values = query.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        string? One(string name) => values.TryGetValue(name, out var v) && !StringValues.IsNullOrEmpty(v) && v[^1] is { Length: > 0 } last ? last : null;
        IEnumerable<string> Many(string name) => values.TryGetValue(name, out var v)
            ? v.SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : [];
        var filter = new ItemFilter
        {
            Statuses = [.. Many("status").Select(s => ParseEnum<ItemStatus>("status", s))],
            Field = One("field"),
            Label = One("label"),
            AnnotatorId = One("annotator") is { } annotator
                ? Guid.TryParse(annotator, out var id) ? id : throw new ValidationException("annotator", "Give the annotator as a user id.")
                : null,
            AgreementBelow = Number("agreementBelow", One("agreementBelow")),
            Gold = Flag("gold", One("gold")),
            HasPrediction = Flag("prediction", One("prediction")),
            ScoreMin = Number("scoreMin", One("scoreMin")),
            ScoreMax = Number("scoreMax", One("scoreMax")),
            SourceIds = [.. Many("source").Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var source)
                ? source : throw new ValidationException("source", "Give each source as its id."))],
            Synthetic = Flag("synthetic", One("synthetic")),
            ReleaseNumber = One("release") is { } release
                ? int.TryParse(release, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : throw new ValidationException("release", "Give the release as its number.")
                : null,
            Split = One("split"),
            Flagged = Flag("flagged", One("flagged")),
            Search = One("q"),
        };
        var sort = new ItemSort(
            One("sort") is { } column ? ParseEnum<ItemSortColumn>("sort", column) : ItemSortColumn.Id,
            Flag("desc", One("desc")) ?? false);
        return (filter, sort);
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
            Add("status", status.ToString());
        }
        Add("field", filter.Field);
        Add("label", filter.Label);
        Add("annotator", filter.AnnotatorId?.ToString());
        Add("agreementBelow", filter.AgreementBelow?.ToString(CultureInfo.InvariantCulture));
        Add("gold", FlagText(filter.Gold));
        Add("prediction", FlagText(filter.HasPrediction));
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
            Add("sort", sort.Column.ToString());
        }
        if (sort.Descending)
        {
            Add("desc", "true");
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
        _ when bool.TryParse(text, out var value) => value,
        _ => throw new ValidationException(name, "Give true or false."),
    };

    private static double? Number(string name, string? text) => text switch
    {
        null => null,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) => value,
        _ => throw new ValidationException(name, "Give a number."),
    };

    private static T ParseEnum<T>(string name, string text) where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new ValidationException(name, $"Give one of: {string.Join(", ", Enum.GetNames<T>())}.");
}
