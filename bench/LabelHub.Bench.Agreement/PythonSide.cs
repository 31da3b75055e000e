using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LabelHub.Bench.Agreement;

public sealed record PythonResult(
    string Python,
    Dictionary<string, string> Versions,
    int Items,
    int Raters,
    StatsmodelsResult? Statsmodels,
    SklearnResult? Sklearn,
    NltkResult? Nltk,
    double ProcessCpuSeconds);

public sealed record StatsmodelsResult(
    int Items,
    double Value,
    double[] AggregateSeconds,
    double[] AggregateCpuSeconds,
    double[] FleissSeconds,
    double[] FleissCpuSeconds);

public sealed record SklearnResult(SklearnPair[] Pairs);

public sealed record SklearnPair(
    int A,
    int B,
    int Items,
    double Value,
    double[] SelectSeconds,
    double[] SelectCpuSeconds,
    double[] ScoreSeconds,
    double[] ScoreCpuSeconds);

public sealed record NltkResult(
    int Items,
    int Annotations,
    double[] BuildSeconds,
    double[] BuildCpuSeconds,
    Dictionary<string, NltkAlpha> Alpha);

public sealed record NltkAlpha(double Value, double[] Seconds, double[] CpuSeconds);

/// <summary>Runs compare.py (kept next to this file, copied to the output folder) on ratings written to a temp dir.</summary>
public static class PythonSide
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "compare.py");

    public static (PythonResult Result, string CommandLine, TimeSpan Elapsed) Run(BenchOptions options, Dataset data)
    {
        var directory = Directory.CreateTempSubdirectory("labelhub-agreement-");
        try
        {
            var file = Path.Combine(directory.FullName, "ratings.i32");
            data.WriteRaw(file);
            var arguments = new List<string>
            {
                ScriptPath,
                "--data", file,
                "--items", data.Items.ToString(CultureInfo.InvariantCulture),
                "--raters", data.Raters.ToString(CultureInfo.InvariantCulture),
                "--categories", data.Categories.ToString(CultureInfo.InvariantCulture),
                "--runs", options.PythonRuns.ToString(CultureInfo.InvariantCulture),
                "--nltk-runs", options.NltkRuns.ToString(CultureInfo.InvariantCulture),
                "--nltk-items", (options.NltkItems ?? 0).ToString(CultureInfo.InvariantCulture),
                "--nltk-levels", options.NltkAllLevels ? "nominal,interval,ratio" : "nominal",
            };
            var startInfo = new ProcessStartInfo(options.Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }
            // Single-threaded like the C# side (numpy's BLAS is not used by these calls, but keep it from spreading).
            foreach (var variable in new[] { "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS" })
            {
                startInfo.Environment[variable] = "1";
            }
            var commandLine = $"{options.Python} compare.py {string.Join(' ', arguments.Skip(1).Select(a => a == file ? "<tmp>/ratings.i32" : a))}";
            Console.WriteLine($"Running {commandLine}");
            var start = Stopwatch.GetTimestamp();
            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {options.Python}.");
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    Console.WriteLine($"  [python] {e.Data}");
                }
            };
            process.BeginErrorReadLine();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{commandLine} exited with {process.ExitCode}. Debian's packages are needed: " +
                    "apt-get install -y python3-statsmodels python3-nltk python3-sklearn (or run with --no-python).");
            }
            var result = JsonSerializer.Deserialize<PythonResult>(output, Json)
                         ?? throw new InvalidOperationException("compare.py printed no result.");
            return (result, commandLine, elapsed);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
