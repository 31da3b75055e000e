using System.Diagnostics;
using System.Globalization;
using System.Text;
using LabelHub.Bench.LabelErrors;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Learning;
using LabelHub.Workers.Cleansing;
using LabelHub.Workers.Learning;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: LabelHub.Bench.LabelErrors [images] [noise rates, comma-separated] [folds] [max epochs] [report path] [filter|all]
//        [views|noviews] [repeats]
// The label-error job's core end to end on Fashion-MNIST: K-fold out-of-sample probabilities from the learning
// stage's CNN (OutOfFoldProbabilities, as the job trains them), then confident learning, against the flipped set.
var c = CultureInfo.InvariantCulture;
var count = args.Length > 0 ? int.Parse(args[0], c) : 10_000;
var noiseRates = args.Length > 1 ? args[1].Split(',').Select(r => double.Parse(r, c)).ToArray() : [0.05, 0.10, 0.20];
var folds = args.Length > 2 ? int.Parse(args[2], c) : CleansingDetectors.DefaultFolds;
var epochs = args.Length > 3 ? int.Parse(args[3], c) : CleansingDetectors.DefaultMaxEpochs;
var reportPath = args.Length > 4 && args[4] != "-" ? args[4] : null;
var filters = args.Length > 5 && args[5] != "all" ? [Enum.Parse<LabelIssueFilter>(args[5])] : Enum.GetValues<LabelIssueFilter>();
// As the job scores: each held-out image and its four one-pixel shifts, averaged.
var shiftViews = args.Length <= 6 || args[6] != "noviews";
var repeats = args.Length > 7 ? int.Parse(args[7], c) : 1;
const int Seed = 20261205;

var log = new StringBuilder();
void Say(string line)
{
    Console.WriteLine(line);
    log.AppendLine(line);
}

