using BenchmarkDotNet.Attributes;
using LabelHub.Domain.Quality;

namespace LabelHub.Bench.Agreement;

/// <summary>
/// The same calls as the Stopwatch harness under BenchmarkDotNet, on the default data (1,000,000 × 5, 10 % missing):
/// <c>dotnet run -c Release --project bench/LabelHub.Bench.Agreement -- bdn --filter '*'</c> (or '*Fleiss*', …).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[MemoryDiagnoser]
public class AgreementBenchmarks
{
    private static readonly BenchOptions Defaults = new();
    private RatingMatrix ratings = null!;
    private double[] values = null!;

    [GlobalSetup]
    public void Setup()
    {
        ratings = Dataset.Generate(Defaults.Items, Defaults.Raters, Defaults.Categories, Defaults.Missing, Defaults.Seed).Ratings;
        values = Defaults.CategoryValues;
    }

    [Benchmark]
    public Domain.Quality.Agreement AlphaNominal() => KrippendorffAlpha.Compute(ratings, AlphaLevel.Nominal);

    [Benchmark]
    public Domain.Quality.Agreement AlphaOrdinal() => KrippendorffAlpha.Compute(ratings, AlphaLevel.Ordinal);

    [Benchmark]
    public Domain.Quality.Agreement AlphaInterval() => KrippendorffAlpha.Compute(ratings, AlphaLevel.Interval, values);

    [Benchmark]
    public Domain.Quality.Agreement AlphaRatio() => KrippendorffAlpha.Compute(ratings, AlphaLevel.Ratio, values);

    [Benchmark]
    public Domain.Quality.Agreement Fleiss() => FleissKappa.Compute(ratings);

    [Benchmark]
    public Domain.Quality.Agreement[,] CohenPairMatrix() => CohenKappa.PairMatrix(ratings);
}
