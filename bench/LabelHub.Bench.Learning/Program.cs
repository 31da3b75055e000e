using System.Diagnostics;
using LabelHub.Bench;
using LabelHub.Bench.Learning;
using LabelHub.Workers.Learning;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (HelpRequested)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 64;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
// The commit is read before the run: the code that runs is the code built from it.
var report = new Report { Options = options, Arguments = args, StartedAt = DateTimeOffset.Now, LoadBefore = Machine.LoadAverage(), Commit = Report.GitCommit() };
var wholeRun = Stopwatch.StartNew();
Console.WriteLine($"LabelHub learning benchmark{(options.Quick ? " (quick)" : "")}. Load average: {report.LoadBefore}");

var runPython = !options.SkipSpeed && !options.SkipPython;
DebianPackages.EnsureInstalled(runPython ? [FashionMnist.Package, PythonSide.Package] : [FashionMnist.Package]);
report.DatasetVersion = DebianPackages.Version(FashionMnist.Package);
var runtime = new TorchRuntime(new TorchSettings(options.Threads, "cpu"), NullLogger<TorchRuntime>.Instance);
if (!runtime.Availability.Available)
{
    Console.Error.WriteLine($"TorchSharp is unavailable: {runtime.Availability.Reason}");
    return 1;
}

var train = FashionMnist.Train();
var test = FashionMnist.Test();
Console.WriteLine($"Fashion-MNIST: {train.Count:N0} training and {test.Count:N0} test images.");

