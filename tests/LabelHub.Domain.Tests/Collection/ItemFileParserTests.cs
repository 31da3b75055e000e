using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;

namespace LabelHub.Domain.Tests.Collection;

/// <summary>The item file parser: format detection and CSV/TSV (JSON in .Json.cs, progress, cancellation and helpers in .Progress.cs).</summary>
public partial class ItemFileParserTests
{
    // ---------- format detection ----------

    [Theory]
    [InlineData("items.csv", ItemFileFormat.Csv)]
    [InlineData("ITEMS.CSV", ItemFileFormat.Csv)]
    [InlineData("items.tsv", ItemFileFormat.Tsv)]
    [InlineData("items.Tab", ItemFileFormat.Tsv)]
    [InlineData("export.json", ItemFileFormat.Json)]
    [InlineData("export.JSONL", ItemFileFormat.Jsonl)]
    [InlineData("dir/export.ndjson", ItemFileFormat.Jsonl)]
    [InlineData("notes.TXT", ItemFileFormat.Text)]
    public void TryDetectFormat_KnownExtension_ReturnsFormat(string fileName, ItemFileFormat expected)
    {
        Assert.True(ItemFileParser.TryDetectFormat(fileName, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData("items.text")]
    [InlineData("items")]
    [InlineData("items.csv.gz")]
    [InlineData("")]
    public void TryDetectFormat_UnknownExtension_ReturnsFalse(string fileName)
    {
        Assert.False(ItemFileParser.TryDetectFormat(fileName, out _));
    }

    // ---------- CSV / TSV: happy paths ----------

    [Fact]
    public void Csv_RecordsBecomeStringValuedObjects()
    {
        var result = Parse("text,id,lang\nhello,42,en\nworld,7,ko\n", ItemFileFormat.Csv);

        AssertSucceeded(result);
        Assert.Equal(2, result.Items.Count);
        Assert.Equal(2, result.Items[0].Line);
        Assert.Equal(3, result.Items[1].Line);
        Assert.Equal(["text", "id", "lang"], result.Items[0].Data.Keys);
        Assert.Equal("hello", Text(result.Items[0], "text"));
        Assert.Equal("ko", Text(result.Items[1], "lang"));

        // Numbers are not guessed: "42" stays a JSON string.
        Assert.Equal(JsonValueKind.String, result.Items[0].Data["id"].ValueKind);
        Assert.Equal("42", Text(result.Items[0], "id"));
    }

    [Fact]
    public void Csv_HeaderNamesAreTrimmedButValuesAreNot()
    {
        var result = Parse(" text , id \n  padded  ,1\n", ItemFileFormat.Csv);

        AssertSucceeded(result);
        var item = Assert.Single(result.Items);
        Assert.Equal("  padded  ", Text(item, "text"));
        Assert.Equal("1", Text(item, "id"));
    }

    [Fact]
    public void Csv_QuotedFieldsKeepDelimitersQuotesAndNewlines()
    {
        var csv = "text,id\n\"a, b\",1\n\"she said \"\"hi\"\"\",2\n\"two\nlines\",3\n\"\",4\n";

        var result = Parse(csv, ItemFileFormat.Csv);

        AssertSucceeded(result);
        Assert.Equal(4, result.Items.Count);
        Assert.Equal("a, b", Text(result.Items[0], "text"));
        Assert.Equal("she said \"hi\"", Text(result.Items[1], "text"));
        Assert.Equal("two\nlines", Text(result.Items[2], "text"));
        Assert.Equal("", Text(result.Items[3], "text"));
        Assert.Equal([2, 3, 4, 6], result.Items.Select(item => item.Line));
    }

    [Fact]
    public void Csv_LineNumbersCountPhysicalLinesOfMultiLineRecords()
    {
        var csv = "text,id\n\"line one\nline two\",1\n\"a\nb\nc\",2\nbad row\nok,3\n";

        var result = Parse(csv, ItemFileFormat.Csv);

        Assert.Equal([2, 4, 8], result.Items.Select(item => item.Line));
        var error = Assert.Single(result.Errors);
        Assert.Equal(new ImportRowError(7, "expected 2 fields (text, id) but found 1"), error);
    }

    [Fact]
    public void Csv_CrLfLineEndingsAndCrLfInsideQuotes()
    {
        var csv = "text,id\r\nfirst,1\r\n\"multi\r\nline\",2\r\nlast,3";

        var result = Parse(csv, ItemFileFormat.Csv);

        AssertSucceeded(result);
        Assert.Equal(["first", "multi\r\nline", "last"], result.Items.Select(item => Text(item, "text")));
        Assert.Equal([2, 3, 5], result.Items.Select(item => item.Line));
        Assert.Equal("3", Text(result.Items[2], "id"));
    }

    [Fact]
    public void Csv_LoneCrLineEndingsAreLineBreaks()
    {
        var result = Parse("text,id\rfirst,1\rsecond,2\r", ItemFileFormat.Csv);

        AssertSucceeded(result);
        Assert.Equal([2, 3], result.Items.Select(item => item.Line));
        Assert.Equal("2", Text(result.Items[1], "id"));
    }

    [Fact]
    public void Csv_Utf8BomIsIgnored()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("text,id\n안녕하세요,1\n")).ToArray();

        var result = Parse(bytes, ItemFileFormat.Csv);

        AssertSucceeded(result);
        var item = Assert.Single(result.Items);
        Assert.Equal(["text", "id"], item.Data.Keys);
        Assert.Equal("안녕하세요", Text(item, "text"));
    }

