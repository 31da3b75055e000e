using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Tests.Planning;

/// <summary>The spec sheet's arithmetic against figures worked out by hand.</summary>
public sealed class PlanEstimateTests
{
    // Friday 4 December 2026.
    private static readonly DateOnly Friday = new(2026, 12, 4);

    private static readonly ProjectPlan Full = new()
    {
        TargetItems = 1000,
        SecondsPerLabel = 30,
        Annotators = 2,
        HoursPerDay = 5,
        CostPerHour = 12,
        Budget = 250,
        StartDate = Friday,
    };

    [Fact]
    public void Labels_hours_cost_budget_and_finish_date_follow_the_spec_sheet()
    {
        // 1,000 items × overlap 3 = 3,000 labels; × 30 s = 90,000 s = 25 h; × 12 = 300 (budget 250: over by 50);
        // 25 h ÷ (2 annotators × 5 h) = 2.5 working days → 3: Friday, Monday, Tuesday 8 December.
        var estimate = PlanEstimate.FromPlan(Full, overlap: 3, defaultStart: new DateOnly(2026, 1, 1));

        Assert.Empty(estimate.Missing);
        Assert.Equal(3000, estimate.Labels);
        Assert.Equal(25, estimate.AnnotatorHours!.Value, 9);
        Assert.Equal(300m, estimate.Cost);
        Assert.Equal(50m, estimate.OverBudget);
        Assert.Equal(2.5, estimate.WorkingDays!.Value, 9);
        Assert.Equal(new DateOnly(2026, 12, 8), estimate.FinishDate);
    }

    [Fact]
    public void Working_weekends_finishes_on_the_calendar_days_and_a_whole_day_count_is_not_rounded_up()
    {
        // The same 3 working days run Friday, Saturday, Sunday.
        Assert.Equal(new DateOnly(2026, 12, 6), PlanEstimate.FromPlan(Full with { WorkWeekends = true }, 3, Friday).FinishDate);

        // 2,400 labels × 30 s = 20 h ÷ 10 h a day = exactly 2 days: Friday and Monday. Within budget: 240 − 250 = −10.
        var exact = PlanEstimate.FromPlan(Full with { TargetItems = 800 }, 3, Friday);
        Assert.Equal(2, exact.WorkingDays!.Value, 9);
        Assert.Equal(new DateOnly(2026, 12, 7), exact.FinishDate);
        Assert.Equal(-10m, exact.OverBudget);
    }

    [Fact]
    public void A_start_on_a_weekend_begins_on_monday_and_no_start_date_takes_the_default()
    {
        Assert.Equal(new DateOnly(2026, 12, 7), PlanEstimate.AddWorkingDays(new DateOnly(2026, 12, 5), 1, workWeekends: false));
        Assert.Equal(new DateOnly(2026, 12, 5), PlanEstimate.AddWorkingDays(new DateOnly(2026, 12, 5), 1, workWeekends: true));
        Assert.Equal(new DateOnly(2026, 12, 5), PlanEstimate.AddWorkingDays(new DateOnly(2026, 12, 5), 0, workWeekends: false));
        // Ten working days from a Monday end on the Friday of the next week.
        Assert.Equal(new DateOnly(2026, 12, 18), PlanEstimate.AddWorkingDays(new DateOnly(2026, 12, 7), 10, workWeekends: false));

        var noStart = PlanEstimate.FromPlan(Full with { StartDate = null }, 3, defaultStart: new DateOnly(2026, 12, 7));
        Assert.Equal(new DateOnly(2026, 12, 9), noStart.FinishDate);
    }

    [Fact]
    public void Missing_members_are_named_and_their_figures_left_empty_instead_of_guessed()
    {
        var empty = PlanEstimate.FromPlan(new ProjectPlan(), 2, Friday);
        Assert.Equal(["targetItems", "secondsPerLabel", "costPerHour", "budget", "annotators", "hoursPerDay"], empty.Missing);
        Assert.Null(empty.Labels);
        Assert.Null(empty.AnnotatorHours);
        Assert.Null(empty.Cost);
        Assert.Null(empty.FinishDate);

        // Size and pace alone give labels and hours (1,000 × 2 × 36 s = 20 h) but no money or date.
        var partial = PlanEstimate.FromPlan(new ProjectPlan { TargetItems = 1000, SecondsPerLabel = 36 }, 2, Friday);
        Assert.Equal(["costPerHour", "budget", "annotators", "hoursPerDay"], partial.Missing);
        Assert.Equal(2000, partial.Labels);
        Assert.Equal(20, partial.AnnotatorHours!.Value, 9);
        Assert.Null(partial.Cost);
        Assert.Null(partial.OverBudget);
        Assert.Null(partial.WorkingDays);
    }

