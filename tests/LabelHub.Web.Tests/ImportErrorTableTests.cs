using System.Text.Json;
using Bunit;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Web.Components.Pages.Collection;

namespace LabelHub.Web.Tests;

public sealed class ImportErrorTableTests : ComponentTest
{
    private static string Result(int total, params ImportRowError[] errors) =>
        JsonSerializer.Serialize(new ImportRowErrors(errors, total), JsonColumn.Options);

    [Fact]
    public void Lists_each_bad_row_with_its_line()
    {
        var table = Render<ImportErrorTable>(p => p.Add(c => c.ResultJson, Result(2, new(3, "expected 2 fields (text, lang) but found 1"), new(7, "empty row"))));

        var rows = table.FindAll("[data-testid=import-error-row]");
        Assert.Equal(2, rows.Count);
        Assert.Equal("3", rows[0].QuerySelector("td")!.TextContent);
        Assert.Contains("expected 2 fields", rows[0].TextContent);
        Assert.Equal("7", rows[1].QuerySelector("td")!.TextContent);
        Assert.Empty(table.FindAll("[data-testid=import-errors-truncated]"));
    }

    [Fact]
    public void Says_when_only_the_first_rows_are_shown()
    {
        var table = Render<ImportErrorTable>(p => p.Add(c => c.ResultJson, Result(1500, new ImportRowError(2, "empty row"))));
        Assert.Contains("1,500", table.Find("[data-testid=import-errors-truncated]").TextContent);
    }

    [Fact]
    public void Shows_nothing_for_a_result_without_rows()
    {
        var table = Render<ImportErrorTable>(p => p.Add(c => c.ResultJson, "{\"fileId\": \"x\"}"));
        Assert.Empty(table.FindAll("[data-testid=import-errors]"));
    }
}

public sealed class ImportErrorTableKoreanTests() : ComponentTest("ko")
{
    [Fact]
    public void Headers_are_korean()
    {
        var json = JsonSerializer.Serialize(new ImportRowErrors([new(2, "empty row")], 1), JsonColumn.Options);
        var table = Render<ImportErrorTable>(p => p.Add(c => c.ResultJson, json));
        Assert.Equal("줄", table.Find("th").TextContent);
    }
}
