using System.Globalization;

namespace LabelHub.Domain.Planning;

/// <summary>
/// The plan next to what labeling measured (issue 17): the whole job redone at the measured pace, what remains, and
/// the gap per figure. A positive gap is over plan (red), zero or negative on or under it (green); null where either
/// side is unknown.
/// </summary>
/// <param name="Plan">The estimate from the spec sheet alone.</param>
/// <param name="Measured">The measured pace, skips and rejections.</param>
/// <param name="Remaining">The labels still to do at the measured pace, from today, by the active annotators (the
/// planned number when nobody labeled in the last 7 days); null before any timed answer or without a target size.</param>
/// <param name="ProjectedHours">All the plan's labels at the measured effective seconds per label.</param>
/// <param name="ProjectedCost">Projected hours × cost per hour.</param>
/// <param name="HoursGap">Projected − planned annotator-hours.</param>
/// <param name="CostGap">Projected − planned cost.</param>
/// <param name="DaysLate">Calendar days between the measured and the planned finish date; negative: early.</param>
/// <param name="Sentence">The gap in one English sentence (localized where it is shown); null without a measured finish.</param>
public sealed record PlanForecast(
    PlanEstimate Plan, Throughput Measured, PlanEstimate? Remaining, double? ProjectedHours, decimal? ProjectedCost,
    double? HoursGap, decimal? CostGap, int? DaysLate, string? Sentence)
{
    public static PlanForecast Build(ProjectPlan plan, int overlap, DateOnly defaultStart, Throughput measured, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(measured);
        var planned = PlanEstimate.FromPlan(plan, overlap, defaultStart);
        if (planned.Labels is not { } labels || measured.EffectiveSecondsPerLabel is not { } seconds)
        {
            return new PlanForecast(planned, measured, null, null, null, null, null, null, null);
        }
        var remainingLabels = Math.Max(0, labels - measured.LabelsDone);
        var annotators = measured.ActiveAnnotators > 0 ? measured.ActiveAnnotators : plan.Annotators ?? 0;
        var remaining = PlanEstimate.Remaining(plan, remainingLabels, seconds, annotators, today);
        var projectedHours = labels * seconds / 3600.0;
        decimal? projectedCost = plan.CostPerHour is { } rate ? decimal.Round((decimal)projectedHours * rate, 2) : null;
        double? hoursGap = planned.AnnotatorHours is { } plannedHours ? projectedHours - plannedHours : null;
        decimal? costGap = projectedCost is { } pc && planned.Cost is { } plannedCost ? pc - plannedCost : null;
        int? daysLate = remaining.FinishDate is { } finish && planned.FinishDate is { } plannedFinish ? finish.DayNumber - plannedFinish.DayNumber : null;
        return new PlanForecast(planned, measured, remaining, projectedHours, projectedCost, hoursGap, costGap, daysLate, SentenceOf(daysLate, measured));
    }

    private static string? SentenceOf(int? daysLate, Throughput measured)
    {
        if (daysLate is not { } days || measured.LabelsPerHourPerAnnotator is not { } pace)
        {
            return null;
        }
        var rate = pace.ToString(pace >= 10 ? "0" : "0.#", CultureInfo.InvariantCulture);
        var count = Math.Abs(days).ToString(CultureInfo.InvariantCulture);
        return days switch
        {
            0 => $"On schedule at the measured {rate} labels/hour/annotator.",
            1 => $"1 day late at the measured {rate} labels/hour/annotator.",
            -1 => $"1 day early at the measured {rate} labels/hour/annotator.",
            > 0 => $"{count} days late at the measured {rate} labels/hour/annotator.",
            _ => $"{count} days early at the measured {rate} labels/hour/annotator.",
        };
    }
}
