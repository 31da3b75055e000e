using System.Text;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

public sealed class ConllReleaseWriterTests
{
    private static List<string> Words(string text) => [.. ConllTokenizer.Tokenize(text).Select(t => text[t.Start..t.End])];

    [Fact]
    public void Tokens_are_runs_of_letters_marks_and_digits_and_single_other_characters()
    {
        Assert.Equal(["김민수는", "서울에서", "일한다", "."], Words("김민수는 서울에서 일한다."));
        Assert.Equal(["U", ".", "S", ".", "$", "3", ",", "000", "(", "approx", ")"], Words("U.S. $3,000 (approx)"));
        // A combining mark stays with its letter; an emoji (a surrogate pair) is one token, never cut in two.
        Assert.Equal(["cafe\u0301", "👍", "👍"], Words("cafe\u0301 👍👍"));
        Assert.Empty(Words(" \t\n "));
    }

    [Fact]
    public void A_span_edge_inside_a_token_cuts_it_so_the_span_keeps_whole_tokens()
    {
        var text = "김민수는 서울에서 일한다.";
        var tagged = ConllTokenizer.Tag(text, [new SpanValue(0, 3, "PER"), new SpanValue(5, 7, "LOC")]);
        Assert.Equal(["김민수", "는", "서울", "에서", "일한다", "."], tagged.Tokens.Select(t => text[t.Start..t.End]));
        Assert.Equal(["B-PER", "O", "B-LOC", "O", "O", "O"], tagged.Tags);
        Assert.Empty(tagged.Dropped);
    }

    [Fact]
    public void Multi_token_spans_get_B_then_I_and_adjacent_spans_each_begin_with_B()
    {
        var text = "New York Times Square";
        var tagged = ConllTokenizer.Tag(text, [new SpanValue(0, 14, "ORG"), new SpanValue(15, 21, "LOC")]);
        Assert.Equal(["B-ORG", "I-ORG", "I-ORG", "B-LOC"], tagged.Tags);
        // A span starting on white space begins with its first token; a label with a space keeps one column.
        var spaced = ConllTokenizer.Tag("a  bc d", [new SpanValue(1, 5, "two words")]);
        Assert.Equal(["O", "B-two_words", "O"], spaced.Tags);
        var adjacent = ConllTokenizer.Tag("ab", [new SpanValue(0, 1, "X"), new SpanValue(1, 2, "X")]);
        Assert.Equal(["B-X", "B-X"], adjacent.Tags);
    }

    [Fact]
    public void Overlapping_spans_keep_the_earlier_then_the_longer_and_report_the_rest()
    {
        var text = "New York Times";
        var tagged = ConllTokenizer.Tag(text, [
            new SpanValue(4, 14, "ORG"), new SpanValue(0, 8, "LOC"), new SpanValue(0, 3, "MISC"), new SpanValue(9, 30, "BAD"), new SpanValue(3, 4, "SPACE")]);
        Assert.Equal(["B-LOC", "I-LOC", "O"], tagged.Tags);
        Assert.Equal(
            [("MISC", "overlaps an earlier span"), ("SPACE", "overlaps an earlier span"), ("ORG", "overlaps an earlier span"), ("BAD", "outside the text or empty")],
            tagged.Dropped.Select(d => (d.Span.Label, d.Reason)));
        Assert.Equal("covers only white space", Assert.Single(ConllTokenizer.Tag("a b", [new SpanValue(1, 2, "X")]).Dropped).Reason);
    }

    [Fact]
    public void Random_texts_and_spans_read_back_exactly_when_span_edges_are_not_white_space()
    {
        // Property: tokens tile the text's non-space characters in order, and for non-overlapping spans whose first and
        // last characters are not white space, decoding the IOB2 tags gives back exactly those spans.
        var random = new Random(20261205);
        string[] pieces = ["a", "b", "가", "힣", "1", " ", ",", ".", "-", "👍", "\t", "e\u0301"];
        for (var round = 0; round < 500; round++)
        {
            var chars = new StringBuilder();
            while (chars.Length < random.Next(1, 40))
            {
                chars.Append(pieces[random.Next(pieces.Length)]);
            }
            var text = chars.ToString();
            var spans = new List<SpanValue>();
            var position = 0;
            while (position < text.Length && spans.Count < 4)
            {
                var start = random.Next(position, text.Length);
                var end = random.Next(start + 1, text.Length + 1);
                if (char.IsWhiteSpace(text[start]) || char.IsWhiteSpace(text[end - 1]) || char.IsLowSurrogate(text[start]) || char.IsHighSurrogate(text[end - 1]))
                {
                    position = end;
                    continue;
                }
                spans.Add(new SpanValue(start, end, random.Next(2) == 0 ? "A" : "B"));
                position = end;
            }
            var tagged = ConllTokenizer.Tag(text, spans);
            Assert.Empty(tagged.Dropped);
            Assert.Equal(
                string.Concat(text.Where(c => !char.IsWhiteSpace(c))),
                string.Concat(tagged.Tokens.Select(t => text[t.Start..t.End])));
            var tokens = tagged.Tokens.Select((t, i) => (text[t.Start..t.End], tagged.Tags[i])).ToList();
            Assert.Equal(spans.Select(s => (s.Start, s.End, s.Label)), Decode(text, tokens));
        }
    }

