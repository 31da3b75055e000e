using System.Text.Json;
using LabelHub.Domain.Synthesis;

namespace LabelHub.Domain.Tests.Synthesis;

/// <summary>
/// Pinned by TestData/frechet-reference.json: numpy moments and pytorch-fid's distance (scipy.linalg.sqrtm), written by
/// TestData/frechet-reference.py independently of this code.
/// </summary>
public sealed class FrechetDistanceTests
{
    public static TheoryData<string> Cases() => [.. Reference.Value.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Moments_match_numpy(string name)
    {
        var c = Reference.Value.Single(r => r.Name == name);

        var (mean, cov) = FrechetDistance.Moments(c.RowsA, c.CountA, c.Dim);

        Assert.Equal(c.MeanA, mean, (x, y) => Math.Abs(x - y) < 1e-9);
        Assert.Equal(c.CovA, cov, (x, y) => Math.Abs(x - y) < 1e-9);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Distance_matches_scipy(string name)
    {
        var c = Reference.Value.Single(r => r.Name == name);
        var (meanA, covA) = FrechetDistance.Moments(c.RowsA, c.CountA, c.Dim);
        var (meanB, covB) = FrechetDistance.Moments(c.RowsB, c.CountB, c.Dim);

        var distance = FrechetDistance.Between(meanA, covA, meanB, covB, c.Dim);

        Assert.Equal(c.Distance, distance, 1e-6 * Math.Max(1, c.Distance));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_set_is_at_distance_zero_from_itself(string name)
    {
        var c = Reference.Value.Single(r => r.Name == name);
        var (mean, cov) = FrechetDistance.Moments(c.RowsA, c.CountA, c.Dim);

        Assert.Equal(0, FrechetDistance.Between(mean, cov, mean, cov, c.Dim), 1e-6);
    }

    [Fact]
    public void One_dimension_is_the_closed_form()
    {
        // For 1-D Gaussians: (μa − μb)² + (σa − σb)².
        var distance = FrechetDistance.Between([1.0], [4.0], [3.0], [9.0], 1);

        Assert.Equal(4 + 1, distance, 12);
    }

    [Fact]
    public void Sizes_that_do_not_fit_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FrechetDistance.Between([0, 0], [1, 0, 0, 1], [0], [1], 2));
        Assert.Throws<ArgumentException>(() => FrechetDistance.Moments(new float[5], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrechetDistance.Moments(new float[3], 1, 3));
    }

    private static readonly Lazy<IReadOnlyList<ReferenceCase>> Reference = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "frechet-reference.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ReferenceCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("dim").GetInt32(),
            c.GetProperty("count_a").GetInt32(),
            c.GetProperty("count_b").GetInt32(),
            [.. c.GetProperty("rows_a").EnumerateArray().Select(v => v.GetSingle())],
            [.. c.GetProperty("rows_b").EnumerateArray().Select(v => v.GetSingle())],
            [.. c.GetProperty("mean_a").EnumerateArray().Select(v => v.GetDouble())],
            [.. c.GetProperty("cov_a").EnumerateArray().Select(v => v.GetDouble())],
            c.GetProperty("distance").GetDouble()))];
    });

    private sealed record ReferenceCase(string Name, int Dim, int CountA, int CountB, float[] RowsA, float[] RowsB, double[] MeanA, double[] CovA, double Distance);
}
