using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// The data manager's reads (issue 17): a filtered, sorted, keyset-paged table of a project's items, and the ids a
/// filter selects for bulk actions. Managers and admins only.
/// </summary>
public sealed class ItemTableService(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    public const int MaxPageSize = 1000;

    public async Task<ItemTablePage> PageAsync(Actor actor, Guid projectId, ItemFilter filter, ItemSort sort, string? after, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(sort);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var take = Math.Clamp(limit, 1, MaxPageSize);
        long? afterId = null;
        if (after is not null)
        {
            afterId = long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                ? id
                : throw new ValidationException("after", "The cursor is not one this listing gave.");
        }
        var items = Filtered(db, projectId, filter);
        if (afterId is { } cursor)
        {
            items = sort.Descending ? items.Where(i => i.Id < cursor) : items.Where(i => i.Id > cursor);
        }
        items = sort.Descending ? items.OrderByDescending(i => i.Id) : items.OrderBy(i => i.Id);
        var rows = await items.Take(take).Select(i => new ItemRow(
                i.Id, i.Data, i.SearchText ?? "", ItemStatus.Unlabeled, i.SubmittedCount, i.TakenSlots, i.Priority, i.IsGold, i.SourceId,
                db.ItemSources.Where(s => s.Id == i.SourceId).Select(s => s.Name).FirstOrDefault(), i.SyntheticLabel, null, null, false,
                i.SourceLine, i.CreatedAt))
            .ToListAsync(ct);
        var next = rows.Count == take ? rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new ItemTablePage(rows, next);
    }

    /// <summary>The ids of every item the filter selects, in id order, at most <paramref name="max"/> (bulk actions on "all matching").</summary>
    public async Task<IReadOnlyList<long>> MatchingIdsAsync(Actor actor, Guid projectId, ItemFilter filter, int max, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        return await Filtered(db, projectId, filter).OrderBy(i => i.Id).Select(i => i.Id).Take(max).ToListAsync(ct);
    }

    private static IQueryable<Item> Filtered(LabelHubDbContext db, Guid projectId, ItemFilter filter)
    {
        var items = db.Items.AsNoTracking().Where(i => i.ProjectId == projectId);
        if (filter.Gold is { } gold)
        {
            items = items.Where(i => i.IsGold == gold);
        }
        if (filter.Synthetic is { } synthetic)
        {
            items = synthetic ? items.Where(i => i.SyntheticGeneratorId != null) : items.Where(i => i.SyntheticGeneratorId == null);
        }
        if (filter.SourceIds.Count > 0)
        {
            var sources = filter.SourceIds.ToList();
            items = items.Where(i => i.SourceId != null && sources.Contains(i.SourceId.Value));
        }
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var search = filter.Search.Trim();
            items = items.Where(i => i.SearchText != null && i.SearchText.Contains(search));
        }
        return items;
    }
}
