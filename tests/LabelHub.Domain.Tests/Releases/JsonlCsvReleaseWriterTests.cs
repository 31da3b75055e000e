using System.Text;
using System.Text.Json;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

public sealed class JsonlCsvReleaseWriterTests
{
    [Fact]
    public async Task Jsonl_matches_its_golden_file_and_two_writes_are_identical()
    {
        var first = await TextFormatFixture.WriteAsync(new JsonlReleaseWriter());
        var second = await TextFormatFixture.WriteAsync(new JsonlReleaseWriter());
        Assert.Equal(first, second);
        TextFormatFixture.AssertGolden("jsonl", first);
    }

    [Fact]
    public async Task Jsonl_reads_back_to_the_release_entries()
    {
        var (path, bytes) = Assert.Single(TextFormatFixture.Files(await TextFormatFixture.WriteAsync(new JsonlReleaseWriter())));
        Assert.Equal("release.jsonl", path);
        var text = Encoding.UTF8.GetString(bytes);
        // Hangul is written as it is, not escaped.
        Assert.Contains("김민수는", text, StringComparison.Ordinal);
        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]);
        Assert.Equal(TextFormatFixture.Entries.Count, lines.Length - 1);
        for (var i = 0; i < TextFormatFixture.Entries.Count; i++)
        {
            var expected = TextFormatFixture.Entries[i];
            var row = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(expected.ItemId, row.GetProperty("item_id").GetInt64());
            Assert.Equal(expected.Split, row.GetProperty("split").GetString());
            Assert.Equal(expected.ContentHash, row.GetProperty("content_hash").GetString());
            Assert.Equal(expected.Data.Keys, row.GetProperty("data").EnumerateObject().Select(p => p.Name));
            foreach (var (key, value) in expected.Data)
            {
                Assert.True(JsonElement.DeepEquals(value, row.GetProperty("data").GetProperty(key)));
            }
            Assert.Equal(expected.Answers.Count, row.GetProperty("answers").EnumerateObject().Count());
            foreach (var (field, answer) in expected.Answers)
            {
                Assert.True(JsonElement.DeepEquals(answer.Value, row.GetProperty("answers").GetProperty(field)));
                Assert.Equal(answer.Confidence, row.GetProperty("confidence").GetProperty(field).GetDouble());
                Assert.Equal(answer.Source, Enum.Parse<FinalAnswerSource>(row.GetProperty("source").GetProperty(field).GetString()!));
                Assert.Equal(answer.FromAnnotationIds, row.GetProperty("from").GetProperty(field).EnumerateArray().Select(e => e.GetInt64()));
            }
        }
    }

    [Fact]
    public async Task Csv_matches_its_golden_file_and_two_writes_are_identical()
    {
        var first = await TextFormatFixture.WriteAsync(new CsvReleaseWriter());
        Assert.Equal(first, await TextFormatFixture.WriteAsync(new CsvReleaseWriter()));
        TextFormatFixture.AssertGolden("csv", first);
    }

    [Fact]
    public async Task Csv_reads_back_with_a_byte_order_mark_the_union_of_data_keys_and_formula_safe_cells()
    {
        var (path, bytes) = Assert.Single(TextFormatFixture.Files(await TextFormatFixture.WriteAsync(new CsvReleaseWriter())));
        Assert.Equal("release.csv", path);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        var rows = Rfc4180.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(
            ["item_id", "split", "content_hash", "data.text", "data.words", "data.source", "data.note", "sentiment", "topics", "entities", "stars",
             "confidence.sentiment", "confidence.topics", "confidence.entities", "confidence.stars"],
            rows[0]);
        Assert.Equal(5, rows.Count);
        var korean = rows[1];
        Assert.Equal(["1", "train", "a1", "김민수는 서울에서 일한다.", "4", "", ""], korean[..7]);
        Assert.Equal("positive", korean[7]);
        Assert.Equal("service", korean[8]);
        Assert.Equal("""[{"start":0,"end":3,"label":"PER"},{"start":5,"end":7,"label":"LOC"}]""", korean[9]);
        Assert.Equal("4", korean[10]);
        Assert.Equal(2.0 / 3, double.Parse(korean[11], System.Globalization.CultureInfo.InvariantCulture));
        var tied = rows[2];
        // The comma and quotes survive quoting; the formula is defused; the tied sentiment is empty.
        Assert.Equal("web, \"forum\"", tied[5]);
        Assert.Equal("'=SUM(A1)", tied[6]);
        Assert.Equal("", tied[7]);
        Assert.Equal("", tied[11]);
        Assert.Equal("price", tied[8]);
        Assert.Equal("[]", tied[9]);
        Assert.Equal(["4", "test", "d4", "ok 👍", "", "", "", "neutral", "", "", "5", "1", "", "", "1"], rows[4]);
    }

    /// <summary>A reader written from RFC 4180: fields split by commas, quoted fields may hold commas, quotes ("") and line breaks.</summary>
    internal static class Rfc4180
    {
        public static List<string[]> Parse(string text)
        {
            var rows = new List<string[]>();
            var row = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    row.Add(field.ToString());
                    field.Clear();
                }
                else if (c is '\n' or '\r')
                {
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }
                    row.Add(field.ToString());
                    field.Clear();
                    rows.Add([.. row]);
                    row.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }
            Assert.False(quoted, "unterminated quoted field");
            if (field.Length > 0 || row.Count > 0)
            {
                row.Add(field.ToString());
                rows.Add([.. row]);
            }
            return rows;
        }
    }
}
