using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Planning;

// Usage: LabelHub.Bench.CleansingRules [answers (default 1000000)] [report.md]
// Evaluates a 16-rule set (regex and normalisations included) over generated answers with text, number, date,
// choice and span fields: single-threaded, then Parallel over every core; then the dry run over the same answers.
var c = CultureInfo.InvariantCulture;
var count = args.Length > 0 ? int.Parse(args[0], c) : 1_000_000;
var reportPath = args.Length > 1 ? args[1] : null;

var schema = new LabelSchema
{
    Fields =
    [
        new LabelField { Name = "title", Kind = FieldKind.Text, MaxLength = 200 },
        new LabelField { Name = "note", Kind = FieldKind.Text },
        new LabelField { Name = "amount", Kind = FieldKind.Number },
        new LabelField { Name = "date", Kind = FieldKind.Date },
        new LabelField { Name = "category", Kind = FieldKind.Choice, Labels = ["person", "place", "thing", "retired"] },
        new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "LOC", "ORG"], AllowOverlap = true },
    ],
};
var ruleSet = new CleansingRuleSet
{
    Rules =
    [
        new RequiredRule { Id = "title-required", Field = "title" },
        new FullWidthToHalfWidthRule { Id = "title-fw", Field = "title", Mode = RuleMode.Fix },
        new UnicodeNfcRule { Id = "title-nfc", Field = "title", Mode = RuleMode.Fix },
        new CollapseWhitespaceRule { Id = "title-ws", Field = "title", Mode = RuleMode.Fix },
        new TrimRule { Id = "title-trim", Field = "title", Mode = RuleMode.Fix },
        new RegexRule { Id = "title-chars", Field = "title", Pattern = @"^[\p{L}\p{M}\p{N} .,()-]+$" },
        new LengthRule { Id = "title-length", Field = "title", Min = 2, Max = 40 },
        new NumberFormatRule { Id = "amount-format", Field = "amount", Mode = RuleMode.Fix },
        new NumberRangeRule { Id = "amount-range", Field = "amount", Min = 0, Max = 1_000_000 },
        new DateFormatRule { Id = "date-format", Field = "date", Mode = RuleMode.Fix },
        new DateRangeRule { Id = "date-range", Field = "date", Min = new DateOnly(2020, 1, 1), Max = new DateOnly(2026, 12, 31) },
        new AllowedValuesRule { Id = "category-allowed", Field = "category", Values = ["person", "place", "thing"] },
        new CrossFieldRule
        {
            Id = "place-needs-note",
            Field = "note",
            When = new FieldCondition { Field = "category", Operator = ConditionOperator.Is, Values = ["place"] },
            Then = new FieldRequirement { Operator = RequirementOperator.IsNotEmpty },
        },
        new SpanCutsWordRule { Id = "spans-words", Field = "entities", Mode = RuleMode.Fix, AllowedSuffixes = ["에서", "은", "는", "이", "가", "의", "에"] },
        new SpanOverlapRule { Id = "spans-overlap", Field = "entities", Labels = ["PER", "LOC"] },
        new SpanMinLengthRule { Id = "spans-min", Field = "entities", MinLength = 2 },
    ],
};
var rules = CompiledRuleSet.Compile(schema, ruleSet);

Console.Error.WriteLine($"Generating {count:N0} answers…");
var generation = Stopwatch.StartNew();
var answers = Generate(count);
generation.Stop();
Console.Error.WriteLine($"Generated in {generation.Elapsed.TotalSeconds:0.0} s");

// Warm-up: JIT and the regexes' compilation, outside the timings.
for (var i = 0; i < Math.Min(20_000, count); i++)
{
    rules.Evaluate(answers[i].Values, answers[i].ItemData);
}

// Each rule alone, over the first 100,000 answers: where the time goes.
var perRule = new List<(string Id, double NsPerAnswer, double BytesPerAnswer)>();
var sample = Math.Min(100_000, count);
foreach (var rule in ruleSet.Rules.Prepend(null))
{
    var alone = CompiledRuleSet.Compile(schema, new CleansingRuleSet { Rules = rule is null ? [] : [rule] });
    for (var i = 0; i < Math.Min(5_000, sample); i++)
    {
        alone.Evaluate(answers[i].Values, answers[i].ItemData);
    }
    var bytes = GC.GetAllocatedBytesForCurrentThread();
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < sample; i++)
    {
        alone.Evaluate(answers[i].Values, answers[i].ItemData);
    }
    watch.Stop();
    perRule.Add((rule?.Id ?? "(no rules)", watch.Elapsed.TotalNanoseconds / sample, (double)(GC.GetAllocatedBytesForCurrentThread() - bytes) / sample));
}

