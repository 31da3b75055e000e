using System.Text.Json;
using Bunit;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Labeling;
using LabelHub.Web.Components.Pages.Cleansing;

namespace LabelHub.Web.Tests;

/// <summary>A duplicate group's members side by side: the words that differ marked, images shown sharp, keep buttons by number.</summary>
public sealed class DuplicateGroupPanelTests : ComponentTest
{
    private static DuplicateMemberView Member(long id, double similarity, string? text, string? image = null, params (string Annotator, string Label)[] answers) =>
        new(id, similarity, text, image, null,
            [.. answers.Select((a, i) => new DuplicateAnswerView(i + 1, Guid.NewGuid(), a.Annotator, 1, AnnotationReason.Submit,
                new Dictionary<string, JsonElement> { ["sentiment"] = JsonSerializer.SerializeToElement(a.Label) }))]);

    private static DuplicateGroupView Group(DuplicateDecision decision, long? kept, params DuplicateMemberView[] members) =>
        new(7, DuplicateKind.Text, decision, members[0].ItemId, kept, null, null, 1, DateTimeOffset.UnixEpoch, "2 items with similar text (Jaccard at least 0.80).", members);

    [Fact]
    public void Words_not_in_the_first_member_are_marked_and_each_member_can_be_kept_by_its_number()
    {
        var kept = new List<long>();
        var panel = Render<DuplicateGroupPanel>(p => p
            .Add(c => c.Group, Group(DuplicateDecision.Open, null,
                Member(10, 1, "The strap broke after a week.", null, ("mina", "negative")),
                Member(11, 0.86, "the strap broke after a month.", null, ("jun", "neutral"))))
            .Add(c => c.OnKeep, (long id) => kept.Add(id)));

        var texts = panel.FindAll("[data-testid=duplicate-text]");
        Assert.Empty(texts[0].QuerySelectorAll("mark"));
        Assert.Equal(["month."], texts[1].QuerySelectorAll("mark").Select(m => m.TextContent));
        Assert.Equal("the strap broke after a month.", texts[1].TextContent.Trim());
        Assert.Equal(["mina: sentiment = negative", "jun: sentiment = neutral"], panel.FindAll("[data-testid=duplicate-answer]").Select(a => a.TextContent));
        var keep = panel.FindAll("[data-testid=duplicate-keep]");
        Assert.Equal(["Keep this (1)", "Keep this (2)"], keep.Select(b => b.TextContent.Trim()));
        keep[1].Click();
        Assert.Equal([11L], kept);
        Assert.Single(panel.FindAll("[data-testid=duplicate-distinct]"));
        Assert.Empty(panel.FindAll("[data-testid=duplicate-undo]"));
    }

    [Fact]
    public void A_decided_group_shows_the_kept_item_and_offers_undo_only_and_images_are_drawn_sharp()
    {
        var panel = Render<DuplicateGroupPanel>(p => p
            .Add(c => c.Group, Group(DuplicateDecision.KeepOne, 21,
                Member(20, 1, null, "/api/v1/projects/p/media/a") with { DuplicateOfItemId = 21 },
                Member(21, 0.97, null, "/api/v1/projects/p/media/b"))));

        Assert.Equal(["/api/v1/projects/p/media/a", "/api/v1/projects/p/media/b"], panel.FindAll("img.duplicate-image").Select(i => i.GetAttribute("src")));
        Assert.Equal("Excluded: duplicate of item 21", panel.Find("[data-testid=duplicate-excluded]").TextContent);
        Assert.Single(panel.FindAll("[data-testid=duplicate-kept]"));
        Assert.Empty(panel.FindAll("[data-testid=duplicate-keep]"));
        Assert.Single(panel.FindAll("[data-testid=duplicate-undo]"));
        Assert.Equal("One kept", panel.Find("[data-testid=duplicate-decision]").TextContent);
        var css = File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "src", "LabelHub.Web", "wwwroot", "app.css"));
        Assert.Matches(@"\.duplicate-image \{[^}]*image-rendering: pixelated", css);
    }
}