Say(FormattableString.Invariant($"Label-error benchmark: {count:N0} Fashion-MNIST training images (seeded sample), noise {string.Join(", ", noiseRates.Select(r => r.ToString("P0", c)))}, {folds} folds, up to {epochs} epochs, {(shiftViews ? "5 shifted views" : "1 view")} per held-out image, {repeats} K-fold run(s) averaged, seed {Seed}."));
Say(FormattableString.Invariant($"Machine: {Environment.ProcessorCount} logical CPUs, {TorchSettings.DefaultThreads(Environment.ProcessorCount)} TorchSharp thread(s), load average {LoadAverage()}; build {(IsOptimized() ? "Release" : "Debug (use -c Release)")}."));
var read = Stopwatch.StartNew();
var clean = FashionMnist.Sample(count, Seed);
Say(FormattableString.Invariant($"Read and decoded in {read.Elapsed.TotalSeconds:0.0} s."));
using var torch = new TorchThread(NullLogger<TorchThread>.Instance);
// As many threads as the job gets (TorchSettings' default, one less than the cores): libtorch's own default
// oversubscribes a busy machine and ran ten times slower here.
var threads = TorchSettings.DefaultThreads(Environment.ProcessorCount);
await torch.RunAsync(() =>
{
    TorchSharp.torch.set_num_threads(threads);
    TorchSharp.torch.set_num_interop_threads(threads);
    return 0;
});
var itemIds = Enumerable.Range(1, count).Select(i => (long)i).ToArray();
var spec = new ClassifierSpec(ModelKind.ImageCnn, [1, FashionMnist.Side, FashionMnist.Side], FashionMnist.ClassCount);
Say("");
Say("| noise | filter | self-confidence below | flipped | flagged | precision | recall | precision of the first 100 ranked | mean fold accuracy (given labels) | accuracy on true labels | estimated noise | train s | CL s |");
Say("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var noise in noiseRates)
{
    var random = new Random(Seed + (int)(noise * 1000));
    var labels = (int[])clean.Labels.Clone();
    var flipped = new HashSet<int>();
    foreach (var index in Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take((int)Math.Round(count * noise)))
    {
        labels[index] = (labels[index] + 1 + random.Next(FashionMnist.ClassCount - 1)) % FashionMnist.ClassCount;
        flipped.Add(index);
    }
    var noisy = new Dataset(clean.Features, [1, FashionMnist.Side, FashionMnist.Side], labels);
    var training = ActiveLearningRound.Training with { MaxEpochs = epochs };
    var train = Stopwatch.StartNew();
    var lastFold = -1;
    void Progress(FoldProgress step)
    {
        if (step.Fold != lastFold || step.Epoch % 10 == 0)
        {
            lastFold = step.Fold;
            Console.Error.WriteLine(FormattableString.Invariant($"  {train.Elapsed.TotalSeconds:0} s: fold {step.Fold + 1}/{step.FoldCount}, epoch {step.Epoch}, validation accuracy {step.ValidationAccuracy:0.000}"));
        }
    }
    // Repeats (a bench option, not the job's): K-fold again with other seeds, the probabilities averaged.
    var outOfFold = await OutOfFoldProbabilities.ComputeAsync(torch, spec, noisy, itemIds, folds, training, Progress, CancellationToken.None, shiftViews);
    for (var repeat = 1; repeat < repeats; repeat++)
    {
        var once = await OutOfFoldProbabilities.ComputeAsync(torch, spec, noisy, itemIds, folds, training with { Seed = repeat }, Progress, CancellationToken.None, shiftViews);
        for (var j = 0; j < once.Probabilities.Length; j++)
        {
            outOfFold.Probabilities[j] = ((outOfFold.Probabilities[j] * repeat) + once.Probabilities[j]) / (repeat + 1);
        }
    }
    train.Stop();
    // For looking at the cut offline: every image's given and true label and its out-of-fold probabilities.
    if (Environment.GetEnvironmentVariable("LABELHUB_BENCH_DUMP") is { Length: > 0 } dumpPath)
    {
        using var dump = new StreamWriter(FormattableString.Invariant($"{dumpPath}-{noise:0.00}.csv"));
        for (var i = 0; i < count; i++)
        {
            var row = outOfFold.Probabilities.AsSpan(i * FashionMnist.ClassCount, FashionMnist.ClassCount).ToArray();
            dump.WriteLine(string.Join(",", new[] { labels[i].ToString(c), clean.Labels[i].ToString(c) }.Concat(row.Select(p => p.ToString("R", c)))));
        }
    }
    var trueAccuracy = Enumerable.Range(0, count).Count(i => ArgMax(outOfFold.Probabilities.AsSpan(i * FashionMnist.ClassCount, FashionMnist.ClassCount)) == clean.Labels[i]) / (double)count;
    foreach (var filter in filters)
        foreach (var ceiling in new[] { 1.0, CleansingDetectors.DefaultMaxSelfConfidence })
        {
            var cl = Stopwatch.StartNew();
            var result = ConfidentLearning.FindLabelIssues(labels, outOfFold.Probabilities, FashionMnist.ClassCount, new ConfidentLearningOptions(filter, MaxSelfConfidence: ceiling));
            cl.Stop();
            var found = result.Issues.Select(i => i.Index).ToHashSet();
            var hits = found.Count(flipped.Contains);
            var precision = found.Count == 0 ? 0 : hits / (double)found.Count;
            var recall = hits / (double)flipped.Count;
            // What a reviewer meets first: the issues come ranked, most suspect first.
            var top = result.Issues.Take(100).ToList();
            var topPrecision = top.Count == 0 ? 0 : top.Count(i => flipped.Contains(i.Index)) / (double)top.Count;
            Say(FormattableString.Invariant($"| {noise:P0} | {filter} | {ceiling:0.00} | {flipped.Count:N0} | {found.Count:N0} | {precision:0.000} | {recall:0.000} | {topPrecision:0.000} | {outOfFold.Folds.Average(f => f.HeldOutAccuracy):0.000} | {trueAccuracy:0.000} | {result.EstimatedIssueCount / (double)count:0.000} | {train.Elapsed.TotalSeconds:0.0} | {cl.Elapsed.TotalSeconds:0.000} |"));
        }
    Say(FormattableString.Invariant($"  folds at {noise:P0}: {string.Join("; ", outOfFold.Folds.Select(f => $"#{f.Fold} best epoch {f.BestEpoch}, {f.HeldOutAccuracy:0.000}, {f.Seconds:0.0} s"))}"));
    // Written after every noise rate: a long run stopped part way still leaves the rows it finished.
    if (reportPath is not null)
    {
        File.WriteAllText(reportPath, log.ToString());
    }
}
if (reportPath is not null)
{
    Console.WriteLine($"Report written to {reportPath}");
}

static int ArgMax(ReadOnlySpan<float> row)
{
    var best = 0;
    for (var i = 1; i < row.Length; i++)
    {
        if (row[i] > row[best])
        {
            best = i;
        }
    }
    return best;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

static bool IsOptimized() =>
    typeof(LabelErrorDetection).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().All(d => !d.IsJITOptimizerDisabled);
