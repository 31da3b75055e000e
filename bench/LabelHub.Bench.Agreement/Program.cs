using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using LabelHub.Bench.Agreement;
using LabelHub.Domain.Quality;

if (args is ["bdn", .. var benchmarkArguments])
{
    BenchmarkSwitcher.FromTypes([typeof(AgreementBenchmarks)]).Run(benchmarkArguments);
    return 0;
}

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

var c = CultureInfo.InvariantCulture;
var startedAt = DateTimeOffset.Now;
var wholeRun = Stopwatch.StartNew();
var loadBefore = Machine.LoadAverage();
Console.WriteLine($"LabelHub agreement benchmark: {options.Items:N0} items × {options.Raters} raters, {options.Categories} categories, " +
                  $"{options.Missing:P0} missing, seed {options.Seed}. Load average: {loadBefore}");
if (Debugger.IsAttached || !IsOptimized())
{
    Console.WriteLine("WARNING: not an optimized build; use -c Release.");
}

var generate = Stopwatch.StartNew();
var data = Dataset.Generate(options.Items, options.Raters, options.Categories, options.Missing, options.Seed);
generate.Stop();
var missingShare = (double)data.MissingCount / data.Codes.Length;
Console.WriteLine($"Data generated in {generate.Elapsed.TotalSeconds:0.0} s: {missingShare:P2} of the ratings missing.");

var ratings = data.Ratings;
var values = options.CategoryValues;
AlphaLevel[] levels = [AlphaLevel.Nominal, AlphaLevel.Ordinal, AlphaLevel.Interval, AlphaLevel.Ratio];
var alpha = levels.ToDictionary(level => level, level => KrippendorffAlpha.Compute(ratings, level, values));
var fleiss = FleissKappa.Compute(ratings);
var pairs = CohenKappa.PairMatrix(ratings);

// The data the Python libraries can take: statsmodels' fleiss_kappa only items with every rating, NLTK maybe a prefix.
var complete = options.NoPython ? null : data.CompleteItems();
var nltkData = options.NoPython ? null : options.NltkItems is { } nltkItems ? data.FirstItems(nltkItems) : data;

Console.WriteLine($"Timing (warm-up {options.Warmup}, {options.Runs} measured calls each, single thread) ...");
var loadBeforeTiming = Machine.LoadAverage();
var timingWindow = CpuWindow.Start();
var timings = new List<Timing>();
Timing Time(string name, string dataLabel, bool targeted, Func<object> call)
{
    var timing = TimingHarness.Measure(name, dataLabel, targeted, options.Warmup, options.Runs, call);
    timings.Add(timing);
    Console.WriteLine($"  {name} [{dataLabel}]: min {timing.MinMs:0.0} ms, median {timing.MedianMs:0.0} ms, max {timing.MaxMs:0.0} ms " +
                      $"(CPU median {timing.MedianCpuMs:0.0} ms){(targeted ? timing.Met ? "  ≤ 100 ms: met" : "  ≤ 100 ms: NOT MET" : "")}");
    return timing;
}

var full = $"{data.Items:N0} × {data.Raters}";
var alphaTimings = levels.ToDictionary(level => level,
    level => Time($"Krippendorff's α, {level.ToString().ToLowerInvariant()}", full, true, () => KrippendorffAlpha.Compute(ratings, level, values)));
var fleissTiming = Time("Fleiss' κ", full, true, () => FleissKappa.Compute(ratings));
var pairsTiming = Time($"Cohen's κ, {data.Raters} × {data.Raters} pair matrix", full, true, () => CohenKappa.PairMatrix(ratings));
Time("Krippendorff's α, all four levels from one coincidence matrix", full, false, () =>
{
    var coincidences = CoincidenceMatrix.Of(ratings);
    return levels.Select(level => KrippendorffAlpha.Compute(coincidences, level, values)).ToArray();
});
Time("Cohen's κ, one pair (raters 0 and 1)", full, false, () => CohenKappa.Compute(ratings, 0, 1));

