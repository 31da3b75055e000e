using LabelHub.Domain.Cleansing;
using static LabelHub.Domain.Tests.Cleansing.RuleFixtures;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>The dry run counts per rule and keeps the examples with the smallest annotation ids, whatever the order.</summary>
public sealed class CleansingDryRunTests
{
    private static readonly CompiledRuleSet Rules = Compile(
        new TrimRule { Id = "trim", Field = "name", Mode = RuleMode.Fix },
        new FullWidthToHalfWidthRule { Id = "fw", Field = "name" },
        new NumberRangeRule { Id = "range", Field = "amount", Max = 10 });

    private static List<DryRunAnswer> Answers() =>
    [
        .. Enumerable.Range(1, 100).Select(i => new DryRunAnswer(i, 1000 + i,
            Json($$"""{"name": "{{(i % 2 == 0 ? " 서울 " : "서울")}}{{(i % 5 == 0 ? "１" : "")}}", "amount": {{i % 20}}}"""), null)),
    ];

    [Fact]
    public void Counts_per_rule_with_the_first_examples_by_annotation_id()
    {
        var report = CleansingDryRun.Run(Rules, Answers(), examplesPerRule: 3);

        Assert.Equal(100, report.Answers);
        var trim = report.Rules[0];
        // Even ids have spaces; those that also end in a full-width digit are not trimmed at the end, only at the start.
        Assert.Equal(("trim", "trim", 50, 0), (trim.RuleId, trim.Kind, trim.Changed, trim.Flagged));
        Assert.Equal([2L, 4, 6], trim.ChangedExamples.Select(e => e.AnnotationId));
        Assert.Equal(("\" 서울 \"", "\"서울\""), (trim.ChangedExamples[0].Before, trim.ChangedExamples[0].After));
        var fullWidth = report.Rules[1];
        Assert.Equal((20, 0), (fullWidth.Flagged, fullWidth.Changed));
        Assert.Equal([5L, 10, 15], fullWidth.FlaggedExamples.Select(e => e.AnnotationId));
        Assert.Equal("\"서울1\"", fullWidth.FlaggedExamples[0].After);
        // amount = i % 20 above 10: 11..19 in each block of 20.
        Assert.Equal(45, report.Rules[2].Flagged);
        Assert.Equal(50, report.AnswersChanged);
    }

    [Fact]
    public void The_report_is_the_same_for_any_order_and_in_parallel()
    {
        var answers = Answers();
        var forward = CleansingDryRun.Run(Rules, answers);
        var shuffled = answers.OrderBy(a => (a.AnnotationId * 7919) % 101).ToList();

        var backward = CleansingDryRun.Run(Rules, shuffled);
        var parallel = CleansingDryRun.RunParallel(Rules, shuffled, maxDegreeOfParallelism: 4);

        Assert.Equal(Describe(forward), Describe(backward));
        Assert.Equal(Describe(forward), Describe(parallel));

        // One answer at a time, as the dry-run job adds them page by page.
        var accumulator = new CleansingDryRun.Accumulator(Rules);
        shuffled.ForEach(accumulator.Add);
        Assert.Equal(Describe(forward), Describe(accumulator.Report()));
    }

    private static string Describe(DryRunReport report) =>
        $"{report.Answers}/{report.AnswersFlagged}/{report.AnswersChanged}|" + string.Join("|", report.Rules.Select(r =>
            $"{r.RuleId}:{r.Flagged}:{r.Changed}:{string.Join(",", r.FlaggedExamples)}:{string.Join(",", r.ChangedExamples)}"));
}
