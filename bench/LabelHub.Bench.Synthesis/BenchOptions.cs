using System.Globalization;

namespace LabelHub.Bench.Synthesis;

public sealed class HelpRequested : Exception;

public sealed record BenchOptions
{
    public const string Usage = """
        dotnet run -c Release --project bench/LabelHub.Bench.Synthesis -- [options]

          Part 1, the DCGAN training step (G and D, 28 x 28, batch 128) in TorchSharp and in python3-torch:
            --warmup N        untimed steps first (default 10)
            --steps N         timed steps on each side (default 50)
            --threads N       TorchSharp's and PyTorch's threads (default 2)
            --python PATH     the Python with torch (default /usr/bin/python3)
            --skip-python     time the C# side only
            --skip-speed      leave part 1 out
          Part 2, CAS on Fashion-MNIST (train the GAN, measure against the 10,000 test images):
            --train N         training images for the GAN, a seeded subset of the 60,000 (default 60000)
            --epochs N        GAN epochs (default 20)
            --per-class N     images per class for CAS and its real baseline (default 1000)
            --gain-real N     real images per class for the augmentation gain (default 100)
            --gain-synthetic N  generated images per class added to them (default 500)
            --skip-cas        leave part 2 out
          --width N           the GAN's widest layer (default 64)
          --quiet-wait N      minutes to wait for a quiet machine before timing (default 5)
          --results DIR       where the Markdown report goes (default bench/results)
        """;

    public int Warmup { get; init; } = 10;
    public int Steps { get; init; } = 50;
    public int Threads { get; init; } = 2;
    public string Python { get; init; } = "/usr/bin/python3";
    public bool SkipPython { get; init; }
    public bool SkipSpeed { get; init; }
    public int Train { get; init; } = 60_000;
    public int Epochs { get; init; } = 20;
    public int PerClass { get; init; } = 1_000;
    public int GainReal { get; init; } = 100;
    public int GainSynthetic { get; init; } = 500;
    public bool SkipCas { get; init; }
    public int Width { get; init; } = 64;
    public int QuietWaitMinutes { get; init; } = 5;
    public string ResultsDirectory { get; init; } = Path.Combine("bench", "results");

    public const int BatchSize = 128;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture) is var n and > 0 ? n : throw new ArgumentException($"{args[i]} needs a positive number.");
            options = args[i] switch
            {
                "--help" or "-h" => throw new HelpRequested(),
                "--warmup" => options with { Warmup = Number() },
                "--steps" => options with { Steps = Number() },
                "--threads" => options with { Threads = Number() },
                "--python" => options with { Python = Value() },
                "--skip-python" => options with { SkipPython = true },
                "--skip-speed" => options with { SkipSpeed = true },
                "--train" => options with { Train = Math.Min(Number(), FashionMnist.TrainCount) },
                "--epochs" => options with { Epochs = Number() },
                "--per-class" => options with { PerClass = Number() },
                "--gain-real" => options with { GainReal = Number() },
                "--gain-synthetic" => options with { GainSynthetic = Number() },
                "--skip-cas" => options with { SkipCas = true },
                "--width" => options with { Width = Number() },
                "--quiet-wait" => options with { QuietWaitMinutes = Number() },
                "--results" => options with { ResultsDirectory = Value() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return options;
    }
}
