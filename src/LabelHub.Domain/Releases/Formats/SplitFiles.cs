using System.IO.Compression;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// One archive file per split, written one after the other as the entries come (ordered by split): the file of a split
/// is opened when its first entry arrives and closed when the next split's does. Every split of the release gets its
/// file, an empty one when it has no entries, so readers find the same layout every time.
/// </summary>
internal sealed class SplitFiles<TWriter>(ZipArchive zip, IReadOnlyList<string> splits, Func<string, string> pathOf, Func<Stream, TWriter> wrap) : IAsyncDisposable
    where TWriter : class, IAsyncDisposable
{
    private int next;
    private string? current;
    private TWriter? writer;
    private Stream? stream;

    /// <summary>The writer of the split's file, opening it (and any empty files of splits before it) when it is new.</summary>
    public async ValueTask<TWriter> ForAsync(string split, CancellationToken ct)
    {
        if (writer is not null && string.Equals(split, current, StringComparison.Ordinal))
        {
            return writer;
        }
        var index = -1;
        for (var i = next; i < splits.Count; i++)
        {
            if (string.Equals(splits[i], split, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }
        if (index < 0)
        {
            throw new ArgumentException($"Entry of split '{split}' is out of the release's split order.", nameof(split));
        }
        while (next <= index)
        {
            await OpenNextAsync(ct);
        }
        return writer!;
    }

    public async ValueTask DisposeAsync()
    {
        while (next < splits.Count)
        {
            await OpenNextAsync(CancellationToken.None);
        }
        await CloseAsync();
    }

    private async ValueTask OpenNextAsync(CancellationToken ct)
    {
        await CloseAsync();
        current = splits[next++];
        stream = await ReleaseZip.Create(zip, pathOf(current)).OpenAsync(ct);
        writer = wrap(stream);
    }

    private async ValueTask CloseAsync()
    {
        if (writer is not null)
        {
            await writer.DisposeAsync();
            writer = null;
        }
        if (stream is not null)
        {
            await stream.DisposeAsync();
            stream = null;
        }
    }
}