    [Fact]
    public void The_measured_pace_adds_rework_and_skips_and_the_gap_is_said_in_one_sentence()
    {
        // 10 of 100 reviewed answers rejected; 100 skips over 1,100 hand-outs (0.1 per answer), 20 s each; 40 s per answer:
        // effective = 40 × 1.1 + 0.1 × 20 = 46 s per label, and 3600 ÷ 40 = 90 labels an hour.
        var measured = new Throughput(LabelsDone: 1000, TimedAnswers: 1000, SecondsPerLabel: 40, Skips: 100, HandedOut: 1100, SecondsPerSkip: 20,
            Reviewed: 100, Rejected: 10, ActiveAnnotators: 2);
        Assert.Equal(0.1, measured.RejectionRate, 9);
        Assert.Equal(100.0 / 1100, measured.SkipRate, 9);
        Assert.Equal(46, measured.EffectiveSecondsPerLabel!.Value, 9);
        Assert.Equal(90, measured.LabelsPerHourPerAnnotator!.Value, 9);

        // Planned: 25 h, 300, done Tuesday 8 December. Measured from Monday 7 December: 2,000 labels left × 46 s = 25.56 h
        // ÷ (2 × 5 h) = 2.56 → 3 working days: Monday to Wednesday 9 December, 1 day late. The whole job at 46 s:
        // 3,000 × 46 ÷ 3600 = 38.33 h (13.33 over), × 12 = 460 (160 over).
        var forecast = PlanForecast.Build(Full, 3, Friday, measured, new DateOnly(2026, 12, 7));

        Assert.Equal(2000, forecast.Remaining!.Labels);
        Assert.Equal(2000 * 46 / 3600.0, forecast.Remaining.AnnotatorHours!.Value, 9);
        Assert.Equal(new DateOnly(2026, 12, 9), forecast.Remaining.FinishDate);
        Assert.Equal(1, forecast.DaysLate);
        Assert.Equal(3000 * 46 / 3600.0 - 25, forecast.HoursGap!.Value, 9);
        Assert.Equal(460m, forecast.ProjectedCost);
        Assert.Equal(160m, forecast.CostGap);
        Assert.Equal("1 day late at the measured 90 labels/hour/annotator.", forecast.Sentence);
    }

    [Fact]
    public void A_faster_team_is_early_and_no_timed_answer_gives_no_re_estimate()
    {
        // 2,000 left at 18 s = 10 h ÷ 10 h a day = 1 day: Monday 7 December, 1 day before Tuesday.
        var fast = new Throughput(1000, 500, 18, 0, 1000, null, 0, 0, 2);
        var forecast = PlanForecast.Build(Full, 3, Friday, fast, new DateOnly(2026, 12, 7));
        Assert.Equal(-1, forecast.DaysLate);
        Assert.Equal("1 day early at the measured 200 labels/hour/annotator.", forecast.Sentence);
        Assert.True(forecast.HoursGap < 0);

        var untimed = PlanForecast.Build(Full, 3, Friday, new Throughput(0, 0, null, 0, 0, null, 0, 0, 0), new DateOnly(2026, 12, 7));
        Assert.Null(untimed.Remaining);
        Assert.Null(untimed.Sentence);
        Assert.Equal(3000, untimed.Plan.Labels);
    }

    [Fact]
    public void Answers_left_open_are_dropped_from_the_pace()
    {
        // Median of 10, 12, 14, 1000 is 13; 1000 > 10 × 13 is an answer left open: the mean of the rest is 12.
        Assert.Equal(12, ThroughputMeasure.TrimmedMean([10, 12, 14, 1000])!.Value, 9);
        Assert.Equal(5, ThroughputMeasure.TrimmedMean([5, 0, -3])!.Value, 9);
        Assert.Null(ThroughputMeasure.TrimmedMean([]));
    }
}
