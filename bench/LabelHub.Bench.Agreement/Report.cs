using System.Globalization;
using System.Runtime;
using System.Text;
using LabelHub.Domain.Quality;

namespace LabelHub.Bench.Agreement;

public sealed class Report
{
    public required BenchOptions Options { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string Commit { get; init; }
    public required Dataset Data { get; init; }
    public required double MissingShare { get; init; }
    public required Dataset? Complete { get; init; }
    public required Dataset? NltkData { get; init; }
    public required Dictionary<AlphaLevel, Domain.Quality.Agreement> Alpha { get; init; }
    public required Domain.Quality.Agreement Fleiss { get; init; }
    public required Domain.Quality.Agreement[,] Pairs { get; init; }
    public required IReadOnlyList<Timing> Timings { get; init; }
    public required string LoadBefore { get; init; }
    public required string LoadBeforeTiming { get; init; }
    public required string LoadAfterTiming { get; init; }
    public required (double Machine, double Own, double Seconds) TimingCpu { get; init; }
    public required PythonResult? Python { get; init; }
    public required string? PythonCommand { get; init; }
    public required TimeSpan PythonElapsed { get; init; }
    public required (double Machine, double Own, double Seconds) PythonCpu { get; init; }
    public required string LoadAfter { get; init; }
    public required IReadOnlyList<ValueCheck> Checks { get; init; }
    public required IReadOnlyList<SpeedCheck> Speeds { get; init; }
    public required TimeSpan WholeRun { get; init; }

    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string Ms(double v) => double.IsNaN(v) ? "–" : v.ToString(v < 10 ? "0.00" : "0.0", c);
        string N(long v) => v.ToString("N0", c);
        string Value(Domain.Quality.Agreement a) => a.Value is { } v ? v.ToString("0.000000000", c) : $"undefined ({a.UndefinedReason})";
        string Seconds(double s) => s < 1 ? $"{(s * 1000).ToString("0.0", c)} ms" : $"{s.ToString("0.00", c)} s";

        Line($"# Agreement metrics benchmark, {StartedAt.ToString("yyyy-MM-dd HH:mm zzz", c)}");
        Line();
        Line($"`dotnet run -c Release --project bench/LabelHub.Bench.Agreement -- {Options.Arguments()}` at commit {Commit}; " +
             $"the whole run took {WholeRun.TotalSeconds.ToString("0", c)} s.");
        Line();
        Line($"**Data**: {N(Data.Items)} items × {Data.Raters} raters, {Data.Categories} categories (interval/ratio values 1..{Data.Categories}), " +
             $"seed {Options.Seed}, each rating missing with probability {Options.Missing.ToString("0.##", c)} ({(MissingShare * 100).ToString("0.00", c)} % missing, " +
             $"{N(Data.MissingCount)} of {N(Data.Codes.Length)}); every item has a true category (prevalences ∝ {Data.Categories}, {Data.Categories - 1}, …, 1), " +
             "rater r gives it with probability 0.55 + 0.30·r/(R−1), otherwise a neighbouring or a random category. " +
             "Generated in memory and held in one `RatingMatrix`.");
        Line();
        Line($"**Machine**: {Environment.ProcessorCount} cores, {Machine.CpuModel()}, {Machine.Memory()} RAM, {Machine.Os()}, shared with other developers. " +
             $"{Machine.Runtime()}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, concurrent GC off. " +
             $"Load average (1/5/15 min, /proc/loadavg): before the run `{LoadBefore}`, before the C# timings `{LoadBeforeTiming}`, after them `{LoadAfterTiming}`, " +
             $"at the end `{LoadAfter}`. During the C# timings ({TimingCpu.Seconds.ToString("0.0", c)} s) the machine was busy {TimingCpu.Machine.ToString("0.00", c)} cores " +
             $"on average, {TimingCpu.Own.ToString("0.00", c)} of them this process: **other load {Math.Max(0, TimingCpu.Machine - TimingCpu.Own).ToString("0.00", c)} cores**.");
        Line();

        Line("## LabelHub, single thread");
        Line();
        Line($"Each metric: a full collection, {Options.Warmup} unmeasured calls (tiered JIT promotes after 30), then more in rounds of 10, each after a 150 ms " +
             $"pause for the background tier-1 compiles, until a round JIT-compiles nothing ({Timings.Min(t => t.WarmupCalls)}–{Timings.Max(t => t.WarmupCalls)} warm-up calls in all), " +
             $"then {Options.Runs} calls timed one by one with Stopwatch (wall) and CLOCK_THREAD_CPUTIME_ID (CPU). " +
             $"Target: **≤ {BenchOptions.TargetMs.ToString("0", c)} ms per call** on {N(Data.Items)} × {Data.Raters}, judged on the median.");
        Line();
        Line("| metric | data | value | items | min ms | median ms | max ms | CPU median ms | target | met |");
        Line("|---|---|---:|---:|---:|---:|---:|---:|---|:-:|");
        foreach (var t in Timings)
        {
            var (value, items) = t.Result switch
            {
                Domain.Quality.Agreement a => (Value(a), N(a.Items)),
                Domain.Quality.Agreement[] all => (string.Join(" / ", all.Select(Value)), N(all[0].Items)),
                Domain.Quality.Agreement[,] => ("matrix below", "per pair"),
                _ => ("", ""),
            };
            Line($"| {t.Name} | {t.Data} | {value} | {items} | {Ms(t.MinMs)} | **{Ms(t.MedianMs)}** | {Ms(t.MaxMs)} | {Ms(t.MedianCpuMs)} | " +
                 (t.Targeted ? $"≤ {BenchOptions.TargetMs.ToString("0", c)} ms | {(t.Met ? "yes" : "**no**")} |" : "– | – |"));
        }
        var jitted = Timings.Where(t => t.JitCompiled > 0).ToList();
        Line();
        Line(jitted.Count == 0
            ? "No method was JIT-compiled during any measured call (all warm)."
            : "Methods JIT-compiled while the measured calls ran (by any thread: background tier-1 compiles of code used between the metrics, such as " +
              "the harness's own sorting and printing, land here; the metrics' own loops are at tier 1 by then): " + string.Join(", ", jitted.Select(t => $"{t.Name} [{t.Data}] {N(t.JitCompiled)}")) + ".");
        Line();
        Line("Cohen's κ pair matrix (value, items both rated):");
        Line();
        Line("| | " + string.Join(" | ", Enumerable.Range(0, Data.Raters).Select(r => $"rater {r}")) + " |");
        Line("|---|" + string.Concat(Enumerable.Repeat("---:|", Data.Raters)));
        for (var a = 0; a < Data.Raters; a++)
        {
            var cells = Enumerable.Range(0, Data.Raters).Select(b => a == b ? $"({N(Pairs[a, b].Items)} rated)" : $"{Value(Pairs[a, b])} ({N(Pairs[a, b].Items)})");
            Line($"| rater {a} | {string.Join(" | ", cells)} |");
        }
        Line();

        if (Python is null)
        {
            Line("Python comparison not run (`--no-python`).");
            return md.ToString();
        }

        Line("## Side by side with Debian's Python libraries");
        Line();
        var versions = string.Join(", ", Python.Versions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key} {v.Value}"));
        Line($"`{PythonCommand}`: Python {Python.Python}, {versions}; single-threaded (OPENBLAS/OMP/MKL_NUM_THREADS=1). " +
             $"The process took {PythonElapsed.TotalSeconds.ToString("0.0", c)} s and {Python.ProcessCpuSeconds.ToString("0.0", c)} s of CPU; the machine was busy " +
             $"{PythonCpu.Machine.ToString("0.00", c)} cores meanwhile: **other load {Math.Max(0, PythonCpu.Machine - PythonCpu.Own - Python.ProcessCpuSeconds / PythonElapsed.TotalSeconds).ToString("0.00", c)} cores** " +
             "besides Python and this process. Each library call is timed with `time.perf_counter`; " +
             $"statsmodels and scikit-learn calls {Options.PythonRuns}×, NLTK's nominal α {Options.NltkRuns}×, its other levels and `AnnotationTask(...)` once; medians below.");
        Line();
        Line("Data given to each library, always the same items on both sides:");
        Line();
        if (Python.Statsmodels is not null && Complete is not null)
        {
            Line($"- **statsmodels**: `fleiss_kappa` asserts that every subject has the same number of ratings (`n_total == n_sub * n_rat`), so it gets the " +
                 $"{N(Complete.Items)} items all {Data.Raters} raters rated ({(100.0 * Complete.Items / Data.Items).ToString("0.0", c)} %); LabelHub's Fleiss' κ is computed " +
                 "on a `RatingMatrix` of exactly those rows. (On the full data with missing ratings LabelHub uses Gwet's per-item generalisation, which statsmodels cannot take.)");
        }
        if (Python.Sklearn is not null)
        {
            Line($"- **scikit-learn**: `cohen_kappa_score(ratings[both, a], ratings[both, b])` for each of the {Data.Raters * (Data.Raters - 1) / 2} pairs on the items both rated, " +
                 "from the full data, against the cells of LabelHub's `CohenKappa.PairMatrix`.");
        }
        if (Python.Nltk is { } nl && NltkData is not null)
        {
            var nominalSeconds = Timing.Median(nl.Alpha["nominal"].Seconds);
            var scope = NltkData == Data
                ? $"all {N(NltkData.Items)} items: its nominal α took {Seconds(nominalSeconds)} here, " +
                  (nominalSeconds < 60 ? "under the ~60 s that would call for a subset" : "over ~60 s: `--nltk-items 20000` gives it a subset")
                : $"the first {N(NltkData.Items)} items only (`--nltk-items`), and LabelHub's α is computed on the same {N(NltkData.Items)} items";
            Line($"- **NLTK**: `AnnotationTask([(coder, item, label), …])` with labels = category values 1..{Data.Categories} ({N(nl.Annotations)} triples), on {scope}. " +
                 "Interval α uses NLTK's `interval_distance`, ratio α the distance function `((a − b)/(a + b))²` given to `AnnotationTask`; " +
                 "NLTK has no Krippendorff ordinal metric, so ordinal α is not compared.");
        }
        Line();
        Line($"### Values (must agree to {BenchOptions.Tolerance.ToString("0e0", c)})");
        Line();
        Line("| library | call | data | items (LabelHub / Python) | LabelHub | Python | \\|difference\\| | match |");
        Line("|---|---|---|---|---:|---:|---:|:-:|");
        foreach (var check in Checks)
        {
            Line($"| {check.Library} | {check.Call} | {check.Data} | {check.Items} | {check.LabelHub.ToString("0.000000000000", c)} | {check.Python.ToString("0.000000000000", c)} | " +
                 $"{check.Difference.ToString("0.0E+00", c)} | {(check.Match ? "yes" : "**NO**")} |");
        }
        Line();
        var mismatches = Checks.Count(check => !check.Match);
        Line(mismatches == 0
            ? $"All {Checks.Count} values match (largest |difference| {Checks.Max(check => check.Difference).ToString("0.0E+00", c)})."
            : $"**{mismatches} of {Checks.Count} values do not match.**");
        Line();
        Line("### Speed (medians; ratio = Python time / LabelHub time on the same data)");
        Line();
        Line("| library | Python call | data | Python | LabelHub call | LabelHub | Python / LabelHub |");
        Line("|---|---|---|---:|---|---:|---:|");
        foreach (var speed in Speeds)
        {
            Line($"| {speed.Library} | {speed.PythonCall} | {speed.Data} | {Seconds(speed.PythonSeconds)} | {speed.LabelHubCall} | {Ms(speed.LabelHubMs)} ms | " +
                 $"**{speed.Ratio.ToString(speed.Ratio < 10 ? "0.0" : "0", c)}×** |");
        }
        Line();
        Line("LabelHub's times are whole calls on a `RatingMatrix` (one pass over the ratings plus the statistic); `aggregate_raters`, selecting the items both " +
             "rated and building the `AnnotationTask` are the Python counterparts of that pass, so the first row of each library is the like-for-like ratio, and the " +
             "\"alone\" rows leave that preparation out of the Python side only.");
        if (Python.Nltk is { } nltk)
        {
            Line($"`AnnotationTask(...)` itself took {Seconds(Timing.Median(nltk.BuildSeconds))}.");
        }
        return md.ToString();
    }
}
