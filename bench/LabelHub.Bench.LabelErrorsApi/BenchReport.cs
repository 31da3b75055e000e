using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LabelHub.Domain.Cleansing;

namespace LabelHub.Bench.LabelErrorsApi;

/// <param name="Hits">Flagged images whose answer was flipped.</param>
public sealed record BenchResult(
    BenchOptions Options, int Flipped, long ZipBytes, TimeSpan Upload, TimeSpan Import, int Answers, TimeSpan Labeling, TimeSpan Job,
    double BaselineMiB, double PeakMiB, double PeakAnonymousMiB, LabelErrorResult LabelErrors, int Flagged, int Hits, string ImportSummary)
{
    public double Precision => Flagged == 0 ? 0 : (double)Hits / Flagged;

    public double Recall => Flipped == 0 ? 0 : (double)Hits / Flipped;
}

/// <summary>The run as Markdown: the machine, the settings, each phase's time, the job's memory and what it found.</summary>
public static class BenchReport
{
    public static string Write(BenchResult r)
    {
        var o = r.Options;
        var e = r.LabelErrors;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"# Label-error job through the API: {o.Count:N0} Fashion-MNIST images");
        Line($"");
        Line($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. `dotnet run -c Release --project bench/LabelHub.Bench.LabelErrorsApi -- --count {o.Count} --noise {o.Noise} --seed {o.Seed}`");
        Line($"");
        Line($"- machine: {Environment.ProcessorCount} cores ({CpuModel()}), {MemoryGiB():F1} GiB RAM, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Line($"- LabelHub.Web, Release build, its own process; SQLite, jobs in-process (the embedded mode of `dotnet run`), a fresh data directory");
        Line($"- data: the first {o.Count:N0} Fashion-MNIST training images as PNGs in one ZIP ({r.ZipBytes / 1048576.0:F1} MiB); one answer per image from two annotators in parallel; {r.Flipped:N0} answers ({o.Noise:P0}, seed {o.Seed}) flipped to another class at random");
        Line($"- job: `POST /api/v1/projects/{{id}}/cleansing/label-errors` with `{{ \"field\": \"category\" }}`, every other setting its default ({e.Folds.Count} folds, model {e.ModelKind})");
        Line($"");
        Line($"| phase | seconds | detail |");
        Line($"|---|---:|---|");
        Line($"| upload + import (`POST …/imports`, job followed) | {r.Import.TotalSeconds:F1} | upload {r.Upload.TotalSeconds:F1} s; {r.ImportSummary} |");
        Line($"| labeling (`tasks/next` + `submit`, 2 annotators) | {r.Labeling.TotalSeconds:F1} | {r.Answers:N0} answers, **{r.Answers / r.Labeling.TotalSeconds:N0} answers/s** |");
        Line($"| label-error job (POST to finished) | **{r.Job.TotalSeconds:F1}** | the job's own time {e.Seconds:F1} s; web process RSS {r.BaselineMiB:N0} MiB before, **peak {r.PeakMiB:N0} MiB** (anonymous {r.PeakAnonymousMiB:N0} MiB) |");
        Line($"");
        Line($"| findings | value |");
        Line($"|---|---:|");
        Line($"| flagged answers (read through `GET …/cleansing/findings`) | {r.Flagged:N0} |");
        Line($"| of them flipped | {r.Hits:N0} |");
        Line($"| **precision** | **{r.Precision:F3}** |");
        Line($"| **recall** (of {r.Flipped:N0} flipped) | **{r.Recall:F3}** |");
        Line($"| estimated noise rate (true {o.Noise:F3}) | {e.EstimatedNoiseRate:F3} |");
        Line($"| items / skipped | {e.Items:N0} / {e.SkippedItems:N0} |");
        Line($"");
        Line($"| fold | trained on | held out | best epoch | held-out accuracy (given labels) | seconds |");
        Line($"|---:|---:|---:|---:|---:|---:|");
        foreach (var fold in e.Folds)
        {
            Line($"| {fold.Fold} | {fold.TrainCount:N0} | {fold.HeldOutCount:N0} | {fold.BestEpoch} | {fold.HeldOutAccuracy:F3} | {fold.Seconds:F1} |");
        }
        Line($"| mean | | | | {e.MeanFoldAccuracy:F3} | {e.Folds.Average(f => f.Seconds):F1} |");
        return text.ToString();
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static double MemoryGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0;
        }
        catch (IOException)
        {
            return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0;
        }
    }
}
