using System.Text.Encodings.Web;
using System.Text.Json;

namespace LabelHub.Domain.Cleansing;

/// <summary>One answer a dry run looks at, with its item's data (the text spans mark, the image size boxes use).</summary>
public sealed record DryRunAnswer(long AnnotationId, long ItemId, IReadOnlyDictionary<string, JsonElement> Values, IReadOnlyDictionary<string, JsonElement>? ItemData);

/// <summary>One answer a rule flagged or changed: the field's JSON before, after (a fix or a suggestion), and the reason of a flag.</summary>
public sealed record DryRunExample(long AnnotationId, long ItemId, string? Before, string? After, string? Reason);

/// <summary>What one rule would do: how many answers it flags and changes, and the first examples of each by annotation id.</summary>
public sealed record RuleDryRun(int RuleIndex, string RuleId, string Kind, string Field, RuleMode Mode, int Flagged, int Changed,
    IReadOnlyList<DryRunExample> FlaggedExamples, IReadOnlyList<DryRunExample> ChangedExamples);

public sealed record DryRunReport(int Answers, int AnswersFlagged, int AnswersChanged, IReadOnlyList<RuleDryRun> Rules);

/// <summary>
/// Runs a rule set over answers without changing anything and counts, per rule, the answers it would flag and
/// change, keeping as examples those with the smallest annotation ids: the same report whatever order the answers
/// come in and however many threads read them.
/// </summary>
public static class CleansingDryRun
{
    public const int DefaultExamples = 5;

    // Examples are read by people: Hangul and kana as they are, not as \uXXXX escapes.
    private static readonly JsonSerializerOptions DisplayOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A field's JSON as a person reads it (non-ASCII text unescaped).</summary>
    public static string? Display(JsonElement? value) => value is { } json ? JsonSerializer.Serialize(json, DisplayOptions) : null;

    public static DryRunReport Run(CompiledRuleSet rules, IEnumerable<DryRunAnswer> answers, int examplesPerRule = DefaultExamples)
    {
        var tally = new Tally(rules.RuleSet.Rules.Count, examplesPerRule);
        foreach (var answer in answers)
        {
            tally.Add(answer, rules.Evaluate(answer.Values, answer.ItemData));
        }
        return tally.Report(rules);
    }

    /// <summary>The same report as <see cref="Run"/>, evaluating on several threads.</summary>
    public static DryRunReport RunParallel(CompiledRuleSet rules, IEnumerable<DryRunAnswer> answers, int examplesPerRule = DefaultExamples, int? maxDegreeOfParallelism = null)
    {
        var total = new Tally(rules.RuleSet.Rules.Count, examplesPerRule);
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
        Parallel.ForEach(answers, options,
            () => new Tally(rules.RuleSet.Rules.Count, examplesPerRule),
            (answer, _, local) =>
            {
                local.Add(answer, rules.Evaluate(answer.Values, answer.ItemData));
                return local;
            },
            local =>
            {
                lock (total)
                {
                    total.Merge(local);
                }
            });
        return total.Report(rules);
    }

    /// <summary>The report of <see cref="Run"/> built up one answer at a time, for callers that read answers asynchronously, a page at a time.</summary>
    public sealed class Accumulator(CompiledRuleSet rules, int examplesPerRule = DefaultExamples)
    {
        private readonly Tally tally = new(rules.RuleSet.Rules.Count, examplesPerRule);

        public void Add(DryRunAnswer answer) => tally.Add(answer, rules.Evaluate(answer.Values, answer.ItemData));

        public DryRunReport Report() => tally.Report(rules);
    }

    private sealed class Tally(int ruleCount, int examples)
    {
        private readonly int[] flagged = new int[ruleCount];
        private readonly int[] changed = new int[ruleCount];
        private readonly List<DryRunExample>[] flaggedExamples = [.. Enumerable.Range(0, ruleCount).Select(_ => new List<DryRunExample>())];
        private readonly List<DryRunExample>[] changedExamples = [.. Enumerable.Range(0, ruleCount).Select(_ => new List<DryRunExample>())];
        private int answers;
        private int answersFlagged;
        private int answersChanged;

        public void Add(DryRunAnswer answer, AnswerEvaluation evaluation)
        {
            answers++;
            if (evaluation.Clean)
            {
                return;
            }
            var anyFlag = false;
            foreach (var outcome in evaluation.Outcomes)
            {
                var isFix = outcome.Kind == RuleOutcomeKind.Fixed;
                anyFlag |= !isFix;
                (isFix ? changed : flagged)[outcome.RuleIndex]++;
                var list = (isFix ? changedExamples : flaggedExamples)[outcome.RuleIndex];
                if (list.Count < examples || answer.AnnotationId < list[^1].AnnotationId)
                {
                    Keep(list, new DryRunExample(answer.AnnotationId, answer.ItemId, Display(outcome.Before), Display(outcome.After), outcome.Reason));
                }
            }
            answersFlagged += anyFlag ? 1 : 0;
            answersChanged += evaluation.Changed ? 1 : 0;
        }

        public void Merge(Tally other)
        {
            answers += other.answers;
            answersFlagged += other.answersFlagged;
            answersChanged += other.answersChanged;
            for (var i = 0; i < flagged.Length; i++)
            {
                flagged[i] += other.flagged[i];
                changed[i] += other.changed[i];
                other.flaggedExamples[i].ForEach(e => Keep(flaggedExamples[i], e));
                other.changedExamples[i].ForEach(e => Keep(changedExamples[i], e));
            }
        }

        public DryRunReport Report(CompiledRuleSet rules) => new(answers, answersFlagged, answersChanged,
            [.. rules.RuleSet.Rules.Select((rule, i) => new RuleDryRun(i, rule.Id, rule.KindName, rule.Field, rule.Mode, flagged[i], changed[i],
                [.. flaggedExamples[i]], [.. changedExamples[i]]))]);

        /// <summary>Keeps the list sorted by annotation id and at most <c>examples</c> long.</summary>
        private void Keep(List<DryRunExample> list, DryRunExample example)
        {
            var at = list.FindIndex(e => e.AnnotationId > example.AnnotationId);
            list.Insert(at < 0 ? list.Count : at, example);
            if (list.Count > examples)
            {
                list.RemoveAt(list.Count - 1);
            }
        }
    }
}
