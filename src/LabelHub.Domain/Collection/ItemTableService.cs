using System.Linq.Expressions;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// The data manager's reads (issue 17): a filtered, sorted, keyset-paged table of a project's items, and the ids a
/// filter selects for bulk actions. Managers and admins only.
/// A sort walks "segments", each an index-ordered run of items that a page reads only as far as it needs: the items
/// with a value of the column (by (project, column, id)), then those without one (nulls last in both directions); a
/// sort by source walks the sources by name, each by (project, source, id). No page sorts the whole project.
/// </summary>
public sealed class ItemTableService(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    public const int MaxPageSize = 1000;
    private const int PreviewLength = 200;

    public async Task<ItemTablePage> PageAsync(Actor actor, Guid projectId, ItemFilter filter, ItemSort sort, string? after, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(sort);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var take = Math.Clamp(limit, 1, MaxPageSize);
        var cursor = after is null ? null : ItemTableCursor.Decode(after, sort);
        var items = await ItemTableFilters.ApplyAsync(db, project, filter, ct);
        var segments = await SegmentsAsync(db, projectId, sort, ct);
        var start = cursor is null ? 0 : segments.FindIndex(s => s.Holds(cursor));
        if (start < 0)
        {
            throw ItemTableCursor.Invalid();
        }
        var rows = new List<ItemRow>();
        for (var s = start; s < segments.Count && rows.Count <= take; s++)
        {
            var segment = segments[s];
            var page = segment.Apply(items, sort, s == start ? cursor : null);
            rows.AddRange(await ProjectAsync(db, page, project, take + 1 - rows.Count, ct));
        }
        string? next = null;
        if (rows.Count > take)
        {
            rows.RemoveRange(take, rows.Count - take);
            next = CursorOf(rows[^1], sort).Encode();
        }
        return new ItemTablePage(rows, next);
    }

    /// <summary>The ids of every item the filter selects, in id order, at most <paramref name="max"/> (bulk actions on "all matching").</summary>
    public async Task<IReadOnlyList<long>> MatchingIdsAsync(Actor actor, Guid projectId, ItemFilter filter, int max, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var items = await ItemTableFilters.ApplyAsync(db, project, filter, ct);
        return await items.OrderBy(i => i.Id).Select(i => i.Id).Take(max).ToListAsync(ct);
    }

    private static async Task<List<Segment>> SegmentsAsync(LabelHubDbContext db, Guid projectId, ItemSort sort, CancellationToken ct)
    {
        switch (sort.Column)
        {
            case ItemSortColumn.Id:
            case ItemSortColumn.CreatedAt:
            case ItemSortColumn.Priority:
            case ItemSortColumn.SubmittedCount:
                return [new Segment(Nulls: false, SourceId: null)];
            case ItemSortColumn.Agreement:
            case ItemSortColumn.PredictionScore:
                return [new Segment(Nulls: false, SourceId: null), new Segment(Nulls: true, SourceId: null)];
            case ItemSortColumn.Source:
                // Sources by name (then id, for equal names); a project has a handful, so this is one small read.
                var sources = await db.ItemSources.AsNoTracking().Where(s => s.ProjectId == projectId)
                    .Select(s => new { s.Id, s.Name }).ToListAsync(ct);
                var ordered = sources.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Id).Select(s => new Segment(false, s.Id));
                return [.. sort.Descending ? ordered.Reverse() : ordered, new Segment(Nulls: true, SourceId: null)];
            default:
                throw new ArgumentOutOfRangeException(nameof(sort));
        }
    }

    /// <summary>One index-ordered run of items a sort walks; see the class summary.</summary>
    private sealed record Segment(bool Nulls, long? SourceId)
    {
        public bool Holds(ItemTableCursor cursor) => cursor.Column == ItemSortColumn.Source
            ? cursor.InNulls == Nulls && cursor.Whole == SourceId
            : cursor.InNulls == Nulls;

        public IQueryable<Item> Apply(IQueryable<Item> items, ItemSort sort, ItemTableCursor? cursor)
        {
            var desc = sort.Descending;
            var id = cursor?.Id ?? 0;
            var has = cursor is not null;
            if (sort.Column == ItemSortColumn.Source)
            {
                items = SourceId is { } sourceId ? items.Where(i => i.SourceId == sourceId) : items.Where(i => i.SourceId == null);
                return ById(items, has, id, desc);
            }
            if (Nulls)
            {
                items = sort.Column == ItemSortColumn.Agreement ? items.Where(i => i.Agreement == null) : items.Where(i => i.PredictionScore == null);
                return ById(items, has, id, desc);
            }
            return sort.Column switch
            {
                ItemSortColumn.Id => ById(items, has, id, desc),
                ItemSortColumn.CreatedAt => Keyed(items, i => i.CreatedAt, has, new DateTimeOffset(cursor?.Whole ?? 0, TimeSpan.Zero), id, desc),
                ItemSortColumn.Priority => Keyed(items, i => i.Priority, has, cursor?.Number ?? 0, id, desc),
                ItemSortColumn.SubmittedCount => Keyed(items, i => i.SubmittedCount, has, (int)(cursor?.Whole ?? 0), id, desc),
                ItemSortColumn.Agreement => Keyed(items.Where(i => i.Agreement != null), i => i.Agreement, has, cursor?.Number, id, desc),
                ItemSortColumn.PredictionScore => Keyed(items.Where(i => i.PredictionScore != null), i => i.PredictionScore, has, cursor?.Number, id, desc),
                ItemSortColumn.Source => throw new InvalidOperationException("Source segments are handled above."),
                _ => throw new ArgumentOutOfRangeException(nameof(sort)),
            };
        }
    }

    private static IQueryable<Item> ById(IQueryable<Item> items, bool hasCursor, long afterId, bool desc)
    {
        if (hasCursor)
        {
            items = desc ? items.Where(i => i.Id < afterId) : items.Where(i => i.Id > afterId);
        }
        return desc ? items.OrderByDescending(i => i.Id) : items.OrderBy(i => i.Id);
    }

    /// <summary>Ordered by (key, id) in one direction; after the cursor (value, id) when there is one.</summary>
    private static IQueryable<Item> Keyed<T>(IQueryable<Item> items, Expression<Func<Item, T>> key, bool hasCursor, T value, long afterId, bool desc)
    {
        if (hasCursor)
        {
            var row = key.Parameters[0];
            var k = key.Body;
            var v = Parameter(value);
            var id = Expression.Property(row, nameof(Item.Id));
            var idValue = Parameter(afterId);
            // key ≥ v bounds the index range; (key > v or id beyond) is the exact keyset condition.
            var bound = desc ? Expression.LessThanOrEqual(k, v) : Expression.GreaterThanOrEqual(k, v);
            var beyond = Expression.OrElse(
                desc ? Expression.LessThan(k, v) : Expression.GreaterThan(k, v),
                desc ? Expression.LessThan(id, idValue) : Expression.GreaterThan(id, idValue));
            items = items.Where(Expression.Lambda<Func<Item, bool>>(Expression.AndAlso(bound, beyond), row));
        }
        return desc ? items.OrderByDescending(key).ThenByDescending(i => i.Id) : items.OrderBy(key).ThenBy(i => i.Id);
    }

    // A member of a captured object becomes a query parameter (not a literal), so plans are reused across pages.
    private static MemberExpression Parameter<T>(T value) => Expression.Property(Expression.Constant(new Box<T>(value)), nameof(Box<T>.Value));

    private sealed class Box<T>(T value)
    {
        public T Value { get; } = value;
    }

    private static ItemTableCursor CursorOf(ItemRow row, ItemSort sort) => sort.Column switch
    {
        ItemSortColumn.Id => new(sort.Column, sort.Descending, false, null, null, row.Id),
        ItemSortColumn.CreatedAt => new(sort.Column, sort.Descending, false, null, row.CreatedAt.UtcTicks, row.Id),
        ItemSortColumn.Priority => new(sort.Column, sort.Descending, false, row.Priority, null, row.Id),
        ItemSortColumn.SubmittedCount => new(sort.Column, sort.Descending, false, null, row.SubmittedCount, row.Id),
        ItemSortColumn.Agreement => new(sort.Column, sort.Descending, row.Agreement is null, row.Agreement, null, row.Id),
        ItemSortColumn.PredictionScore => new(sort.Column, sort.Descending, row.PredictionScore is null, row.PredictionScore, null, row.Id),
        ItemSortColumn.Source => new(sort.Column, sort.Descending, row.SourceId is null, null, row.SourceId, row.Id),
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    private static async Task<List<ItemRow>> ProjectAsync(LabelHubDbContext db, IQueryable<Item> items, Project project, int take, CancellationToken ct)
    {
        var overlap = project.Overlap;
        var projectId = project.Id;
        var read = await items.Take(take).Select(i => new
        {
            i.Id,
            i.Data,
            i.SearchText,
            i.SubmittedCount,
            i.TakenSlots,
            i.Priority,
            i.IsGold,
            i.SourceId,
            SourceName = db.ItemSources.Where(s => s.Id == i.SourceId).Select(s => s.Name).FirstOrDefault(),
            i.SyntheticLabel,
            i.Agreement,
            i.PredictionScore,
            Leased = db.Assignments.Any(a => a.ItemId == i.Id && a.State == AssignmentState.Leased),
            Flagged = db.CleansingFindings.Any(f => f.ProjectId == projectId && f.ItemId == i.Id && f.State == FindingState.Open),
            i.SourceLine,
            i.CreatedAt,
        }).ToListAsync(ct);
        return [.. read.Select(r => new ItemRow(
            r.Id, r.Data, Preview(r.SearchText, r.Data), ItemTableFilters.StatusOf(r.TakenSlots, r.SubmittedCount, r.Leased, overlap),
            r.SubmittedCount, r.TakenSlots, r.Priority, r.IsGold, r.SourceId, r.SourceName, r.SyntheticLabel, r.Agreement,
            r.PredictionScore, r.Flagged, r.SourceLine, r.CreatedAt))];
    }

    /// <summary>The start of the item's text; for an item without text (an image), its first string value (the image key).</summary>
    private static string Preview(string? searchText, Dictionary<string, JsonElement> data)
    {
        var text = searchText
            ?? data.Where(p => p.Value.ValueKind == JsonValueKind.String).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.GetString()).FirstOrDefault()
            ?? "";
        return text.Length <= PreviewLength ? text : text[..PreviewLength];
    }
}
