using System.Globalization;
using LabelHub.Domain.Learning;
using LabelHub.Workers.Learning;

namespace LabelHub.Bench.Learning;

public sealed class HelpRequested : Exception;

public sealed record BenchOptions
{
    public bool Quick { get; init; }

    /// <summary>TorchSharp's and PyTorch's threads for the speed figures.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>
    /// TorchSharp's threads while the curves run: they measure accuracy, not time, and on the shared two-core machine
    /// one thread trains several times faster than two whenever other processes are busy (see the speed section).
    /// </summary>
    public int CurveThreads { get; init; } = 1;

    /// <summary>The training round's held-out share, as the product splits.</summary>
    public const double RoundValidationShare = ActiveLearningRound.ValidationShare;

    /// <summary>Before each speed figure, wait up to this long for the machine to be quiet (other load under 0.3 cores).</summary>
    public int QuietWaitMinutes { get; init; } = 15;

    public int ScoringItems { get; init; } = 100_000;
    public int ScoringRuns { get; init; } = 3;
    public int McSamples { get; init; } = 20;
    public int RoundLabels { get; init; } = 1_000;
    public int RoundRuns { get; init; } = 3;
    public int StepWarmup { get; init; } = 20;
    public int Steps { get; init; } = 200;

    /// <summary>Active-learning pool: a seeded subset of the 60,000 training images (all of them at 60000; 50000 at most with --tune).</summary>
    public int Pool { get; init; } = 60_000;

    /// <summary>Test images from t10k (a seeded subset when fewer than 10,000).</summary>
    public int Test { get; init; } = 10_000;

    public int Seeds { get; init; } = 3;
    public int SeedLabels { get; init; } = 100;
    public int Batch { get; init; } = 50;
    public int MaxLabels { get; init; } = 1_000;

    public IReadOnlyList<SamplingStrategy> Strategies { get; init; } =
        [SamplingStrategy.Random, SamplingStrategy.LeastConfidence, SamplingStrategy.Margin, SamplingStrategy.Entropy, SamplingStrategy.Bald];

    /// <summary>off, on or both: the uncertainty strategies without and/or with k-center diversity.</summary>
    public string Diversity { get; init; } = "both";

    public int CandidateFactor { get; init; } = 4;
    public bool ColdStart { get; init; }
    public bool WarmStart { get; init; }
    /// <summary>The labeled share held out for early stopping in the curves' rounds: the product's (chosen with --tune runs).</summary>
    public double ValidationShare { get; init; } = ActiveLearningRound.ValidationShare;

    /// <summary>The curves' training options: the product's rounds' (chosen with --tune runs).</summary>
    public TrainingOptions Training { get; init; } = ActiveLearningRound.Training;

    /// <summary>
    /// Measure the curves on held-out training images (the last 10,000 of the 60,000, never in the pool) instead of
    /// t10k: for choosing options without looking at the test set.
    /// </summary>
    public bool Tune { get; init; }

    public bool SkipSpeed { get; init; }
    public bool SkipPython { get; init; }
    public bool SkipCurves { get; init; }
    public string Python { get; init; } = "/usr/bin/python3";
    public string ResultsDirectory { get; init; } = DefaultResultsDirectory();

    public IReadOnlyList<SimulatedStrategy> SimulatedStrategies =>
        [.. Strategies.SelectMany(strategy => strategy == SamplingStrategy.Random
            ? [new SimulatedStrategy(strategy, false)]
            : Diversity switch
            {
                "on" => [new SimulatedStrategy(strategy, true)],
                "off" => [new SimulatedStrategy(strategy, false)],
                _ => new[] { new SimulatedStrategy(strategy, false), new SimulatedStrategy(strategy, true) },
            })];

