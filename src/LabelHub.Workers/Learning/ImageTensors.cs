using SkiaSharp;

namespace LabelHub.Workers.Learning;

/// <summary>Turns encoded images into the CNN's input: C × side × side floats in [0, 1], channel planes in order.</summary>
public static class ImageTensors
{
    /// <summary>The side for projects whose images are all small (MNIST-like): no upscaling blur.</summary>
    public const int SmallSide = 28;

    /// <summary>The side for everything else: keeps scoring 100,000 items within seconds on a CPU.</summary>
    public const int LargeSide = 32;

    // JPEG encodes a gray pixel of a colour image through chroma that rounds back to R, G, B a level or two apart.
    private const int GrayTolerance = 2;

    /// <summary>
    /// Decodes PNG, JPEG, GIF (first frame), WebP or BMP; composites transparency over white; stretches to
    /// side × side (aspect ratio not kept: the network sees the whole image); writes 1 gray plane (BT.601 luma) or
    /// R, G and B planes.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not an image SkiaSharp can decode.</exception>
    public static void Decode(ReadOnlySpan<byte> encoded, int side, bool rgb, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        var channels = rgb ? 3 : 1;
        var plane = side * side;
        if (destination.Length != channels * plane)
        {
            throw new ArgumentException($"{channels} × {side} × {side} floats needed; the destination holds {destination.Length}.", nameof(destination));
        }
        using var source = DecodeBitmap(encoded);
        using var resized = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(resized))
        using (var paint = new SKPaint { FilterQuality = SKFilterQuality.Medium, IsAntialias = true })
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(source, new SKRect(0, 0, side, side), paint);
        }
        var pixels = resized.GetPixelSpan();
        for (var i = 0; i < plane; i++)
        {
            var red = pixels[(i * 4) + 0];
            var green = pixels[(i * 4) + 1];
            var blue = pixels[(i * 4) + 2];
            if (rgb)
            {
                destination[i] = red / 255f;
                destination[plane + i] = green / 255f;
                destination[(2 * plane) + i] = blue / 255f;
            }
            else
            {
                destination[i] = (float)(((0.299 * red) + (0.587 * green) + (0.114 * blue)) / 255.0);
            }
        }
    }

    /// <summary>
    /// The input for a project from a sample of its images: grayscale when every sampled image is gray (R = G = B
    /// in every pixel, within two levels for JPEG rounding), else RGB; side 28 when every sampled image is at most
    /// 28 × 28 pixels, else 32. Larger images are downscaled to 32 rather than kept larger, so the CNN stays small.
    /// </summary>
    /// <exception cref="ArgumentException">The sample is empty.</exception>
    /// <exception cref="InvalidDataException">A sampled image cannot be decoded.</exception>
    public static (int Side, bool Rgb) ChooseInput(IEnumerable<byte[]> sampleImages)
    {
        ArgumentNullException.ThrowIfNull(sampleImages);
        var any = false;
        var allSmall = true;
        var allGray = true;
        foreach (var encoded in sampleImages)
        {
            any = true;
            using var bitmap = DecodeBitmap(encoded);
            allSmall &= bitmap.Width <= SmallSide && bitmap.Height <= SmallSide;
            allGray = allGray && IsGray(bitmap.GetPixelSpan());
        }
        if (!any)
        {
            throw new ArgumentException("Choosing the image input needs at least one image.", nameof(sampleImages));
        }
        return (allSmall ? SmallSide : LargeSide, !allGray);
    }

    private static SKBitmap DecodeBitmap(ReadOnlySpan<byte> encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"Not an image that can be decoded (PNG, JPEG, GIF, WebP or BMP expected; {encoded.Length} bytes).");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        return SKBitmap.Decode(codec, info)
            ?? throw new InvalidDataException($"The {codec.EncodedFormat} image ({codec.Info.Width} × {codec.Info.Height}) could not be decoded.");
    }

    // Premultiplied: a transparent or half-transparent gray pixel stays gray.
    private static bool IsGray(ReadOnlySpan<byte> rgbaPixels)
    {
        for (var i = 0; i < rgbaPixels.Length; i += 4)
        {
            int red = rgbaPixels[i], green = rgbaPixels[i + 1], blue = rgbaPixels[i + 2];
            if (Math.Abs(red - green) > GrayTolerance || Math.Abs(green - blue) > GrayTolerance)
            {
                return false;
            }
        }
        return true;
    }
}
