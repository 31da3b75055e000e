using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Labeling;

public sealed class BoxValueTests
{
    private static readonly LabelSchema Schema = new()
    {
        Fields = [new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] }],
    };

    private static readonly Dictionary<string, JsonElement> ImageItem = new()
    {
        ["image"] = JsonSerializer.SerializeToElement("/api/v1/projects/00000000-0000-0000-0000-000000000001/media/00000000-0000-0000-0000-000000000002"),
        ["width"] = JsonSerializer.SerializeToElement(1000),
        ["height"] = JsonSerializer.SerializeToElement(750),
    };

    private static readonly Dictionary<string, JsonElement> ExternalImageItem = new()
    {
        ["image"] = JsonSerializer.SerializeToElement("https://example.com/a.jpg"),
    };

    [Fact]
    public void Fractions_snap_to_whole_pixels_and_back()
    {
        var box = BoxValue.FromFractions(0.10004, 0.2, 0.30001, 0.4, "car", 1000, 750);

        Assert.Equal((100, 150, 300, 300), (box.XPx, box.YPx, box.WidthPx, box.HeightPx));
        Assert.Equal((0.1, 0.2, 0.3, 0.4), (box.X, box.Y, box.Width, box.Height));
        Assert.Equal("car", box.Label);
    }

    [Fact]
    public void A_box_stays_inside_the_image_and_is_at_least_one_pixel()
    {
        var outside = BoxValue.FromFractions(0.9, -0.5, 0.5, 0.7, "car", 200, 100);
        Assert.Equal((180, 0, 20, 20), (outside.XPx, outside.YPx, outside.WidthPx, outside.HeightPx));

        var sliver = BoxValue.FromFractions(1.0, 0.5, 0, 0.0001, "car", 200, 100);
        Assert.Equal((199, 50, 1, 1), (sliver.XPx, sliver.YPx, sliver.WidthPx, sliver.HeightPx));
        Assert.True(sliver.X + sliver.Width <= 1);
    }

    [Fact]
    public void Serialized_names_are_the_exported_ones()
    {
        var json = JsonSerializer.Serialize(BoxValue.FromFractions(0.5, 0.5, 0.25, 0.25, "person", 8, 4));
        Assert.Equal("""{"x":0.5,"y":0.5,"width":0.25,"height":0.25,"label":"person","x_px":4,"y_px":2,"width_px":2,"height_px":1}""", json);
    }

    [Fact]
    public void Snapped_boxes_always_pass_the_validator()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var (w, h) = (random.Next(1, 5000), random.Next(1, 5000));
            var box = BoxValue.FromFractions(random.NextDouble(), random.NextDouble(), random.NextDouble(), random.NextDouble(), "car", w, h);
            var item = new Dictionary<string, JsonElement>
            {
                ["width"] = JsonSerializer.SerializeToElement(w),
                ["height"] = JsonSerializer.SerializeToElement(h),
            };
            var answer = new Dictionary<string, JsonElement> { ["objects"] = JsonSerializer.SerializeToElement(new[] { box }) };
            Assert.Empty(AnnotationValidator.Problems(Schema, answer, item));
        }
    }

    [Theory]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car"}]""")]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 100, "y_px": 150, "width_px": 300, "height_px": 300}]""")]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 101, "y_px": 149, "width_px": 299, "height_px": 301}]""")]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 100.4, "y_px": 150, "width_px": 300, "height_px": 300}]""")]
    public void Pixel_values_within_a_pixel_of_the_fractions_pass(string boxes)
    {
        Assert.Empty(AnnotationValidator.Problems(Schema, Values(boxes), ImageItem));
    }

    [Theory]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 103, "y_px": 150, "width_px": 300, "height_px": 300}]""", "do not match the fractions for a 1000×750 image")]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 100, "y_px": 150, "width_px": 300, "height_px": 150}]""", "do not match")]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 100, "y_px": 150}]""", "go together")]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": "100", "y_px": 150, "width_px": 300, "height_px": 300}]""", "go together")]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": -1, "y_px": 150, "width_px": 300, "height_px": 300}]""", "non-negative")]
    [InlineData("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 100, "y_px": 150, "width_px": 0, "height_px": 300}]""", "positive size")]
    public void Pixel_values_that_disagree_are_refused(string boxes, string message)
    {
        var error = Assert.Throws<ValidationException>(() => AnnotationValidator.Validate(Schema, Values(boxes), ImageItem));
        Assert.Contains(error.Errors["values.objects"], m => m.StartsWith("Box 1: ", StringComparison.Ordinal) && m.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_known_image_size_only_the_pixel_shape_is_checked()
    {
        AnnotationValidator.Validate(Schema, Values("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 57, "y_px": 1, "width_px": 999, "height_px": 3}]"""), ExternalImageItem);
        Assert.Throws<ValidationException>(() =>
            AnnotationValidator.Validate(Schema, Values("""[{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4, "label": "car", "x_px": 57}]"""), ExternalImageItem));
    }

    private static Dictionary<string, JsonElement> Values(string boxes) =>
        new() { ["objects"] = JsonDocument.Parse(boxes).RootElement.Clone() };
}
