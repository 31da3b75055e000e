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
/// with a value of the column (by item_stats' (project, column, item)), then those without one (nulls last in both
/// directions); a sort by source walks the sources by name, each by (project, source, id). No page sorts the whole project.
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
        // Answers submitted before this read are in the table: the project's queued changes are refreshed first.
        await ItemStatsRefresh.RunAsync(db, projectId, ct);
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
            var page = segment.Apply(items, projectId, sort, s == start ? cursor : null);
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
        // Answers submitted before this read are in the table: the project's queued changes are refreshed first.
        await ItemStatsRefresh.RunAsync(db, projectId, ct);
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

        public IQueryable<Item> Apply(IQueryable<Item> items, Guid projectId, ItemSort sort, ItemTableCursor? cursor)
        {
            var desc = sort.Descending;
            var id = cursor?.Id ?? 0;
            var has = cursor is not null;
            if (sort.Column == ItemSortColumn.Id)
            {
                return ById(items, i => i.Id, has, id, desc);
            }
            // Every other sort walks an index of item_stats; naming its project makes the join an inner one, so the
            // planner can read that index in order and join each item by its key.
            items = items.Where(i => i.Stats!.ProjectId == projectId);
            if (sort.Column == ItemSortColumn.Source)
            {
                items = SourceId is { } sourceId ? items.Where(i => i.Stats!.SourceId == sourceId) : items.Where(i => i.Stats!.SourceId == null);
                return ById(items, i => i.Stats!.ItemId, has, id, desc);
            }
            if (Nulls)
            {
                items = sort.Column == ItemSortColumn.Agreement ? items.Where(i => i.Stats!.Agreement == null) : items.Where(i => i.Stats!.PredictionScore == null);
                return ById(items, i => i.Stats!.ItemId, has, id, desc);
            }
            return sort.Column switch
            {
                ItemSortColumn.CreatedAt => Keyed(items, i => i.Stats!.CreatedAt, has, new DateTimeOffset(cursor?.Whole ?? 0, TimeSpan.Zero), id, desc),
                ItemSortColumn.Priority => Keyed(items, i => i.Stats!.Priority, has, cursor?.Number ?? 0, id, desc),
                ItemSortColumn.SubmittedCount => Keyed(items, i => i.Stats!.SubmittedCount, has, (int)(cursor?.Whole ?? 0), id, desc),
                ItemSortColumn.Agreement => Keyed(items.Where(i => i.Stats!.Agreement != null), i => i.Stats!.Agreement, has, cursor?.Number, id, desc),
                ItemSortColumn.PredictionScore => Keyed(items.Where(i => i.Stats!.PredictionScore != null), i => i.Stats!.PredictionScore, has, cursor?.Number, id, desc),
                ItemSortColumn.Id or ItemSortColumn.Source => throw new InvalidOperationException("Handled above."),
                _ => throw new ArgumentOutOfRangeException(nameof(sort)),
            };
        }
    }

    private static IQueryable<Item> ById(IQueryable<Item> items, Expression<Func<Item, long>> idKey, bool hasCursor, long afterId, bool desc)
    {
        if (hasCursor)
        {
            var row = idKey.Parameters[0];
            var idValue = Parameter(afterId);
            var beyond = desc ? Expression.LessThan(idKey.Body, idValue) : Expression.GreaterThan(idKey.Body, idValue);
            items = items.Where(Expression.Lambda<Func<Item, bool>>(beyond, row));
        }
        return desc ? items.OrderByDescending(idKey) : items.OrderBy(idKey);
    }

    /// <summary>Ordered by (key, item id) in one direction, both from item_stats; after the cursor (value, id) when there is one.</summary>
    private static IQueryable<Item> Keyed<T>(IQueryable<Item> items, Expression<Func<Item, T>> key, bool hasCursor, T value, long afterId, bool desc)
    {
        Expression<Func<Item, long>> idKey = i => i.Stats!.ItemId;
        if (hasCursor)
        {
            var row = key.Parameters[0];
            var k = key.Body;
            var v = Parameter(value);
            var id = new Rebind(idKey.Parameters[0], row).Visit(idKey.Body);
            var idValue = Parameter(afterId);
            // key ≥ v bounds the index range; (key > v or id beyond) is the exact keyset condition.
            var bound = desc ? Expression.LessThanOrEqual(k, v) : Expression.GreaterThanOrEqual(k, v);
            var beyond = Expression.OrElse(
                desc ? Expression.LessThan(k, v) : Expression.GreaterThan(k, v),
                desc ? Expression.LessThan(id, idValue) : Expression.GreaterThan(id, idValue));
            items = items.Where(Expression.Lambda<Func<Item, bool>>(Expression.AndAlso(bound, beyond), row));
        }
        return desc ? items.OrderByDescending(key).ThenByDescending(idKey) : items.OrderBy(key).ThenBy(idKey);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
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
            // The sorted values as the sort read them (item_stats), so the cursor continues exactly where the page ended.
            Priority = (double?)i.Stats!.Priority ?? i.Priority,
            Submitted = (int?)i.Stats!.SubmittedCount ?? i.SubmittedCount,
            CreatedAt = (DateTimeOffset?)i.Stats!.CreatedAt ?? i.CreatedAt,
            i.IsGold,
            i.SourceId,
            SourceName = db.ItemSources.Where(s => s.Id == i.SourceId).Select(s => s.Name).FirstOrDefault(),
            i.SyntheticLabel,
            i.Stats!.Agreement,
            i.Stats!.PredictionScore,
            Leased = db.Assignments.Any(a => a.ItemId == i.Id && a.State == AssignmentState.Leased),
            Flagged = db.CleansingFindings.Any(f => f.ProjectId == projectId && f.ItemId == i.Id && f.State == FindingState.Open),
            i.SourceLine,
        }).ToListAsync(ct);
        return [.. read.Select(r => new ItemRow(
            r.Id, r.Data, Preview(r.SearchText, r.Data), ItemTableFilters.StatusOf(r.TakenSlots, r.SubmittedCount, r.Leased, overlap),
            r.Submitted, r.TakenSlots, r.Priority, r.IsGold, r.SourceId, r.SourceName, r.SyntheticLabel, r.Agreement,
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
