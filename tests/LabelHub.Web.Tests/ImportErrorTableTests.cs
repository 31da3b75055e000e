using Bunit;
using LabelHub.Domain.Collection;
using LabelHub.Web.Components.Pages.Collection;

namespace LabelHub.Web.Tests;

public sealed class ImportErrorTableTests : ComponentTest
{
    [Fact]
    public void Lists_each_bad_row_with_its_line()
    {
        var result = ImportResult.Failure([new(3, "expected 2 fields (text, lang) but found 1"), new(7, "empty row")]);
        var table = Render<ImportErrorTable>(p => p.Add(c => c.Result, result));

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
        var table = Render<ImportErrorTable>(p => p.Add(c => c.Result, ImportResult.Failure([new(2, "empty row")], totalErrors: 1500)));
        Assert.Contains("1,500", table.Find("[data-testid=import-errors-truncated]").TextContent);
    }

    [Fact]
    public void Shows_nothing_for_a_result_without_rows()
    {
        Assert.Empty(Render<ImportErrorTable>(p => p.Add(c => c.Result, ImportResult.Success(3, [ImportDuplicate.OfLine(4, 2, "line")]))).FindAll("[data-testid=import-errors]"));
        Assert.Empty(Render<ImportErrorTable>(p => p.Add(c => c.Result, null)).FindAll("[data-testid=import-errors]"));
        Assert.Empty(Render<ImportErrorTable>(p => p.Add(c => c.Result, ImportResult.Success(3, []))).FindAll("[data-testid=import-duplicate-rows]"));
    }

    [Fact]
    public void Lists_each_skipped_duplicate_with_its_line_and_what_it_repeats()
    {
        var result = ImportResult.Success(3, [ImportDuplicate.OfLine(4, 2, "line"), ImportDuplicate.OfItem(6, 17)]);
        var table = Render<ImportErrorTable>(p => p.Add(c => c.Result, result));

        var rows = table.FindAll("[data-testid=import-duplicate-row]");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["4", "identical to line 2"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Equal(["6", "already in the project as item 17"], rows[1].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Empty(table.FindAll("[data-testid=import-duplicates-truncated]"));
    }

    [Fact]
    public void Says_when_only_the_first_duplicates_are_shown()
    {
        var result = ImportResult.Success(3, [ImportDuplicate.OfLine(4, 2, "line")], duplicatesSkipped: 1_500_000);
        var table = Render<ImportErrorTable>(p => p.Add(c => c.Result, result));
        Assert.Contains("1,500,000", table.Find("[data-testid=import-duplicates-truncated]").TextContent);
    }
}

public sealed class ImportErrorTableKoreanTests() : ComponentTest("ko")
{
    [Fact]
    public void Headers_are_korean()
    {
        var table = Render<ImportErrorTable>(p => p.Add(c => c.Result, ImportResult.Failure([new(2, "empty row")])));
        Assert.Equal("줄", table.Find("th").TextContent);
    }

    [Fact]
    public void Duplicate_reasons_are_korean()
    {
        var table = Render<ImportErrorTable>(p => p.Add(c => c.Result, ImportResult.Success(1, [ImportDuplicate.OfItem(6, 17)])));
        Assert.Equal("이미 프로젝트에 항목 17(으)로 있음", table.Find("[data-testid=import-duplicate-row] td:last-child").TextContent.Trim());
    }
}
