using LabelHub.Workers.Synthesis;
using SkiaSharp;

namespace LabelHub.Workers.Tests.Synthesis;

public sealed class SampleImagesTests
{
    [Fact]
    public void A_grayscale_sample_becomes_a_png_of_its_pixels()
    {
        var pixels = Enumerable.Range(0, 4 * 4).Select(i => i / 15f).ToArray();

        using var bitmap = SKBitmap.Decode(SamplePng.Encode(pixels, 1, 4));

        Assert.Equal((4, 4), (bitmap.Width, bitmap.Height));
        Assert.Equal(0, bitmap.GetPixel(0, 0).Red);
        Assert.Equal(255, bitmap.GetPixel(3, 3).Red);
        Assert.Equal(Math.Round(6 / 15.0 * 255), bitmap.GetPixel(2, 1).Green);
    }

    [Fact]
    public void An_rgb_sample_keeps_its_channel_planes()
    {
        // 2 × 2, red plane 1, green plane 0.5, blue plane 0.
        float[] pixels = [1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f, 0, 0, 0, 0];

        using var bitmap = SKBitmap.Decode(SamplePng.Encode(pixels, 3, 2));

        var color = bitmap.GetPixel(1, 1);
        Assert.Equal((255, 128, 0, 255), (color.Red, color.Green, color.Blue, color.Alpha));
    }

    [Fact]
    public void A_grid_puts_each_class_on_its_row_with_gaps_and_scaling()
    {
        // 2 classes × 3 samples of 2 × 2: class 0 black, class 1 white; drawn at 2×.
        var pixels = Enumerable.Range(0, 6).SelectMany(i => Enumerable.Repeat(i < 3 ? 0f : 1f, 4)).ToArray();

        using var bitmap = SKBitmap.Decode(SampleGrid.Png(pixels, 6, 1, 2, columns: 3, scale: 2));

        var tile = (2 * 2) + SampleGrid.Gap;
        Assert.Equal(((3 * tile) - SampleGrid.Gap, (2 * tile) - SampleGrid.Gap), (bitmap.Width, bitmap.Height));
        Assert.Equal(0, bitmap.GetPixel((2 * tile) + 3, 3).Red);
        Assert.Equal(255, bitmap.GetPixel(tile, tile + 3).Red);
        Assert.Equal(128, bitmap.GetPixel(4, 0).Red);
    }

    [Fact]
    public void Wrong_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SampleGrid.Png(new float[10], 3, 1, 2, 3));
        Assert.Throws<ArgumentException>(() => SamplePng.Encode(new float[8], 2, 2));
    }
}
