using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;

namespace LabelHub.Domain.Tests.Collection;

public partial class ItemFileParserTests
{
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
}
