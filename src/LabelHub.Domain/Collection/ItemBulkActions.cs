using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Which items a bulk action works on: the rows a manager checked (<see cref="Ids"/>, across pages) or every item a
/// filter matches (<see cref="Filter"/>). Exactly one of the two.
/// </summary>
public sealed record ItemSelection(IReadOnlyList<long>? Ids = null, ItemFilter? Filter = null);

/// <summary>Why a bulk action left an item as it was.</summary>
public enum BulkSkipReason
{
    /// <summary>No item of the project has the id (deleted meanwhile, or another project's).</summary>
    NotFound,

    /// <summary>Send to review: nobody has answered the item (rejected answers do not count).</summary>
    NoAnswers,

    /// <summary>Send to review: none of its answers is accepted, so they wait for review already.</summary>
    AlreadyInReview,

    /// <summary>Mark gold: it is gold already.</summary>
    AlreadyGold,

    /// <summary>Unmark gold: it is not gold.</summary>
    NotGold,

    /// <summary>Mark gold: its answers give no final answer for some field they fill (no answer, or they disagree).</summary>
    NoFinalAnswer,

    /// <summary>Delete: a release holds the item, and releases never change (ADR 0020).</summary>
    InRelease,
}

/// <summary>How many items of a selection an action left alone for one reason, with the first of them.</summary>
public sealed record BulkSkip(BulkSkipReason Reason, int Count, IReadOnlyList<long> FirstIds);

/// <summary>A source the data manager's filter offers.</summary>
public sealed record ItemSourceChoice(long Id, string Name);

/// <param name="Selected">Items in the selection (after the cap).</param>
/// <param name="Changed">Items the action changed.</param>
/// <param name="Capped">The filter matched more than <see cref="ItemBulkActions.MaxSelection"/> items; only the first were taken.</param>
public sealed record BulkActionResult(int Selected, int Changed, IReadOnlyList<BulkSkip> Skipped, bool Capped);

/// <summary>
/// The data manager's bulk actions (issue 17) on a selection of a project's items: set priority, send to review, mark or
/// unmark gold, delete, export. Managers and admins only. Each runs in batches of <see cref="BatchSize"/> items, one
/// transaction each, so annotators' writes never wait long behind it (ADR 0015); a failing batch writes nothing.
/// </summary>
public sealed class ItemBulkActions(IDbContextFactory<LabelHubDbContext> dbFactory, ItemTableService table)
{
    public const int MaxSelection = 100_000;
    public const int BatchSize = 500;
    private const int ListedSkips = 20;

    public async Task<BulkActionResult> SetPriorityAsync(Actor actor, Guid projectId, ItemSelection selection, double? priority, CancellationToken ct = default)
    {
        if (priority is not { } value || !double.IsFinite(value))
        {
            throw new ValidationException("priority", "Give the priority as a number.");
        }
        var (ids, capped) = await ResolveAsync(actor, projectId, selection, ct);
        var skips = new SkipTally();
        var changed = await InBatchesAsync(ids, async (db, batch) =>
        {
            var updated = await db.Items.Where(i => i.ProjectId == projectId && batch.Contains(i.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Priority, value), ct);
            await TallyMissingAsync(db, projectId, batch, skips, ct);
            return updated;
        }, ct);
        return new BulkActionResult(ids.Count, changed, skips.ToList(), capped);
    }

