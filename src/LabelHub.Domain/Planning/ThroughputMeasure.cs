using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Planning;

/// <summary>How fast a project's labeling really goes, measured from its answers, skips and reviews.</summary>
/// <param name="LabelsDone">Answers that stand: assignments in state Submitted (a rejected, requeued answer is not one).</param>
/// <param name="TimedAnswers">How many answer durations the pace rests on (the newest <see cref="ThroughputMeasure.Sample"/>).</param>
/// <param name="SecondsPerLabel">Mean seconds per answer after dropping outliers (<see cref="ThroughputMeasure.TrimmedMean"/>); null without timings.</param>
/// <param name="Skips">Handed-out tasks the annotator skipped (assignments in state Skipped).</param>
/// <param name="HandedOut">Handed-out tasks that ended: submitted, skipped or rejected.</param>
/// <param name="SecondsPerSkip">Mean seconds from hand-out to skip, outliers dropped the same way; null without skips.</param>
/// <param name="Reviewed">Review decisions.</param>
/// <param name="Rejected">Review decisions that rejected the answer.</param>
/// <param name="ActiveAnnotators">Annotators who submitted an answer in the last 7 days.</param>
public sealed record Throughput(
    long LabelsDone, int TimedAnswers, double? SecondsPerLabel, int Skips, int HandedOut, double? SecondsPerSkip, int Reviewed, int Rejected, int ActiveAnnotators)
{
    /// <summary>Labels one annotator answers per hour at the measured pace.</summary>
    public double? LabelsPerHourPerAnnotator => SecondsPerLabel is > 0 and { } s ? 3600 / s : null;

    /// <summary>Skips per handed-out task that ended.</summary>
    public double SkipRate => HandedOut == 0 ? 0 : (double)Skips / HandedOut;

    /// <summary>Rejected share of the reviewed answers: each needs doing again.</summary>
    public double RejectionRate => Reviewed == 0 ? 0 : (double)Rejected / Reviewed;

    /// <summary>
    /// The time one label that stands really costs: its own time, again for the share of answers a reviewer rejects
    /// (effective labels = labels × (1 + rejection rate)), plus the time of the skips that come with it
    /// (skips per submitted answer × seconds per skip). Null without timed answers.
    /// </summary>
    public double? EffectiveSecondsPerLabel
    {
        get
        {
            if (SecondsPerLabel is not { } perLabel)
            {
                return null;
            }
            var submitted = HandedOut - Skips;
            var skipsPerLabel = submitted <= 0 ? 0 : (double)Skips / submitted;
            return (perLabel * (1 + RejectionRate)) + (skipsPerLabel * (SecondsPerSkip ?? 0));
        }
    }
}

/// <summary>Reads a project's <see cref="Throughput"/>: a handful of narrow aggregate queries, never the answers' payloads.</summary>
public static class ThroughputMeasure
{
    /// <summary>The pace rests on the newest this many answers (and skips): recent work says most about the rest.</summary>
    public const int Sample = 5000;

    /// <summary>A duration over this many times the median is an answer left open (a break, a meeting), not work.</summary>
    public const double OutlierFactor = 10;

    public static async Task<Throughput> MeasureAsync(LabelHubDbContext db, Guid projectId, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var states = await db.Assignments.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.State != AssignmentState.Leased && a.State != AssignmentState.Expired)
            .GroupBy(a => a.State)
            .Select(g => new { State = g.Key, Count = g.Count() })
            .ToListAsync(ct);
        int CountOf(AssignmentState state) => states.FirstOrDefault(s => s.State == state)?.Count ?? 0;
        var submitted = CountOf(AssignmentState.Submitted);
        var skips = CountOf(AssignmentState.Skipped);
        var handedOut = submitted + skips + CountOf(AssignmentState.Rejected);

        var durations = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Reason == AnnotationReason.Submit && a.DurationMs > 0)
            .OrderByDescending(a => a.Id).Take(Sample)
            .Select(a => a.DurationMs!.Value)
            .ToListAsync(ct);
        var skipTimes = await db.Assignments.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.State == AssignmentState.Skipped && a.CompletedAt != null)
            .OrderByDescending(a => a.Id).Take(Sample)
            .Select(a => new { a.LeasedAt, a.CompletedAt })
            .ToListAsync(ct);

        var reviews = await db.Reviews.AsNoTracking()
            .Where(r => r.ProjectId == projectId)
            .GroupBy(r => r.Decision == ReviewDecision.Rejected)
            .Select(g => new { Rejected = g.Key, Count = g.Count() })
            .ToListAsync(ct);
        var since = now.AddDays(-7);
        var active = await db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Reason == AnnotationReason.Submit && a.CreatedAt >= since)
            .Select(a => a.AnnotatorId).Distinct().CountAsync(ct);

        return new Throughput(
            submitted,
            durations.Count,
            TrimmedMean(durations.Select(d => d / 1000.0)),
            skips,
            handedOut,
            TrimmedMean(skipTimes.Select(s => (s.CompletedAt!.Value - s.LeasedAt).TotalSeconds).Where(s => s > 0)),
            reviews.Sum(r => r.Count),
            reviews.Where(r => r.Rejected).Sum(r => r.Count),
            active);
    }

    /// <summary>
    /// The mean of the positive values after dropping those over <see cref="OutlierFactor"/> × their median (answers
    /// left open); null when there is none. The median alone would hide that some items take much longer.
    /// </summary>
    public static double? TrimmedMean(IEnumerable<double> values)
    {
        var sorted = values.Where(v => v > 0 && double.IsFinite(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return null;
        }
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return sorted.Where(v => v <= median * OutlierFactor).Average();
    }
}
