using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Tests.Quality;

/// <summary>
/// The published agreement vectors, TestData/agreement-vectors.json (copied beside the test binaries; TestData/README.md
/// names the source of each vector).
/// </summary>
internal static class AgreementVectors
{
    private static readonly Lazy<JsonElement> Vectors = new(Load);

    public static JsonElement Get(string id)
    {
        foreach (var vector in Vectors.Value.EnumerateArray())
        {
            if (vector.GetProperty("id").GetString() == id)
            {
                return vector;
            }
        }
        throw new InvalidOperationException($"agreement-vectors.json has no vector '{id}'.");
    }

    /// <summary>
    /// Asserts <paramref name="actual"/> equals the published <paramref name="expected"/> to as many decimals as the file
    /// gives (half a unit in the last one). Past 15 decimals a double cannot promise its last digit under another
    /// summation order, so the tolerance never drops below 1e-15.
    /// </summary>
    public static void AssertToGivenDigits(JsonElement expected, Agreement actual, string what)
    {
        Assert.True(actual.IsDefined, $"{what}: undefined ({actual.UndefinedReason}), expected {expected.GetRawText()}.");
        var text = expected.GetRawText();
        var point = text.IndexOf('.', StringComparison.Ordinal);
        Assert.True(text.IndexOfAny(['e', 'E']) < 0, $"{what}: {text} is not in plain decimal form.");
        var decimals = point < 0 ? 0 : text.Length - point - 1;
        var tolerance = Math.Max(0.5 * Math.Pow(10, -decimals), 1e-15);
        var value = double.Parse(text, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(actual.Value!.Value - value) <= tolerance,
            $"{what}: got {actual.Value.Value:R}, published {text} (±{tolerance:G2}).");
    }

    /// <summary>
    /// A "coders × units, null = missing" vector as a rating matrix: the distinct values, sorted, are the category list
    /// (code = position), and also the categories' numeric values for the interval and ratio levels.
    /// </summary>
    public static (RatingMatrix Ratings, double[] CategoryValues) CodersByUnits(JsonElement vector)
    {
        var rows = vector.GetProperty("data").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(cell => cell.ValueKind == JsonValueKind.Null ? (double?)null : cell.GetDouble()).ToArray())
            .ToArray();
        var values = rows.SelectMany(row => row).OfType<double>().Distinct().Order().ToArray();
        var codes = rows.Select(row => row.Select(value => value is { } v ? Array.IndexOf(values, v) : (int?)null).ToArray()).ToArray();
        return (RatingMatrix.FromRaters(codes, values.Length), values);
    }

    private static JsonElement Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "agreement-vectors.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("vectors").Clone();
    }
}
