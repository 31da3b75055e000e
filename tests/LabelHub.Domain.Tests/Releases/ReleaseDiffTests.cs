using System.Runtime.CompilerServices;
using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

public sealed class ReleaseDiffTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] },
            new LabelField { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service"] },
        ],
    };

    private static ReleaseEntry Entry(long id, string? sentiment, params string[] topics)
    {
        var answers = new Dictionary<string, FinalAnswer>();
        if (sentiment is not null)
        {
            answers["sentiment"] = new(JsonSerializer.SerializeToElement(sentiment), 1, FinalAnswerSource.Majority, []);
        }
        if (topics.Length > 0)
        {
            answers["topics"] = new(JsonSerializer.SerializeToElement(topics), 1, FinalAnswerSource.Majority, []);
        }
        return new ReleaseEntry(id, SplitNames.Train, "h" + id, new Dictionary<string, JsonElement>(), answers);
    }

    private static async IAsyncEnumerable<ReleaseEntry> Stream(IEnumerable<ReleaseEntry> entries, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var entry in entries)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return entry;
        }
    }

    [Fact]
    public async Task Added_removed_and_relabeled_items_with_reasons_and_label_counts_from_a_hand_built_pair()
    {
        ReleaseEntry[] previous = [Entry(1, "positive", "price"), Entry(2, "negative", "price", "service"), Entry(3, "negative"), Entry(5, "positive")];
        ReleaseEntry[] current = [Entry(1, "negative", "price"), Entry(2, "negative", "service", "price"), Entry(4, "positive", "service"), Entry(5, null)];
        var changes = new List<ReleaseChange>();
        var summary = await ReleaseDiff.CompareAsync(
            Schema, Stream(previous), Stream(current), (item, field) => item == 1 && field == "sentiment" ? RelabelReason.Review : null, changes.Add, CancellationToken.None);

        Assert.Equal(1, summary.Added);
        Assert.Equal(1, summary.Removed);
        // Item 2's topics are the same labels in another order: the same answer.
        Assert.Equal(2, summary.Relabeled);
        Assert.Equal(1, summary.Unchanged);
        Assert.Equal(
            [(ReleaseChangeKind.Relabeled, 1L, "sentiment", "\"positive\"", "\"negative\"", RelabelReason.Review),
             (ReleaseChangeKind.Removed, 3L, null, null, null, null),
             (ReleaseChangeKind.Added, 4L, null, null, null, null),
             (ReleaseChangeKind.Relabeled, 5L, "sentiment", "\"positive\"", null, RelabelReason.Aggregation)],
            changes.Select(c => (c.Kind, c.ItemId, c.Field, c.Before?.GetRawText(), c.After?.GetRawText(), c.Reason)));
        Assert.Equal([new RelabelCount("sentiment", RelabelReason.Review, 1), new RelabelCount("sentiment", RelabelReason.Aggregation, 1)], summary.RelabeledByField);
        // Before: positive 1,5; negative 2,3; price 1,2; service 2. After: negative 1,2; positive 4; price 1,2; service 2,4.
        Assert.Equal(
            [new LabelCountChange("sentiment", "negative", 2, 2), new LabelCountChange("sentiment", "positive", 2, 1),
             new LabelCountChange("topics", "price", 2, 2), new LabelCountChange("topics", "service", 1, 2)],
            summary.LabelCounts);
    }

    [Fact]
    public async Task A_release_compared_with_itself_has_no_changes_and_the_same_counts_on_both_sides()
    {
        var entries = Enumerable.Range(1, 500).Select(i => Entry(i * 3, i % 3 == 0 ? null : i % 2 == 0 ? "positive" : "negative", i % 5 == 0 ? ["price"] : [])).ToList();
        var changes = 0;
        var summary = await ReleaseDiff.CompareAsync(Schema, Stream(entries), Stream(entries), (_, _) => null, _ => changes++, CancellationToken.None);
        Assert.Equal(0, changes);
        Assert.Equal(500, summary.Unchanged);
        Assert.All(summary.LabelCounts, c => Assert.Equal(c.Before, c.After));
        Assert.Equal(entries.Count(e => e.Answers.ContainsKey("sentiment")), summary.LabelCounts.Where(c => c.Field == "sentiment").Sum(c => c.After));
    }

    [Fact]
    public async Task Fed_row_by_row_the_tally_gives_what_the_merge_join_gives()
    {
        List<ReleaseEntry> before = [Entry(1, "positive"), Entry(2, "negative", "price"), Entry(4, "positive"), Entry(6, null)];
        List<ReleaseEntry> after = [Entry(2, "positive", "price"), Entry(3, "negative"), Entry(4, "positive"), Entry(6, "negative", "service")];
        RelabelReason? Why(long id) => id == 2 ? RelabelReason.Review : null;
        var joined = await ReleaseDiff.CompareAsync(Schema, Stream(before), Stream(after), (id, _) => Why(id), null, CancellationToken.None);

        // The cut's order of calls: removed items before the next written row, then added or kept, the rest removed at the end.
        var tally = new ReleaseDiffTally(Schema);
        var changes = new List<ReleaseChange> { tally.Removed(before[0]) };
        changes.AddRange(tally.Kept(before[1], after[0], _ => Why(2)));
        changes.Add(tally.Added(after[1]));
        changes.AddRange(tally.Kept(before[2], after[2], _ => Why(4)));
        changes.AddRange(tally.Kept(before[3], after[3], _ => Why(6)));
        var fed = tally.Summary();

        Assert.Equal((1L, 1L, 2L, 1L), (fed.Added, fed.Removed, fed.Relabeled, fed.Unchanged));
        Assert.Equal(JsonSerializer.Serialize(joined), JsonSerializer.Serialize(fed));
        Assert.Equal(
            [
                (ReleaseChangeKind.Removed, 1L, (string?)null, (RelabelReason?)null), (ReleaseChangeKind.Relabeled, 2L, "sentiment", RelabelReason.Review),
                (ReleaseChangeKind.Added, 3L, null, null), (ReleaseChangeKind.Relabeled, 6L, "sentiment", RelabelReason.Aggregation),
                (ReleaseChangeKind.Relabeled, 6L, "topics", RelabelReason.Aggregation),
            ],
            changes.Select(c => (c.Kind, c.ItemId, c.Field, c.Reason)));
    }

    [Fact]
    public async Task Against_an_empty_previous_release_every_item_is_added()
    {
        var summary = await ReleaseDiff.CompareAsync(Schema, Stream([]), Stream([Entry(1, "positive"), Entry(2, "negative")]), (_, _) => null, null, CancellationToken.None);
        Assert.Equal((2L, 0L, 0L, 0L), (summary.Added, summary.Removed, summary.Relabeled, summary.Unchanged));
    }

    [Fact]
    public async Task Entries_out_of_item_id_order_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            ReleaseDiff.CompareAsync(Schema, Stream([Entry(2, "positive"), Entry(1, "positive")]), Stream([]), (_, _) => null, null, CancellationToken.None));
    }
}
