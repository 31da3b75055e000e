using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

public sealed class PerceptualHashTests
{
    private static readonly Lazy<JsonElement> Vectors = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "perceptual-hash-vectors.json"))).RootElement);

    [Theory]
    [InlineData("dct-8")]
    [InlineData("dct-32")]
    public void The_dct_matches_the_reference_computed_through_numpy_fft(string id)
    {
        var vector = Vector(id);
        var side = vector.GetProperty("side").GetInt32();
        var input = vector.GetProperty("input").EnumerateArray().Select(v => (double)v.GetInt32()).ToArray();
        var expected = vector.GetProperty("output").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var full = new double[side * side];
        var low = new double[8 * 8];

        PerceptualHash.Dct2D(input, side, side, full);
        PerceptualHash.Dct2D(input, side, 8, low);

        for (var i = 0; i < full.Length; i++)
        {
            // The reference keeps 9 significant digits.
            Assert.True(Math.Abs(full[i] - expected[i]) <= 1e-8 * Math.Max(1, Math.Abs(expected[i])) + 1e-6, $"{id}[{i}]: {full[i]} vs {expected[i]}");
        }
        for (var v = 0; v < 8; v++)
        {
            for (var u = 0; u < 8; u++)
            {
                Assert.Equal(full[(v * side) + u], low[(v * 8) + u], 9);
            }
        }
    }

    [Theory]
    [InlineData("phash-random")]
    [InlineData("phash-gradient-disc")]
    public void Phash_of_a_32_by_32_image_matches_the_reference_and_imagehash(string id)
    {
        var vector = Vector(id);
        var pixels = vector.GetProperty("input").EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray();

        var hash = PerceptualHash.PHash(pixels, 32, 32);

        Assert.Equal(vector.GetProperty("median_without_dc").GetString(), Hex(hash));
        // The DC term is the largest coefficient, so leaving it out of the median changes nothing.
        Assert.Equal(vector.GetProperty("imagehash_median_with_dc").GetString(), Hex(hash));
    }

    [Fact]
    public void Dhash_of_a_9_by_8_image_matches_the_reference()
    {
        var vector = Vector("dhash-random");
        var pixels = vector.GetProperty("input").EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray();

        Assert.Equal(vector.GetProperty("left_brighter").GetString(), Hex(PerceptualHash.DHash(pixels, 9, 8)));
    }

    [Fact]
    public void Dhash_of_gradients_and_a_checkerboard_has_the_expected_bits()
    {
        var rising = Image(90, 80, (x, _) => x);
        var falling = Image(90, 80, (x, _) => 255 - x);
        // 10 × 10 cells: the 9 × 8 reduction is exact, one cell per pixel.
        var checkerboard = Image(90, 80, (x, y) => ((x / 10) + (y / 10)) % 2 == 0 ? 255 : 0);

        Assert.Equal(0UL, PerceptualHash.DHash(rising, 90, 80));
        Assert.Equal(ulong.MaxValue, PerceptualHash.DHash(falling, 90, 80));
        Assert.Equal(0xAA55AA55AA55AA55UL, PerceptualHash.DHash(checkerboard, 90, 80));
    }

    [Fact]
    public void Phash_of_a_horizontal_cosine_sets_exactly_the_dc_and_its_frequency_and_of_a_vertical_one_its_transpose()
    {
        // One non-zero AC coefficient, far above the median of the others (zero up to rounding, so their bits are
        // not asserted).
        var horizontal = Image(32, 32, (x, _) => 128 + (100 * Math.Cos(Math.PI * ((2 * x) + 1) / 64)));
        var vertical = Image(32, 32, (_, y) => 128 + (100 * Math.Cos(Math.PI * ((2 * y) + 1) / 64)));
        var low = new double[64];

        PerceptualHash.Dct2D(horizontal.Select(v => (double)v).ToArray(), 32, 8, low);

        Assert.True(low[1] > 1000 && Math.Abs(low[8]) < 1e-6 && Math.Abs(low[9]) < 1e-6, $"X[0,1] = {low[1]}, X[1,0] = {low[8]}");
        var h = PerceptualHash.PHash(horizontal, 32, 32);
        var v = PerceptualHash.PHash(vertical, 32, 32);
        Assert.True((h & (1UL << 63)) != 0 && (h & (1UL << 62)) != 0, Hex(h));
        Assert.True((v & (1UL << 63)) != 0 && (v & (1UL << 55)) != 0, Hex(v));
    }

    [Fact]
    public void Both_hashes_ignore_brightness_and_contrast_changes_and_exact_upscaling()
    {
        var random = new Random(14);
        var small = Enumerable.Range(0, 32 * 32).Select(_ => (float)random.Next(40, 200)).ToArray();
        var brighter = small.Select(v => (1.2f * v) + 10).ToArray();
        // Every pixel doubled in both directions: area averaging back to 32 × 32 is exact.
        var doubled = Image(64, 64, (x, y) => small[((y / 2) * 32) + (x / 2)]);

        var phash = PerceptualHash.PHash(small, 32, 32);
        var dhash = PerceptualHash.DHash(small, 32, 32);

        Assert.Equal(phash, PerceptualHash.PHash(brighter, 32, 32));
        Assert.Equal(phash, PerceptualHash.PHash(doubled, 64, 64));
        Assert.Equal(dhash, PerceptualHash.DHash(brighter, 32, 32));
        Assert.Equal(dhash, PerceptualHash.DHash(doubled, 64, 64));
    }

    [Fact]
    public void Area_averaging_weights_partly_covered_pixels_by_the_covered_fraction_and_keeps_the_mean()
    {
        var target = new float[2];
        PerceptualHash.ResizeByAreaAveraging([3f, 6f, 12f], 3, 1, target, 2, 1);
        // Each target cell covers 1.5 source pixels: a whole one and half of the middle one.
        Assert.Equal((3 + (0.5 * 6)) / 1.5, target[0], 5);
        Assert.Equal(((0.5 * 6) + 12) / 1.5, target[1], 5);

        var random = new Random(5);
        var source = Enumerable.Range(0, 37 * 23).Select(_ => (float)random.NextDouble()).ToArray();
        var reduced = new float[9 * 8];
        PerceptualHash.ResizeByAreaAveraging(source, 37, 23, reduced, 9, 8);
        Assert.Equal(source.Average(), reduced.Average(), 5);

        var enlarged = new float[4 * 4];
        PerceptualHash.ResizeByAreaAveraging([1f, 2f, 3f, 4f], 2, 2, enlarged, 4, 4);
        Assert.Equal([1f, 1f, 2f, 2f, 1f, 1f, 2f, 2f, 3f, 3f, 4f, 4f, 3f, 3f, 4f, 4f], enlarged);
    }

    [Fact]
    public void Distance_counts_differing_bits()
    {
        Assert.Equal(0, PerceptualHash.Distance(0xDEADBEEFUL, 0xDEADBEEFUL));
        Assert.Equal(64, PerceptualHash.Distance(0UL, ulong.MaxValue));
        Assert.Equal(2, PerceptualHash.Distance(0b1010UL, 0b0110UL));
    }

    [Fact]
    public void Sizes_that_do_not_match_the_pixels_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => PerceptualHash.PHash(new float[10], 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => PerceptualHash.DHash(Array.Empty<float>(), 0, 0));
    }

    private static JsonElement Vector(string id) =>
        Vectors.Value.EnumerateArray().Single(v => v.GetProperty("id").GetString() == id);

    private static string Hex(ulong hash) => hash.ToString("x16", CultureInfo.InvariantCulture);

    private static float[] Image(int width, int height, Func<int, int, double> luminance)
    {
        var pixels = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = (float)luminance(x, y);
            }
        }
        return pixels;
    }
}
