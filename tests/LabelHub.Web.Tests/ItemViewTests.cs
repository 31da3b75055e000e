using System.Text.Json;
using Bunit;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Labeling;

namespace LabelHub.Web.Tests;

/// <summary>How an item's image is drawn for annotators and reviewers.</summary>
public sealed class ItemViewTests : ComponentTest
{
    private static readonly Guid ProjectId = Guid.NewGuid();

    private IRenderedComponent<ItemView> RenderImage(int width, int height) =>
        Render<ItemView>(p => p
            .Add(c => c.Schema, new LabelSchema { Fields = [new LabelField { Name = "category", Kind = FieldKind.Choice, Labels = ["a", "b"] }] })
            .Add(c => c.ProjectId, ProjectId)
            .Add(c => c.ItemData, new Dictionary<string, JsonElement>
            {
                ["image"] = JsonSerializer.SerializeToElement($"/api/v1/projects/{ProjectId}/media/{Guid.NewGuid()}"),
                ["width"] = JsonSerializer.SerializeToElement(width),
                ["height"] = JsonSerializer.SerializeToElement(height),
            })
            .Add(c => c.FieldTemplate, _ => _ => { }));

    [Theory]
    [InlineData(28, 28, true)]
    [InlineData(159, 40, true)]
    [InlineData(160, 120, false)]
    [InlineData(1600, 1200, false)]
    public void Thumbnail_sized_images_are_drawn_large_and_sharp_and_others_at_their_own_size(int width, int height, bool enlarged)
    {
        var image = RenderImage(width, height).Find("[data-testid=item-image]");
        Assert.Equal(enlarged, image.ClassList.Contains("item-image--small"));
        Assert.Contains("item-image", image.ClassList);
    }

    [Fact]
    public void The_enlarged_style_keeps_pixels_square()
    {
        var css = File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "src", "LabelHub.Web", "wwwroot", "boxes.css"));
        Assert.Matches(@"\.item-image--small \{[^}]*width: 280px;[^}]*image-rendering: pixelated", css);
    }
}
