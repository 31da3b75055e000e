using System.Numerics;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// 64-bit perceptual hashes of a grayscale image (luminance, one value per pixel, row-major), robust to resizing,
/// re-compression and small brightness changes: near-duplicate images have hashes a few bits apart.
/// Bits are laid out row-major with the first cell in the most significant bit, as imagehash prints its hex strings.
/// </summary>
public static class PerceptualHash
{
    /// <summary>Bits in every hash.</summary>
    public const int Bits = 64;

    /// <summary>dHash's grid: 9 columns so that each of the 8 rows gives 8 left-right differences.</summary>
    public const int DifferenceWidth = 9;

    public const int DifferenceHeight = 8;

    /// <summary>pHash's grid: the image is reduced to 32 × 32 before the DCT, of which the lowest 8 × 8 frequencies are kept.</summary>
    public const int DctSide = 32;

    public const int DctKept = 8;

    /// <summary>
    /// dHash (Krawetz 2013, "Kind of Like That"): reduce to 9 × 8 by area averaging, then bit (row, column) is set when
    /// the pixel is brighter than its right neighbour. imagehash's <c>dhash</c> sets it for the opposite comparison
    /// (right brighter than left), so its hashes are this one's complement except where neighbours are equal.
    /// </summary>
    public static ulong DHash(ReadOnlySpan<float> luminance, int width, int height)
    {
        Span<float> grid = stackalloc float[DifferenceWidth * DifferenceHeight];
        ResizeByAreaAveraging(luminance, width, height, grid, DifferenceWidth, DifferenceHeight);
        var hash = 0UL;
        for (var row = 0; row < DifferenceHeight; row++)
        {
            for (var column = 0; column < DifferenceWidth - 1; column++)
            {
                var left = grid[(row * DifferenceWidth) + column];
                var right = grid[(row * DifferenceWidth) + column + 1];
                hash = (hash << 1) | (left > right ? 1UL : 0UL);
            }
        }
        return hash;
    }

    /// <summary>
    /// pHash as imagehash computes it (after Zauner 2010): reduce to 32 × 32 by area averaging, take the 2-D DCT-II
    /// (unnormalised, as <c>scipy.fftpack.dct</c> twice), keep the lowest 8 × 8 frequencies, and set a bit for each
    /// coefficient above their median. The median is taken over the 63 AC coefficients, leaving out the DC term
    /// [0, 0], which measures brightness rather than structure. For non-negative luminance the DC term is never
    /// smaller than any coefficient (|X[v, u]| ≤ 4 Σ x = X[0, 0]), so the bits are exactly imagehash's, whose median
    /// includes it: with the DC term on top, the mean of the 32nd and 33rd of 64 values and the 32nd of the other 63
    /// leave the same 32 values above. The DC bit is therefore set for every image that is not all black. imagehash
    /// reduces with PIL's Lanczos filter rather than area averaging, so its hashes of the same file may differ by a few bits.
    /// </summary>
    public static ulong PHash(ReadOnlySpan<float> luminance, int width, int height)
    {
        Span<float> small = stackalloc float[DctSide * DctSide];
        ResizeByAreaAveraging(luminance, width, height, small, DctSide, DctSide);
        Span<double> pixels = stackalloc double[DctSide * DctSide];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = small[i];
        }
        Span<double> low = stackalloc double[DctKept * DctKept];
        Dct2D(pixels, DctSide, DctKept, low);

        Span<double> acSorted = stackalloc double[(DctKept * DctKept) - 1];
        low[1..].CopyTo(acSorted);
        acSorted.Sort();
        var median = acSorted[acSorted.Length / 2];

