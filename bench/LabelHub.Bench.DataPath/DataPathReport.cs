using System.Globalization;
using System.Text;

namespace LabelHub.Bench.DataPath;

/// <summary>The Markdown report: each phase's own figures, and the annotators' next-task latency beside the idle window.</summary>
public static class DataPathReport
{
    public static string Write(DataPathOptions options, IReadOnlyList<DatabaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Data path benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/LabelHub.Bench.DataPath -- --db {(options.Databases.Count == 2 ? "both" : options.Databases[0])} --rows {options.Rows} --clients {options.Clients} --think-ms {options.Think.TotalMilliseconds:F0}`");
        text.AppendLine();
        var memoryTotal = File.ReadLines("/proc/meminfo").First().Split(':')[1].Trim();
        text.AppendLine(FormattableString.Invariant($"Machine: {Environment.ProcessorCount} cores, {memoryTotal} memory, {Environment.OSVersion}. ") + FormattableString.Invariant($"LabelHub.Web (and LabelHub.Workers on PostgreSQL) in Release, each a process of its own; {options.Rows:N0}-row CSV (id, a 10-word Korean review, source); ") + FormattableString.Invariant($"{options.Clients} annotator clients label another project (next task, about {options.Think.TotalMilliseconds:N0} ms on the item, submit) through the public API the whole time. ") +
            "Memory is the resident set of the process named, sampled every 100 ms.");
        foreach (var result in results)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {result.Database} (jobs run in {result.JobProcess})");
            text.AppendLine();
            text.AppendLine("| phase | took | resident before → peak (MiB); peak of it in heaps | next-task p50 / p95 / p99 / max (ms) | next-task calls | 5xx | statuses | detail |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
            foreach (var phase in result.Phases)
            {
                var w = phase.Window;
                var memory = phase.PeakMiB is { } peak ? $"{phase.BaselineMiB:N0} → {peak:N0} (+{peak - phase.BaselineMiB:N0}); heaps {phase.PeakAnonymousMiB:N0}" : "";
                text.AppendLine(CultureInfo.InvariantCulture, $"| {phase.Name} | {(phase.Took is { } took ? $"{took.TotalSeconds:F1} s" : "")} | {memory} | " +
                                $"{w.Percentile(0.5):F0} / {w.Percentile(0.95):F0} / {w.Percentile(0.99):F0} / {w.Percentile(1):F0} | {w.NextTaskCalls:N0} | {w.ServerErrors} | {w.Statuses} | {phase.Detail} |");
            }
        }
        return text.ToString();
    }
}
