using SkiaSharp;

namespace LabelHub.Workers.Synthesis;

/// <summary>One generated sample as a PNG: what a synthetic item stores and an annotator sees.</summary>
public static class SamplePng
{
    /// <summary>C × side × side pixels in [0, 1] (channel planes) → an 8-bit grayscale PNG (1 channel) or an opaque RGB one (3).</summary>
    public static byte[] Encode(ReadOnlySpan<float> pixels, int channels, int side)
    {
        var canvas = new SampleCanvas(channels, side, side);
        canvas.Draw(pixels, side, 0, 0, 1);
        return canvas.ToPng();
    }
}

/// <summary>Many samples tiled into one PNG: the per-epoch preview on the training page.</summary>
public static class SampleGrid
{
    /// <summary>The gap between tiles, in output pixels, left at the background.</summary>
    public const int Gap = 2;

    // Mid-gray between tiles: neither Fashion-MNIST's black background nor a white one merges with it.
    private const byte Background = 128;

    /// <summary>
    /// <paramref name="count"/> samples (C × side × side floats each, in [0, 1]) row by row, <paramref name="columns"/>
    /// to a row, each pixel drawn as a <paramref name="scale"/> × <paramref name="scale"/> block. With samples ordered by
    /// class and <paramref name="columns"/> per class, each row is one class.
    /// </summary>
    public static byte[] Png(float[] pixels, int count, int channels, int side, int columns, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        SampleBitmaps.CheckShape(channels, side);
        var size = channels * side * side;
        if (pixels.Length != (long)count * size)
        {
            throw new ArgumentException($"{count} samples of {channels} × {side} × {side} need {(long)count * size} floats; got {pixels.Length}.", nameof(pixels));
        }
        var rows = (count + columns - 1) / columns;
        var tile = (side * scale) + Gap;
        var canvas = new SampleCanvas(channels, (Math.Min(count, columns) * tile) - Gap, (rows * tile) - Gap);
        canvas.Fill(Background);
        for (var i = 0; i < count; i++)
        {
            canvas.Draw(pixels.AsSpan(i * size, size), side, (i % columns) * tile, (i / columns) * tile, scale);
        }
        return canvas.ToPng();
    }
}

/// <summary>Pixels drawn into a managed buffer (8-bit gray or RGBA), then copied into a SkiaSharp bitmap once for encoding.</summary>
internal sealed class SampleCanvas
{
    private readonly int channels;
    private readonly int width;
    private readonly int height;
    private readonly int bytesPerPixel;
    private readonly byte[] buffer;

    public SampleCanvas(int channels, int width, int height)
    {
        SampleBitmaps.CheckShape(channels, Math.Min(width, height));
        this.channels = channels;
        this.width = width;
        this.height = height;
        bytesPerPixel = channels == 1 ? 1 : 4;
        buffer = new byte[width * height * bytesPerPixel];
        if (channels == 3)
        {
            Fill(0);
        }
    }

    public void Fill(byte level)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            // Alpha stays opaque.
            buffer[i] = bytesPerPixel == 4 && i % 4 == 3 ? (byte)255 : level;
        }
    }

    /// <summary>Writes one sample (C × side × side in [0, 1]) with its top-left corner at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    public void Draw(ReadOnlySpan<float> pixels, int side, int left, int top, int scale)
    {
        var plane = side * side;
        if (pixels.Length != channels * plane)
        {
            throw new ArgumentException($"A {channels} × {side} × {side} sample has {channels * plane} floats; got {pixels.Length}.", nameof(pixels));
        }
        for (var y = 0; y < side * scale; y++)
        {
            var row = buffer.AsSpan((((top + y) * width) + left) * bytesPerPixel, side * scale * bytesPerPixel);
            var sourceRow = (y / scale) * side;
            for (var x = 0; x < side * scale; x++)
            {
                var source = sourceRow + (x / scale);
                if (channels == 1)
                {
                    row[x] = Level(pixels[source]);
                }
                else
                {
                    row[(x * 4) + 0] = Level(pixels[source]);
                    row[(x * 4) + 1] = Level(pixels[plane + source]);
                    row[(x * 4) + 2] = Level(pixels[(2 * plane) + source]);
                    row[(x * 4) + 3] = 255;
                }
            }
        }
    }

    public byte[] ToPng()
    {
        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var data = SKData.CreateCopy(buffer);
        using var image = SKImage.FromPixels(info, data, width * bytesPerPixel);
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    // NaN (a blown-up generator) shows as black rather than throwing: the page should still show what came out.
    private static byte Level(float value) => float.IsNaN(value) ? (byte)0 : (byte)Math.Round(Math.Clamp(value, 0f, 1f) * 255f);
}

internal static class SampleBitmaps
{
    public static void CheckShape(int channels, int side)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"Samples have 1 or 3 channels; got {channels}.", nameof(channels));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
    }
}