GC.Collect();
GC.WaitForPendingFinalizers();
var gen0 = GC.CollectionCount(0);
var gen2 = GC.CollectionCount(2);
var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var single = Stopwatch.StartNew();
long outcomes = 0, changed = 0;
foreach (var answer in answers)
{
    var evaluation = rules.Evaluate(answer.Values, answer.ItemData);
    outcomes += evaluation.Outcomes.Count;
    changed += evaluation.Changed ? 1 : 0;
}
single.Stop();
var singleCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
var singleAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
var singleGen0 = GC.CollectionCount(0) - gen0;
var singleGen2 = GC.CollectionCount(2) - gen2;

GC.Collect();
var totalBefore = GC.GetTotalAllocatedBytes(precise: true);
cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var parallel = Stopwatch.StartNew();
long parallelOutcomes = 0;
Parallel.For(0, answers.Count, () => 0L, (i, _, local) => local + rules.Evaluate(answers[i].Values, answers[i].ItemData).Outcomes.Count,
    local => Interlocked.Add(ref parallelOutcomes, local));
parallel.Stop();
var parallelCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
var parallelAllocated = GC.GetTotalAllocatedBytes(precise: true) - totalBefore;
if (parallelOutcomes != outcomes)
{
    Console.Error.WriteLine($"Parallel outcomes {parallelOutcomes} differ from single-threaded {outcomes}.");
    return 1;
}

GC.Collect();
var dryRun = Stopwatch.StartNew();
var report = CleansingDryRun.RunParallel(rules, answers);
dryRun.Stop();

var text = new StringBuilder();
text.AppendLine(c, $"# Cleansing rules: {count:N0} answers, {ruleSet.Rules.Count} rules");
text.AppendLine();
var command = string.Join(' ', ["dotnet run -c Release --project bench/LabelHub.Bench.CleansingRules --", .. args]);
text.AppendLine(c, $"Command: `{command}`");
text.AppendLine();
text.AppendLine(c, $"Machine: {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; shared with other developers' builds (compare CPU time, not only wall time).");
text.AppendLine();
text.AppendLine("Schema: title (text), note (text), amount (number), date (date), category (choice), entities (spans over a Korean sentence).");
text.AppendLine("Rules, in order: " + string.Join(", ", ruleSet.Rules.Select(r => $"{r.Id} ({r.KindName}, {r.Mode})")) + ".");
text.AppendLine();
text.AppendLine("Target: all rules over 1,000,000 answers ≤ 10 s.");
text.AppendLine();
text.AppendLine("| run | wall | CPU | answers/s | allocated | per answer | GCs |");
text.AppendLine("|---|---|---|---|---|---|---|");
text.AppendLine(c, $"| single thread | {single.Elapsed.TotalSeconds:0.00} s | {singleCpu.TotalSeconds:0.00} s | {count / single.Elapsed.TotalSeconds:N0} | {singleAllocated / 1048576.0:N0} MiB | {(double)singleAllocated / count:N0} B | gen0 {singleGen0}, gen2 {singleGen2} |");
text.AppendLine(c, $"| Parallel.For ({Environment.ProcessorCount} cores) | {parallel.Elapsed.TotalSeconds:0.00} s | {parallelCpu.TotalSeconds:0.00} s | {count / parallel.Elapsed.TotalSeconds:N0} | {parallelAllocated / 1048576.0:N0} MiB | {(double)parallelAllocated / count:N0} B | |");
text.AppendLine(c, $"| dry run (RunParallel, 5 examples per rule) | {dryRun.Elapsed.TotalSeconds:0.00} s | | {count / dryRun.Elapsed.TotalSeconds:N0} | | | |");
text.AppendLine();
text.AppendLine(c, $"Outcomes: {outcomes:N0} over {count:N0} answers; {changed:N0} answers changed; dry run: {report.AnswersFlagged:N0} answers flagged, {report.AnswersChanged:N0} changed.");
text.AppendLine();
text.AppendLine("| rule | kind | flagged | changed | first example |");
text.AppendLine("|---|---|---|---|---|");
foreach (var rule in report.Rules)
{
    var example = rule.ChangedExamples.Concat(rule.FlaggedExamples).FirstOrDefault();
    var shown = example is null ? "" : $"#{example.AnnotationId}: {example.Before} → {example.After ?? "—"} {example.Reason}".Replace("|", "\\|", StringComparison.Ordinal);
    text.AppendLine(c, $"| {rule.RuleId} | {rule.Kind} | {rule.Flagged:N0} | {rule.Changed:N0} | {shown} |");
}
text.AppendLine();
text.AppendLine(c, $"Each rule alone over the first {sample:N0} answers (single thread; includes reading the field's JSON):");
text.AppendLine();
text.AppendLine("| rule | ns per answer | bytes per answer |");
text.AppendLine("|---|---|---|");
foreach (var (id, ns, bytes) in perRule)
{
    text.AppendLine(c, $"| {id} | {ns:N0} | {bytes:N0} |");
}
Console.WriteLine(text);
if (reportPath is not null)
{
    File.WriteAllText(reportPath, text.ToString());
}
return 0;

