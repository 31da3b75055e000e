using Bunit;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.Web.Components.Pages.Releases;

namespace LabelHub.Web.Tests;

/// <summary>The release page's body: datasheet rendered safely, the diff against the previous release, the downloads.</summary>
public sealed class ReleaseDetailsTests : ComponentTest
{
    private static readonly LabelSchema TextSchema = new()
    {
        Fields = [new LabelField { Name = "text", Kind = FieldKind.Text }, new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] }],
    };

    private static readonly Guid ProjectId = Guid.NewGuid();

    [Fact]
    public void The_datasheet_is_rendered_from_Markdown_without_letting_HTML_through()
    {
        var details = RenderDetails(Release(2) with { Datasheet = "# Datasheet\n\nPurpose: **reviews**.\n\n<script>alert(1)</script>\n\n| label | items |\n|---|---|\n| positive | 6 |\n" });

        var datasheet = details.Find("[data-testid=release-datasheet]");
        Assert.Equal("Datasheet", datasheet.QuerySelector("h1")!.TextContent);
        Assert.Equal("reviews", datasheet.QuerySelector("strong")!.TextContent);
        Assert.NotNull(datasheet.QuerySelector("table"));
        Assert.Null(datasheet.QuerySelector("script"));
    }

    [Fact]
    public void The_diff_shows_counts_reasons_and_label_counts_before_and_after()
    {
        var diff = new ReleaseDiffSummary(3, 1, 2, 7,
            [new RelabelCount("sentiment", RelabelReason.Review, 1), new RelabelCount("sentiment", RelabelReason.Cleansing, 1)],
            [new LabelCountChange("sentiment", "positive", 6, 4), new LabelCountChange("sentiment", "negative", 3, 7)]);
        var details = RenderDetails(Release(2) with { Diff = diff });

        Assert.Equal("3", details.Find("[data-testid=release-diff-added]").TextContent.Trim());
        Assert.Equal("1", details.Find("[data-testid=release-diff-removed]").TextContent.Trim());
        Assert.Equal("2", details.Find("[data-testid=release-diff-relabeled]").TextContent.Trim());
        Assert.Equal("7", details.Find("[data-testid=release-diff-unchanged]").TextContent.Trim());
        Assert.Equal(["Review", "Cleansing"], details.FindAll("[data-testid=release-diff-reason-row]").Select(r => r.GetAttribute("data-reason")));
        Assert.Equal("-2", details.Find("[data-testid=release-diff-label-row][data-label=positive] [data-testid=release-diff-delta]").TextContent.Trim());
        Assert.Equal("+4", details.Find("[data-testid=release-diff-label-row][data-label=negative] [data-testid=release-diff-delta]").TextContent.Trim());
    }

    [Fact]
    public void An_English_reader_gets_the_English_datasheet_even_when_the_Korean_one_exists()
    {
        var details = RenderDetails(Release(2) with { Datasheet = "# Datasheet: reviews, release 2", DatasheetKorean = "# 데이터시트: reviews, 릴리스 2" });

        Assert.Equal("Datasheet: reviews, release 2", details.Find("[data-testid=release-datasheet] h1").TextContent);
    }

    [Fact]
    public void A_first_release_says_there_is_nothing_to_compare_and_a_later_one_without_a_diff_says_it_is_being_written()
    {
        var first = RenderDetails(Release(1) with { PreviousReleaseId = null });
        Assert.Single(first.FindAll("[data-testid=release-diff-none]"));
        Assert.Empty(first.FindAll("[data-testid=release-diff]"));

        var second = RenderDetails(Release(2) with { Datasheet = null });
        Assert.Single(second.FindAll("[data-testid=release-diff-pending]"));
        Assert.Single(second.FindAll("[data-testid=release-datasheet-pending]"));
    }

    [Fact]
    public void Formats_the_schema_cannot_hold_are_disabled_with_the_reason_and_the_others_link_to_the_download()
    {
        var details = RenderDetails(Release(2));

        var links = details.FindAll("[data-testid=release-download]").ToDictionary(b => b.GetAttribute("data-format")!);
        Assert.Equal(Enum.GetValues<ReleaseFormat>().Length, links.Count);
        foreach (var format in new[] { "jsonl", "csv", "labelstudio", "huggingface" })
        {
            Assert.Equal($"/api/v1/projects/{ProjectId}/releases/2/download?format={format}", links[format].GetAttribute("href"));
        }
        foreach (var format in new[] { "coco", "yolo", "pascalvoc", "conll" })
        {
            Assert.True(links[format].HasAttribute("disabled"), format);
            Assert.Null(links[format].GetAttribute("href"));
        }
        Assert.Equal("The COCO format needs a boxes field in the schema.", details.Find("[data-testid=release-download-reason][data-format=coco]").TextContent.Trim());
        Assert.Equal("CoNLL files need a spans field in the schema.", details.Find("[data-testid=release-download-reason][data-format=conll]").TextContent.Trim());
    }

    [Fact]
    public void A_release_still_being_cut_offers_no_download()
    {
        var details = RenderDetails(Release(2) with { State = ReleaseState.Cutting });

        Assert.All(details.FindAll("[data-testid=release-download]"), b => Assert.Null(b.GetAttribute("href")));
    }

    [Fact]
    public void The_settings_say_whether_synthetic_items_people_confirmed_were_let_in()
    {
        Assert.Equal("· synthetic items left out", RenderDetails(Release(1)).Find("[data-testid=release-settings-synthetic]").TextContent.Trim());
        var asked = Release(2) with { Settings = Release(2).Settings! with { Filter = new ReleaseFilter(IncludeSynthetic: true) } };
        Assert.Equal("· synthetic items people confirmed included", RenderDetails(asked).Find("[data-testid=release-settings-synthetic]").TextContent.Trim());
    }

    private IRenderedComponent<ReleaseDetails> RenderDetails(ReleaseInfo release) =>
        Render<ReleaseDetails>(p => p.Add(c => c.ProjectId, ProjectId).Add(c => c.Release, release).Add(c => c.Schema, TextSchema));

    internal static ReleaseInfo Release(int number) =>
        new(number, number, ReleaseState.Ready, Guid.NewGuid(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 10, number - 1, new string('a', 64), null,
            new ReleaseSettings(new ReleaseFilter(), AggregationMethod.MajorityVote, new SplitSettings { Seed = "labelhub", LabelField = "sentiment" }))
        {
            Split = new SplitSummary(
                [new SplitSize(SplitNames.Train, 0.8, 8, 0.8, 6, 2), new SplitSize(SplitNames.Validation, 0.1, 1, 0.1, 1, 0), new SplitSize(SplitNames.Test, 0.1, 1, 0.1, 1, 0)],
                [new SplitLabelBalance("positive", 6, [new SplitLabelCount(SplitNames.Train, 5, 5 / 6.0, 5 / 8.0), new SplitLabelCount(SplitNames.Validation, 1, 1 / 6.0, 1), new SplitLabelCount(SplitNames.Test, 0, 0, 0)])],
                10, 8, 2, 10, 0),
            Datasheet = "# Datasheet",
        };
}

