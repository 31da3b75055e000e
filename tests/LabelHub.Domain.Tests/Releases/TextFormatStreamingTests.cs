using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>
/// The writers stream: they read the entries in a fixed, small number of passes (never a list of them) and write every
/// entry of a larger release, made up here item by item.
/// </summary>
public sealed class TextFormatStreamingTests
{
    private const int Items = 20_000;

    private static async IAsyncEnumerable<ReleaseEntry> Generate(Action onPass, [EnumeratorCancellation] CancellationToken ct)
    {
        onPass();
        for (var i = 1; i <= Items; i++)
        {
            ct.ThrowIfCancellationRequested();
            var split = i <= Items * 8 / 10 ? SplitNames.Train : i <= Items * 9 / 10 ? SplitNames.Validation : SplitNames.Test;
            var template = TextFormatFixture.Entries[i % TextFormatFixture.Entries.Count];
            yield return template with { ItemId = i, Split = split };
            if (i % 1000 == 0)
            {
                await Task.Yield();
            }
        }
    }

    public static TheoryData<string, int, int> Writers => new()
    {
        { nameof(JsonlReleaseWriter), 1, Items },
        { nameof(CsvReleaseWriter), 2, Items + 1 },
        { nameof(HuggingFaceReleaseWriter), 2, Items },
        // Two passes per spans field; only items with a final spans answer are documents (three of the four templates).
        { nameof(ConllReleaseWriter), 2, Items * 3 / 4 },
    };

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task Writers_read_the_entries_in_a_fixed_number_of_passes_and_write_every_one(string name, int passes, int rows)
    {
        IReleaseFormatWriter writer = name switch
        {
            nameof(JsonlReleaseWriter) => new JsonlReleaseWriter(),
            nameof(CsvReleaseWriter) => new CsvReleaseWriter(),
            nameof(HuggingFaceReleaseWriter) => new HuggingFaceReleaseWriter(),
            _ => new ConllReleaseWriter(),
        };
        var started = 0;
        var context = TextFormatFixture.Context() with { Entries = ct => Generate(() => started++, ct) };
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await writer.WriteAsync(context, zip, CancellationToken.None);
        }
        Assert.Equal(passes, started);
        var files = TextFormatFixture.Files(buffer.ToArray());
        var written = name == nameof(ConllReleaseWriter)
            ? files.Where(f => f.Path.EndsWith(".items.tsv", StringComparison.Ordinal)).Sum(f => Lines(f.Bytes) - 1)
            : files.Where(f => !f.Path.EndsWith("README.md", StringComparison.Ordinal)).Sum(f => Lines(f.Bytes));
        Assert.Equal(rows, written);
        if (name == nameof(HuggingFaceReleaseWriter))
        {
            var card = Encoding.UTF8.GetString(files.Single(f => f.Path == "README.md").Bytes);
            Assert.Contains("num_examples: 16000\n", card, StringComparison.Ordinal);
            Assert.Contains("num_examples: 2000\n", card, StringComparison.Ordinal);
        }
        if (name == nameof(JsonlReleaseWriter))
        {
            var last = Encoding.UTF8.GetString(files[0].Bytes).TrimEnd('\n').Split('\n')[^1];
            Assert.Equal(Items, JsonDocument.Parse(last).RootElement.GetProperty("item_id").GetInt64());
        }
    }

    private static int Lines(byte[] bytes) => bytes.Count(b => b == (byte)'\n');
}
