using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using LabelHub.Workers.Learning;

namespace LabelHub.Bench.Learning;

public sealed record PythonResult(string Torch, string Python, int Threads, string Architecture, double[] StepMs, double[] CheckLosses)
{
    /// <summary>Which BLAS the run's libtorch used (set by the harness, not printed by the script).</summary>
    public string Blas { get; init; } = "";
}

/// <summary>Runs train_step.py (kept next to this file, copied to the output folder) on the same weights and batch.</summary>
public static class PythonSide
{
    public const string Package = "python3-torch";

    /// <summary>
    /// Debian's python3-torch links libblas.so.3, which is the reference BLAS unless an optimised one is installed;
    /// OpenBLAS's build of that library, unpacked beside the run and put first on LD_LIBRARY_PATH, is the fair
    /// comparison, without changing the machine's BLAS for everyone else.
    /// </summary>
    public const string OpenBlasPackage = "libopenblas0-pthread";

    public static string? OpenBlasLibraryFolder()
    {
        var root = DebianPackages.Unpacked(OpenBlasPackage, Path.Combine(Path.GetTempPath(), "labelhub-learning-bench-openblas"));
        var folder = root is null ? null : Path.Combine(root, "usr", "lib", "x86_64-linux-gnu", "openblas-pthread");
        return folder is not null && File.Exists(Path.Combine(folder, "libblas.so.3")) ? folder : null;
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="libraryFolder">Put first on LD_LIBRARY_PATH (OpenBLAS), or null for the machine's libraries.</param>
    public static (PythonResult Result, string CommandLine) Run(BenchOptions options, string weightsPath, Dataset batch, int checkSteps, string? libraryFolder)
    {
        var batchPath = Path.Combine(Path.GetDirectoryName(weightsPath)!, "batch.bin");
        using (var file = File.Create(batchPath))
        {
            file.Write(MemoryMarshal.AsBytes(batch.Features.AsSpan()));
            file.Write(MemoryMarshal.AsBytes(batch.Labels.Select(label => (long)label).ToArray().AsSpan()));
        }
        var training = new TrainingOptions();
        var c = CultureInfo.InvariantCulture;
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "train_step.py"),
            "--weights", weightsPath, "--batch", batchPath, "--count", batch.Count.ToString(c),
            "--warmup", options.StepWarmup.ToString(c), "--steps", options.Steps.ToString(c), "--check-steps", checkSteps.ToString(c),
            "--lr", training.LearningRate.ToString(c), "--weight-decay", training.WeightDecay.ToString(c),
            "--dropout", SpeedBenchmarks.Spec.DropoutRate.ToString(c), "--threads", options.Threads.ToString(c),
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
        var commandLine = $"{(libraryFolder is null ? "" : $"LD_LIBRARY_PATH={libraryFolder} ")}{options.Python} bench/LabelHub.Bench.Learning/train_step.py {string.Join(' ', arguments.Skip(1))}";
        Console.WriteLine($"  {commandLine}");
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {options.Python}.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"train_step.py exited with {process.ExitCode}: {errors.Result}");
        }
        var result = JsonSerializer.Deserialize<PythonResult>(output, Json) ?? throw new InvalidOperationException("train_step.py printed no result.");
        var blas = libraryFolder is null ? $"libblas3 {DebianPackages.Version("libblas3")} (reference BLAS, Debian's default)" : $"{OpenBlasPackage} (unpacked, on LD_LIBRARY_PATH)";
        return (result with { Blas = blas }, commandLine);
    }
}
