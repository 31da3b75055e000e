using Bunit;
using LabelHub.Domain.Releases;
using LabelHub.Web.Components.Pages.Releases;

namespace LabelHub.Web.Tests;

/// <summary>The release page's reproducibility panel: not checked, matching, or the problem in the reader's language; "Verify again".</summary>
public sealed class ReleaseCheckPanelTests : ComponentTest
{
    internal static ReleaseInfo Release(ReleaseCheckInfo? check) =>
        new(7, 1, ReleaseState.Ready, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 30, null, "ab12", null, null) { Check = check };

    [Fact]
    public void An_unchecked_release_says_so_and_a_matching_one_shows_when_and_the_rebuilt_hash()
    {
        var none = Render<ReleaseCheckPanel>(p => p.Add(c => c.Release, Release(null)));
        Assert.Equal("unchecked", none.Find("[data-testid=release-check]").GetAttribute("data-state"));
        Assert.Equal("Not checked yet.", none.Find("[data-testid=release-check-none]").TextContent.Trim());

        var matches = Render<ReleaseCheckPanel>(p => p.Add(c => c.Release, Release(new ReleaseCheckInfo(DateTimeOffset.UtcNow, "ab12", true, null, null))));
        Assert.Equal("matches", matches.Find("[data-testid=release-check]").GetAttribute("data-state"));
        Assert.Contains("Reproduces", matches.Find("[data-testid=release-check-matches]").TextContent, StringComparison.Ordinal);
        Assert.Equal("ab12", matches.Find("[data-testid=release-check-sha]").TextContent);
        Assert.Equal("cut", matches.Find("[data-testid=release-check]").GetAttribute("data-made-by"));
        Assert.Contains("when the release was cut", matches.Find("[data-testid=release-check-at]").TextContent, StringComparison.Ordinal);
        Assert.Empty(matches.FindAll("[data-testid=release-check-problem]"));
    }

    [Fact]
    public void A_release_that_does_not_reproduce_shows_the_problem_and_Verify_again_asks_for_a_check_until_one_runs()
    {
        var verified = 0;
        var problem = "Item 42 changed since release 1 was cut: the release holds content hash 0123456789ab, the item now has aaaaaaaaaaaa.";
        var panel = Render<ReleaseCheckPanel>(p => p
            .Add(c => c.Release, Release(new ReleaseCheckInfo(DateTimeOffset.UtcNow, "ab12", false, problem, Guid.NewGuid())))
            .Add(c => c.OnVerify, () => verified++));

        Assert.Equal(("differs", "verify"), (panel.Find("[data-testid=release-check]").GetAttribute("data-state"), panel.Find("[data-testid=release-check]").GetAttribute("data-made-by")));
        Assert.Contains("Verified again", panel.Find("[data-testid=release-check-at]").TextContent, StringComparison.Ordinal);
        Assert.Equal(problem, panel.Find("[data-testid=release-check-problem]").TextContent.Trim());
        panel.Find("[data-testid=release-verify]").Click();
        Assert.Equal(1, verified);

        panel.Render(p => p.Add(c => c.Checking, true));
        Assert.True(panel.Find("[data-testid=release-verify]").HasAttribute("disabled"));
    }
}

/// <summary>The same panel for a Korean reader: its text and the server's problem sentence in Korean.</summary>
public sealed class ReleaseCheckPanelKoreanTests() : ComponentTest("ko")
{
    [Fact]
    public void The_problem_and_the_panel_read_in_Korean()
    {
        var panel = Render<ReleaseCheckPanel>(p => p.Add(c => c.Release, ReleaseCheckPanelTests.Release(new ReleaseCheckInfo(DateTimeOffset.UtcNow, "ab12", false,
            "Release 1 holds 29 rows; it was cut with 30.", null))));

        Assert.Equal("릴리스 1에 행이 29개 있습니다. 만들 때는 30개였습니다.", panel.Find("[data-testid=release-check-problem]").TextContent.Trim());
        Assert.Contains("다시 검증", panel.Find("[data-testid=release-verify]").TextContent, StringComparison.Ordinal);
    }
}
