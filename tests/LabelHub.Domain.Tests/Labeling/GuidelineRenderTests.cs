using LabelHub.Domain.Labeling;

namespace LabelHub.Domain.Tests.Labeling;

public sealed class GuidelineRenderTests
{
    [Fact]
    public void Markdown_renders_with_tables_and_emphasis()
    {
        var html = GuidelineService.Render("# 감정 분류\n\n| label | when |\n|---|---|\n| positive | **praise** |\n");
        Assert.Contains("<h1", html);
        Assert.Contains("감정 분류", html);
        Assert.Contains("<table>", html);
        Assert.Contains("<strong>praise</strong>", html);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("[click](javascript:alert(1))")]
    public void Scripts_never_survive(string markdown)
    {
        var html = GuidelineService.Render(markdown);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        // Raw HTML is shown as text, never as an element.
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
    }
}