    [Fact]
    public void Without_a_spans_field_CoNLL_cannot_be_written()
    {
        var writer = new ConllReleaseWriter();
        Assert.NotNull(writer.CannotWrite(new LabelSchema { Fields = [new LabelField { Name = "s", Kind = FieldKind.Choice, Labels = ["a"] }] }));
        Assert.Null(writer.CannotWrite(TextFormatFixture.Schema));
    }

    [Fact]
    public async Task Conll_matches_its_golden_files_and_two_writes_are_identical()
    {
        var first = await TextFormatFixture.WriteAsync(new ConllReleaseWriter());
        Assert.Equal(first, await TextFormatFixture.WriteAsync(new ConllReleaseWriter()));
        TextFormatFixture.AssertGolden("conll", first);
    }

    [Fact]
    public async Task Conll_reads_back_to_the_kept_spans_of_each_answered_item()
    {
        var files = TextFormatFixture.Files(await TextFormatFixture.WriteAsync(new ConllReleaseWriter()))
            .ToDictionary(f => f.Path, f => Encoding.UTF8.GetString(f.Bytes), StringComparer.Ordinal);
        Assert.Equal(
            ["conll/entities/train.txt", "conll/entities/validation.txt", "conll/entities/test.txt",
             "conll/entities/train.items.tsv", "conll/entities/validation.items.tsv", "conll/entities/test.items.tsv"],
            files.Keys);
        var field = TextFormatFixture.Schema.Field("entities")!;
        foreach (var split in SplitNames.All)
        {
            var documents = ReadConll(files[$"conll/entities/{split}.txt"]);
            var items = files[$"conll/entities/{split}.items.tsv"].Split('\n');
            Assert.Equal("item_id\ttokens\tdropped_spans", items[0]);
            // Items with a final spans answer and text, in order; the test split's only item tied on the field.
            var expected = TextFormatFixture.Entries.Where(e => e.Split == split && e.Answers.ContainsKey("entities")).ToList();
            Assert.Equal(expected.Count, documents.Count);
            Assert.Equal(expected.Count + 2, items.Length);
            for (var i = 0; i < expected.Count; i++)
            {
                var text = AnswerCodec.SourceText(field, expected[i].Data)!;
                var row = items[i + 1].Split('\t');
                Assert.Equal(expected[i].ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture), row[0]);
                Assert.Equal(documents[i].Count.ToString(System.Globalization.CultureInfo.InvariantCulture), row[1]);
                var spans = ((SpansAnswer)AnswerCodec.Read(field, expected[i].Answers["entities"].Value, emptyListIsAnswer: true).Value!).Spans;
                var kept = spans.Where(s => !row[2].Contains($"\"start\":{s.Start},\"end\":{s.End}", StringComparison.Ordinal))
                    .Select(s => (s.Start, s.End, s.Label)).Order().ToList();
                Assert.Equal(kept, Decode(text, documents[i]).Order().ToList());
            }
        }
        Assert.Contains("\"label\":\"ORG\",\"reason\":\"overlaps an earlier span\"", files["conll/entities/validation.items.tsv"], StringComparison.Ordinal);
    }

    /// <summary>A reader from the CoNLL-2003 layout: -DOCSTART- opens a document, blank lines separate, "token TAB tag" lines.</summary>
    private static List<List<(string Token, string Tag)>> ReadConll(string content)
    {
        var documents = new List<List<(string, string)>>();
        foreach (var line in content.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var columns = line.Split('\t');
            Assert.Equal(2, columns.Length);
            if (columns[0] == "-DOCSTART-")
            {
                documents.Add([]);
                continue;
            }
            Assert.Matches("^(O|[BI]-\\S+)$", columns[1]);
            documents[^1].Add((columns[0], columns[1]));
        }
        return documents;
    }

    /// <summary>Spans from IOB2 tags, with offsets found by locating each token in the text in turn.</summary>
    private static List<(int Start, int End, string Label)> Decode(string text, List<(string Token, string Tag)> tokens)
    {
        var spans = new List<(int, int, string)>();
        var position = 0;
        (int Start, int End, string Label)? open = null;
        foreach (var (token, tag) in tokens)
        {
            var start = text.IndexOf(token, position, StringComparison.Ordinal);
            Assert.True(start >= 0, $"token {token} not found in order");
            Assert.True(text.AsSpan(position, start - position).IsWhiteSpace(), "only white space may lie between tokens");
            position = start + token.Length;
            if (tag.StartsWith("I-", StringComparison.Ordinal))
            {
                Assert.NotNull(open);
                Assert.Equal(open.Value.Label, tag[2..]);
                open = (open.Value.Start, position, open.Value.Label);
                continue;
            }
            if (open is { } done)
            {
                spans.Add(done);
            }
            open = tag.StartsWith("B-", StringComparison.Ordinal) ? (start, position, tag[2..]) : null;
        }
        if (open is { } last)
        {
            spans.Add(last);
        }
        return spans;
    }
}
