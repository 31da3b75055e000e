using System.Diagnostics;
using System.Globalization;
using System.Text;
using LabelHub.Domain.Synthesis;
using LabelHub.Workers.Synthesis;

namespace LabelHub.Bench.Synthesis;

public sealed class Report
{
    public const double StepRatioTarget = 1.25;
    public const double CasRatioTarget = 0.70;

    private const string Run = "dotnet run -c Release --project bench/LabelHub.Bench.Synthesis --";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public required BenchOptions Options { get; init; }
    public required string[] Arguments { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string LoadBefore { get; init; }
    public required string Commit { get; init; }
    public List<double[]> CSharpStepMs { get; } = [];
    public double CSharpFirstRealScore { get; set; } = double.NaN;
    public List<PythonResult> Python { get; } = [];
    public List<(TimeSpan Waited, double OtherCores)> QuietWaits { get; } = [];
    public List<GanEpochMetrics> Epochs { get; } = [];
    public double GanSeconds { get; set; }
    public double[] DiversityRatios { get; set; } = [];
    public GanDiagnosis? Diagnosis { get; set; }
    public byte[]? SamplesPng { get; set; }
    public string? SamplesFile { get; set; }
    public SynthesisMetrics? Metrics { get; set; }
    public double EvaluationSeconds { get; set; }
    public TimeSpan WholeRun { get; set; }
    public string LoadAfter { get; set; } = "";

    /// <summary>The better C# median over the faster PyTorch's (the stricter comparison).</summary>
    public double? StepRatio => Python.Count == 0 || CSharpStepMs.Count == 0 ? null : CSharpStepMs.Min(Median) / Python.Min(p => Median(p.StepMs));

    public bool AllTargetsMet => StepRatio is null or <= StepRatioTarget && (Metrics is null || Metrics.CasRatio >= CasRatioTarget);

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
        Line(string.Create(C, $"# Synthesis benchmark, {StartedAt:yyyy-MM-dd HH:mm} UTC"));
        Line();
        Line($"- Command: `{Run} {string.Join(' ', Arguments)}`".Replace("-- `", "--`", StringComparison.Ordinal));
        Line($"- Commit: {Commit}; machine: {Machine.Describe()}");
        Line($"- Load average before: {LoadBefore}; after: {LoadAfter}; whole run {WholeRun.TotalMinutes.ToString("F1", C)} min");
        if (QuietWaits.Count > 0)
        {
            Line($"- Other processes' load when timing started (cores): {string.Join(", ", QuietWaits.Select(w => w.OtherCores.ToString("F2", C)))}");
        }
        Line();
        if (CSharpStepMs.Count > 0)
        {
            Line(string.Create(C, $"## Part 1: DCGAN training step (G and D, 28 × 28, width {Options.Width}, batch {BenchOptions.BatchSize}, {Options.Threads} threads)"));
            Line();
            Line("The product's `ConditionalGan.TrainEpoch` on a one-batch epoch against the same step in python3-torch, from the same initial weights (saved by C#, read by `gan_step.py`) on the same batch.");
            Line();
            Line("| side | median ms | p10–p90 ms | first-step mean D(x) |");
            Line("|---|---:|---:|---:|");
            foreach (var (steps, i) in CSharpStepMs.Select((s, i) => (s, i)))
            {
                Line(string.Create(C, $"| TorchSharp 0.107 (libtorch 2.10){(i > 0 ? ", again after Python" : "")} | {Median(steps):F1} | {Percentile(steps, 0.1):F1}–{Percentile(steps, 0.9):F1} | {(i == 0 ? CSharpFirstRealScore.ToString("F5", C) : "")} |"));
            }
            foreach (var p in Python)
            {
                Line(string.Create(C, $"| PyTorch {p.Torch} (Python {p.Python}, {p.Blas}) | {Median(p.StepMs):F1} | {Percentile(p.StepMs, 0.1):F1}–{Percentile(p.StepMs, 0.9):F1} | {p.FirstRealScore:F5} |"));
            }
            Line();
            if (StepRatio is { } ratio)
            {
                Line(string.Create(C, $"**Ratio TorchSharp ÷ PyTorch (better C# median over faster PyTorch): {ratio:F2}** (target ≤ {StepRatioTarget:F2}: {(ratio <= StepRatioTarget ? "met" : "not met")})."));
                Line();
                foreach (var p in Python)
                {
                    Line($"- `{p.Command}`");
                }
                Line();
            }
        }
        if (Metrics is not null)
        {
            Line(string.Create(C, $"## Part 2: CAS on Fashion-MNIST (GAN on {Options.Train:N0} training images, {Options.Epochs} epochs, {GanSeconds / 60:F1} min)"));
            Line();
            Line("| epoch | D loss | G loss | D(x) | D(G(z)) | s |");
            Line("|---:|---:|---:|---:|---:|---:|");
            foreach (var e in Epochs)
            {
                Line(string.Create(C, $"| {e.Epoch} | {e.DiscriminatorLoss:F3} | {e.GeneratorLoss:F3} | {e.RealScore:F3} | {e.FakeScore:F3} | {e.Seconds:F1} |"));
            }
            Line();
            Line(string.Create(C, $"Health: **{Diagnosis?.Health}**{(Diagnosis?.Reason is { } reason ? $" ({reason})" : "")}; diversity ratio per class (generated ÷ real mean pairwise distance, 50 each): {string.Join(", ", DiversityRatios.Select(r => r.ToString("F2", C)))}."));
            Line();
            if (SamplesFile is not null)
            {
                Line($"Samples, one row per class (T-shirt/top … Ankle boot): [{SamplesFile}]({SamplesFile})");
                Line();
            }
            var m = Metrics;
            Line(string.Create(C, $"Measured with the project's image classifier (`ActiveLearningRound.Training`) against the 10,000 test images, in {EvaluationSeconds / 60:F1} min:"));
            Line();
            Line("| figure | value |");
            Line("|---|---:|");
            Line(string.Create(C, $"| real-data accuracy ({m.PerClass} real per class) | {m.RealAccuracy:P2} |"));
            Line(string.Create(C, $"| CAS ({m.PerClass} generated per class, tested on real) | {m.SyntheticAccuracy:P2} |"));
            Line(string.Create(C, $"| **CAS ÷ real** (target ≥ {CasRatioTarget:F2}) | **{m.CasRatio:F3}** ({(m.CasRatio >= CasRatioTarget ? "met" : "not met")}) |"));
            Line(string.Create(C, $"| Fréchet distance, generated vs test (classifier embedding, {m.FrechetSamples:N0} each) | {m.FrechetDistance:F2} |"));
            Line(string.Create(C, $"| Fréchet distance, real training vs test (the floor) | {m.RealFrechetDistance:F2} |"));
            Line(string.Create(C, $"| accuracy, {m.Gain.RealPerClass} real per class (best epoch {m.Gain.RealOnlyBestEpoch}) | {m.Gain.RealOnlyAccuracy:P2} |"));
            Line(string.Create(C, $"| accuracy, {m.Gain.RealPerClass} real + {m.Gain.SyntheticPerClass} generated per class (best epoch {m.Gain.WithSyntheticBestEpoch}) | {m.Gain.WithSyntheticAccuracy:P2} |"));
            Line(string.Create(C, $"| augmentation gain | {m.Gain.Gain * 100:+0.00;-0.00} points |"));
            Line();
        }
        return md.ToString();
    }

    private static double Percentile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }
}
