using System.Diagnostics;
using System.Globalization;
using System.Text;
using LabelHub.Domain.Learning;
using LabelHub.Workers.Learning;

namespace LabelHub.Bench.Learning;

public sealed class Report
{
    public const double ScoringTargetSeconds = 5;
    public const double RoundTargetSeconds = 30;
    public const double StepRatioTarget = 1.25;
    public const int CurveTargetLabels = 600;

    private const string Run = "dotnet run -c Release --project bench/LabelHub.Bench.Learning --";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public required BenchOptions Options { get; init; }
    public required string[] Arguments { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string LoadBefore { get; init; }
    public string? DatasetVersion { get; set; }
    public IReadOnlyList<RoundResult> Rounds { get; set; } = [];
    public IReadOnlyList<ScoringResult> Scoring { get; set; } = [];
    public List<double[]> CSharpStepMs { get; } = [];
    public List<(TimeSpan Waited, double OtherCores)> QuietWaits { get; } = [];
    public double[]? CSharpCheckLosses { get; set; }
    public List<(PythonResult Result, string Command)> Python { get; } = [];
    public SimulationOptions? SimulationOptions { get; set; }
    public SimulationResult? Simulation { get; set; }
    public Timing? SimulationTiming { get; set; }
    public TimeSpan WholeRun { get; set; }
    public string LoadAfter { get; set; } = "";
    public required string Commit { get; init; }

    /// <summary>The better C# median over the faster PyTorch's (the stricter comparison).</summary>
    public double? StepRatio => Python.Count == 0 || CSharpStepMs.Count == 0 ? null : CSharpStepMs.Min(Median) / Python.Min(p => Median(p.Result.StepMs));

    public (SimulatedCurve Curve, int Labels)? Best =>
        Simulation?.Curves.Where(c => c.Strategy != SimulatedStrategy.Random && c.LabelsToReachRandom is not null)
            .Select(c => (c, c.LabelsToReachRandom!.Value)).OrderBy(b => b.Value).FirstOrDefault();

    /// <summary>Targets are judged with the configured threads; the 1-thread figures are for comparison.</summary>
    public bool AllTargetsMet =>
        ScoringMet(Options.Threads) && RoundsMet(Options.Threads)
        && StepRatio is null or <= StepRatioTarget
        && (Simulation is null || Best is { Labels: <= CurveTargetLabels });

    private bool ScoringMet(int threads) => Scoring.Where(s => s.Threads == threads).All(s => Median(s.Runs.Select(r => r.Seconds)) <= ScoringTargetSeconds);

    private bool RoundsMet(int threads) => Rounds.Where(r => r.Threads == threads).All(r => r.Timing.Seconds <= RoundTargetSeconds);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string GitCommit()
    {
        try
        {
            var startInfo = new ProcessStartInfo("git", "describe --always --dirty --abbrev=7") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(startInfo);
            var output = process?.StandardOutput.ReadToEnd().Trim();
            process?.WaitForExit();
            return string.IsNullOrEmpty(output) ? "unknown" : output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string F(double value, string format) => value.ToString(format, C);
        string Met(bool met) => met ? "**met**" : "**not met**";

        Line($"# Learning benchmark, {StartedAt.ToString("yyyy-MM-dd HH:mm zzz", C)}");
        Line();
        Line($"`{Run} {string.Join(' ', Arguments)}`".Replace("-- `", "--`", StringComparison.Ordinal) + $" at commit {Commit}; the whole run took {F(WholeRun.TotalMinutes, "0.0")} min.");
        Line();
        Line($"**Machine**: {Machine.Describe()}; shared with other developers' builds and tests. TorchSharp 0.107.0 with libtorch-cpu-linux-x64 2.10.0, " +
             $"{Options.Threads} threads (intra- and inter-op, set by `TorchRuntime`). Load average (1/5/15 min) before the run `{LoadBefore}`, after it `{LoadAfter}`. " +
             "\"Other load\" below is the cores other processes kept busy during a measurement (from /proc/stat): with two cores, anything above a few tenths slows the figures." +
             (QuietWaits.Count == 0 ? "" : $" Before each speed figure the run waited (up to {Options.QuietWaitMinutes} min) for other load under 0.3 cores: " +
                 string.Join(", ", QuietWaits.Select(w => $"{F(w.Waited.TotalSeconds, "0")} s → {F(w.OtherCores, "0.00")} cores")) + "."));
        Line();
        Line($"**Data**: Debian's `{FashionMnist.Package}` {DatasetVersion} ({FashionMnist.Folder}, IDX): 60,000 training and 10,000 test 28×28 grayscale images, 10 classes. " +
             "**Model**: the product's `ModelKind.ImageCnn` for 1×28×28 input (`ConvNetwork`: 3×3 stride-2 convolutions 1→16 and 16→32 with batch norm and ReLU, " +
             "Linear(1568→128) + ReLU as the embedding, dropout 0.5, Linear(128→10); 210,000 parameters).");
        Line();

        if (Rounds.Count > 0)
        {
            var options = ActiveLearningRound.Training;
            Line($"## One training round on {Options.RoundLabels:N0} labels");
            Line();
            Line($"`{Run} --skip-curves --skip-python` (also part of every run without `--skip-speed`). {Options.RoundLabels:N0} training images drawn with each seed, " +
                 $"split by `ValidationSplit` ({F(BenchOptions.RoundValidationShare, "0.##")} held out for early stopping), a new `Classifier`, `Train` with the product's options " +
                 $"(Adam lr {F(options.LearningRate, "0.####")}, weight decay {F(options.WeightDecay, "0.####")}, batch {options.BatchSize}, ≤ {options.MaxEpochs} epochs, patience {options.Patience}, images shifted by up to {options.ShiftPixels} pixel(s)); " +
                 "timed from `Create` to the end of `Train`. Test accuracy on all 10,000 t10k images.");
            Line();
            Line("| threads | seed | train / validation | epochs (best) | seconds | CPU s | other load | validation acc. | test acc. | RSS after, MB |");
            Line("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (var round in Rounds)
            {
                Line($"| {round.Threads} | {round.Seed} | {round.Report.TrainCount} / {round.Report.ValidationCount} | {round.Report.Epochs.Count} ({round.Report.BestEpoch}) | **{F(round.Timing.Seconds, "0.0")}** | " +
                     $"{F(round.Timing.CpuSeconds, "0.0")} | {F(round.Timing.OtherCores, "0.00")} | {F(round.Report.ValidationAccuracy * 100, "0.0")} % | {F(round.TestAccuracy * 100, "0.0")} % | {round.ResidentMb:N0} |");
            }
            Line();
            Line($"Target ≤ {RoundTargetSeconds} s per round with {Options.Threads} threads: {Met(RoundsMet(Options.Threads))} (slowest {F(Rounds.Where(r => r.Threads == Options.Threads).Max(r => r.Timing.Seconds), "0.0")} s). " +
                 (Options.Threads > 1 ? $"The 1-thread round repeats seed 1 with `torch.set_num_threads(1)`. " : "") +
                 "Resident memory after each round shows whether native tensors leak across rounds (a leak grows it by the activations of every step).");
            Line();
        }

        if (Scoring.Count > 0)
        {
            Line($"## Scoring {Scoring[0].Items:N0} pool items");
            Line();
            Line($"`{Run} --skip-curves --skip-python`. The first round's trained model scores the 60,000 training images tiled to {Scoring[0].Items:N0} " +
                 "with `Classifier.Score` as the product calls it (batches of 1,024; probabilities and 128-float embeddings copied out for every item); " +
                 $"with {Options.McSamples} MC passes it also returns {Options.McSamples} × {Scoring[0].Items:N0} × 10 probabilities for BALD. One warm-up call on 2,048 items first.");
            Line();
            Line("| threads | MC passes | run | seconds | CPU s | other load |");
            Line("|---:|---:|---:|---:|---:|---:|");
            foreach (var scoring in Scoring)
            {
                for (var i = 0; i < scoring.Runs.Count; i++)
                {
                    var run = scoring.Runs[i];
                    Line($"| {scoring.Threads} | {scoring.McSamples} | {i + 1} | **{F(run.Seconds, "0.00")}** | {F(run.CpuSeconds, "0.00")} | {F(run.OtherCores, "0.00")} |");
                }
            }
            Line();
            Line($"Target ≤ {ScoringTargetSeconds} s (median of the runs) with {Options.Threads} threads: {Met(ScoringMet(Options.Threads))} — " +
                 string.Join("; ", Scoring.Select(s => $"{s.Threads} thread(s), {s.McSamples} MC passes {F(Median(s.Runs.Select(r => r.Seconds)), "0.00")} s")) + ".");
            Line();
        }

        if (CSharpStepMs.Count > 0)
        {
            Line("## Training step: TorchSharp and PyTorch side by side");
            Line();
            Line($"`{Run} --skip-curves`. One seeded batch of 64 training images; the C# side is `Classifier.Train` on that batch alone, so each epoch is one step " +
                 "(shuffle, batch copy into a tensor, dropout masks, forward, cross-entropy, backward, Adam, loss read back) and its epoch time is the step time. " +
                 $"{Options.StepWarmup} warm-up steps, then {Options.Steps} timed ones. The C# side runs before and after Python so a change of load between them shows.");
            if (Python.Count > 0)
            {
                Line($"The Python side builds the same network in Debian's python3-torch, loads the initial weights the C# side saved, and times the same step on the same batch " +
                     $"(`time.perf_counter`, `torch.set_num_threads({Python[0].Result.Threads})`). Debian's python3-torch links `libblas.so.3`, the reference BLAS unless an " +
                     $"optimised one is installed, so it runs twice: with the machine's BLAS, then with Debian's `{PythonSide.OpenBlasPackage}` unpacked (not installed) and put first on `LD_LIBRARY_PATH`:");
                Line();
                foreach (var (result, command) in Python)
                {
                    Line($"- `{command}`");
                }
            }
            Line();
            Line("| side | median ms | p10 ms | p90 ms |");
            Line("|---|---:|---:|---:|");
            for (var i = 0; i < CSharpStepMs.Count; i++)
            {
                Line($"| TorchSharp 0.107.0 / libtorch 2.10.0 (C#){(CSharpStepMs.Count > 1 ? i == 0 ? ", before Python" : ", after Python" : "")} | **{F(Median(CSharpStepMs[i]), "0.00")}** | {F(Percentile(CSharpStepMs[i], 0.1), "0.00")} | {F(Percentile(CSharpStepMs[i], 0.9), "0.00")} |");
            }
            foreach (var (result, _) in Python)
            {
                Line($"| PyTorch {result.Torch} (Debian python3-torch, Python {result.Python}), {result.Blas} | **{F(Median(result.StepMs), "0.00")}** | {F(Percentile(result.StepMs, 0.1), "0.00")} | {F(Percentile(result.StepMs, 0.9), "0.00")} |");
            }
            if (Python.Count > 0)
            {
                Line();
                Line($"Ratio C# / PyTorch (the better C# median over the faster PyTorch): **{F(StepRatio!.Value, "0.00")}×**; target ≤ {StepRatioTarget}×: {Met(StepRatio <= StepRatioTarget)}." +
                     (Python.Count > 1 ? $" Against PyTorch with the reference BLAS: {F(CSharpStepMs.Min(Median) / Median(Python[0].Result.StepMs), "0.00")}×." : ""));
                Line();
                Line("Same weights, same batch, dropout off: the loss of each side's forward pass at the initial weights and after each Adam step (the batch order within a step differs, so sums round differently):");
                Line();
                Line("| after steps | C# loss | " + string.Join(" | ", Python.Select(p => $"PyTorch loss ({p.Result.Blas.Split(' ')[0]})")) + " | largest difference |");
                Line("|---:|---:|" + string.Concat(Python.Select(_ => "---:|")) + "---:|");
                for (var i = 0; i < CSharpCheckLosses!.Length && Python.All(p => i < p.Result.CheckLosses.Length); i++)
                {
                    var step = i;
                    Line($"| {step} | {F(CSharpCheckLosses[step], "0.000000")} | " + string.Join(" | ", Python.Select(p => F(p.Result.CheckLosses[step], "0.000000"))) +
                         $" | {F(Python.Max(p => Math.Abs(CSharpCheckLosses[step] - p.Result.CheckLosses[step])), "0.0e+0")} |");
                }
            }
            Line();
        }

        if (Simulation is not null && SimulationOptions is { } so)
        {
            WriteCurves(Line, so, Simulation);
        }
        return md.ToString();
    }

    private void WriteCurves(Action<string> line, SimulationOptions so, SimulationResult simulation)
    {
        string F(double value, string format) => value.ToString(format, C);
        void Line(string text = "") => line(text);
        var measuredOn = Options.Tune
            ? $"{Options.Test:N0} held-out training images (train 50,000–59,999, never in the pool; `--tune`: t10k is not looked at)"
            : Options.Test == FashionMnist.TestCount ? "all 10,000 t10k test images" : $"a fixed seeded subset of {Options.Test:N0} t10k test images";
        Line("## Active-learning curves");
        Line();
        Line($"`{Run} --skip-speed {Options.CurveArguments()}`. `StrategySimulation` (the product's job code) on a pool of {Options.Pool:N0} training images " +
             $"(a seeded subset{(Options.Tune ? " of the first 50,000" : "")}), measured on {measuredOn}. Per strategy and seed: the same {so.SeedLabels} " +
             $"{(so.ColdStart ? "k-center (cold start)" : "random")} seed labels, then rounds of {so.BatchSize} up to {so.MaxLabels}; each round " +
             $"{(so.WarmStart ? "keeps training the previous model" : "trains a new classifier from the seed")} on the labels (held-out share {F(so.ValidationShare, "0.##")} for early stopping, " +
             $"options {so.Training}), measures accuracy, scores the whole pool (BALD with {so.McSamples} MC-dropout passes) and picks the next batch with `BatchSelection` " +
             $"(diversity: k-center over the embeddings of the top batch × {so.CandidateFactor}). Seeds {string.Join(", ", so.Seeds)}; {Options.CurveThreads} TorchSharp thread(s); " +
             $"{F(SimulationTiming!.Seconds / 60, "0")} min in all, other load {F(SimulationTiming.OtherCores, "0.00")} cores on average.");
        Line();
        Line("Mean accuracy over the seeds (%), by labels:");
        Line();
        Line("| labels | " + string.Join(" | ", simulation.Curves.Select(c => c.Strategy.Name)) + " |");
        Line("|---:|" + string.Concat(simulation.Curves.Select(_ => "---:|")));
        var labelCounts = simulation.Curves[0].Points.Select(p => p.Labels).ToList();
        for (var i = 0; i < labelCounts.Count; i++)
        {
            var best = simulation.Curves.Max(c => c.Points[i].MeanAccuracy);
            Line($"| {labelCounts[i]} | " + string.Join(" | ", simulation.Curves.Select(c =>
            {
                var value = F(c.Points[i].MeanAccuracy * 100, "0.00");
                return c.Points[i].MeanAccuracy == best && simulation.Curves.Count > 1 ? $"**{value}**" : value;
            })) + " |");
        }
        Line();
        var final = labelCounts[^1];
        Line($"Labels each strategy needed for its mean accuracy to reach Random's at {final:N0} labels (**{F(simulation.RandomFinalAccuracy * 100, "0.00")} %**), " +
             "at the granularity of a round:");
        Line();
        Line($"| strategy | accuracy at {final:N0} labels, mean (min–max) | labels to reach Random@{final:N0} | minutes |");
        Line("|---|---|---:|---:|");
        foreach (var curve in simulation.Curves)
        {
            var last = curve.Points[^1];
            Line($"| {curve.Strategy.Name} | {F(last.MeanAccuracy * 100, "0.00")} ({F(last.MinAccuracy * 100, "0.00")}–{F(last.MaxAccuracy * 100, "0.00")}) | " +
                 $"{(curve.LabelsToReachRandom is { } labels ? $"**{labels:N0}**" : "never")} | {F(curve.Seconds / 60, "0.0")} |");
        }
        Line();
        if (Best is var (bestCurve, bestLabels))
        {
            Line($"Best: **{bestCurve.Strategy.Name}** reached Random's {final:N0}-label accuracy with **{bestLabels:N0} labels** " +
                 $"({F(100.0 * bestLabels / final, "0")} % of Random's). Target ≤ {CurveTargetLabels}: {(bestLabels <= CurveTargetLabels ? "**met**" : "**not met**")}.");
        }
        else
        {
            Line($"No strategy reached Random's {final:N0}-label accuracy. Target ≤ {CurveTargetLabels}: **not met**.");
        }
        Line();
    }

    private static double Percentile(double[] values, double share)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Clamp(Math.Round(share * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }
}