// Answers the way imports and annotators leave them: mostly clean, some full-width or decomposed Hangul, extra
// spaces, numbers and dates imported as text, retired labels, spans cutting words. Seeded: the same every run.
static List<DryRunAnswer> Generate(int count)
{
    var random = new Random(20261205);
    string[] titles = ["서울 특별시", "대한민국", "부산 광역시 해운대구", "Seoul Tower", "김철수 선생님", "東京タワー", "Café Namsan", "한강 공원 3구역"];
    string[] categories = ["person", "place", "thing", "retired"];
    const string sentence = "서울특별시에서 김철수는 삼성전자의 본사를 방문했다";
    var itemData = Enumerable.Range(0, 1000)
        .Select(i => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(new Dictionary<string, object> { ["text"] = sentence, ["id"] = i }))!)
        .ToArray();
    var answers = new List<DryRunAnswer>(count);
    var json = new StringBuilder();
    for (var i = 0; i < count; i++)
    {
        var title = titles[random.Next(titles.Length)];
        title = random.Next(20) switch
        {
            0 => "  " + title + " ",
            1 => title.Replace(" ", "\u3000\u3000", StringComparison.Ordinal),
            2 => title.Replace("3", "３", StringComparison.Ordinal) + "１",
            3 => title.Normalize(NormalizationForm.FormD),
            4 => title + "!",
            _ => title,
        };
        var amount = random.Next(20) switch
        {
            0 => JsonSerializer.Serialize((random.Next(1_000_000) + 1000).ToString("N2", CultureInfo.InvariantCulture)),
            1 => "-5",
            _ => (random.Next(100_000) / 10.0).ToString(CultureInfo.InvariantCulture),
        };
        var day = new DateOnly(2019, 1, 1).AddDays(random.Next(365 * 8));
        var date = random.Next(20) switch
        {
            0 => $"{day.Year}년 {day.Month}월 {day.Day}일",
            1 => $"{day.Year}.{day.Month}.{day.Day}",
            _ => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        var category = categories[random.Next(20) == 0 ? 3 : random.Next(3)];
        var note = random.Next(3) == 0 ? "" : "확인함";
        // Spans: "서울특별시" [0,5), "김철수" [8,11), "삼성전자" [13,17); sometimes cut or overlapping.
        var spans = random.Next(10) switch
        {
            0 => """[{"start": 0, "end": 2, "label": "LOC"}, {"start": 8, "end": 11, "label": "PER"}]""",
            1 => """[{"start": 0, "end": 5, "label": "LOC"}, {"start": 3, "end": 9, "label": "PER"}]""",
            _ => """[{"start": 0, "end": 5, "label": "LOC"}, {"start": 8, "end": 11, "label": "PER"}, {"start": 13, "end": 17, "label": "ORG"}]""",
        };
        json.Clear();
        json.Append("{\"title\": ").Append(JsonSerializer.Serialize(title))
            .Append(", \"note\": ").Append(JsonSerializer.Serialize(note))
            .Append(", \"amount\": ").Append(amount)
            .Append(", \"date\": ").Append(JsonSerializer.Serialize(date))
            .Append(", \"category\": ").Append(JsonSerializer.Serialize(category))
            .Append(", \"entities\": ").Append(spans).Append('}');
        var values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json.ToString())!;
        answers.Add(new DryRunAnswer(i + 1, (i % 1000) + 1, values, itemData[i % 1000]));
    }
    return answers;
}
