using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>
/// One change of a release against the previous one, for the page's change list: an item added or removed (no field),
/// or one field relabeled from <see cref="Before"/> to <see cref="After"/> (null: no final answer on that side) and why.
/// </summary>
/// <param name="Preview">The item's text, else its file name, else its first value: one line.</param>
public sealed record ReleaseChangeView(long ItemId, ReleaseChangeKind Kind, string? Field, JsonElement? Before, JsonElement? After, RelabelReason? Reason, string Preview);

/// <param name="NextAfter">The item id to ask with as <c>after</c> for the next page; null on the last one.</param>
public sealed record ReleaseChangePage(IReadOnlyList<ReleaseChangeView> Changes, long? NextAfter);

/// <summary>
/// A release's changes against the release it was compared with, a page of items at a time (keyset on the item id):
/// added and removed items are the rows one release has and the other lacks; relabeled items are the rows the cut stored
/// a change reason on, each compared field by field with the previous release's row. Three indexed range reads a page.
/// </summary>
public sealed class ReleaseChangeList(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    public const int MaxPageSize = 500;

    public async Task<ReleaseChangePage> PageAsync(Actor actor, Guid projectId, int number, string? kind, string? field, string? reason, long? after, int? limit,
        CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        ReleaseChangeKind? onlyKind = null;
        if (!string.IsNullOrWhiteSpace(kind))
        {
            if (Enum.TryParse<ReleaseChangeKind>(kind.Trim(), ignoreCase: true, out var k) && Enum.IsDefined(k) && !char.IsDigit(kind.Trim()[0]))
            {
                onlyKind = k;
            }
            else
            {
                errors.Add("kind", "The kind must be added, removed or relabeled.");
            }
        }
        RelabelReason? onlyReason = null;
        if (!string.IsNullOrWhiteSpace(reason))
        {
            if (Enum.TryParse<RelabelReason>(reason.Trim(), ignoreCase: true, out var r) && Enum.IsDefined(r) && !char.IsDigit(reason.Trim()[0]))
            {
                onlyReason = r;
            }
            else
            {
                errors.Add("reason", "The reason must be review, cleansing, adjudication or aggregation.");
            }
        }
        var size = limit ?? 100;
        if (size is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"The limit is a number from 1 to {MaxPageSize}.");
        }
        if (after is < 0)
        {
            errors.Add("after", "After is an item id, 0 or more.");
        }
        errors.ThrowIfAny();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.ProjectId == projectId && r.Number == number, ct)
            ?? throw new NotFoundException("Release");
        var onlyField = string.IsNullOrWhiteSpace(field) ? null : field.Trim();
        if (onlyField is not null && project.Schema.Field(onlyField) is null)
        {
            throw new ValidationException("field", "The label schema has no such field.");
        }
        if (release.State != ReleaseState.Ready)
        {
            throw new ConflictException("This release is not cut yet (or its cut failed).");
        }
        if (release.PreviousReleaseId is not { } previousId)
        {
            return new ReleaseChangePage([], null);
        }

        var currentId = release.Id;
        var from = after ?? 0;
        // A field or a reason only relabels have: added and removed items are left out then.
        var itemChanges = onlyField is null && onlyReason is null;
        var candidates = new List<(long ItemId, ReleaseChangeKind Kind, string? Reason)>();
        // Once a page's worth of changes is found, later sources need not read past its last item id.
        long Bound() => candidates.Count < size ? long.MaxValue : candidates.Select(c => c.ItemId).Order().ElementAt(size - 1);
        if (onlyKind is null or ReleaseChangeKind.Relabeled)
        {
            var reasonText = onlyReason?.ToString();
            candidates.AddRange((await db.ReleaseItems.AsNoTracking()
                    .Where(i => i.ReleaseId == currentId && i.ItemId > from && i.ChangeReason != null && (reasonText == null || i.ChangeReason == reasonText))
                    .OrderBy(i => i.ItemId).Take(size).Select(i => new { i.ItemId, i.ChangeReason }).ToListAsync(ct))
                .Select(i => (i.ItemId, ReleaseChangeKind.Relabeled, i.ChangeReason)));
        }
        if (itemChanges && onlyKind is null or ReleaseChangeKind.Added)
        {
            var bound = Bound();
            candidates.AddRange((await db.ReleaseItems.AsNoTracking()
                    .Where(i => i.ReleaseId == currentId && i.ItemId > from && i.ItemId <= bound && !db.ReleaseItems.Any(p => p.ReleaseId == previousId && p.ItemId == i.ItemId))
                    .OrderBy(i => i.ItemId).Take(size).Select(i => i.ItemId).ToListAsync(ct))
                .Select(id => (id, ReleaseChangeKind.Added, (string?)null)));
        }
        if (itemChanges && onlyKind is null or ReleaseChangeKind.Removed)
        {
            var bound = Bound();
            candidates.AddRange((await db.ReleaseItems.AsNoTracking()
                    .Where(i => i.ReleaseId == previousId && i.ItemId > from && i.ItemId <= bound && !db.ReleaseItems.Any(c => c.ReleaseId == currentId && c.ItemId == i.ItemId))
                    .OrderBy(i => i.ItemId).Take(size).Select(i => i.ItemId).ToListAsync(ct))
                .Select(id => (id, ReleaseChangeKind.Removed, (string?)null)));
        }
        // Each source read at most a page past 'after': the page's smallest item ids are complete up to the last one taken.
        var page = candidates.OrderBy(c => c.ItemId).Take(size).ToList();
        var ids = page.Select(c => c.ItemId).ToList();
        var relabeledIds = page.Where(c => c.Kind == ReleaseChangeKind.Relabeled).Select(c => c.ItemId).ToList();
        var now = await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == currentId && relabeledIds.Contains(i.ItemId))
            .ToDictionaryAsync(i => i.ItemId, i => i.AnswersJson, ct);
        var before = await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == previousId && relabeledIds.Contains(i.ItemId))
            .ToDictionaryAsync(i => i.ItemId, i => i.AnswersJson, ct);
        var data = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Data, ct);

        var changes = new List<ReleaseChangeView>();
        foreach (var (itemId, changeKind, changeReason) in page)
        {
            var preview = data.TryGetValue(itemId, out var itemData) ? GoldService.Preview(itemData) : "";
            if (changeKind != ReleaseChangeKind.Relabeled)
            {
                changes.Add(new ReleaseChangeView(itemId, changeKind, null, null, null, null, preview));
                continue;
            }
            var old = ReleaseCutRecorder.ReadAnswers(before[itemId]);
            var current = ReleaseCutRecorder.ReadAnswers(now[itemId]);
            var why = Enum.Parse<RelabelReason>(changeReason!);
            foreach (var changed in ReleaseDiff.ChangedFields(project.Schema, old, current).Where(f => onlyField is null || f.Name == onlyField))
            {
                changes.Add(new ReleaseChangeView(itemId, changeKind, changed.Name,
                    old.TryGetValue(changed.Name, out var o) ? o.Value : null, current.TryGetValue(changed.Name, out var c) ? c.Value : null, why, preview));
            }
        }
        return new ReleaseChangePage(changes, page.Count == size ? page[^1].ItemId : null);
    }
}
