using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using LabelHub.Workers.Learning;
using LabelHub.Workers.Synthesis;

namespace LabelHub.Bench.Synthesis;

public sealed record PythonResult(string Torch, string Python, int Threads, string Architecture, double FirstRealScore, double[] FirstLosses, double[] StepMs)
{
    public string Blas { get; init; } = "";

    public string Command { get; init; } = "";
}

/// <summary>
/// Part 1: the product's own training step (ConditionalGan.TrainEpoch on a one-batch epoch: shuffle, batch copy, noise,
/// D step, G step, the figures read back) timed in C#, and the same step on the same weights and batch in PyTorch.
/// </summary>
public static class SpeedComparison
{
    public const string PythonPackage = "python3-torch";
    public const string OpenBlasPackage = "libopenblas0-pthread";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static GanSpec Spec(BenchOptions options) => new(FashionMnist.Side, 1, FashionMnist.ClassCount, Width: options.Width);

    /// <summary>Milliseconds per step after the warm-up, and the first step's mean D(x) (weights and batch alone decide it).</summary>
    public static (double[] StepMs, double FirstRealScore) CSharpSteps(BenchOptions options, Dataset batch, string? statePath)
    {
        using var gan = ConditionalGan.Create(Spec(options), new GanOptions(BatchSize: batch.Count, Seed: 1));
        if (statePath is not null)
        {
            using var file = File.Create(statePath);
            gan.SaveState(file);
        }
        var first = gan.TrainEpoch(batch, CancellationToken.None);
        for (var i = 0; i < options.Warmup; i++)
        {
            gan.TrainEpoch(batch, CancellationToken.None);
        }
        var steps = new double[options.Steps];
        for (var i = 0; i < steps.Length; i++)
        {
            steps[i] = gan.TrainEpoch(batch, CancellationToken.None).Seconds * 1000;
        }
        return (steps, first.RealScore);
    }

    public static string? OpenBlasLibraryFolder()
    {
        var root = DebianPackages.Unpacked(OpenBlasPackage, Path.Combine(Path.GetTempPath(), "labelhub-synthesis-bench-openblas"));
        var folder = root is null ? null : Path.Combine(root, "usr", "lib", "x86_64-linux-gnu", "openblas-pthread");
        return folder is not null && File.Exists(Path.Combine(folder, "libblas.so.3")) ? folder : null;
    }

    public static PythonResult Python(BenchOptions options, string statePath, Dataset batch, string? libraryFolder)
    {
        var batchPath = Path.Combine(Path.GetDirectoryName(statePath)!, "batch.bin");
        using (var file = File.Create(batchPath))
        {
            file.Write(MemoryMarshal.AsBytes(batch.Features.AsSpan()));
            file.Write(MemoryMarshal.AsBytes(batch.Labels.Select(label => (long)label).ToArray().AsSpan()));
        }
        var c = CultureInfo.InvariantCulture;
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "gan_step.py"),
            "--state", statePath, "--batch", batchPath, "--count", batch.Count.ToString(c), "--width", options.Width.ToString(c),
            "--warmup", options.Warmup.ToString(c), "--steps", options.Steps.ToString(c), "--threads", options.Threads.ToString(c),
        ];
        var startInfo = new ProcessStartInfo(options.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        if (libraryFolder is not null)
        {
            startInfo.Environment["LD_LIBRARY_PATH"] = libraryFolder;
        }
        var commandLine = $"{(libraryFolder is null ? "" : $"LD_LIBRARY_PATH={libraryFolder} ")}{options.Python} bench/LabelHub.Bench.Synthesis/gan_step.py {string.Join(' ', arguments.Skip(1))}";
        Console.WriteLine($"  {commandLine}");
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {options.Python}.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"gan_step.py exited with {process.ExitCode}: {errors.Result}");
        }
        var result = JsonSerializer.Deserialize<PythonResult>(output, Json) ?? throw new InvalidOperationException("gan_step.py printed no result.");
        var blas = libraryFolder is null ? $"libblas3 {DebianPackages.Version("libblas3")} (Debian's default)" : $"{OpenBlasPackage} (unpacked, on LD_LIBRARY_PATH)";
        return result with { Blas = blas, Command = commandLine };
    }
}
