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
/// go to <c>onChange</c> as they are found, so a caller stores or shows as many as it likes. The cut does the same join
/// row by row as it writes (<see cref="ReleaseDiffTally"/>).
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
        var tally = new ReleaseDiffTally(schema);
        await using var before = new OrderedReader(previous.GetAsyncEnumerator(ct), nameof(previous));
        await using var after = new OrderedReader(current.GetAsyncEnumerator(ct), nameof(current));
        await before.MoveAsync();
        await after.MoveAsync();
        while (before.Entry is not null || after.Entry is not null)
        {
            if (after.Entry is null || (before.Entry is not null && before.Entry.ItemId < after.Entry.ItemId))
            {
                var removed = tally.Removed(before.Entry!);
                onChange?.Invoke(removed);
                await before.MoveAsync();
            }
            else if (before.Entry is null || after.Entry.ItemId < before.Entry.ItemId)
            {
                var added = tally.Added(after.Entry);
                onChange?.Invoke(added);
                await after.MoveAsync();
            }
            else
            {
                var item = after.Entry.ItemId;
                foreach (var change in tally.Kept(before.Entry, after.Entry, field => reasonOf(item, field)))
                {
                    onChange?.Invoke(change);
                }
                await before.MoveAsync();
                await after.MoveAsync();
            }
        }
        return tally.Summary();
    }

    /// <summary>The fields whose final answer differs between two versions of an item (a missing answer differs from any).</summary>
    public static IEnumerable<LabelField> ChangedFields(LabelSchema schema, IReadOnlyDictionary<string, FinalAnswer> before, IReadOnlyDictionary<string, FinalAnswer> after)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        foreach (var field in schema.Fields)
        {
            var had = before.TryGetValue(field.Name, out var old);
            var has = after.TryGetValue(field.Name, out var now);
            if (had != has || (had && !AnswerCodec.Same(field, old!.Value, now!.Value)))
            {
                yield return field;
            }
        }
    }

    /// <summary>Adds the item's labels (choice, each multi-choice label, each span's and box's label once per item).</summary>
    internal static void Count(LabelSchema schema, IReadOnlyDictionary<string, FinalAnswer> answers, Dictionary<(string Field, string Label), long[]> counts, int side)
    {
        foreach (var field in schema.Fields)
        {
            if (!field.HasLabels || !answers.TryGetValue(field.Name, out var answer) || AnswerCodec.Read(field, answer.Value).Value is not { } value)
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