    public const string Usage = """
        LabelHub learning benchmark (Fashion-MNIST from Debian's dataset-fashion-mnist, installed when missing):
        1. scoring 100,000 pool items with the image CNN, plain and with 20 MC-dropout passes (target ≤ 5 s);
        2. one training round on 1,000 labels with the product's options (target ≤ 30 s);
        3. the CNN's training step side by side with Debian's python3-torch on the same batch and weights (target ≤ 1.25×);
        4. active-learning curves of every strategy through StrategySimulation (target: the best strategy reaches
           Random's accuracy at 1,000 labels with ≤ 600).

          --quick               a short run: scoring 20,000, one training round, 60 steps, curves on a 3,000-image pool,
                                2,000 test images, one seed, up to 300 labels, Random/Margin/Bald without diversity
          --threads N           TorchSharp and PyTorch threads for the speed figures (default 2; scoring and a round also with 1)
          --curve-threads N     TorchSharp threads for the curves (default 1: the fastest on a busy two-core machine)
          --quiet-wait M        before each speed figure wait up to M minutes for other load under 0.3 cores (default 15)
          --pool N              active-learning pool: seeded subset of the training images (default 60000 = all)
          --test N              test images from t10k (default 10000 = all; fewer: a seeded subset)
          --seeds N             seeds 1..N (default 3)
          --seed-labels N       labels before the first model (default 100)
          --batch N             labels per round (default 50)
          --max-labels N        label budget (default 1000)
          --strategies LIST     comma-separated: Random,LeastConfidence,Margin,Entropy,Bald (default all)
          --diversity off|on|both   uncertainty strategies without/with k-center diversity (default both)
          --candidate-factor N  diversity chooses among the top batch×N (default 4)
          --cold-start          seed labels by k-center over pixels instead of at random
          --warm-start          keep training last round's model instead of a new one per round
          --validation-share P  labeled share held out for early stopping in the curves (default 0.1, the product's)
          --epochs N --patience N --lr X --weight-decay X --train-batch N --shift N
                                the curves' training options (default 60 / 10 / 1e-3 / 1e-4 / 64 / 1: the product's);
                                --shift moves each training image by up to N pixels; the speed figures always use the product's
          --tune                measure curves on train images 50,000–59,999 (never pooled) instead of t10k
          --skip-speed --skip-python --skip-curves
          --python PATH         default /usr/bin/python3 (Debian's, which sees python3-torch)
          --results DIR         default bench/results
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = args.Contains("--quick")
            ? new BenchOptions
            {
                Quick = true,
                ScoringItems = 20_000,
                ScoringRuns = 2,
                RoundRuns = 1,
                Steps = 60,
                StepWarmup = 10,
                Pool = 3_000,
                Test = 2_000,
                Seeds = 1,
                MaxLabels = 300,
                Strategies = [SamplingStrategy.Random, SamplingStrategy.Margin, SamplingStrategy.Bald],
                Diversity = "off",
            }
            : new BenchOptions();
        var training = options.Training;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Double() => double.Parse(Next(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--quick" => options,
                "--threads" => options with { Threads = Int() },
                "--curve-threads" => options with { CurveThreads = Int() },
                "--quiet-wait" => options with { QuietWaitMinutes = Int() },
                "--pool" => options with { Pool = Int() },
                "--test" => options with { Test = Int() },
                "--seeds" => options with { Seeds = Int() },
                "--seed-labels" => options with { SeedLabels = Int() },
                "--batch" => options with { Batch = Int() },
                "--max-labels" => options with { MaxLabels = Int() },
                "--strategies" => options with { Strategies = [.. Next().Split(',').Select(name => Enum.Parse<SamplingStrategy>(name.Trim(), ignoreCase: true))] },
                "--diversity" => options with { Diversity = Next() is var value && value is "off" or "on" or "both" ? value : throw new ArgumentException("--diversity is off, on or both.") },
                "--candidate-factor" => options with { CandidateFactor = Int() },
                "--cold-start" => options with { ColdStart = true },
                "--warm-start" => options with { WarmStart = true },
                "--validation-share" => options with { ValidationShare = Double() },
                "--epochs" => options with { Training = training = training with { MaxEpochs = Int() } },
                "--patience" => options with { Training = training = training with { Patience = Int() } },
                "--lr" => options with { Training = training = training with { LearningRate = Double() } },
                "--weight-decay" => options with { Training = training = training with { WeightDecay = Double() } },
                "--train-batch" => options with { Training = training = training with { BatchSize = Int() } },
                "--shift" => options with { Training = training = training with { ShiftPixels = Int() } },
                "--tune" => options with { Tune = true },
                "--skip-speed" => options with { SkipSpeed = true },
                "--skip-python" => options with { SkipPython = true },
                "--skip-curves" => options with { SkipCurves = true },
                "--python" => options with { Python = Next() },
                "--results" => options with { ResultsDirectory = Next() },
                "--help" or "-h" => throw new HelpRequested(),
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        var poolLimit = options.Tune ? FashionMnist.TuningStart : FashionMnist.TrainCount;
        if (options.Pool < options.MaxLabels || options.Pool > poolLimit || options.Test < 1 || options.Test > FashionMnist.TestCount || options.Seeds < 1)
        {
            throw new ArgumentException($"Need max labels ≤ pool ≤ {poolLimit}, 1 ≤ test ≤ {FashionMnist.TestCount}, at least one seed.");
        }
        return options;
    }

    /// <summary>The options that reproduce this run's curves, every one spelled out so later default changes do not matter.</summary>
    public string CurveArguments()
    {
        var parts = new List<string>
        {
            $"--pool {Pool}", $"--test {Test}", $"--seeds {Seeds}", $"--seed-labels {SeedLabels}", $"--batch {Batch}", $"--max-labels {MaxLabels}",
            $"--strategies {string.Join(',', Strategies)}", $"--diversity {Diversity}", $"--candidate-factor {CandidateFactor}",
            string.Create(CultureInfo.InvariantCulture, $"--validation-share {ValidationShare} --epochs {Training.MaxEpochs} --patience {Training.Patience} --lr {Training.LearningRate} --weight-decay {Training.WeightDecay} --train-batch {Training.BatchSize} --shift {Training.ShiftPixels}"),
            $"--curve-threads {CurveThreads}",
        };
        if (ColdStart)
        {
            parts.Add("--cold-start");
        }
        if (WarmStart)
        {
            parts.Add("--warm-start");
        }
        if (Tune)
        {
            parts.Add("--tune");
        }
        return string.Join(' ', parts);
    }

    private static string DefaultResultsDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LabelHub.sln")))
            {
                return Path.Combine(directory.FullName, "bench", "results");
            }
        }
        return Path.Combine(Environment.CurrentDirectory, "bench", "results");
    }
}
