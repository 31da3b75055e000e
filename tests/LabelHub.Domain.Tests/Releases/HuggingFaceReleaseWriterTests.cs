using System.Text;
using System.Text.Json;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

public sealed class HuggingFaceReleaseWriterTests
{
    [Fact]
    public async Task Hugging_Face_layout_matches_its_golden_files_and_two_writes_are_identical()
    {
        var first = await TextFormatFixture.WriteAsync(new HuggingFaceReleaseWriter());
        Assert.Equal(first, await TextFormatFixture.WriteAsync(new HuggingFaceReleaseWriter()));
        TextFormatFixture.AssertGolden("huggingface", first);
    }

    [Fact]
    public async Task The_card_header_declares_every_split_file_feature_and_row_count_the_data_files_hold()
    {
        var files = TextFormatFixture.Files(await TextFormatFixture.WriteAsync(new HuggingFaceReleaseWriter()))
            .ToDictionary(f => f.Path, f => Encoding.UTF8.GetString(f.Bytes), StringComparer.Ordinal);
        var card = files["README.md"];
        Assert.StartsWith("---\n", card, StringComparison.Ordinal);
        var header = (Dictionary<string, object>)MiniYaml.Parse(card[4..card.IndexOf("\n---\n", StringComparison.Ordinal)]);

        var config = (Dictionary<string, object>)Assert.Single((List<object>)header["configs"]);
        Assert.Equal("default", config["config_name"]);
        var dataFiles = ((List<object>)config["data_files"]).Cast<Dictionary<string, object>>().ToList();
        Assert.Equal(SplitNames.All, dataFiles.Select(d => (string)d["split"]));

        var info = (Dictionary<string, object>)header["dataset_info"];
        var features = ((List<object>)info["features"]).Cast<Dictionary<string, object>>().ToList();
        Assert.Equal(["item_id", "text", "words", "source", "note", "sentiment", "topics", "entities", "stars"], features.Select(f => (string)f["name"]));
        var byName = features.ToDictionary(f => (string)f["name"]);
        Assert.Equal("int64", byName["item_id"]["dtype"]);
        Assert.Equal("int64", byName["words"]["dtype"]);
        Assert.Equal("string", byName["text"]["dtype"]);
        Assert.Equal("string", byName["topics"]["sequence"]);
        var classLabel = (Dictionary<string, object>)((Dictionary<string, object>)byName["sentiment"]["dtype"])["class_label"];
        var names = (Dictionary<string, object>)classLabel["names"];
        Assert.Equal(["0", "1", "2"], names.Keys);
        Assert.Equal(["positive", "negative", "neutral"], names.Values.Cast<string>());
        var spanMembers = ((List<object>)byName["entities"]["list"]).Cast<Dictionary<string, object>>().ToList();
        Assert.Equal(["start", "end", "label", "text"], spanMembers.Select(m => (string)m["name"]));

        var splits = ((List<object>)info["splits"]).Cast<Dictionary<string, object>>().ToList();
        foreach (var (dataFile, split) in dataFiles.Zip(splits))
        {
            Assert.Equal(dataFile["split"], split["name"]);
            var lines = files[(string)dataFile["path"]].Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(long.Parse((string)split["num_examples"], System.Globalization.CultureInfo.InvariantCulture), lines.Length);
            foreach (var line in lines)
            {
                var row = JsonDocument.Parse(line).RootElement;
                // Every row has exactly the declared columns, and each class label value is one of the names.
                Assert.Equal(features.Select(f => (string)f["name"]), row.EnumerateObject().Select(p => p.Name));
                var sentiment = row.GetProperty("sentiment");
                Assert.True(sentiment.ValueKind == JsonValueKind.Null || names.Values.Contains(sentiment.GetString()));
                Assert.True(row.GetProperty("words").ValueKind is JsonValueKind.Null or JsonValueKind.Number);
            }
        }

        var korean = JsonDocument.Parse(files["data/train.jsonl"].Split('\n')[0]).RootElement;
        Assert.Equal(["김민수", "서울"], korean.GetProperty("entities").EnumerateArray().Select(s => s.GetProperty("text").GetString()));
        var tied = JsonDocument.Parse(files["data/train.jsonl"].Split('\n')[1]).RootElement;
        Assert.Equal(JsonValueKind.Null, tied.GetProperty("sentiment").ValueKind);
        Assert.Equal(0, tied.GetProperty("entities").GetArrayLength());
    }