Timing? fleissCompleteTiming = null;
Dictionary<AlphaLevel, Timing>? nltkAlphaTimings = null;
if (complete is not null && nltkData is not null)
{
    var completeRatings = complete.Ratings;
    fleissCompleteTiming = Time("Fleiss' κ", $"{complete.Items:N0} complete items × {data.Raters}", false, () => FleissKappa.Compute(completeRatings));
    if (nltkData == data)
    {
        nltkAlphaTimings = alphaTimings;
    }
    else
    {
        var subsetRatings = nltkData.Ratings;
        AlphaLevel[] nltkLevels = options.NltkAllLevels ? [AlphaLevel.Nominal, AlphaLevel.Interval, AlphaLevel.Ratio] : [AlphaLevel.Nominal];
        nltkAlphaTimings = nltkLevels.ToDictionary(level => level,
            level => Time($"Krippendorff's α, {level.ToString().ToLowerInvariant()}", $"first {nltkData.Items:N0} items × {data.Raters}", false,
                () => KrippendorffAlpha.Compute(subsetRatings, level, values)));
    }
}
var timingCpu = timingWindow.Stop();
var loadAfterTiming = Machine.LoadAverage();

PythonResult? python = null;
string? pythonCommand = null;
TimeSpan pythonElapsed = default;
(double Machine, double Own, double Seconds) pythonCpu = default;
var checks = new List<ValueCheck>();
var speeds = new List<SpeedCheck>();
if (complete is not null && nltkData is not null)
{
    var pythonWindow = CpuWindow.Start();
    try
    {
        (python, pythonCommand, pythonElapsed) = PythonSide.Run(options, data);
    }
    catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or System.Text.Json.JsonException)
    {
        Console.Error.WriteLine(e.Message);
        return 3;
    }
    pythonCpu = pythonWindow.Stop();

    static double Median(IReadOnlyCollection<double> values) => Timing.Median(values);

    if (python.Statsmodels is { } sm)
    {
        var value = FleissKappa.Compute(complete.Ratings);
        checks.Add(new ValueCheck("statsmodels", "fleiss_kappa(aggregate_raters(rows)[0])", "complete items",
            $"{complete.Items:N0} / {sm.Items:N0}", complete.Items == sm.Items, value.Value ?? double.NaN, sm.Value));
        var aggregate = Median(sm.AggregateSeconds);
        var kappa = Median(sm.FleissSeconds);
        speeds.Add(new SpeedCheck("statsmodels", "aggregate_raters + fleiss_kappa", $"{complete.Items:N0} complete items", aggregate + kappa,
            "FleissKappa.Compute(matrix)", fleissCompleteTiming!.MedianMs));
        speeds.Add(new SpeedCheck("statsmodels", "fleiss_kappa alone (on the count table)", $"{complete.Items:N0} complete items", kappa,
            "FleissKappa.Compute(matrix)", fleissCompleteTiming.MedianMs));
    }
    if (python.Sklearn is { } sk)
    {
        foreach (var pair in sk.Pairs)
        {
            var value = pairs[pair.A, pair.B];
            checks.Add(new ValueCheck("scikit-learn", $"cohen_kappa_score, raters {pair.A} and {pair.B}", "items both rated",
                $"{value.Items:N0} / {pair.Items:N0}", value.Items == pair.Items, value.Value ?? double.NaN, pair.Value));
        }
        var select = sk.Pairs.Sum(p => Median(p.SelectSeconds));
        var score = sk.Pairs.Sum(p => Median(p.ScoreSeconds));
        speeds.Add(new SpeedCheck("scikit-learn", $"{sk.Pairs.Length} × (select items both rated + cohen_kappa_score)", full, select + score,
            "CohenKappa.PairMatrix", pairsTiming.MedianMs));
        speeds.Add(new SpeedCheck("scikit-learn", $"{sk.Pairs.Length} × cohen_kappa_score alone", full, score,
            "CohenKappa.PairMatrix", pairsTiming.MedianMs));
    }
    if (python.Nltk is { } nl)
    {
        var nltkLabel = nltkData == data ? full : $"first {nltkData.Items:N0} items × {data.Raters}";
        var annotations = nltkData.Codes.Count(code => code != RatingMatrix.Missing);
        var same = nl.Items == nltkData.Items && nl.Annotations == annotations;
        var build = Median(nl.BuildSeconds);
        foreach (var (name, level) in new[] { ("nominal", AlphaLevel.Nominal), ("interval", AlphaLevel.Interval), ("ratio", AlphaLevel.Ratio) })
        {
            if (!nl.Alpha.TryGetValue(name, out var nltkAlpha))
            {
                continue;
            }
            var value = nltkData == data ? alpha[level] : KrippendorffAlpha.Compute(nltkData.Ratings, level, values);
            var distance = level switch
            {
                AlphaLevel.Nominal => "binary_distance",
                AlphaLevel.Interval => "interval_distance",
                _ => "((a − b)/(a + b))²",
            };
            checks.Add(new ValueCheck("NLTK", $"AnnotationTask(…, {distance}).alpha() — {name}", nltkLabel,
                $"{nltkData.Items:N0} / {nl.Items:N0} items, {annotations:N0} / {nl.Annotations:N0} ratings", same, value.Value ?? double.NaN, nltkAlpha.Value));
            var labelHubTiming = nltkAlphaTimings![level];
            if (level == AlphaLevel.Nominal)
            {
                speeds.Add(new SpeedCheck("NLTK", "AnnotationTask(triples) + alpha(), nominal", nltkLabel, build + Median(nltkAlpha.Seconds),
                    "KrippendorffAlpha.Compute(matrix, Nominal)", labelHubTiming.MedianMs));
            }
            speeds.Add(new SpeedCheck("NLTK", $"alpha() alone, {name}", nltkLabel, Median(nltkAlpha.Seconds),
                $"KrippendorffAlpha.Compute(matrix, {level})", labelHubTiming.MedianMs));
        }
    }
}