        var hash = 0UL;
        for (var i = 0; i < low.Length; i++)
        {
            hash = (hash << 1) | (low[i] > median ? 1UL : 0UL);
        }
        return hash;
    }

    /// <summary>dHash of 8-bit luminance (0 = black, 255 = white).</summary>
    public static ulong DHash(ReadOnlySpan<byte> luminance, int width, int height) => DHash(ToFloats(luminance), width, height);

    /// <summary>pHash of 8-bit luminance (0 = black, 255 = white).</summary>
    public static ulong PHash(ReadOnlySpan<byte> luminance, int width, int height) => PHash(ToFloats(luminance), width, height);

    /// <summary>The number of bits in which two hashes differ.</summary>
    public static int Distance(ulong first, ulong second) => BitOperations.PopCount(first ^ second);

    /// <summary>
    /// Resizes by area averaging (a box filter over the exact footprint): each target pixel is the mean of the source
    /// area it covers, partial source pixels weighted by the fraction covered. Unlike nearest-neighbour sampling every
    /// source pixel counts, so a one-pixel shift or JPEG noise moves the result only slightly. Enlarging repeats pixels
    /// with blending at the seams.
    /// </summary>
    public static void ResizeByAreaAveraging(ReadOnlySpan<float> source, int width, int height, Span<float> destination, int targetWidth, int targetHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetHeight, 1);
        if (source.Length != (long)width * height)
        {
            throw new ArgumentException($"{width} × {height} pixels expected; the source holds {source.Length}.", nameof(source));
        }
        if (destination.Length != targetWidth * targetHeight)
        {
            throw new ArgumentException($"{targetWidth} × {targetHeight} pixels expected; the destination holds {destination.Length}.", nameof(destination));
        }

        // Separable: columns first into a targetWidth × height buffer, then rows.
        var horizontal = AxisWeights(width, targetWidth);
        var vertical = AxisWeights(height, targetHeight);
        var columnsReduced = new double[targetWidth * height];
        for (var y = 0; y < height; y++)
        {
            var row = source.Slice(y * width, width);
            for (var tx = 0; tx < targetWidth; tx++)
            {
                var (first, weights) = horizontal[tx];
                var sum = 0.0;
                for (var k = 0; k < weights.Length; k++)
                {
                    sum += weights[k] * row[first + k];
                }
                columnsReduced[(y * targetWidth) + tx] = sum;
            }
        }
        for (var ty = 0; ty < targetHeight; ty++)
        {
            var (first, weights) = vertical[ty];
            for (var tx = 0; tx < targetWidth; tx++)
            {
                var sum = 0.0;
                for (var k = 0; k < weights.Length; k++)
                {
                    sum += weights[k] * columnsReduced[((first + k) * targetWidth) + tx];
                }
                destination[(ty * targetWidth) + tx] = (float)sum;
            }
        }
    }

    /// <summary>
    /// The top-left <paramref name="kept"/> × <paramref name="kept"/> coefficients of the unnormalised 2-D DCT-II of a
    /// side × side block (row-major): X[v, u] = 4 Σ_y Σ_x x[y, x] cos(π v (2y + 1) / 2N) cos(π u (2x + 1) / 2N),
    /// which is <c>scipy.fftpack.dct</c> (type 2, norm None) along both axes.
    /// </summary>
    public static void Dct2D(ReadOnlySpan<double> input, int side, int kept, Span<double> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kept, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(kept, side);
        if (input.Length != side * side)
        {
            throw new ArgumentException($"{side} × {side} values expected; the input holds {input.Length}.", nameof(input));
        }
        if (output.Length != kept * kept)
        {
            throw new ArgumentException($"{kept} × {kept} values expected; the output holds {output.Length}.", nameof(output));
        }
        var cosines = new double[kept * side];
        for (var frequency = 0; frequency < kept; frequency++)
        {
            for (var n = 0; n < side; n++)
            {
                cosines[(frequency * side) + n] = 2.0 * Math.Cos(Math.PI * frequency * ((2 * n) + 1) / (2.0 * side));
            }
        }
        // Along rows: rowsTransformed[y, u]; then along columns.
        var rowsTransformed = new double[side * kept];
        for (var y = 0; y < side; y++)
        {
            for (var u = 0; u < kept; u++)
            {
                var sum = 0.0;
                for (var x = 0; x < side; x++)
                {
                    sum += input[(y * side) + x] * cosines[(u * side) + x];
                }
                rowsTransformed[(y * kept) + u] = sum;
            }
        }
        for (var v = 0; v < kept; v++)
        {
            for (var u = 0; u < kept; u++)
            {
                var sum = 0.0;
                for (var y = 0; y < side; y++)
                {
                    sum += rowsTransformed[(y * kept) + u] * cosines[(v * side) + y];
                }
                output[(v * kept) + u] = sum;
            }
        }
    }

    private static float[] ToFloats(ReadOnlySpan<byte> luminance)
    {
        var values = new float[luminance.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = luminance[i];
        }
        return values;
    }

    // For each target cell along one axis: the first source index it touches and the weight of each source cell
    // touched (the covered length over the cell's length), summing to 1.
    private static (int First, double[] Weights)[] AxisWeights(int sourceLength, int targetLength)
    {
        var cells = new (int, double[])[targetLength];
        var scale = (double)sourceLength / targetLength;
        for (var t = 0; t < targetLength; t++)
        {
            // Exact rational bounds (t · source / target) so that cells tile the axis without gaps or overlaps.
            var start = (double)t * sourceLength / targetLength;
            var end = (double)(t + 1) * sourceLength / targetLength;
            var first = (int)Math.Floor(start);
            var last = Math.Min(sourceLength - 1, (int)Math.Ceiling(end) - 1);
            var weights = new double[last - first + 1];
            for (var s = first; s <= last; s++)
            {
                var covered = Math.Min(end, s + 1) - Math.Max(start, s);
                weights[s - first] = covered / scale;
            }
            cells[t] = (first, weights);
        }
        return cells;
    }
}