    [Fact]
    public void Csv_LastRecordWithoutNewlineAndTrailingEmptyField()
    {
        var result = Parse("a,b,c\n1,2,", ItemFileFormat.Csv);

        AssertSucceeded(result);
        var item = Assert.Single(result.Items);
        Assert.Equal("2", Text(item, "b"));
        Assert.Equal("", Text(item, "c"));
    }

    [Fact]
    public void Tsv_SplitsOnTabsAndKeepsCommas()
    {
        var result = Parse("text\tlabel\nhello, world\tgreeting\n\"tab\tinside\"\tquoted\n", ItemFileFormat.Tsv);

        AssertSucceeded(result);
        Assert.Equal(2, result.Items.Count);
        Assert.Equal("hello, world", Text(result.Items[0], "text"));
        Assert.Equal("greeting", Text(result.Items[0], "label"));
        Assert.Equal("tab\tinside", Text(result.Items[1], "text"));
    }

    [Fact]
    public void Csv_BlankLinesAreSkippedButStillCounted()
    {
        var result = Parse("text,id\n\na,1\n   \r\n\nb,2\n\n\n", ItemFileFormat.Csv);

        AssertSucceeded(result);
        Assert.Equal([3, 6], result.Items.Select(item => item.Line));
    }

    // ---------- CSV / TSV: errors ----------

