using LabelHub.Domain.Cleansing;
using SkiaSharp;

namespace LabelHub.Workers.Cleansing;

/// <summary>A decoded image reduced to its luminance, one float per pixel (0 = black, 255 = white), row-major.</summary>
public sealed record LuminanceImage(int Width, int Height, float[] Pixels);

/// <summary>The perceptual hashes of one image.</summary>
public readonly record struct ImageHashes(ulong DHash, ulong PHash);

/// <summary>
/// Decodes images with SkiaSharp into luminance for <see cref="PerceptualHash"/>. Skia only decodes: every resize is
/// the Domain's area averaging, so an image hashes the same whether it arrives decoded here or as pixels in a test.
/// </summary>
public static class ImageLuminance
{
    // Large photos are decoded at a reduced scale where the codec can do it cheaply (JPEG's DCT scaling), never below
    // this side, which keeps 32 × 32 area averaging several source pixels deep.
    private const int MinDecodedSide = 256;

    /// <summary>
    /// Decodes PNG, JPEG, GIF (first frame), WebP or BMP; composites transparency over white; converts to luminance
    /// with the ITU-R BT.601 weights (0.299 R + 0.587 G + 0.114 B), as the learning stage's grayscale input does.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not an image SkiaSharp can decode.</exception>
    public static LuminanceImage Decode(ReadOnlySpan<byte> encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"Not an image that can be decoded (PNG, JPEG, GIF, WebP or BMP expected; {encoded.Length} bytes).");
        var size = DecodedSize(codec);
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            throw new InvalidDataException($"The {codec.EncodedFormat} image ({codec.Info.Width} × {codec.Info.Height}) could not be decoded: {result}.");
        }
        var rgba = bitmap.GetPixelSpan();
        var pixels = new float[size.Width * size.Height];
        for (var i = 0; i < pixels.Length; i++)
        {
            // Premultiplied: adding the missing coverage as white composites over a white background.
            var white = 255 - rgba[(i * 4) + 3];
            var red = rgba[i * 4] + white;
            var green = rgba[(i * 4) + 1] + white;
            var blue = rgba[(i * 4) + 2] + white;
            pixels[i] = (float)((0.299 * red) + (0.587 * green) + (0.114 * blue));
        }
        return new LuminanceImage(size.Width, size.Height, pixels);
    }

    /// <summary>dHash and pHash of an encoded image.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image SkiaSharp can decode.</exception>
    public static ImageHashes Hash(ReadOnlySpan<byte> encoded)
    {
        var image = Decode(encoded);
        return new ImageHashes(
            PerceptualHash.DHash(image.Pixels, image.Width, image.Height),
            PerceptualHash.PHash(image.Pixels, image.Width, image.Height));
    }

    private static SKSizeI DecodedSize(SKCodec codec)
    {
        var full = codec.Info.Size;
        var shortSide = Math.Min(full.Width, full.Height);
        if (shortSide <= 2 * MinDecodedSide)
        {
            return full;
        }
        var scaled = codec.GetScaledDimensions((float)MinDecodedSide / shortSide);
        return Math.Min(scaled.Width, scaled.Height) >= MinDecodedSide ? scaled : full;
    }
}