wholeRun.Stop();
var report = new Report
{
    Options = options,
    StartedAt = startedAt,
    Commit = Git("rev-parse --short HEAD") + (string.IsNullOrEmpty(Git("status --porcelain --untracked-files=no")) ? "" : " (with uncommitted changes)"),
    Data = data,
    MissingShare = missingShare,
    Complete = complete,
    NltkData = nltkData,
    Alpha = alpha,
    Fleiss = fleiss,
    Pairs = pairs,
    Timings = timings,
    LoadBefore = loadBefore,
    LoadBeforeTiming = loadBeforeTiming,
    LoadAfterTiming = loadAfterTiming,
    TimingCpu = timingCpu,
    Python = python,
    PythonCommand = pythonCommand,
    PythonElapsed = pythonElapsed,
    PythonCpu = pythonCpu,
    LoadAfter = Machine.LoadAverage(),
    Checks = checks,
    Speeds = speeds,
    WholeRun = wholeRun.Elapsed,
};
var markdown = report.ToMarkdown();
Console.WriteLine();
Console.WriteLine(markdown);
Directory.CreateDirectory(options.ResultsDirectory);
var reportFile = Path.Combine(options.ResultsDirectory, $"agreement-{startedAt.ToString("yyyy-MM-dd-HHmm", c)}.md");
File.WriteAllText(reportFile, markdown);
Console.WriteLine($"Written to {reportFile}");

var mismatches = checks.Where(check => !check.Match).ToList();
foreach (var mismatch in mismatches)
{
    Console.Error.WriteLine($"MISMATCH: {mismatch.Library} {mismatch.Call} on {mismatch.Data}: LabelHub {mismatch.LabelHub:R}, " +
                            $"Python {mismatch.Python:R}, |difference| {mismatch.Difference:E2}, items {mismatch.Items}");
}
var missed = timings.Where(t => t.Targeted && !t.Met).ToList();
foreach (var timing in missed)
{
    Console.Error.WriteLine($"TARGET NOT MET: {timing.Name}: median {timing.MedianMs:0.0} ms > {BenchOptions.TargetMs} ms");
}
return mismatches.Count > 0 ? 1 : 0;

static bool IsOptimized() =>
    typeof(BenchOptions).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
        .OfType<DebuggableAttribute>()
        .All(attribute => !attribute.IsJITOptimizerDisabled);

static string Git(string arguments)
{
    try
    {
        var startInfo = new ProcessStartInfo("git", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : "unknown";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown";
    }
}