    /// <summary>
    /// Puts answered items back in the reviewers' queue: their accepted current answers become unreviewed again (the
    /// earlier reviews stay in the history). Rejected answers stay rejected; items nobody answered cannot go.
    /// </summary>
    public async Task<BulkActionResult> SendToReviewAsync(Actor actor, Guid projectId, ItemSelection selection, CancellationToken ct = default)
    {
        var (ids, capped) = await ResolveAsync(actor, projectId, selection, ct);
        var skips = new SkipTally();
        var changed = await InBatchesAsync(ids, async (db, batch) =>
        {
            var found = await FoundAsync(db, projectId, batch, skips, ct);
            var statuses = await db.Annotations.Where(a => found.Contains(a.ItemId) && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
                .Select(a => new { a.ItemId, a.ReviewStatus }).ToListAsync(ct);
            var byItem = statuses.ToLookup(s => s.ItemId);
            var toSend = new List<long>();
            foreach (var id in found)
            {
                var answers = byItem[id].ToList();
                if (answers.Count == 0)
                {
                    skips.Add(BulkSkipReason.NoAnswers, id);
                }
                else if (answers.All(a => a.ReviewStatus != ReviewStatus.Accepted))
                {
                    skips.Add(BulkSkipReason.AlreadyInReview, id);
                }
                else
                {
                    toSend.Add(id);
                }
            }
            await db.Annotations.Where(a => toSend.Contains(a.ItemId) && a.IsCurrent && a.ReviewStatus == ReviewStatus.Accepted)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.ReviewStatus, ReviewStatus.Unreviewed), ct);
            return toSend.Count;
        }, ct);
        return new BulkActionResult(ids.Count, changed, skips.ToList(), capped);
    }

    /// <summary>
    /// Marks items gold with their final answer as the gold answer (<see cref="FinalAnswers"/>: what more than half of
    /// the answers give per field); items whose answers give none for a field they fill are skipped. Or unmarks them.
    /// </summary>
    public async Task<BulkActionResult> SetGoldAsync(Actor actor, Guid projectId, ItemSelection selection, bool gold, CancellationToken ct = default)
    {
        var (ids, capped) = await ResolveAsync(actor, projectId, selection, ct);
        LabelSchema schema;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            schema = (await db.GetManageableAsync(actor, projectId, ct)).Schema;
        }
        var skips = new SkipTally();
        var changed = await InBatchesAsync(ids, async (db, batch) =>
        {
            var items = await db.Items.Where(i => i.ProjectId == projectId && batch.Contains(i.Id)).OrderBy(i => i.Id).ToListAsync(ct);
            TallyMissing(batch, items.Select(i => i.Id), skips);
            if (!gold)
            {
                var unmarked = 0;
                foreach (var item in items)
                {
                    if (!item.IsGold)
                    {
                        skips.Add(BulkSkipReason.NotGold, item.Id);
                        continue;
                    }
                    item.IsGold = false;
                    item.GoldAnswer = [];
                    unmarked++;
                }
                await db.SaveChangesAsync(ct);
                return unmarked;
            }
            var itemIds = items.Select(i => i.Id).ToList();
            var answers = (await db.Annotations.AsNoTracking()
                .Where(a => itemIds.Contains(a.ItemId) && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
                .Select(a => new { a.ItemId, a.Values }).ToListAsync(ct)).ToLookup(a => a.ItemId, a => a.Values);
            var marked = 0;
            foreach (var item in items)
            {
                if (item.IsGold)
                {
                    skips.Add(BulkSkipReason.AlreadyGold, item.Id);
                    continue;
                }
                var given = answers[item.Id].ToList();
                var final = FinalAnswers.Of(schema, given, null);
                var filled = given.SelectMany(a => a.Where(v => v.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)).Select(v => v.Key))
                    .Where(name => schema.Fields.Any(f => f.Name == name)).Distinct(StringComparer.Ordinal);
                if (final.Count == 0 || filled.Any(name => !final.ContainsKey(name)))
                {
                    skips.Add(BulkSkipReason.NoFinalAnswer, item.Id);
                    continue;
                }
                item.IsGold = true;
                item.GoldAnswer = final;
                marked++;
            }
            await db.SaveChangesAsync(ct);
            return marked;
        }, ct);
        return new BulkActionResult(ids.Count, changed, skips.ToList(), capped);
    }

    /// <summary>
    /// Deletes the selected items for good, once <paramref name="confirmCount"/> repeats how many were selected. Items a
    /// release holds are refused. Their answers, tasks (live leases end with them), reviews, predictions, findings and
    /// picks go by the database's cascades; items marked as their duplicates are handed out again.
    /// </summary>
    public async Task<BulkActionResult> DeleteAsync(Actor actor, Guid projectId, ItemSelection selection, int? confirmCount, CancellationToken ct = default)
    {
        var (ids, capped) = await ResolveAsync(actor, projectId, selection, ct);
        if (confirmCount != ids.Count)
        {
            throw new ValidationException("confirmCount", $"Type the number of selected items, {ids.Count.ToString(CultureInfo.InvariantCulture)}, to delete them.");
        }
        var skips = new SkipTally();
        var changed = await InBatchesAsync(ids, async (db, batch) =>
        {
            var found = await FoundAsync(db, projectId, batch, skips, ct);
            var held = await db.ReleaseItems.Where(r => found.Contains(r.ItemId)).Select(r => r.ItemId).Distinct().ToListAsync(ct);
            foreach (var id in held)
            {
                skips.Add(BulkSkipReason.InRelease, id);
            }
            var doomed = found.Except(held).ToList();
            await db.Items.Where(i => i.ProjectId == projectId && i.DuplicateOfItemId != null && doomed.Contains(i.DuplicateOfItemId.Value))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.DuplicateOfItemId, (long?)null), ct);
            return await db.Items.Where(i => i.ProjectId == projectId && doomed.Contains(i.Id)).ExecuteDeleteAsync(ct);
        }, ct);
        return new BulkActionResult(ids.Count, changed, skips.ToList(), capped);
    }

    /// <summary>
    /// Writes the items <see cref="ResolveAsync"/> selected with their current answers (JSON lines or CSV, as a project
    /// export writes them) to <paramref name="output"/>, a page at a time. Resolve first, so bad input fails before a byte is sent.
    /// </summary>
    public async Task<int> ExportAsync(Actor actor, Guid projectId, IReadOnlyList<long> ids, ExportFormat format, Stream output, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        return await AnnotationExporter.WriteAsync(db, project, new ExportParameters(format, ByteOrderMark: format == ExportFormat.Csv), output, _ => Task.CompletedTask, ct, ids);
    }

    /// <summary>The project's sources, by name, for the data manager's source filter.</summary>
    public async Task<IReadOnlyList<ItemSourceChoice>> SourcesAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        return await db.ItemSources.AsNoTracking().Where(s => s.ProjectId == projectId).OrderBy(s => s.Name).ThenBy(s => s.Id)
            .Select(s => new ItemSourceChoice(s.Id, s.Name)).ToListAsync(ct);
    }

    /// <summary>The selected ids in id order, at most <see cref="MaxSelection"/>; checks the actor manages the project.</summary>
    public async Task<(IReadOnlyList<long> Ids, bool Capped)> ResolveAsync(Actor actor, Guid projectId, ItemSelection? selection, CancellationToken ct = default)
    {
        if (selection is null || (selection.Ids is null) == (selection.Filter is null))
        {
            throw new ValidationException("ids", "Select items by \"ids\" or by \"filter\", one of the two.");
        }
        if (selection.Filter is { } filter)
        {
            var matching = await table.MatchingIdsAsync(actor, projectId, filter, MaxSelection + 1, ct);
            return matching.Count > MaxSelection ? ([.. matching.Take(MaxSelection)], true) : (matching, false);
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
        }
        var ids = selection.Ids!.Distinct().Order().ToList();
        if (ids.Count == 0)
        {
            throw new ValidationException("ids", "Select at least one item.");
        }
        if (ids.Count > MaxSelection)
        {
            throw new ValidationException("ids", $"Select at most {MaxSelection.ToString("N0", CultureInfo.InvariantCulture)} items at once.");
        }
        return (ids, false);
    }

    /// <summary>Runs <paramref name="work"/> on each batch in its own transaction and sums what it changed.</summary>
    private async Task<int> InBatchesAsync(IReadOnlyList<long> ids, Func<LabelHubDbContext, List<long>, Task<int>> work, CancellationToken ct)
    {
        var changed = 0;
        foreach (var chunk in ids.Chunk(BatchSize))
        {
            ct.ThrowIfCancellationRequested();
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            changed += await work(db, [.. chunk]);
            await transaction.CommitAsync(ct);
        }
        return changed;
    }

    private static async Task<List<long>> FoundAsync(LabelHubDbContext db, Guid projectId, List<long> batch, SkipTally skips, CancellationToken ct)
    {
        var found = await db.Items.Where(i => i.ProjectId == projectId && batch.Contains(i.Id)).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(ct);
        TallyMissing(batch, found, skips);
        return found;
    }

    private static async Task TallyMissingAsync(LabelHubDbContext db, Guid projectId, List<long> batch, SkipTally skips, CancellationToken ct) =>
        await FoundAsync(db, projectId, batch, skips, ct);

    private static void TallyMissing(List<long> batch, IEnumerable<long> found, SkipTally skips)
    {
        foreach (var id in batch.Except(found))
        {
            skips.Add(BulkSkipReason.NotFound, id);
        }
    }

    /// <summary>Skipped items per reason, listing the first few ids of each.</summary>
    private sealed class SkipTally
    {
        private readonly Dictionary<BulkSkipReason, (int Count, List<long> First)> byReason = [];

        public void Add(BulkSkipReason reason, long id)
        {
            var (count, first) = byReason.TryGetValue(reason, out var entry) ? entry : (0, new List<long>());
            if (first.Count < ListedSkips)
            {
                first.Add(id);
            }
            byReason[reason] = (count + 1, first);
        }

        public List<BulkSkip> ToList() => [.. byReason.OrderBy(r => r.Key).Select(r => new BulkSkip(r.Key, r.Value.Count, r.Value.First))];
    }
}
