using System.Text;
using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>
/// A release holding a synthetic item (issue 16): its rows carry {generator, class, seed}, the other rows are written
/// exactly as in a release without one, and the datasheet names the generators.
/// </summary>
public sealed class SyntheticReleaseRowsTests
{
    private static readonly ReleaseSynthetic Origin = new("LabelHub GAN v2", "negative", 42);

    /// <summary>The text fixture with item 3 (validation) made by a generator.</summary>
    private static ReleaseWriteContext WithSynthetic() =>
        TextFormatFixture.Context([.. TextFormatFixture.Entries.Select(e => e.ItemId == 3 ? e with { Synthetic = Origin } : e)]);

    private static string Text(byte[] archive, string path) =>
        Encoding.UTF8.GetString(TextFormatFixture.Files(archive).Single(f => f.Path == path).Bytes);

    [Fact]
    public async Task Jsonl_gives_the_synthetic_item_its_origin_and_leaves_every_other_line_as_it_was()
    {
        var plain = Text(await TextFormatFixture.WriteAsync(new JsonlReleaseWriter()), JsonlReleaseWriter.FileName).Split('\n');
        var lines = Text(await TextFormatFixture.WriteAsync(new JsonlReleaseWriter(), WithSynthetic()), JsonlReleaseWriter.FileName).Split('\n');
        Assert.Equal(plain.Length, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (i == 2)
            {
                Assert.Equal(plain[i][..^1] + ""","synthetic":{"generator":"LabelHub GAN v2","class":"negative","seed":42}}""", lines[i]);
            }
            else
            {
                Assert.Equal(plain[i], lines[i]);
            }
        }
    }

    [Fact]
    public async Task Csv_adds_the_origin_columns_only_when_an_item_is_synthetic_and_leaves_them_blank_for_collected_items()
    {
        var bytes = TextFormatFixture.Files(await TextFormatFixture.WriteAsync(new CsvReleaseWriter(), WithSynthetic())).Single().Bytes;
        var rows = JsonlCsvReleaseWriterTests.Rfc4180.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(["synthetic.generator", "synthetic.class", "synthetic.seed"], rows[0][^3..]);
        Assert.Equal(["3", "validation", "c3"], rows[3][..3]);
        Assert.Equal(["LabelHub GAN v2", "negative", "42"], rows[3][^3..]);
        Assert.All(new[] { rows[1], rows[2], rows[4] }, r => Assert.Equal(["", "", ""], r[^3..]));
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
    }

    [Fact]
    public async Task Hugging_Face_gets_a_synthetic_struct_column_null_for_collected_items_and_declared_in_the_card()
    {
        var archive = await TextFormatFixture.WriteAsync(new HuggingFaceReleaseWriter(), WithSynthetic());
        var validation = JsonDocument.Parse(Text(archive, HuggingFaceReleaseWriter.DataPath(SplitNames.Validation)).Trim()).RootElement;
        var origin = validation.GetProperty("synthetic");
        Assert.Equal(("LabelHub GAN v2", "negative", 42L), (origin.GetProperty("generator").GetString(), origin.GetProperty("class").GetString(), origin.GetProperty("seed").GetInt64()));
        foreach (var line in Text(archive, HuggingFaceReleaseWriter.DataPath(SplitNames.Train)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(line).RootElement.GetProperty("synthetic").ValueKind);
        }
        Assert.Contains("  - name: 'synthetic'\n    struct:\n    - name: generator\n      dtype: string\n    - name: class\n      dtype: string\n    - name: seed\n      dtype: int64\n  splits:\n",
            Text(archive, HuggingFaceReleaseWriter.CardFileName), StringComparison.Ordinal);
        // Without a synthetic item there is no such column at all.
        var plain = await TextFormatFixture.WriteAsync(new HuggingFaceReleaseWriter());
        Assert.DoesNotContain("synthetic", Text(plain, HuggingFaceReleaseWriter.CardFileName), StringComparison.Ordinal);
        Assert.DoesNotContain("synthetic", Text(plain, HuggingFaceReleaseWriter.DataPath(SplitNames.Train)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatasheetLanguage.English, "- 3 items are synthetic, not collected. Made by LabelHub GAN v2 (2), LabelHub GAN v3 (1); annotators confirmed that each shows the class it was generated for.\n")]
    [InlineData(DatasheetLanguage.Korean, "- 항목 3개는 수집하지 않고 생성한 합성 항목입니다. 생성기: LabelHub GAN v2 (2), LabelHub GAN v3 (1). 작업자가 각 항목이 생성을 요청한 클래스를 보여 주는지 확인했습니다.\n")]
    public void The_datasheet_says_which_generators_made_the_synthetic_items(DatasheetLanguage language, string line)
    {
        var model = new ReleaseDatasheetModel
        {
            ProjectName = "Shoes",
            Schema = TextFormatFixture.Schema,
            ReleaseNumber = 2,
            CutAt = new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero),
            Filter = "items with a final answer to every required field; synthetic items people confirmed included",
            Aggregation = "majority vote",
            SplitSettings = "random",
            ItemsPerSplit = [("train", 30), ("validation", 3), ("test", 3)],
            SyntheticItems = 3,
            SyntheticGenerators = [("LabelHub GAN v2", 2), ("LabelHub GAN v3", 1)],
        };
        Assert.Contains(line, ReleaseDatasheet.Render(model, language), StringComparison.Ordinal);
    }
}
