using System.Diagnostics;
using LabelHub.Bench;
using LabelHub.Bench.Synthesis;
using LabelHub.Domain.Synthesis;
using LabelHub.Workers.Learning;
using LabelHub.Workers.Synthesis;
using Microsoft.Extensions.Logging.Abstractions;

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
var report = new Report { Options = options, Arguments = args, StartedAt = DateTimeOffset.UtcNow, LoadBefore = Machine.LoadAverage(), Commit = Report.GitCommit() };
var wholeRun = Stopwatch.StartNew();
Console.WriteLine($"LabelHub synthesis benchmark. Load average: {report.LoadBefore}");
var runPython = !options.SkipSpeed && !options.SkipPython;
DebianPackages.EnsureInstalled(runPython ? [FashionMnist.Package, SpeedComparison.PythonPackage] : [FashionMnist.Package]);
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
    Console.WriteLine($"DCGAN training steps, batch {BenchOptions.BatchSize} ({options.Warmup} warm-up, {options.Steps} timed) ...");
    var batch = FashionMnist.Sample(train, BenchOptions.BatchSize, seed: 1, train.Count);
    var folder = Directory.CreateTempSubdirectory("labelhub-synthesis-bench-");
    try
    {
        var statePath = Path.Combine(folder.FullName, "initial.ganstate");
        report.QuietWaits.Add(Machine.WaitForQuiet(TimeSpan.FromMinutes(options.QuietWaitMinutes)));
        var (steps, firstRealScore) = SpeedComparison.CSharpSteps(options, batch, statePath);
        report.CSharpStepMs.Add(steps);
        report.CSharpFirstRealScore = firstRealScore;
        Console.WriteLine($"  C#: median {Report.Median(steps):F1} ms");
        if (runPython)
        {
            foreach (var libraryFolder in new[] { null, SpeedComparison.OpenBlasLibraryFolder() }.Distinct())
            {
                report.QuietWaits.Add(Machine.WaitForQuiet(TimeSpan.FromMinutes(options.QuietWaitMinutes)));
                var result = SpeedComparison.Python(options, statePath, batch, libraryFolder);
                report.Python.Add(result);
                Console.WriteLine($"  PyTorch {result.Torch} with {result.Blas}: median {Report.Median(result.StepMs):F1} ms");
            }
            // Once more after Python, so a change in the machine's load between the two shows.
            report.QuietWaits.Add(Machine.WaitForQuiet(TimeSpan.FromMinutes(options.QuietWaitMinutes)));
            report.CSharpStepMs.Add(SpeedComparison.CSharpSteps(options, batch, null).StepMs);
            Console.WriteLine($"  C# again: median {Report.Median(report.CSharpStepMs[^1]):F1} ms");
        }
    }
    finally
    {
        folder.Delete(recursive: true);
    }
}

if (!options.SkipCas)
{
    var ganTrain = FashionMnist.Sample(train, options.Train, seed: 20261205, train.Count);
    var spec = SpeedComparison.Spec(options);
    Console.WriteLine($"Training the GAN on {ganTrain.Count:N0} images for {options.Epochs} epochs (width {options.Width}, batch {BenchOptions.BatchSize}) ...");
    using var gan = ConditionalGan.Create(spec, new GanOptions(BatchSize: BenchOptions.BatchSize, Seed: 1));
    var ganTimer = Stopwatch.StartNew();
    for (var epoch = 0; epoch < options.Epochs; epoch++)
    {
        var metrics = gan.TrainEpoch(ganTrain, cancel.Token);
        report.Epochs.Add(metrics);
        Console.WriteLine($"  epoch {metrics.Epoch}: D {metrics.DiscriminatorLoss:F3}, G {metrics.GeneratorLoss:F3}, D(x) {metrics.RealScore:F2}, D(G(z)) {metrics.FakeScore:F2}, {metrics.Seconds:F1} s");
    }
    report.GanSeconds = ganTimer.Elapsed.TotalSeconds;
    var ratios = DiversityCheck.Ratios(gan, test, perClass: 50, seed: 3);
    report.DiversityRatios = ratios;
    report.Diagnosis = GanDiagnostics.Assess([.. report.Epochs.Select(m => (m.DiscriminatorLoss, m.GeneratorLoss, m.RealScore, m.FakeScore))], ratios, FashionMnist.ClassNames);
    Console.WriteLine($"  health: {report.Diagnosis.Health} {report.Diagnosis.Reason}; diversity ratios {string.Join(", ", ratios.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");
    const int GridColumns = 10;
    report.SamplesPng = SampleGrid.Png(gan.Generate([.. Enumerable.Range(0, FashionMnist.ClassCount).SelectMany(c => Enumerable.Repeat(c, GridColumns))], seed: 11),
        FashionMnist.ClassCount * GridColumns, 1, FashionMnist.Side, GridColumns, scale: 2);

    Console.WriteLine($"Measuring: CAS with {options.PerClass} images per class, FID, augmentation gain ({options.GainReal} real + {options.GainSynthetic} generated per class) ...");
    var evaluationTimer = Stopwatch.StartNew();
    report.Metrics = SynthesisEvaluation.Evaluate(train, test, gan.Generate,
        new SynthesisEvaluationOptions(options.PerClass, options.GainReal, options.GainSynthetic, FrechetSamples: 10_000, Seed: 1), cancel.Token);
    report.EvaluationSeconds = evaluationTimer.Elapsed.TotalSeconds;
    Console.WriteLine($"  {report.Metrics}");
}

report.WholeRun = wholeRun.Elapsed;
report.LoadAfter = Machine.LoadAverage();
Directory.CreateDirectory(options.ResultsDirectory);
var path = Path.Combine(options.ResultsDirectory, $"synthesis-{report.StartedAt:yyyy-MM-dd-HHmm}.md");
if (report.SamplesPng is not null)
{
    report.SamplesFile = Path.ChangeExtension(Path.GetFileName(path), ".png");
    File.WriteAllBytes(Path.Combine(options.ResultsDirectory, report.SamplesFile), report.SamplesPng);
}
var markdown = report.ToMarkdown();
File.WriteAllText(path, markdown);
Console.WriteLine();
Console.WriteLine(markdown);
Console.WriteLine($"Written to {path}");
return report.AllTargetsMet ? 0 : 2;
