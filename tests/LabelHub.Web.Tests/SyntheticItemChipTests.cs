using System.Text.Json;
using Bunit;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Labeling;

namespace LabelHub.Web.Tests;

/// <summary>A synthetic item says so above itself: the generator, the class asked for and, while labeling, what to do with it.</summary>
public sealed class SyntheticItemChipTests : ComponentTest
{
    internal static IRenderedComponent<ItemView> RenderItem(BunitContext context, SyntheticOrigin? origin, bool hint) =>
        context.Render<ItemView>(p => p
            .Add(c => c.Schema, new LabelSchema { Fields = [new LabelField { Name = "category", Kind = FieldKind.Choice, Labels = ["Sneaker", "Sandal"] }] })
            .Add(c => c.ProjectId, Guid.NewGuid())
            .Add(c => c.ItemData, new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement("a shoe") })
            .Add(c => c.Synthetic, origin)
            .Add(c => c.ShowSyntheticHint, hint)
            .Add(c => c.FieldTemplate, _ => _ => { }));

    [Fact]
    public void A_synthetic_item_shows_its_generator_and_the_class_asked_for_with_what_to_do()
    {
        var item = RenderItem(this, new SyntheticOrigin("LabelHub GAN v2", "Sneaker"), hint: true);
        Assert.Equal("Synthetic · LabelHub GAN v2 · asked for Sneaker", item.Find("[data-testid=synthetic-item-chip]").TextContent.Trim());
        Assert.Equal("Confirm the class if the image really shows one, choose another class if it shows that, or skip it if it shows nothing recognisable",
            item.Find("[data-testid=synthetic-item-hint]").TextContent.Trim());
        // The chip comes before the item's own content.
        Assert.True(item.Markup.IndexOf("synthetic-item-chip", StringComparison.Ordinal) < item.Markup.IndexOf("a shoe", StringComparison.Ordinal));
    }

    [Fact]
    public void Reviewers_see_the_chip_without_the_hint_and_a_collected_item_has_neither()
    {
        var reviewed = RenderItem(this, new SyntheticOrigin("LabelHub GAN v3", "Sandal"), hint: false);
        Assert.Equal("Synthetic · LabelHub GAN v3 · asked for Sandal", reviewed.Find("[data-testid=synthetic-item-chip]").TextContent.Trim());
        Assert.Empty(reviewed.FindAll("[data-testid=synthetic-item-hint]"));
        Assert.Empty(RenderItem(this, null, hint: true).FindAll("[data-testid=synthetic-item]"));
    }
}

/// <summary>The same chip for a Korean reader.</summary>
public sealed class SyntheticItemChipKoreanTests() : ComponentTest("ko")
{
    [Fact]
    public void The_chip_and_the_hint_are_in_Korean()
    {
        var item = SyntheticItemChipTests.RenderItem(this, new SyntheticOrigin("LabelHub GAN v2", "Sneaker"), hint: true);
        Assert.Equal("합성 · LabelHub GAN v2 · 요청한 클래스 Sneaker", item.Find("[data-testid=synthetic-item-chip]").TextContent.Trim());
        Assert.Equal("이미지가 정말 그 클래스를 보여 주면 확인하고, 다른 클래스를 보여 주면 그 클래스를 고르고, 알아볼 수 있는 것이 없으면 건너뛰세요",
            item.Find("[data-testid=synthetic-item-hint]").TextContent.Trim());
    }
}
