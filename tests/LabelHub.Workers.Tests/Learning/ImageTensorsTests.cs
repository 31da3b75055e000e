using LabelHub.Workers.Learning;
using SkiaSharp;

namespace LabelHub.Workers.Tests.Learning;

public sealed class ImageTensorsTests
{
    [Fact]
    public void A_gray_png_decodes_to_its_pixel_values()
    {
        var png = Encode(4, 4, (x, y) => new SKColor((byte)(x * 60), (byte)(x * 60), (byte)(x * 60)), SKEncodedImageFormat.Png);
        var pixels = new float[16];

        ImageTensors.Decode(png, 4, rgb: false, pixels);

        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                Assert.Equal(x * 60 / 255f, pixels[(y * 4) + x], 5);
            }
        }
    }

    [Fact]
    public void An_rgb_png_decodes_to_red_green_and_blue_planes_and_to_luma_in_gray()
    {
        var png = Encode(2, 1, (x, _) => x == 0 ? new SKColor(255, 0, 0) : new SKColor(10, 200, 30), SKEncodedImageFormat.Png);
        var planes = new float[3 * 2 * 2];
        var gray = new float[2 * 2];

        // 2×1 stretched to 2×2: each column keeps its colour.
        ImageTensors.Decode(png, 2, rgb: true, planes);
        ImageTensors.Decode(png, 2, rgb: false, gray);

        Assert.Equal([1f, 10 / 255f, 1f, 10 / 255f], planes[0..4], Close);
        Assert.Equal([0f, 200 / 255f, 0f, 200 / 255f], planes[4..8], Close);
        Assert.Equal([0f, 30 / 255f, 0f, 30 / 255f], planes[8..12], Close);
        Assert.Equal(0.299f, gray[0], 4);
        Assert.Equal(((0.299f * 10) + (0.587f * 200) + (0.114f * 30)) / 255f, gray[1], 4);
    }

    [Fact]
    public void Resizing_averages_a_checkerboard_to_mid_gray_and_keeps_halves_apart()
    {
        var checkerboard = Encode(64, 64, (x, y) => (x + y) % 2 == 0 ? SKColors.White : SKColors.Black, SKEncodedImageFormat.Png);
        var halves = Encode(64, 64, (x, _) => x < 32 ? SKColors.Black : SKColors.White, SKEncodedImageFormat.Png);
        var small = new float[8 * 8];
        var split = new float[8 * 8];

        ImageTensors.Decode(checkerboard, 8, rgb: false, small);
        ImageTensors.Decode(halves, 8, rgb: false, split);

        Assert.All(small, value => Assert.InRange(value, 0.4f, 0.6f));
        Assert.True(split[(3 * 8) + 1] < 0.05f && split[(3 * 8) + 6] > 0.95f, $"left {split[(3 * 8) + 1]}, right {split[(3 * 8) + 6]}");
    }

    [Fact]
    public void Transparent_pixels_become_white()
    {
        var png = Encode(2, 2, (_, _) => SKColors.Transparent, SKEncodedImageFormat.Png);
        var pixels = new float[4];

        ImageTensors.Decode(png, 2, rgb: false, pixels);

        Assert.All(pixels, value => Assert.Equal(1f, value, 5));
    }

    [Fact]
    public void Bytes_that_are_no_image_give_a_clear_exception()
    {
        var text = "not an image"u8.ToArray();

        var error = Assert.Throws<InvalidDataException>(() => ImageTensors.Decode(text, 28, rgb: false, new float[28 * 28]));
        Assert.Contains("Not an image", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => ImageTensors.ChooseInput([text]));
    }

    [Fact]
    public void A_destination_of_the_wrong_size_is_refused()
    {
        var png = Encode(2, 2, (_, _) => SKColors.Gray, SKEncodedImageFormat.Png);

        Assert.Throws<ArgumentException>(() => ImageTensors.Decode(png, 28, rgb: true, new float[28 * 28]));
    }

    [Fact]
    public void Small_gray_images_choose_28_gray_and_any_colour_or_larger_image_changes_that()
    {
        var smallGray = Encode(28, 20, (x, y) => new SKColor((byte)(x * 9), (byte)(x * 9), (byte)(x * 9)), SKEncodedImageFormat.Png);
        var largeGray = Encode(29, 10, (_, _) => SKColors.Gray, SKEncodedImageFormat.Png);
        var smallColour = Encode(10, 10, (x, _) => x == 3 ? SKColors.Red : SKColors.White, SKEncodedImageFormat.Png);
        var grayJpeg = Encode(16, 16, (x, y) => new SKColor((byte)(x * 16), (byte)(x * 16), (byte)(x * 16)), SKEncodedImageFormat.Jpeg);

        Assert.Equal((28, false), ImageTensors.ChooseInput([smallGray, smallGray]));
        Assert.Equal((32, false), ImageTensors.ChooseInput([smallGray, largeGray]));
        Assert.Equal((28, true), ImageTensors.ChooseInput([smallGray, smallColour]));
        Assert.Equal((28, false), ImageTensors.ChooseInput([grayJpeg]));
        Assert.Throws<ArgumentException>(() => ImageTensors.ChooseInput([]));
    }

    private static bool Close(float expected, float actual) => Math.Abs(expected - actual) < 1e-5;

    private static byte[] Encode(int width, int height, Func<int, int, SKColor> colour, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, colour(x, y));
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 95);
        return data.ToArray();
    }
}
