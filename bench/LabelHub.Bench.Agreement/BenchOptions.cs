using System.Globalization;

namespace LabelHub.Bench.Agreement;

public sealed record BenchOptions
{
    public int Items { get; init; } = 1_000_000;
    public int Raters { get; init; } = 5;
    public int Categories { get; init; } = 5;

    /// <summary>Each (item, rater) cell is missing with this probability.</summary>
    public double Missing { get; init; } = 0.10;

    public int Seed { get; init; } = 20261126;

    /// <summary>Unmeasured calls of each metric first: over 30, so tiered JIT has promoted the hot loops to tier 1.</summary>
    public int Warmup { get; init; } = 40;

    /// <summary>Measured calls of each metric.</summary>
    public int Runs { get; init; } = 15;

    /// <summary>Timed runs of each fast Python call (statsmodels, scikit-learn).</summary>
    public int PythonRuns { get; init; } = 3;

    /// <summary>Timed runs of NLTK's nominal α (seconds each at 1M items).</summary>
    public int NltkRuns { get; init; } = 2;

    /// <summary>NLTK gets the first N items; null: all of them.</summary>
    public int? NltkItems { get; init; }

    /// <summary>α levels NLTK computes besides nominal (it has interval_distance; ratio is a one-line distance function).</summary>
    public bool NltkAllLevels { get; init; } = true;

    public bool Quick { get; init; }

    public bool NoPython { get; init; }

    public string Python { get; init; } = "/usr/bin/python3";

    public string ResultsDirectory { get; init; } = DefaultResultsDirectory();

    /// <summary>The values of the categories on the interval and ratio levels: 1..K.</summary>
    public double[] CategoryValues => Enumerable.Range(1, Categories).Select(v => (double)v).ToArray();

    public const double TargetMs = 100;

    public const double Tolerance = 1e-9;

    public const string Usage = """
        LabelHub agreement-metrics benchmark: Krippendorff's α (4 levels), Fleiss' κ and the pairwise Cohen's κ matrix
        over an in-memory items × raters matrix, single-threaded, against the 100 ms target; then the same data through
        Debian's statsmodels, NLTK and scikit-learn (/usr/bin/python3, compare.py) with values checked to 1e-9.

          --quick            fewer runs (warm-up 35, 7 measured, Python calls once, NLTK nominal α only): about a minute
          --items N          items (default 1000000)
          --raters R         raters (default 5)
          --categories K     categories (default 5; interval/ratio values 1..K)
          --missing P        probability that a rating is missing (default 0.10)
          --seed S           random seed of the data (default 20261126)
          --warmup N         unmeasured calls of each metric (default 40)
          --runs N           measured calls of each metric (default 15)
          --python-runs N    timed runs of each statsmodels / scikit-learn call (default 3)
          --nltk-runs N      timed runs of NLTK's nominal α (default 2)
          --nltk-items N     give NLTK only the first N items (default: all; the C# value is then computed on the same N)
          --nltk-nominal-only  skip NLTK's interval and ratio α
          --no-python        C# timings only
          --python PATH      interpreter that sees Debian's python3-statsmodels/-nltk/-sklearn (default /usr/bin/python3)
          --results DIR      where to write agreement-<date>.md (default bench/results)

          bdn [BenchmarkDotNet arguments]
                             run the same metrics under BenchmarkDotNet instead, e.g. `bdn --filter '*Fleiss*'`
                             (`bdn --list flat` lists them); results under BenchmarkDotNet.Artifacts/
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var warmupSet = false;
        var runsSet = false;
        var pythonRunsSet = false;
        var nltkRunsSet = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--quick": options = options with { Quick = true }; break;
                case "--items": options = options with { Items = Int() }; break;
                case "--raters": options = options with { Raters = Int() }; break;
                case "--categories": options = options with { Categories = Int() }; break;
                case "--missing": options = options with { Missing = double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture) }; break;
                case "--seed": options = options with { Seed = Int() }; break;
                case "--warmup": options = options with { Warmup = Int() }; warmupSet = true; break;
                case "--runs": options = options with { Runs = Int() }; runsSet = true; break;
                case "--python-runs": options = options with { PythonRuns = Int() }; pythonRunsSet = true; break;
                case "--nltk-runs": options = options with { NltkRuns = Int() }; nltkRunsSet = true; break;
                case "--nltk-items": options = options with { NltkItems = Int() }; break;
                case "--nltk-nominal-only": options = options with { NltkAllLevels = false }; break;
                case "--no-python": options = options with { NoPython = true }; break;
                case "--python": options = options with { Python = Value() }; break;
                case "--results": options = options with { ResultsDirectory = Value() }; break;
                case "-h" or "--help": throw new HelpRequested();
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }
        if (options.Quick)
        {
            options = options with
            {
                Warmup = warmupSet ? options.Warmup : 35,
                Runs = runsSet ? options.Runs : 7,
                PythonRuns = pythonRunsSet ? options.PythonRuns : 1,
                NltkRuns = nltkRunsSet ? options.NltkRuns : 1,
                NltkAllLevels = false,
            };
        }
        if (options.Items < 1 || options.Raters < 2 || options.Categories < 2 || options.Missing is < 0 or >= 1
            || options.Warmup < 0 || options.Runs < 1 || options.PythonRuns < 1 || options.NltkRuns < 1 || options.NltkItems is < 1)
        {
            throw new ArgumentException("--items, --runs, --python-runs, --nltk-runs, --nltk-items must be positive, --raters and --categories at least 2, " +
                                        "--missing in [0, 1), --warmup not negative.");
        }
        return options;
    }

    /// <summary>The command-line arguments that reproduce this run.</summary>
    public string Arguments()
    {
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (Quick)
        {
            parts.Add("--quick");
        }
        parts.Add($"--items {Items} --raters {Raters} --categories {Categories} --missing {Missing.ToString(c)} --seed {Seed}");
        parts.Add($"--warmup {Warmup} --runs {Runs}");
        if (!NoPython)
        {
            parts.Add($"--python-runs {PythonRuns} --nltk-runs {NltkRuns}");
            if (NltkItems is { } n)
            {
                parts.Add($"--nltk-items {n}");
            }
            if (!NltkAllLevels)
            {
                parts.Add("--nltk-nominal-only");
            }
        }
        else
        {
            parts.Add("--no-python");
        }
        return string.Join(' ', parts);
    }

    /// <summary>bench/results of the repository this binary was built from, else ./results.</summary>
    private static string DefaultResultsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LabelHub.sln")))
            {
                return Path.Combine(dir.FullName, "bench", "results");
            }
        }
        return Path.GetFullPath("results");
    }
}

public sealed class HelpRequested : Exception;
