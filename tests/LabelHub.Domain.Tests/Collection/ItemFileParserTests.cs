using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;

namespace LabelHub.Domain.Tests.Collection;

public class ItemFileParserTests
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

    // ---------- JSON Lines ----------

    [Fact]
    public void Jsonl_ObjectsAndStringsBecomeItems()
    {
        var jsonl = "{\"text\":\"one\",\"score\":3}\n\"plain text\"\n\n{\"text\":\"three\",\"meta\":{\"tags\":[\"a\",\"b\"]}}\n";

        var result = Parse(jsonl, ItemFileFormat.Jsonl);

        AssertSucceeded(result);
        Assert.Equal([1, 2, 4], result.Items.Select(item => item.Line));
        Assert.Equal(3, result.Items[0].Data["score"].GetInt32());
        Assert.Equal(["text"], result.Items[1].Data.Keys);
        Assert.Equal("plain text", Text(result.Items[1], "text"));
        Assert.Equal("b", result.Items[2].Data["meta"].GetProperty("tags")[1].GetString());
    }

    [Fact]
    public void Jsonl_LabelStudioTaskIsUnwrapped()
    {
        var jsonl = "{\"data\":{\"text\":\"inner\",\"id\":5}}\n{\"data\":{\"text\":\"kept\"},\"id\":1,\"annotations\":[],\"meta\":{}}\n"
            + "{\"data\":\"not an object\"}\n{\"data\":{\"text\":\"a record\"},\"title\":\"own column\"}\n";

        var result = Parse(jsonl, ItemFileFormat.Jsonl);

        AssertSucceeded(result);
        Assert.Equal(["text", "id"], result.Items[0].Data.Keys);
        Assert.Equal("inner", Text(result.Items[0], "text"));
        Assert.Null(result.Items[0].LabelStudio);

        // A task as Label Studio exports it (data beside its own keys) is unwrapped too, and keeps its id.
        Assert.Equal(["text"], result.Items[1].Data.Keys);
        Assert.Equal("kept", Text(result.Items[1], "text"));
        Assert.Equal(1, result.Items[1].LabelStudio?.TaskId);

        // A "data" that is not an object, or beside a key Label Studio never writes, is a column of a record.
        Assert.Equal(["data"], result.Items[2].Data.Keys);
        Assert.Equal("not an object", Text(result.Items[2], "data"));
        Assert.Equal(["data", "title"], result.Items[3].Data.Keys);
        Assert.Null(result.Items[3].LabelStudio);
    }

    [Fact]
    public void Jsonl_CrLfLineEndingsWork()
    {
        var result = Parse("{\"text\":\"a\"}\r\n\r\n{\"text\":\"b\"}\r\n", ItemFileFormat.Jsonl);

        AssertSucceeded(result);
        Assert.Equal([1, 3], result.Items.Select(item => item.Line));
        Assert.Equal("b", Text(result.Items[1], "text"));
    }

    [Fact]
    public void Jsonl_NonObjectLines_AreErrors()
    {
        var result = Parse("42\n[1,2]\nnull\n{\"text\":\"ok\"}\ntrue\n", ItemFileFormat.Jsonl);

        Assert.Equal([1, 2, 3, 5], result.Errors.Select(error => error.Line));
        Assert.All(result.Errors, error => Assert.Equal("line is not a JSON object", error.Message));
        Assert.Equal(4, Assert.Single(result.Items).Line);
    }

    [Fact]
    public void Jsonl_InvalidJson_ReportsReaderMessageWithoutLocationNoise()
    {
        var result = Parse("{\"text\":\"ok\"}\n{\"text\" \"missing colon\"}\n{\"text\":\"x\"} trailing\n", ItemFileFormat.Jsonl);

        Assert.Equal([2, 3], result.Errors.Select(error => error.Line));
        Assert.All(result.Errors, error =>
        {
            Assert.StartsWith("invalid JSON: ", error.Message);
            Assert.DoesNotContain("LineNumber", error.Message);
            Assert.DoesNotContain("BytePositionInLine", error.Message);
            Assert.DoesNotContain("Path:", error.Message);
        });
        Assert.Single(result.Items);
    }

    [Fact]
    public void Jsonl_EmptyObjectsEmptyKeysDuplicateKeysAndEmptyText_AreErrors()
    {
        var jsonl = "{}\n{\"\":\"x\"}\n{\"a\":1,\"a\":2}\n\"  \"\n{\"data\":{}}\n";

        var result = Parse(jsonl, ItemFileFormat.Jsonl);

        Assert.Empty(result.Items);
        Assert.Equal(
            [
                new ImportRowError(1, "empty object"),
                new ImportRowError(2, "empty key"),
                new ImportRowError(3, "duplicate key 'a'"),
                new ImportRowError(4, "empty text"),
                new ImportRowError(5, "empty object"),
            ],
            result.Errors);
    }

    [Fact]
    public void Jsonl_InvalidUtf8_IsReportedOnItsLine()
    {
        var bytes = Concat("{\"text\":\"ok\"}\n{\"text\":\"", [0xE2, 0x28], "\"}\n{\"text\":\"fine\"}\n");

        var result = Parse(bytes, ItemFileFormat.Jsonl);

        Assert.Equal(new ImportRowError(2, "file is not valid UTF-8"), Assert.Single(result.Errors));
        Assert.Equal(2, result.Items.Count);
    }

    [Fact]
    public void Jsonl_OnlyBlankLines_IsEmptyFile()
    {
        var result = Parse("\n  \n\r\n", ItemFileFormat.Jsonl);

        Assert.Equal(new ImportRowError(1, "file is empty"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Jsonl_LineLongerThanAReadChunk_IsParsed()
    {
        var longText = new string('x', 200_000);
        var jsonl = "{\"text\":\"short\"}\n{\"text\":\"" + longText + "\"}\n{\"text\":\"after\"}";

        var result = Parse(jsonl, ItemFileFormat.Jsonl);

        AssertSucceeded(result);
        Assert.Equal(longText, Text(result.Items[1], "text"));
        Assert.Equal([1, 2, 3], result.Items.Select(item => item.Line));
    }

    // ---------- JSON ----------

    [Fact]
    public void Json_ArrayElementsGetTheLineWhereTheyStart()
    {
        var json = """
            [
              {"text": "one"},
              {
                "text": "two",
                "meta": {"n": 2}
              },
              "three",
              {"data": {"text": "four"}}
            ]
            """;

        var result = Parse(json, ItemFileFormat.Json);

        AssertSucceeded(result);
        Assert.Equal([2, 3, 7, 8], result.Items.Select(item => item.Line));
        Assert.Equal(2, result.Items[1].Data["meta"].GetProperty("n").GetInt32());
        Assert.Equal("three", Text(result.Items[2], "text"));
        Assert.Equal("four", Text(result.Items[3], "text"));
    }

    [Theory]
    [InlineData("items")]
    [InlineData("data")]
    public void Json_ObjectWithItemsArray_IsAccepted(string propertyName)
    {
        var json = "{\n\"version\": 2,\n\"" + propertyName + "\": [\n{\"text\":\"a\"},\n{\"text\":\"b\"}\n],\n\"extra\": {\"x\": [1]}\n}";

        var result = Parse(json, ItemFileFormat.Json);

        AssertSucceeded(result);
        Assert.Equal(["a", "b"], result.Items.Select(item => Text(item, "text")));
        Assert.Equal([4, 5], result.Items.Select(item => item.Line));
    }

    [Fact]
    public void Json_ElementErrorsAreCollectedWithTheirLines()
    {
        var json = "[\n{\"text\":\"ok\"},\n42,\n{},\n[\"nested\"],\n{\"text\":\"ok too\"}\n]";

        var result = Parse(json, ItemFileFormat.Json);

        Assert.Equal(
            [
                new ImportRowError(3, "array element is not a JSON object"),
                new ImportRowError(4, "empty object"),
                new ImportRowError(5, "array element is not a JSON object"),
            ],
            result.Errors);
        Assert.Equal([2, 6], result.Items.Select(item => item.Line));
    }

    [Fact]
    public void Json_Malformed_IsOneErrorOnTheBrokenLine()
    {
        var json = "[\n{\"text\":\"ok\"},\n{},\n{\"text\": \"missing comma\" \"id\": 1}\n]";

        var result = Parse(json, ItemFileFormat.Json);

        Assert.Empty(result.Items);
        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.Line);
        Assert.StartsWith("invalid JSON: ", error.Message);
        Assert.DoesNotContain("LineNumber", error.Message);
    }

    [Fact]
    public void Json_TrailingGarbageAfterArray_IsMalformed()
    {
        var result = Parse("[{\"text\":\"a\"}]\n\n]", ItemFileFormat.Json);

        Assert.Empty(result.Items);
        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("invalid JSON: ", error.Message);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"text\": \"a single object\"}")]
    [InlineData("{\"items\": {\"text\": \"not an array\"}}")]
    public void Json_OtherTopLevelValues_AreAnErrorOnLine1(string json)
    {
        var result = Parse(json, ItemFileFormat.Json);

        Assert.Empty(result.Items);
        var error = Assert.Single(result.Errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("expected a JSON array", error.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"items\": []}")]
    public void Json_EmptyArray_IsNoItems(string json)
    {
        var result = Parse(json, ItemFileFormat.Json);

        Assert.Equal(new ImportRowError(1, "no items"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Json_EmptyFile_IsAnError()
    {
        var result = Parse(" \n ", ItemFileFormat.Json);

        Assert.Equal(new ImportRowError(1, "file is empty"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Json_WithBomAndCrLf_Works()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("[\r\n\"a\",\r\n\"b\"\r\n]")).ToArray();

        var result = Parse(bytes, ItemFileFormat.Json);

        AssertSucceeded(result);
        Assert.Equal([2, 3], result.Items.Select(item => item.Line));
    }

    [Fact]
    public void Json_InvalidUtf8_IsOneErrorOnItsLine()
    {
        var bytes = Concat("[\n{\"text\":\"ok\"},\n{\"text\":\"", [0xC0, 0xAF], "\"}\n]");

        var result = Parse(bytes, ItemFileFormat.Json);

        Assert.Empty(result.Items);
        Assert.Equal(new ImportRowError(3, "file is not valid UTF-8"), Assert.Single(result.Errors));
    }

    [Fact]
    public void Json_ValuesRemainUsableAfterParsing()
    {
        var result = Parse("[{\"text\":\"kept\",\"nested\":{\"list\":[1,2,3]}}]", ItemFileFormat.Json);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var data = Assert.Single(result.Items).Data;
        Assert.Equal("kept", data["text"].GetString());
        Assert.Equal(3, data["nested"].GetProperty("list").GetArrayLength());
        Assert.Equal("{\"list\":[1,2,3]}", data["nested"].GetRawText());
    }

    // ---------- progress and cancellation ----------

    [Theory]
    [InlineData(ItemFileFormat.Csv)]
    [InlineData(ItemFileFormat.Jsonl)]
    [InlineData(ItemFileFormat.Json)]
    public void Progress_IsReportedOccasionallyAndEndsAtOne(ItemFileFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(GenerateFile(format, rowCount: 40_000));
        var progress = new RecordingProgress();

        var result = ItemFileParser.Parse(new MemoryStream(bytes), format, progress);

        AssertSucceeded(result);
        Assert.Equal(40_000, result.Items.Count);
        Assert.InRange(progress.Values.Count, 5, 101);
        Assert.Equal(1.0, progress.Values[^1]);
        Assert.All(progress.Values, value => Assert.InRange(value, 0.0, 1.0));
        Assert.Equal(progress.Values.Order(), progress.Values);
    }

    [Fact]
    public void Progress_OnStreamOfUnknownLength_StillEndsAtOne()
    {
        var progress = new RecordingProgress();
        var stream = new TrickleStream(Encoding.UTF8.GetBytes("text\na\nb\n"), maxReadSize: 2, lengthKnown: false);

        var result = ItemFileParser.Parse(stream, ItemFileFormat.Csv, progress);

        Assert.Equal(2, result.Items.Count);
        Assert.Equal([1.0], progress.Values);
    }

    [Theory]
    [InlineData(ItemFileFormat.Csv)]
    [InlineData(ItemFileFormat.Tsv)]
    [InlineData(ItemFileFormat.Jsonl)]
    [InlineData(ItemFileFormat.Json)]
    public void Cancellation_BeforeStart_Throws(ItemFileFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(GenerateFile(format, rowCount: 10));
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(
            () => ItemFileParser.Parse(new MemoryStream(bytes), format, cancellationToken: cancellation.Token));
    }

    [Theory]
    [InlineData(ItemFileFormat.Csv)]
    [InlineData(ItemFileFormat.Json)]
    public void Cancellation_WhileParsing_Throws(ItemFileFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(GenerateFile(format, rowCount: 40_000));
        using var cancellation = new CancellationTokenSource();
        var cancelOnFirstReport = new RecordingProgress(onReport: cancellation.Cancel);

        Assert.ThrowsAny<OperationCanceledException>(
            () => ItemFileParser.Parse(new MemoryStream(bytes), format, cancelOnFirstReport, cancellation.Token));
        Assert.Single(cancelOnFirstReport.Values);
    }

    // ---------- helpers ----------

    private static ItemParseResult Parse(string text, ItemFileFormat format) => Parse(Encoding.UTF8.GetBytes(text), format);

    private static ItemParseResult Parse(byte[] bytes, ItemFileFormat format) => ItemFileParser.Parse(new MemoryStream(bytes), format);

    private static string? Text(ParsedItem item, string key) => item.Data[key].GetString();

    private static byte[] Concat(string before, byte[] raw, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];

    private static void AssertSucceeded(ItemParseResult result)
    {
        // Shows the actual errors on failure instead of just "expected True".
        Assert.Empty(result.Errors.Select(error => $"{error.Line}: {error.Message}"));
        Assert.True(result.Succeeded);
    }

    private static string GenerateFile(ItemFileFormat format, int rowCount)
    {
        var builder = new StringBuilder();
        if (format is ItemFileFormat.Csv or ItemFileFormat.Tsv)
        {
            var delimiter = format == ItemFileFormat.Csv ? ',' : '\t';
            builder.Append("id").Append(delimiter).Append("text\n");
            for (var i = 0; i < rowCount; i++)
            {
                builder.Append(i).Append(delimiter).Append("some text for row ").Append(i).Append('\n');
            }
        }
        else
        {
            var isArray = format == ItemFileFormat.Json;
            builder.Append(isArray ? "[\n" : "");
            for (var i = 0; i < rowCount; i++)
            {
                var separator = isArray && i < rowCount - 1 ? "," : "";
                builder.Append("{\"id\":").Append(i).Append(",\"text\":\"some text for row ").Append(i).Append("\"}").Append(separator).Append('\n');
            }

            builder.Append(isArray ? "]\n" : "");
        }

        return builder.ToString();
    }

    private sealed class RecordingProgress(Action? onReport = null) : IProgress<double>
    {
        public List<double> Values { get; } = [];

        public void Report(double value)
        {
            Values.Add(value);
            onReport?.Invoke();
        }
    }

    /// <summary>A forward-only stream that hands out data in small pieces, like a network upload.</summary>
    private sealed class TrickleStream(byte[] data, int maxReadSize, bool lengthKnown = true) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => lengthKnown ? data.Length : throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = Math.Min(Math.Min(count, maxReadSize), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, read);
            _position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
