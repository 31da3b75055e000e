using System.Globalization;

namespace LabelHub.Bench.Distribution;

/// <summary>Where learning rounds train during the --train window.</summary>
public enum TrainIn
{
    /// <summary>The web app's own job server (embedded mode's worst case: the model shares the process and the cores with requests).</summary>
    Web,

    /// <summary>A LabelHub.Workers process of its own on the same machine (server mode).</summary>
    Workers,
}

public sealed record BenchOptions
{
    public int Items { get; init; } = 1_000_000;
    public int Annotators { get; init; } = 200;
    public int Overlap { get; init; } = 3;
    // Two minutes: the first autoanalyze of items (due after a tenth of its rows changed, about 100 s in at 1,000
    // ops/s) then always falls inside the window, where with 60 s a few seconds more or less of seeding decided it.
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(120);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>An existing server (base connection string); a fresh database is created on it.</summary>
    public string? Connection { get; init; }

    /// <summary>Keep the database (and the throwaway server's directory is still removed unless --connection).</summary>
    public bool Keep { get; init; }

    /// <summary>Npgsql "Maximum Pool Size" of the web app's connection string; null keeps the app's default (DatabaseSettings.DefaultMaxPoolSize).</summary>
    public int? MaxPoolSize { get; init; }

    /// <summary>Extra Npgsql settings for the web app's connection string, e.g. "No Reset On Close=true;Max Auto Prepare=64".</summary>
    public string? AppConnectionOptions { get; init; }

    /// <summary>Offered load in task operations per second over all annotators (paced, think time between tasks); null: as fast as possible.</summary>
    public int? Rate { get; init; }

    /// <summary>Measure a window without and one with learning rounds training back to back on a second project; null: one window, no training.</summary>
    public TrainIn? Train { get; init; }

    /// <summary>Fashion-MNIST items of the training project the seeder's labeler answers before the windows (what each round trains on).</summary>
    public int TrainLabeled { get; init; } = 1_000;

    /// <summary>Unlabeled Fashion-MNIST items of the training project (what each round scores).</summary>
    public int TrainPool { get; init; } = 20_000;

    /// <summary>Throwaway server with fsync and synchronous commit on.</summary>
    public bool Durable { get; init; }

    /// <summary>Also write every measured request and GC pause as CSV here (for plotting the tail over time).</summary>
    public string? SamplesFile { get; init; }

    /// <summary>Where the markdown report goes.</summary>
    public string ResultsDirectory { get; init; } = DefaultResultsDirectory();

    public const string Usage = """
        LabelHub task-distribution benchmark: N items (overlap 3) on PostgreSQL, U simulated annotators on the REST API.

          --items N          items to seed (default 1000000)
          --annotators U     concurrent simulated annotators (default 200)
          --duration S       measured seconds (default 120)
          --warmup S         unmeasured seconds before that (default 60: tiered JIT needs about that long to settle on 2 cores)
          --rate R           pace the annotators to offer R task operations/s in total (think time between tasks);
                             default: no think time, each annotator takes the next task as soon as it has submitted
          --connection CS    use an existing PostgreSQL server (base connection string) instead of a throwaway one;
                             a fresh database is created on it and dropped at the end
          --keep             keep the database (a throwaway server is then left running; the command to stop it is printed)
          --max-pool-size N  Npgsql Maximum Pool Size of the web app (default: the app's own, 32)
          --app-connection-options "K=V;..."
                             more Npgsql settings for the web app, e.g. "No Reset On Close=true;Max Auto Prepare=64"
          --train            measure two windows of --duration each in the same deployment, one without and one
                             with learning rounds training back to back on a second project (Fashion-MNIST images,
                             Debian's dataset-fashion-mnist, installed when missing); the web app runs the job server,
                             so rounds train in its process. Report: distribution-training-<date>.md
          --train-workers    the same, with rounds training in a LabelHub.Workers process of its own (server mode)
          --train-labeled N  labeled images each round trains on (default 1000, answered through the API before the windows)
          --train-pool N     unlabeled images each round scores (default 20000)
          --durable          throwaway server with fsync/synchronous_commit on (default off, as in the tests)
          --results DIR      where to write distribution-<date>.md (default bench/results)
          --samples FILE     also write every measured request and GC pause of the web app as CSV
                             (kind, start ms into the window, duration ms)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--items" => options with { Items = Int() },
                "--annotators" => options with { Annotators = Int() },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Int()) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(Int()) },
                "--rate" => options with { Rate = Int() },
                "--connection" => options with { Connection = Value() },
                "--keep" => options with { Keep = true },
                "--max-pool-size" => options with { MaxPoolSize = Int() },
                "--app-connection-options" => options with { AppConnectionOptions = Value() },
                "--train" => options with { Train = TrainIn.Web },
                "--train-workers" => options with { Train = TrainIn.Workers },
                "--train-labeled" => options with { TrainLabeled = Int() },
                "--train-pool" => options with { TrainPool = Int() },
                "--durable" => options with { Durable = true },
                "--results" => options with { ResultsDirectory = Value() },
                "--samples" => options with { SamplesFile = Value() },
                "-h" or "--help" => throw new HelpRequested(),
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        if (options.Items < 1 || options.Annotators < 1 || options.Duration <= TimeSpan.Zero || options.Warmup < TimeSpan.Zero || options.Rate is < 1)
        {
            throw new ArgumentException("--items, --annotators, --duration and --rate must be positive, --warmup not negative.");
        }
        if (options.TrainLabeled < FashionMnist.MinLabeled || options.TrainPool < 1 || options.TrainLabeled + options.TrainPool > FashionMnist.TrainingImages)
        {
            throw new ArgumentException($"--train-labeled must be at least {FashionMnist.MinLabeled}, --train-pool positive, and together at most {FashionMnist.TrainingImages:N0} (Fashion-MNIST's training set).");
        }
        return options;
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