    [Fact]
    public async Task A_choice_value_outside_the_schema_labels_is_added_after_them_and_an_empty_split_is_not_declared()
    {
        var entry = TextFormatFixture.Entries[0] with
        {
            Answers = new Dictionary<string, FinalAnswer> { ["sentiment"] = new(TextFormatFixture.Json("\"mixed\""), 1, FinalAnswerSource.Adjudicated, [1]) },
        };
        var files = TextFormatFixture.Files(await TextFormatFixture.WriteAsync(new HuggingFaceReleaseWriter(), TextFormatFixture.Context([entry])))
            .ToDictionary(f => f.Path, f => Encoding.UTF8.GetString(f.Bytes), StringComparer.Ordinal);
        var card = files["README.md"];
        var header = (Dictionary<string, object>)MiniYaml.Parse(card[4..card.IndexOf("\n---\n", StringComparison.Ordinal)]);
        var info = (Dictionary<string, object>)header["dataset_info"];
        var sentiment = ((List<object>)info["features"]).Cast<Dictionary<string, object>>().Single(f => (string)f["name"] == "sentiment");
        var names = (Dictionary<string, object>)((Dictionary<string, object>)((Dictionary<string, object>)sentiment["dtype"])["class_label"])["names"];
        Assert.Equal(["positive", "negative", "neutral", "mixed"], names.Values.Cast<string>());
        Assert.Equal(["train"], ((List<object>)info["splits"]).Cast<Dictionary<string, object>>().Select(s => (string)s["name"]));
        Assert.Equal("", files["data/test.jsonl"]);
    }

    /// <summary>
    /// A reader for the block YAML subset dataset cards use (YAML 1.2: mappings, sequences — also at their key's indent —,
    /// plain and single-quoted scalars). Scalars stay strings.
    /// </summary>
    private static class MiniYaml
    {
        public static object Parse(string text)
        {
            var lines = text.Split('\n').Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToList();
            var index = 0;
            var result = Block(lines, ref index, Indent(lines[0]));
            Assert.Equal(lines.Count, index);
            return result;
        }

        private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

        private static object Block(List<string> lines, ref int index, int indent) =>
            lines[index][indent..].StartsWith("- ", StringComparison.Ordinal) ? Sequence(lines, ref index, indent) : Mapping(lines, ref index, indent);

        private static List<object> Sequence(List<string> lines, ref int index, int indent)
        {
            var items = new List<object>();
            while (index < lines.Count && Indent(lines[index]) == indent && lines[index][indent..].StartsWith("- ", StringComparison.Ordinal))
            {
                var rest = lines[index][(indent + 2)..];
                if (KeyOf(rest) is null)
                {
                    items.Add(Scalar(rest));
                    index++;
                    continue;
                }
                // "- key: value" opens a mapping whose keys sit two columns further in.
                lines[index] = new string(' ', indent + 2) + rest;
                items.Add(Mapping(lines, ref index, indent + 2));
            }
            return items;
        }

        private static Dictionary<string, object> Mapping(List<string> lines, ref int index, int indent)
        {
            var map = new Dictionary<string, object>(StringComparer.Ordinal);
            while (index < lines.Count && Indent(lines[index]) == indent && !lines[index][indent..].StartsWith("- ", StringComparison.Ordinal))
            {
                var line = lines[index][indent..];
                var (key, valueStart) = KeyOf(line) ?? throw new FormatException($"not a mapping entry: {line}");
                Assert.False(map.ContainsKey(key), $"duplicate key {key}");
                var value = line[valueStart..].Trim();
                index++;
                if (value.Length > 0)
                {
                    map[key] = Scalar(value);
                }
                else if (index < lines.Count && (Indent(lines[index]) > indent || (Indent(lines[index]) == indent && lines[index][indent..].StartsWith("- ", StringComparison.Ordinal))))
                {
                    map[key] = Block(lines, ref index, Indent(lines[index]));
                }
                else
                {
                    map[key] = "";
                }
            }
            return map;
        }

        /// <summary>The key of "key: value" (plain or single-quoted) and where its value starts; null when the text is no entry.</summary>
        private static (string Key, int ValueStart)? KeyOf(string text)
        {
            if (text.StartsWith('\''))
            {
                var end = ClosingQuote(text);
                return end + 1 < text.Length && text[end + 1] == ':' ? (Scalar(text[..(end + 1)]), end + 2) : null;
            }
            var colon = text.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0 && text.EndsWith(':'))
            {
                colon = text.Length - 1;
            }
            return colon > 0 ? (text[..colon], colon + 1) : null;
        }

        private static int ClosingQuote(string text)
        {
            for (var i = 1; i < text.Length; i++)
            {
                if (text[i] == '\'')
                {
                    if (i + 1 < text.Length && text[i + 1] == '\'')
                    {
                        i++;
                        continue;
                    }
                    return i;
                }
            }
            throw new FormatException($"unterminated quote: {text}");
        }

        private static string Scalar(string text)
        {
            text = text.Trim();
            if (!text.StartsWith('\''))
            {
                return text;
            }
            Assert.Equal(text.Length - 1, ClosingQuote(text));
            return text[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }
    }
}
