using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;

// Usage: LabelHub.Bench.CleansingSnapshot [answers (default 1000000)] [report.md]
// The in-memory half of a cleansing run's "before" snapshot (ADR 0019, 6): per-label counts (SnapshotCounter) and the
// quality figures (QualityCalculator) over generated answers, three annotators per item, as CleansingSnapshotTaker
// feeds them from its one streaming read. The database read itself is the quality recompute's (bench/results/datapath-*).
var c = CultureInfo.InvariantCulture;
var count = args.Length > 0 ? int.Parse(args[0], c) : 1_000_000;
var reportPath = args.Length > 1 ? args[1] : null;

string[] classes = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];
var schema = new LabelSchema
{
    Fields =
    [
        new LabelField { Name = "class", Kind = FieldKind.Choice, Labels = classes },
        new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["blurry", "cropped", "rotated"] },
        new LabelField { Name = "note", Kind = FieldKind.Text },
    ],
};
Guid[] annotators = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

Console.Error.WriteLine($"Generating {count:N0} answers…");
var random = new Random(42);
var answers = new List<(long Item, Guid Annotator, Dictionary<string, JsonElement> Values)>(count);
var labels = classes.Select(l => JsonSerializer.SerializeToElement(l)).ToArray();
JsonElement[] tagSets = [JsonSerializer.SerializeToElement(Array.Empty<string>()), JsonSerializer.SerializeToElement(new[] { "blurry" }), JsonSerializer.SerializeToElement(new[] { "cropped", "rotated" })];
for (var i = 0; i < count; i++)
{
    var item = i / 3;
    // Annotators agree on the item's class 85% of the time.
    var label = random.NextDouble() < 0.85 ? item % classes.Length : random.Next(classes.Length);
    answers.Add((item, annotators[i % 3], new Dictionary<string, JsonElement>
    {
        ["class"] = labels[label],
        ["tags"] = tagSets[random.Next(tagSets.Length)],
        ["note"] = JsonSerializer.SerializeToElement($"note {i % 97}"),
    }));
}

// The counting alone, for comparison with the quality accumulators.
var countingOnly = Stopwatch.StartNew();
var alone = new SnapshotCounter(schema);
foreach (var (item, _, values) in answers)
{
    alone.Add(values, flagged: item % 50 == 0);
}
countingOnly.Stop();

GC.Collect();
var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var watch = Stopwatch.StartNew();
var counter = new SnapshotCounter(schema);
var quality = new QualityCalculator(schema, new Dictionary<long, Dictionary<string, JsonElement>>());
foreach (var (item, annotator, values) in answers)
{
    quality.Add(new AnswerRecord(item, annotator, values, null, default));
    counter.Add(values, flagged: item % 50 == 0);
}
var pass = watch.Elapsed;
var report = quality.Compute(new Dictionary<Guid, string>(), 0, null, TimeSpan.Zero);
var snapshot = counter.Snapshot(DateTimeOffset.UtcNow, count, report, watch.Elapsed);
var total = watch.Elapsed;
var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

var text = new StringBuilder();
text.AppendLine(c, $"# Cleansing snapshot, {count:N0} answers ({DateTime.UtcNow:yyyy-MM-dd})");
text.AppendLine();
text.AppendLine(c, $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, one thread.");
text.AppendLine();
text.AppendLine("| step | seconds |");
text.AppendLine("|---|---|");
text.AppendLine(c, $"| label counting alone (SnapshotCounter) | {countingOnly.Elapsed.TotalSeconds:0.00} |");
text.AppendLine(c, $"| counting and quality accumulators (one pass) | {pass.TotalSeconds:0.00} |");
text.AppendLine(c, $"| quality figures (agreement, Dawid–Skene) and the snapshot | {(total - pass).TotalSeconds:0.00} |");
text.AppendLine(c, $"| total | {total.TotalSeconds:0.00} |");
text.AppendLine();
text.AppendLine(c, $"Allocated {allocated / 1024.0 / 1024.0:N0} MiB. Quality score {snapshot.QualityScore:0.000}, agreement {snapshot.Agreement:0.000}, " +
    $"{snapshot.Fields[0].Labels.Sum(l => l.Count):N0} class labels counted.");
Console.WriteLine(text);
if (reportPath is not null)
{
    File.WriteAllText(reportPath, text.ToString());
}
