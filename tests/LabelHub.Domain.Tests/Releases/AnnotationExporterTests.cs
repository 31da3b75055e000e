using System.Text.Json;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

public sealed class AnnotationExporterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=SUM(A1)", "'=SUM(A1)")]
    [InlineData("-5", "-5")]
    [InlineData("+1 555 0100", "'+1 555 0100")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    public void Csv_cells_are_quoted_and_formula_safe(string cell, string expected)
    {
        Assert.Equal(expected, AnnotationExporter.CsvLine([cell]));
    }

    [Fact]
    public void Values_become_readable_cells()
    {
        Assert.Equal("a|b", AnnotationExporter.Cell(JsonSerializer.SerializeToElement(new[] { "a", "b" })));
        Assert.Equal("3.5", AnnotationExporter.Cell(JsonSerializer.SerializeToElement(3.5)));
        Assert.Equal("{\"start\":1}", AnnotationExporter.Cell(JsonSerializer.SerializeToElement(new { start = 1 })));
        Assert.Equal("", AnnotationExporter.Cell(JsonSerializer.SerializeToElement<string?>(null)));
    }
}