/// <summary>The same body for a Korean reader.</summary>
public sealed class ReleaseDetailsKoreanTests() : ComponentTest("ko")
{
    [Fact]
    public void Split_names_and_the_reason_a_format_is_disabled_are_in_Korean()
    {
        var schema = new LabelSchema { Fields = [new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] }] };
        var details = Render<ReleaseDetails>(p => p.Add(c => c.ProjectId, Guid.NewGuid()).Add(c => c.Release, ReleaseDetailsTests.Release(1) with { PreviousReleaseId = null })
            .Add(c => c.Schema, schema));

        Assert.Contains("학습", details.Find("[data-testid=split-size-row][data-split=train]").TextContent, StringComparison.Ordinal);
        Assert.Contains("상자 필드", details.Find("[data-testid=release-download-reason][data-format=coco]").TextContent, StringComparison.Ordinal);
        Assert.Contains("이전 릴리스", details.Find("[data-testid=release-diff-none]").TextContent, StringComparison.Ordinal);
        Assert.Equal("· 합성 항목 제외", details.Find("[data-testid=release-settings-synthetic]").TextContent.Trim());
    }

    [Fact]
    public void The_datasheet_is_the_Korean_one_and_a_release_without_it_falls_back_to_English()
    {
        var schema = new LabelSchema { Fields = [new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] }] };
        var both = ReleaseDetailsTests.Release(2) with { Datasheet = "# Datasheet: reviews, release 2\n\n## Purpose\n", DatasheetKorean = "# 데이터시트: reviews, 릴리스 2\n\n## 목적\n" };
        var details = Render<ReleaseDetails>(p => p.Add(c => c.ProjectId, Guid.NewGuid()).Add(c => c.Release, both).Add(c => c.Schema, schema));

        var datasheet = details.Find("[data-testid=release-datasheet]");
        Assert.Equal("데이터시트: reviews, 릴리스 2", datasheet.QuerySelector("h1")!.TextContent);
        Assert.Equal("목적", datasheet.QuerySelector("h2")!.TextContent);
        Assert.DoesNotContain("Purpose", datasheet.TextContent, StringComparison.Ordinal);
        Assert.Contains("datasheet.ko.md(한국어)", details.Markup, StringComparison.Ordinal);

        var older = Render<ReleaseDetails>(p => p.Add(c => c.ProjectId, Guid.NewGuid()).Add(c => c.Release, both with { DatasheetKorean = null }).Add(c => c.Schema, schema));
        Assert.Equal("Datasheet: reviews, release 2", older.Find("[data-testid=release-datasheet] h1").TextContent);
    }
}
