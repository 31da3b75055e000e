namespace LabelHub.Domain.Planning;

/// <summary>
/// What a plan costs: labels, annotator-hours, money and the finish date. Pure arithmetic over the spec sheet
/// (issue 17); the figures that need a spec member that is not planned are null and the member is named in
/// <see cref="Missing"/> — the estimate never guesses one.
/// </summary>
/// <param name="Missing">The spec members (camelCase, as the API names them) the estimate needed and did not find.</param>
/// <param name="Labels">Labels to do: target items × overlap (or the remaining labels, for a re-estimate).</param>
/// <param name="AnnotatorHours">Labels × seconds per label ÷ 3600.</param>
/// <param name="Cost">Annotator-hours × cost per hour.</param>
/// <param name="OverBudget">Cost − budget: positive is over budget by that much, zero or negative within it.</param>
/// <param name="WorkingDays">Annotator-hours ÷ (annotators × hours per day), in working days (fractional).</param>
/// <param name="FinishDate">The working day the last label is done: <see cref="WorkingDays"/> rounded up, counted from
/// the start day (itself the first working day; Saturdays and Sundays skipped unless the plan works weekends).</param>
public sealed record PlanEstimate(
    IReadOnlyList<string> Missing, long? Labels, double? AnnotatorHours, decimal? Cost, decimal? OverBudget, double? WorkingDays, DateOnly? FinishDate)
{
    /// <summary>The estimate of the whole plan, worked out before (or regardless of) any labeling.</summary>
    /// <param name="overlap">The project's overlap: how many annotators answer each item.</param>
    /// <param name="defaultStart">The first day when the plan names none (the project's creation date).</param>
    public static PlanEstimate FromPlan(ProjectPlan plan, int overlap, DateOnly defaultStart)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var missing = new List<string>();
        long? labels = plan.TargetItems is { } items ? (long)items * overlap : null;
        if (labels is null)
        {
            missing.Add("targetItems");
        }
        if (plan.SecondsPerLabel is null)
        {
            missing.Add("secondsPerLabel");
        }
        return Work(plan, labels, plan.SecondsPerLabel, plan.Annotators, plan.StartDate ?? defaultStart, missing);
    }

    /// <summary>
    /// The same arithmetic with measured figures: <paramref name="labels"/> still to do, at <paramref name="secondsPerLabel"/>
    /// (already including rework and skips, see <see cref="Throughput.EffectiveSecondsPerLabel"/>), by
    /// <paramref name="annotators"/> people, from <paramref name="start"/> (today).
    /// </summary>
    public static PlanEstimate Remaining(ProjectPlan plan, long labels, double secondsPerLabel, int annotators, DateOnly start)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Work(plan, labels, secondsPerLabel, annotators, start, []);
    }

    private static PlanEstimate Work(ProjectPlan plan, long? labels, double? secondsPerLabel, int? annotators, DateOnly start, List<string> missing)
    {
        double? hours = labels is { } l && secondsPerLabel is { } s ? l * s / 3600.0 : null;
        decimal? cost = null;
        if (plan.CostPerHour is null)
        {
            missing.Add("costPerHour");
        }
        else if (hours is { } h)
        {
            cost = decimal.Round((decimal)h * plan.CostPerHour.Value, 2);
        }
        if (plan.Budget is null)
        {
            missing.Add("budget");
        }
        decimal? over = cost is { } c && plan.Budget is { } budget ? c - budget : null;
        if (annotators is null)
        {
            missing.Add("annotators");
        }
        if (plan.HoursPerDay is null)
        {
            missing.Add("hoursPerDay");
        }
        double? days = hours is { } hh && annotators is { } a and > 0 && plan.HoursPerDay is { } perDay and > 0 ? hh / (a * perDay) : null;
        DateOnly? finish = days is { } d ? AddWorkingDays(start, (int)Math.Ceiling(d - 1e-9), plan.WorkWeekends) : null;
        return new PlanEstimate(missing, labels, hours, cost, over, days, finish);
    }

    /// <summary>
    /// The day on which <paramref name="workingDays"/> working days starting at <paramref name="start"/> end: one day
    /// of work finishes on the first working day on or after the start; zero days finish on the start itself.
    /// </summary>
    public static DateOnly AddWorkingDays(DateOnly start, int workingDays, bool workWeekends)
    {
        if (workingDays <= 0)
        {
            return start;
        }
        var day = start;
        while (!IsWorkingDay(day, workWeekends))
        {
            day = day.AddDays(1);
        }
        for (var counted = 1; counted < workingDays;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day, workWeekends))
            {
                counted++;
            }
        }
        return day;
    }

    public static bool IsWorkingDay(DateOnly day, bool workWeekends) =>
        workWeekends || day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
}
