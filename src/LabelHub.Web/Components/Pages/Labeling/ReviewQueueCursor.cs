using LabelHub.Domain.Labeling;

namespace LabelHub.Web.Components.Pages.Labeling;

/// <summary>
/// Walks the review queue a page at a time: the answer shown, how many are left, and the next page once this one is
/// used up. <paramref name="loadPage"/> reads the page after the given annotation id (null: from the start).
/// </summary>
public sealed class ReviewQueueCursor(Func<long?, Task<ReviewQueuePage>> loadPage)
{
    private IReadOnlyList<ReviewQueueEntry> entries = [];
    private int index;
    private long? nextAfter;

    public ReviewQueueEntry? Current => index < entries.Count ? entries[index] : null;

    public int Remaining { get; private set; }

    /// <summary>From the start of the queue again.</summary>
    public Task RestartAsync() => LoadAsync(after: null);

    /// <summary>The answer shown was decided (here or by someone else): on to the next.</summary>
    public async Task DecidedAsync()
    {
        Remaining = Math.Max(0, Remaining - 1);
        index++;
        if (index < entries.Count)
        {
            return;
        }
        if (nextAfter is null)
        {
            (entries, index, Remaining) = ([], 0, 0);
            return;
        }
        await LoadAsync(nextAfter);
    }

    private async Task LoadAsync(long? after)
    {
        var page = await loadPage(after);
        (entries, index, Remaining, nextAfter) = (page.Entries, 0, page.Remaining, page.NextAfter);
    }
}
