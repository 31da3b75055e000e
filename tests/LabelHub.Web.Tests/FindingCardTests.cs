using System.Text.Json;
using Bunit;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Cleansing;

namespace LabelHub.Web.Tests;

/// <summary>A finding as the adjudication queue shows it: source, reason, whose answer, the suggestion, the duplicate group's link.</summary>
public sealed class FindingCardTests() : ComponentTest("ko")
{
    private static readonly Guid ProjectId = Guid.Parse("0190a000-0000-7000-8000-000000000002");

    private static readonly LabelSchema Schema = new()
    {
        Fields = [new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Title = "Sentiment", Labels = ["positive", "negative"] }],
    };

    private static FindingView Finding(FindingSource source, string code, JsonElement? suggestion, Guid? annotator, long? group, bool changed = false) =>
        new(7, 1, 40, annotator is null ? null : 90, annotator, annotator is null ? null : 2, changed, "sentiment", source, code,
            "Item was not found.", suggestion, 0.93, FindingState.Open, null, null, null, DateTimeOffset.UnixEpoch, group);

    private IRenderedComponent<FindingCard> RenderCard(FindingView finding, string? annotatorName, bool selected = false) =>
        Render<FindingCard>(p => p
            .Add(c => c.Finding, finding)
            .Add(c => c.Schema, Schema)
            .Add(c => c.ProjectId, ProjectId)
            .Add(c => c.AnnotatorName, annotatorName)
            .Add(c => c.Selected, selected));

    [Fact]
    public void A_label_error_shows_its_source_answer_suggestion_and_the_reason_in_the_readers_language()
    {
        var card = RenderCard(Finding(FindingSource.LabelError, "label-error", JsonSerializer.SerializeToElement("negative"), Guid.NewGuid(), null, changed: true),
            "mina", selected: true);

        Assert.Equal("true", card.Find("[data-testid=finding-7]").GetAttribute("data-selected"));
        Assert.Equal("라벨 오류", card.Find("[data-testid=finding-source]").TextContent.Trim());
        Assert.Contains("mina의 답변, 버전 2", card.Markup, StringComparison.Ordinal);
        Assert.Contains("negative", card.Find("[data-testid=finding-suggestion]").TextContent, StringComparison.Ordinal);
        // A stored reason the catalog knows is read in Korean.
        Assert.Equal("항목을 찾을 수 없습니다.", card.Find("[data-testid=finding-reason]").TextContent.Trim());
        Assert.NotEmpty(card.FindAll("[data-testid=finding-answer-changed]"));
        Assert.Empty(card.FindAll("[data-testid=finding-duplicate-group]"));
    }

    [Fact]
    public void A_duplicate_finding_about_the_item_links_to_its_group_and_has_no_suggestion()
    {
        var card = RenderCard(Finding(FindingSource.Duplicate, "duplicate-group:42", null, null, 42), null);

        Assert.Equal($"/projects/{ProjectId}/cleansing/duplicates/42", card.Find("[data-testid=finding-duplicate-group]").GetAttribute("href"));
        Assert.Contains("항목 전체", card.Markup, StringComparison.Ordinal);
        Assert.Empty(card.FindAll("[data-testid=finding-suggestion]"));
        Assert.Equal("false", card.Find("[data-testid=finding-7]").GetAttribute("data-selected"));
    }
}