if (!options.SkipSpeed)
{
    Console.WriteLine($"Training rounds on {options.RoundLabels:N0} labels (product options: {ActiveLearningRound.Training}, validation share {BenchOptions.RoundValidationShare}) ...");
    var pool = train.Subset([.. Enumerable.Range(0, options.ScoringItems).Select(i => i % train.Count)]);
    var rounds = new List<RoundResult>();
    var scoring = new List<ScoringResult>();
    // On a shared two-core machine libtorch's worker threads wait for each other while other processes hold the
    // cores; one thread shows what that costs.
    foreach (var threads in options.Threads > 1 ? [options.Threads, 1] : new[] { options.Threads })
    {
        torch.set_num_threads(threads);
        report.QuietWaits.Add(Machine.WaitForQuiet(TimeSpan.FromMinutes(options.QuietWaitMinutes)));
        var (threadRounds, model) = SpeedBenchmarks.TrainingRounds(threads, train, test, options.RoundLabels, threads == options.Threads ? options.RoundRuns : 1, BenchOptions.RoundValidationShare);
        rounds.AddRange(threadRounds);
        using (model)
        {
            Console.WriteLine($"Scoring with {threads} thread(s) (the first round's model, batches of 1,024) ...");
            scoring.Add(SpeedBenchmarks.Scoring(threads, model, pool, 0, options.ScoringRuns));
            scoring.Add(SpeedBenchmarks.Scoring(threads, model, pool, options.McSamples, options.ScoringRuns));
        }
    }
    torch.set_num_threads(options.Threads);
    report.Rounds = rounds;
    report.Scoring = scoring;

    Console.WriteLine($"Training steps on one batch of 64 ({options.StepWarmup} warm-up, {options.Steps} timed) ...");
    report.QuietWaits.Add(Machine.WaitForQuiet(TimeSpan.FromMinutes(options.QuietWaitMinutes)));
    var batch = FashionMnist.Sample(train, 64, seed: 1, train.Count);
    report.CSharpStepMs.Add(SpeedBenchmarks.StepMs(batch, options.StepWarmup, options.Steps, seed: 1));
    Console.WriteLine($"  C#: median {Report.Median(report.CSharpStepMs[^1]):F1} ms");
    if (runPython)
    {
        var folder = Directory.CreateTempSubdirectory("labelhub-learning-bench-");
        try
        {
            var weights = Path.Combine(folder.FullName, "initial.classifier");
            report.CSharpCheckLosses = SpeedBenchmarks.CheckLosses(batch, steps: 5, seed: 1, weights);
            foreach (var libraryFolder in new[] { null, PythonSide.OpenBlasLibraryFolder() }.Distinct())
            {
                var (result, command) = PythonSide.Run(options, weights, batch, checkSteps: 5, libraryFolder);
                report.Python.Add((result, command));
                Console.WriteLine($"  PyTorch {result.Torch} with {result.Blas}: median {Report.Median(result.StepMs):F1} ms");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
        // Once more after Python, so a change in the machine's load between the two shows.
        report.CSharpStepMs.Add(SpeedBenchmarks.StepMs(batch, options.StepWarmup, options.Steps, seed: 1));
        Console.WriteLine($"  C# again: median {Report.Median(report.CSharpStepMs[^1]):F1} ms");
    }
}

if (!options.SkipCurves)
{
    // With --tune the curves are measured on training images the pool never holds, so t10k stays unseen.
    var pool = FashionMnist.Sample(train, options.Pool, seed: 20261204, options.Tune ? FashionMnist.TuningStart : train.Count);
    var measured = options.Tune
        ? FashionMnist.Sample(train.Subset([.. Enumerable.Range(FashionMnist.TuningStart, FashionMnist.TrainCount - FashionMnist.TuningStart)]), options.Test, seed: 7, FashionMnist.TrainCount - FashionMnist.TuningStart)
        : FashionMnist.Sample(test, options.Test, seed: 7, test.Count);
    var simulationOptions = new SimulationOptions(
        [.. options.SimulatedStrategies], options.SeedLabels, options.Batch, options.MaxLabels, [.. Enumerable.Range(1, options.Seeds)],
        SpeedBenchmarks.Spec, options.Training)
    {
        ValidationShare = options.ValidationShare,
        McSamples = options.McSamples,
        CandidateFactor = options.CandidateFactor,
        ColdStart = options.ColdStart,
        WarmStart = options.WarmStart,
    };
    report.SimulationOptions = simulationOptions;
    torch.set_num_threads(options.CurveThreads);
    Console.WriteLine($"Active-learning curves: pool {pool.Count:N0}, measured on {measured.Count:N0} {(options.Tune ? "held-out training" : "test")} images, " +
                      $"{string.Join(", ", options.SimulatedStrategies.Select(s => s.Name))}, {options.Seeds} seed(s) ...");
    var measurement = Measurement.Start();
    report.Simulation = new StrategySimulation(simulationOptions).Run(pool, measured, progress =>
    {
        Console.WriteLine($"  [{progress.RunsDone + 1}/{progress.RunsTotal}] {progress.Strategy.Name}, seed {progress.Seed}: {progress.Labels,5} labels → " +
                          $"{progress.TestAccuracy:P2} ({progress.Training.Epochs.Count} epochs, {progress.Training.Seconds:F1} s; RSS {Machine.ResidentMb()} MB)");
        if (progress.Labels == options.MaxLabels)
        {
            // A run's end: with a full collection first, the resident size shows native memory, which no GC frees.
            GC.Collect();
            Console.WriteLine($"    after a full GC: RSS {Machine.ResidentMb()} MB, managed heap {GC.GetTotalMemory(false) / 1_000_000} MB");
        }
    }, cancel.Token);
    report.SimulationTiming = measurement.Stop();
}

report.WholeRun = wholeRun.Elapsed;
report.LoadAfter = Machine.LoadAverage();
var markdown = report.ToMarkdown();
Directory.CreateDirectory(options.ResultsDirectory);
var path = Path.Combine(options.ResultsDirectory, $"learning-{report.StartedAt:yyyy-MM-dd-HHmm}.md");
File.WriteAllText(path, markdown);
Console.WriteLine();
Console.WriteLine(markdown);
Console.WriteLine($"Written to {path}");
return report.AllTargetsMet ? 0 : 2;
