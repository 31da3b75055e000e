using System.Runtime.CompilerServices;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Labeling;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>
/// The cut's reads. Every pass reads all of a project's items and their current answers (3,000,000 rows for a project of
/// 1,000,000 items), so each reads only the columns it needs, in keyset pages over the items' primary key and the
/// annotations' (project, is current, item) index, and walks a page's answers in item order instead of grouping them.
/// </summary>
public sealed partial class ReleaseCutter
{
    /// <summary>What an item holds beyond its id and answers that a pass needs.</summary>
    private enum ItemColumns
    {
        None,

        /// <summary>The content hash, for the rows and the manifest.</summary>
        ContentHash,

        /// <summary>The item's data, for grouping by one of its keys (large: read only then).</summary>
        Data,
    }

    /// <summary>
    /// An item as a pass sees it; <see cref="ContentHash"/> and <see cref="Data"/> only when the pass asked for them. The
    /// generator and class of a synthetic item are always read (two small columns of the same row, no query of their own).
    /// </summary>
    private sealed record ReadItem(ItemAnswers Answers, string? ContentHash, Dictionary<string, JsonElement>? Data, Guid? SyntheticGeneratorId, string? SyntheticLabel);

    private readonly record struct PageItem(long Id, string? ContentHash, Dictionary<string, JsonElement>? Data, Guid? SyntheticGeneratorId, string? SyntheticLabel);

    /// <summary>The project's items that can be released (not excluded as duplicates, not still being imported), in id order, with their current answers that were not rejected.</summary>
    private async IAsyncEnumerable<ReadItem> ReadAsync(Guid projectId, ItemColumns columns, [EnumeratorCancellation] CancellationToken ct)
    {
        // Gold items are few; their gold answers are read once rather than an empty answer per item per page.
        Dictionary<long, Dictionary<string, JsonElement>> gold;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            gold = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold)
                .Select(i => new { i.Id, i.GoldAnswer }).ToDictionaryAsync(i => i.Id, i => i.GoldAnswer, ct);
        }
        // "is_current = @current", not the bare column EF writes for "a.IsCurrent": SQLite seeks its (project, is current,
        // item) index only on an equality, and without it every page scanned all the project's answers (quadratic).
        var current = true;
        long after = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var page = db.Items.AsNoTracking()
                .Where(i => i.ProjectId == projectId && i.Id > after && i.DuplicateOfItemId == null && i.TakenSlots < Item.PendingSlots)
                .OrderBy(i => i.Id).Take(PageSize);
            var items = columns switch
            {
                ItemColumns.None => await page.Select(i => new PageItem(i.Id, null, null, i.SyntheticGeneratorId, i.SyntheticLabel)).ToListAsync(ct),
                ItemColumns.ContentHash => await page.Select(i => new PageItem(i.Id, i.ContentHash, null, i.SyntheticGeneratorId, i.SyntheticLabel)).ToListAsync(ct),
                ItemColumns.Data => await page.Select(i => new PageItem(i.Id, null, i.Data, i.SyntheticGeneratorId, i.SyntheticLabel)).ToListAsync(ct),
            };
            if (items.Count == 0)
            {
                yield break;
            }
            var first = items[0].Id;
            var last = items[^1].Id;
            var answers = await db.Annotations.AsNoTracking()
                .Where(a => a.ProjectId == projectId && a.IsCurrent == current && a.ItemId >= first && a.ItemId <= last && a.ReviewStatus != ReviewStatus.Rejected)
                .OrderBy(a => a.ItemId).ThenBy(a => a.Id)
                .Select(a => new { a.ItemId, a.Id, a.AnnotatorId, a.Values, a.ReviewStatus, a.Reason })
                .ToListAsync(ct);
            // Both lists are in item order: one walk pairs them (answers of items the page skipped are passed over).
            var next = 0;
            foreach (var item in items)
            {
                while (next < answers.Count && answers[next].ItemId < item.Id)
                {
                    next++;
                }
                var given = new List<AggregationAnswer>(3);
                for (; next < answers.Count && answers[next].ItemId == item.Id; next++)
                {
                    var a = answers[next];
                    given.Add(new AggregationAnswer(a.Id, a.AnnotatorId, a.Values, AggregationAnswer.IsAdjudicated(a.ReviewStatus, a.Reason)));
                }
                yield return new ReadItem(new ItemAnswers(item.Id, given, gold.GetValueOrDefault(item.Id)), item.ContentHash, item.Data,
                    item.SyntheticGeneratorId, item.SyntheticLabel);
            }
            after = last;
        }
    }

    /// <summary>The previous release's items (ascending ids) and their splits, as two arrays rather than a dictionary of a million entries.</summary>
    private async Task<PreviousSplits> PreviousSplitsAsync(long? previousId, CancellationToken ct)
    {
        if (previousId is null)
        {
            return PreviousSplits.None;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = new List<long>();
        var splits = new List<short>();
        // The primary key (release, item) gives them in item order.
        await foreach (var row in db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == previousId).OrderBy(i => i.ItemId)
            .Select(i => new { i.ItemId, i.Split }).AsAsyncEnumerable().WithCancellation(ct))
        {
            ids.Add(row.ItemId);
            splits.Add(row.Split);
        }
        return new PreviousSplits([.. ids], [.. splits]);
    }

    private sealed class PreviousSplits(long[] itemIds, short[] splits)
    {
        public static readonly PreviousSplits None = new([], []);

        public int SplitOf(long itemId)
        {
            var at = Array.BinarySearch(itemIds, itemId);
            return at >= 0 ? splits[at] : SplitItem.NotInPreviousRelease;
        }
    }
}
