using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>
/// The diff's counts, fed one item at a time by whoever walks the two releases in item id order (the pure
/// <see cref="ReleaseDiff.CompareAsync"/>, or the cut as it writes rows): added, removed, relabeled per field and reason,
/// and per-label counts before and after. Holds only the counts.
/// </summary>
public sealed class ReleaseDiffTally(LabelSchema schema)
{
    private readonly Dictionary<(string Field, string Label), long[]> counts = [];
    private readonly Dictionary<(string Field, RelabelReason Reason), long> byReason = [];
    private long added, removed, relabeled, unchanged;

    public ReleaseChange Removed(ReleaseEntry before)
    {
        ArgumentNullException.ThrowIfNull(before);
        removed++;
        ReleaseDiff.Count(schema, before.Answers, counts, 0);
        return new ReleaseChange(ReleaseChangeKind.Removed, before.ItemId, null, null, null, null);
    }

    public ReleaseChange Added(ReleaseEntry after)
    {
        ArgumentNullException.ThrowIfNull(after);
        added++;
        ReleaseDiff.Count(schema, after.Answers, counts, 1);
        return new ReleaseChange(ReleaseChangeKind.Added, after.ItemId, null, null, null, null);
    }

    /// <summary>An item in both releases: one change per field whose final answer differs (none when it is unchanged).</summary>
    /// <param name="reasonOf">Why a field changed; null is put down to <see cref="RelabelReason.Aggregation"/>.</param>
    public List<ReleaseChange> Kept(ReleaseEntry before, ReleaseEntry after, Func<string, RelabelReason?> reasonOf)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(reasonOf);
        ReleaseDiff.Count(schema, before.Answers, counts, 0);
        ReleaseDiff.Count(schema, after.Answers, counts, 1);
        var changes = new List<ReleaseChange>();
        foreach (var field in ReleaseDiff.ChangedFields(schema, before.Answers, after.Answers))
        {
            var reason = reasonOf(field.Name) ?? RelabelReason.Aggregation;
            byReason[(field.Name, reason)] = byReason.GetValueOrDefault((field.Name, reason)) + 1;
            changes.Add(new ReleaseChange(ReleaseChangeKind.Relabeled, after.ItemId, field.Name,
                before.Answers.TryGetValue(field.Name, out var old) ? old.Value : null,
                after.Answers.TryGetValue(field.Name, out var now) ? now.Value : null, reason));
        }
        if (changes.Count > 0)
        {
            relabeled++;
        }
        else
        {
            unchanged++;
        }
        return changes;
    }

    public ReleaseDiffSummary Summary()
    {
        var fieldOrder = schema.Fields.Select((f, i) => (f.Name, i)).ToDictionary(f => f.Name, f => f.i, StringComparer.Ordinal);
        return new ReleaseDiffSummary(
            added, removed, relabeled, unchanged,
            [.. byReason.OrderBy(r => fieldOrder[r.Key.Field]).ThenBy(r => r.Key.Reason).Select(r => new RelabelCount(r.Key.Field, r.Key.Reason, r.Value))],
            [.. counts.OrderBy(c => fieldOrder[c.Key.Field]).ThenBy(c => c.Key.Label, StringComparer.Ordinal)
                .Select(c => new LabelCountChange(c.Key.Field, c.Key.Label, c.Value[0], c.Value[1]))]);
    }
}
