namespace LabelHub.Workers.Learning;

/// <summary>
/// Training-time augmentation for images: a translation by a few pixels, the edge pixels repeated into the space it
/// opens. A small CNN trained on a few hundred labels learns the objects rather than where they sit in the frame.
/// Flips and rotations are left out: they change what a digit, a letter or an arrow means.
/// </summary>
public static class ImageShift
{
    /// <summary>
    /// Writes <paramref name="source"/> ([channels, height, width], row-major) moved right by <paramref name="dx"/> and down
    /// by <paramref name="dy"/> pixels (negative: left, up) into <paramref name="destination"/>; the pixel at (y, x) is
    /// the source's at (y − dy, x − dx), clamped to the image.
    /// </summary>
    public static void Translate(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width, int dx, int dy)
    {
        var size = checked(channels * height * width);
        if (channels < 1 || height < 1 || width < 1 || source.Length != size || destination.Length != size)
        {
            throw new ArgumentException($"Need {channels}×{height}×{width} = {size} values in each span; got {source.Length} and {destination.Length}.");
        }
        if (dx == 0 && dy == 0)
        {
            source.CopyTo(destination);
            return;
        }
        for (var c = 0; c < channels; c++)
        {
            var plane = c * height * width;
            for (var y = 0; y < height; y++)
            {
                var from = plane + (Math.Clamp(y - dy, 0, height - 1) * width);
                var row = destination.Slice(plane + (y * width), width);
                for (var x = 0; x < width; x++)
                {
                    row[x] = source[from + Math.Clamp(x - dx, 0, width - 1)];
                }
            }
        }
    }
}
