using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>Why an item's final answer to a field differs from the previous release's.</summary>
public enum RelabelReason
{
    /// <summary>A reviewer fixed or accepted an answer.</summary>
    Review,

    /// <summary>A cleansing correction (label errors, disagreements) changed it.</summary>
    Cleansing,

    /// <summary>A reviewer settled a disagreement.</summary>
    Adjudication,

    /// <summary>No answer was reviewed or corrected: new answers or another method changed the vote.</summary>
    Aggregation,
}

public enum ReleaseChangeKind
{
    Added,
    Removed,
    Relabeled,
}

/// <summary>
/// One difference: an item added or removed (no field), or one field of an item relabeled from
/// <see cref="Before"/> to <see cref="After"/> (null: no final answer on that side, tied or unanswered).
/// </summary>
public sealed record ReleaseChange(ReleaseChangeKind Kind, long ItemId, string? Field, JsonElement? Before, JsonElement? After, RelabelReason? Reason);

/// <summary>How many items carry a label of a field in the previous release and in this one.</summary>
public sealed record LabelCountChange(string Field, string Label, long Before, long After);

/// <summary>How many items had a field relabeled for one reason.</summary>
public sealed record RelabelCount(string Field, RelabelReason Reason, long Items);

public sealed record ReleaseDiffSummary(
    long Added, long Removed, long Relabeled, long Unchanged, IReadOnlyList<RelabelCount> RelabeledByField, IReadOnlyList<LabelCountChange> LabelCounts);

/// <summary>
/// A release compared with the previous one (ADR 0020): items added, removed and relabeled per field with the reason,
/// and per-label counts before and after. Both releases come as streams ordered by item id and are merge-joined: one
/// pass, O(n), holding one item of each at a time (only the per-label counts grow, with the number of labels). Changes
/// go to <c>onChange</c> as they are found, so a caller stores or shows as many as it likes.
/// </summary>
public static class ReleaseDiff
{
    /// <param name="reasonOf">
    /// Why the item's field changed (the answer versions between the releases); null means no answer was reviewed or
    /// corrected, and the change is put down to <see cref="RelabelReason.Aggregation"/>.
    /// </param>
    public static async Task<ReleaseDiffSummary> CompareAsync(
        LabelSchema schema,
        IAsyncEnumerable<ReleaseEntry> previous,
        IAsyncEnumerable<ReleaseEntry> current,
        Func<long, string, RelabelReason?> reasonOf,
        Action<ReleaseChange>? onChange,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(reasonOf);
        var counts = new Dictionary<(string Field, string Label), long[]>();
        var byReason = new Dictionary<(string Field, RelabelReason Reason), long>();
        long added = 0, removed = 0, relabeled = 0, unchanged = 0;
        await using var before = new OrderedReader(previous.GetAsyncEnumerator(ct), nameof(previous));
        await using var after = new OrderedReader(current.GetAsyncEnumerator(ct), nameof(current));
        await before.MoveAsync();
        await after.MoveAsync();
        while (before.Entry is not null || after.Entry is not null)
        {
            if (after.Entry is null || (before.Entry is not null && before.Entry.ItemId < after.Entry.ItemId))
            {
                removed++;
                Count(schema, before.Entry!, counts, 0);
                onChange?.Invoke(new ReleaseChange(ReleaseChangeKind.Removed, before.Entry!.ItemId, null, null, null, null));
                await before.MoveAsync();
            }
            else if (before.Entry is null || after.Entry.ItemId < before.Entry.ItemId)
            {
                added++;
                Count(schema, after.Entry, counts, 1);
                onChange?.Invoke(new ReleaseChange(ReleaseChangeKind.Added, after.Entry.ItemId, null, null, null, null));
                await after.MoveAsync();
            }
            else
            {
                Count(schema, before.Entry, counts, 0);
                Count(schema, after.Entry, counts, 1);
                var changed = false;
                foreach (var field in schema.Fields)
                {
                    var had = before.Entry.Answers.TryGetValue(field.Name, out var old);
                    var has = after.Entry.Answers.TryGetValue(field.Name, out var now);
                    if (had == has && (!had || AnswerCodec.Same(field, old!.Value, now!.Value)))
                    {
                        continue;
                    }
                    changed = true;
                    var reason = reasonOf(after.Entry.ItemId, field.Name) ?? RelabelReason.Aggregation;
                    byReason[(field.Name, reason)] = byReason.GetValueOrDefault((field.Name, reason)) + 1;
                    onChange?.Invoke(new ReleaseChange(ReleaseChangeKind.Relabeled, after.Entry.ItemId, field.Name, old?.Value, now?.Value, reason));
                }
                if (changed)
                {
                    relabeled++;
                }
                else
                {
                    unchanged++;
                }
                await before.MoveAsync();
                await after.MoveAsync();
            }
        }
        var fieldOrder = schema.Fields.Select((f, i) => (f.Name, i)).ToDictionary(f => f.Name, f => f.i, StringComparer.Ordinal);
        return new ReleaseDiffSummary(
            added, removed, relabeled, unchanged,
            [.. byReason.OrderBy(r => fieldOrder[r.Key.Field]).ThenBy(r => r.Key.Reason).Select(r => new RelabelCount(r.Key.Field, r.Key.Reason, r.Value))],
            [.. counts.OrderBy(c => fieldOrder[c.Key.Field]).ThenBy(c => c.Key.Label, StringComparer.Ordinal)
                .Select(c => new LabelCountChange(c.Key.Field, c.Key.Label, c.Value[0], c.Value[1]))]);
    }

    /// <summary>Adds the item's labels (choice, each multi-choice label, each span's and box's label once per item).</summary>
    private static void Count(LabelSchema schema, ReleaseEntry entry, Dictionary<(string, string), long[]> counts, int side)
    {
        foreach (var field in schema.Fields)
        {
            if (!field.HasLabels || !entry.Answers.TryGetValue(field.Name, out var answer) || AnswerCodec.Read(field, answer.Value).Value is not { } value)
            {
                continue;
            }
            IEnumerable<string> labels = value switch
            {
                ChoiceAnswer c => [c.Label],
                MultiChoiceAnswer m => m.Labels,
                SpansAnswer s => s.Spans.Select(x => x.Label),
                BoxesAnswer b => b.Boxes.Select(x => x.Label),
                _ => [],
            };
            foreach (var label in labels.Distinct(StringComparer.Ordinal))
            {
                if (!counts.TryGetValue((field.Name, label), out var pair))
                {
                    pair = new long[2];
                    counts[(field.Name, label)] = pair;
                }
                pair[side]++;
            }
        }
    }

    /// <summary>Reads a stream and checks it comes in strictly increasing item id order, which the merge join needs.</summary>
    private sealed class OrderedReader(IAsyncEnumerator<ReleaseEntry> source, string name) : IAsyncDisposable
    {
        public ReleaseEntry? Entry { get; private set; }

        public async ValueTask MoveAsync()
        {
            var last = Entry?.ItemId;
            Entry = await source.MoveNextAsync() ? source.Current : null;
            if (Entry is not null && last is { } id && Entry.ItemId <= id)
            {
                throw new ArgumentException($"Entries must come in increasing item id order; {Entry.ItemId} came after {id}.", name);
            }
        }

        public ValueTask DisposeAsync() => source.DisposeAsync();
    }
}