    [Fact]
    public void Csv_EmptyFile_IsAnErrorOnLine1()
    {
        var result = Parse("", ItemFileFormat.Csv);

        Assert.Empty(result.Items);
        Assert.Equal(new ImportRowError(1, "file is empty"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Csv_HeaderWithoutRows_IsNoItemsOnLine1()
    {
        var result = Parse("text,id\n", ItemFileFormat.Csv);

        Assert.False(result.Succeeded);
        Assert.Equal(new ImportRowError(1, "no items"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Csv_HeaderWithEmptyColumnName_IsRejected()
    {
        var result = Parse("text,  ,id\na,b,c\n", ItemFileFormat.Csv);

        Assert.Empty(result.Items);
        Assert.Equal(new ImportRowError(1, "header: column 2 has no name"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Csv_HeaderWithDuplicateColumnNames_IsRejectedAfterTrimming()
    {
        var result = Parse("text,id, text\na,1,b\n", ItemFileFormat.Csv);

        Assert.Empty(result.Items);
        Assert.Equal(new ImportRowError(1, "header: duplicate column name 'text'"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Csv_WrongFieldCount_NamesTheColumns()
    {
        var result = Parse("text,id,lang\nhello,1\nok,2,en\ntoo,many,fields,here\n", ItemFileFormat.Csv);

        Assert.Equal(
            [
                new ImportRowError(2, "expected 3 fields (text, id, lang) but found 2"),
                new ImportRowError(4, "expected 3 fields (text, id, lang) but found 4"),
            ],
            result.Errors);
        Assert.Equal(3, Assert.Single(result.Items).Line);
    }

    [Fact]
    public void Csv_UnterminatedQuote_IsReportedWhereTheQuoteOpened()
    {
        var result = Parse("text,id\na,1\n\"never closed,2\nb,3\nc,4\n", ItemFileFormat.Csv);

        Assert.Equal(new ImportRowError(3, "unterminated quoted field"), Assert.Single(result.Errors));
        Assert.Equal("a", Text(Assert.Single(result.Items), "text"));
    }

    [Fact]
    public void Csv_StrayQuoteInUnquotedField_IsReportedOnItsLine()
    {
        var result = Parse("text,id\n\"multi\nline\",1\nsay \"hi\",2\nok,3\n", ItemFileFormat.Csv);

        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.Line);
        Assert.StartsWith("stray quote", error.Message);
        Assert.Equal([2, 5], result.Items.Select(item => item.Line));
    }

    [Fact]
    public void Csv_TextAfterClosingQuote_IsAnError()
    {
        var result = Parse("text,id\n\"quoted\"tail,1\nok,2\n", ItemFileFormat.Csv);

        Assert.Equal(new ImportRowError(2, "unexpected character after closing quote"), Assert.Single(result.Errors));
        Assert.Equal("ok", Text(Assert.Single(result.Items), "text"));
    }

    [Fact]
    public void Csv_RowOfEmptyFields_IsAnEmptyRowError()
    {
        var result = Parse("text,id\n,\n\"\",\"\"\n , \nok,1\n", ItemFileFormat.Csv);

        Assert.Equal(
            [new ImportRowError(2, "empty row"), new ImportRowError(3, "empty row"), new ImportRowError(4, "empty row")],
            result.Errors);
        Assert.Equal(5, Assert.Single(result.Items).Line);
    }

    [Fact]
    public void Csv_CollectsEveryRowErrorAndKeepsGoodRows()
    {
        var csv = "text,id\nok,1\nbad\n\"open\"x,2\nok,3\n,\nalso bad,1,2\nok,4\n";

        var result = Parse(csv, ItemFileFormat.Csv);

        Assert.False(result.Succeeded);
        Assert.Equal([3, 4, 6, 7], result.Errors.Select(error => error.Line));
        Assert.Equal([2, 5, 8], result.Items.Select(item => item.Line));
    }

    [Fact]
    public void Csv_InvalidUtf8_IsReportedOnItsLine()
    {
        var bytes = Concat("text,id\na,1\n", [0xFF, 0xFE], ",2\nc,3\n");

        var result = Parse(bytes, ItemFileFormat.Csv);

        Assert.Equal(new ImportRowError(3, "file is not valid UTF-8"), Assert.Single(result.Errors));
        Assert.Equal(["a", "c"], result.Items.Select(item => Text(item, "text")));
    }

    [Fact]
    public void Csv_InvalidUtf8InsideMultiLineField_IsReportedOnThePhysicalLine()
    {
        var bytes = Concat("text,id\n\"first\nsecond ", [0xC3], "\",1\n");

        var result = Parse(bytes, ItemFileFormat.Csv);

        Assert.Equal(new ImportRowError(3, "file is not valid UTF-8"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Csv_TooManyErrors_StopsAndSaysSo()
    {
        var csv = new StringBuilder("text,id\n");
        for (var i = 0; i < ItemFileParser.MaxErrorsReported + 500; i++)
        {
            csv.Append("missing field\n");
        }

        var result = Parse(csv.ToString(), ItemFileFormat.Csv);

        Assert.Equal(ItemFileParser.MaxErrorsReported + 1, result.Errors.Count);
        Assert.Equal(ItemFileParser.MaxErrorsReported + 1, result.Errors[^2].Line);
        var last = result.Errors[^1];
        Assert.Equal(ItemFileParser.MaxErrorsReported + 2, last.Line);
        Assert.Contains("too many errors", last.Message);
        Assert.Contains(ItemFileParser.MaxErrorsReported.ToString(CultureInfo.InvariantCulture), last.Message);
    }

    [Fact]
    public void Csv_LargeGeneratedFile_ParsesEveryRow()
    {
        const int rowCount = 50_000;
        var csv = new StringBuilder("id,text,lang\n");
        for (var i = 1; i <= rowCount; i++)
        {
            csv.Append(i).Append(",\"item ").Append(i).Append(", with \"\"quotes\"\"\",").Append(i % 2 == 0 ? "en" : "ko").Append('\n');
        }

        var result = Parse(csv.ToString(), ItemFileFormat.Csv);

        AssertSucceeded(result);
        Assert.Equal(rowCount, result.Items.Count);
        var item = result.Items[12_344];
        Assert.Equal(12_346, item.Line);
        Assert.Equal("12345", Text(item, "id"));
        Assert.Equal("item 12345, with \"quotes\"", Text(item, "text"));
        Assert.Equal("ko", Text(item, "lang"));
        Assert.Equal("50000", Text(result.Items[^1], "id"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Csv_TrickyRecordSurvivesEveryReadBoundary(int shift)
    {
        // The parser reads 64 KiB chunks; sliding a tricky record across that boundary puts the
        // boundary inside a CRLF, a doubled quote, a closing quote, and so on.
        const string tricky = "\"a\"\"b\r\nc\",\"x\"\r\n";
        var padding = new string('p', 64 * 1024 - 13 - shift);
        var csv = "text,id\r\n" + padding + ",1\r\n" + tricky + "last,3\r\n";
        var bytes = Encoding.UTF8.GetBytes(csv);
        var stream = new TrickleStream(bytes, maxReadSize: 4096);

        var result = ItemFileParser.Parse(stream, ItemFileFormat.Csv);

        AssertSucceeded(result);
        Assert.Equal(3, result.Items.Count);
        Assert.Equal("a\"b\r\nc", Text(result.Items[1], "text"));
        Assert.Equal("x", Text(result.Items[1], "id"));
        Assert.Equal([2, 3, 5], result.Items.Select(item => item.Line));
    }
}
