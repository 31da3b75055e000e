using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using LabelHub.Bench.NearDuplicates;
using LabelHub.Domain.Cleansing;

// Usage: LabelHub.Bench.NearDuplicates [texts] [threshold] [hash count] [report path] [estimate|exact]
var c = CultureInfo.InvariantCulture;
var count = args.Length > 0 ? int.Parse(args[0], c) : 1_000_000;
var threshold = args.Length > 1 ? double.Parse(args[1], c) : 0.8;
var hashCount = args.Length > 2 ? int.Parse(args[2], c) : 128;
var reportPath = args.Length > 3 && args[3] != "-" ? args[3] : null;
var verifyExactly = args.Length > 4 && args[4] == "exact";
const double PlantedShare = 0.02;
const int Seed = 20261205;

var log = new StringBuilder();
void Say(string line)
{
    Console.WriteLine(line);
    log.AppendLine(line);
}

Say(FormattableString.Invariant($"Near-duplicate text benchmark: {count:N0} texts, threshold {threshold}, k = {hashCount}, verified by {(verifyExactly ? "exact Jaccard" : "the signature estimate")}, {PlantedShare:P0} planted copies, seed {Seed}."));
Say(FormattableString.Invariant($"Machine: {Environment.ProcessorCount} logical CPUs visible, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB available to the GC, server GC {GCSettings.IsServerGC}, load average {LoadAverage()}."));
if (!IsOptimized())
{
    Say("WARNING: not an optimized build; use -c Release.");
}

var generate = Stopwatch.StartNew();
var corpus = new Corpus(Seed);
corpus.Generate(count, PlantedShare, Seed + 1);
generate.Stop();
var texts = corpus.Texts;
Say(FormattableString.Invariant($"Generated in {generate.Elapsed.TotalSeconds:0.0} s (not part of the search): mean length {texts.Average(t => t.Length):0.0} characters, {corpus.Planted.Count:N0} planted copies."));

var options = new NearDuplicateOptions(threshold, hashCount, VerifyExactly: verifyExactly);
var total = Stopwatch.StartNew();
var finder = new NearDuplicateTextFinder(options);
for (var i = 0; i < texts.Length; i++)
{
    finder.Add(i, texts[i]);
}
var signaturesDone = total.Elapsed;
var result = finder.FindGroups();
total.Stop();
var searchTime = total.Elapsed - signaturesDone;

var groupOf = new Dictionary<long, int>();
for (var g = 0; g < result.Groups.Count; g++)
{
    foreach (var member in result.Groups[g].Members)
    {
        groupOf.Add(member.ItemId, g);
    }
}
bool Together(PlantedPair p) => groupOf.TryGetValue(p.Source, out var a) && groupOf.TryGetValue(p.Copy, out var b) && a == b;

Say("");
Say($"| step | result |");
Say($"|---|---|");
Say(FormattableString.Invariant($"| banding | b = {result.Banding.Bands}, r = {result.Banding.Rows} (S-curve at t: {result.Banding.CandidateProbability(threshold):0.000}) |"));
Say(FormattableString.Invariant($"| signatures (normalise, shingle, MinHash; {Environment.ProcessorCount} threads) | {signaturesDone.TotalSeconds:0.00} s |"));
Say(FormattableString.Invariant($"| candidate pairs, verification, union-find | {searchTime.TotalSeconds:0.00} s |"));
Say(FormattableString.Invariant($"| **total** | **{total.Elapsed.TotalSeconds:0.00} s** |"));
Say(FormattableString.Invariant($"| indexed texts | {result.IndexedTexts:N0} |"));
Say(FormattableString.Invariant($"| candidate pairs (per band, with repeats) / compared / verified | {result.CandidatePairs:N0} / {result.ComparedPairs:N0} / {result.VerifiedPairs:N0} |"));
Say(FormattableString.Invariant($"| groups found / texts in groups | {result.Groups.Count:N0} / {groupOf.Count:N0} |"));
Say(FormattableString.Invariant($"| peak working set | {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MiB (includes the {count:N0} generated texts) |"));
Say("");
Say("Recall of the planted pairs by exact Jaccard of their 5-gram sets:");
Say("");
Say("| exact Jaccard | planted pairs | found together | recall |");
Say("|---|---:|---:|---:|");
double[] edges = [0, threshold - 0.15, threshold - 0.05, threshold, threshold + 0.05, threshold + 0.1, 1.0000001];
for (var e = 0; e + 1 < edges.Length; e++)
{
    var inBin = corpus.Planted.Where(p => p.ExactJaccard >= edges[e] && p.ExactJaccard < edges[e + 1]).ToList();
    var found = inBin.Count(Together);
    var label = FormattableString.Invariant($"[{edges[e]:0.00}, {Math.Min(edges[e + 1], 1):0.00}{(e + 2 == edges.Length ? "]" : ")")}");
    Say(FormattableString.Invariant($"| {label} | {inBin.Count:N0} | {found:N0} | {(inBin.Count == 0 ? "–" : (found / (double)inBin.Count).ToString("0.0000", c))} |"));
}
var atOrAbove = corpus.Planted.Where(p => p.ExactJaccard >= threshold).ToList();
Say("");
Say(FormattableString.Invariant($"Recall of planted pairs with exact Jaccard ≥ {threshold}: {atOrAbove.Count(Together) / (double)atOrAbove.Count:0.0000} ({atOrAbove.Count(Together):N0} of {atOrAbove.Count:N0})."));

// Groups with no planted pair in them: unrelated texts that happened to be near-duplicates.
var plantedGroups = corpus.Planted.Where(Together).Select(p => groupOf[p.Source]).ToHashSet();
var unplanned = Enumerable.Range(0, result.Groups.Count).Where(g => !plantedGroups.Contains(g)).ToList();
Say(FormattableString.Invariant($"Groups without a planted pair: {unplanned.Count:N0}."));
foreach (var g in unplanned.Take(3))
{
    var members = result.Groups[g].Members;
    Say(FormattableString.Invariant($"  e.g. \"{texts[members[0].ItemId]}\" ~ \"{texts[members[1].ItemId]}\" (similarity {members[1].Similarity:0.00})"));
}
Say(FormattableString.Invariant($"Load average after: {LoadAverage()}."));

if (reportPath is not null)
{
    File.WriteAllText(reportPath, log.ToString());
}
return 0;

static string LoadAverage()
{
    try
    {
        return File.ReadAllText("/proc/loadavg").Trim();
    }
    catch (IOException)
    {
        return "unknown";
    }
}

static bool IsOptimized() =>
    typeof(NearDuplicateTextFinder).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
        .OfType<DebuggableAttribute>().All(a => !a.IsJITOptimizerDisabled);
