using System.Globalization;

namespace LabelHub.Bench.LabelErrorsApi;

public sealed record BenchOptions(int Count, double Noise, int Seed, string? Output)
{
    public const string Usage = """
        The label-error job end to end through the API (issue 14): a ZIP of Fashion-MNIST PNGs uploaded, every item answered
        by two annotators with a share of the answers flipped, the label-error job run and its findings compared with the
        flipped answers, on the repository's Release build of LabelHub.Web in its own process (SQLite, jobs in-process).

        Needs the Release build and the images first:
          dotnet build -c Release src/LabelHub.Web
          apt-get install dataset-fashion-mnist
        then:
          dotnet run -c Release --project bench/LabelHub.Bench.LabelErrorsApi -- [options]
            --count N     images, the first N of the training set (default 10000, 50 to 60000)
            --noise R     share of the answers flipped to another class at random (default 0.1)
            --seed S      seeds which answers are flipped and to what (default 14)
            --output PATH the Markdown report (default bench/results/label-errors-api-DATE.md)
        """;

    /// <summary>The options, or null when the arguments do not parse (the caller prints <see cref="Usage"/>).</summary>
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions(10_000, 0.1, 14, null);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[++i] : null;
            if (value is null)
            {
                return null;
            }
            options = args[i - 1] switch
            {
                "--count" when int.TryParse(value, CultureInfo.InvariantCulture, out var count) && count is >= 50 and <= FashionMnistZip.TrainingImages => options with { Count = count },
                "--noise" when double.TryParse(value, CultureInfo.InvariantCulture, out var noise) && noise is >= 0 and < 1 => options with { Noise = noise },
                "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out var seed) => options with { Seed = seed },
                "--output" => options with { Output = value },
                _ => null,
            };
            if (options is null)
            {
                return null;
            }
        }
        return options;
    }
}
