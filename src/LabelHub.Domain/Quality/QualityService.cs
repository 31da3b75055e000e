using System.Diagnostics;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Quality;

/// <summary>The newest quality report of a project, with the project's targets to read it against.</summary>
/// <param name="Annotations">Current answers the report rests on.</param>
/// <param name="NewAnnotationsSince">Answers submitted since it was computed.</param>
/// <param name="Targets">The project's KPI targets now (null: no target).</param>
public sealed record QualityReportInfo(long Id, Guid ProjectId, DateTimeOffset ComputedAt, int Annotations, int NewAnnotationsSince, QualitySettings Targets, QualityReportData Data);

/// <summary>
/// The newest report as the API answers it, the same shape before the first report as after: <paramref name="Status"/> is
/// "computed" with the report's id, time and figures, or "none" before the first report, with no id, time or figures and
/// every answer so far counted as new.
/// </summary>
public sealed record QualityReportState(
    string Status, long? Id, Guid ProjectId, DateTimeOffset? ComputedAt, int Annotations, int NewAnnotationsSince, QualitySettings Targets, QualityReportData? Data)
{
    public const string Computed = "computed";
    public const string None = "none";
}

/// <summary>One report's headline figures, for trend charts.</summary>
public sealed record QualityTrendPoint(DateTimeOffset ComputedAt, int Annotations, QualityKpis Kpis, IReadOnlyDictionary<string, double?> FieldHeadlines);

/// <summary>Two annotators' answers to one item, side by side.</summary>
/// <param name="Data">For span and box fields: the item's data, so both answers can be drawn on its text or image.</param>
public sealed record PairItem(long ItemId, string Preview, JsonElement? AnswerA, JsonElement? AnswerB, bool Agree, Dictionary<string, JsonElement>? Data = null);

/// <param name="Agreement">The pair's statistic on the field over all the items both answered it (not just this page),
/// computed now as the report computes it: its name, value and n.</param>
public sealed record PairItemsPage(
    string Field, Guid AnnotatorA, Guid AnnotatorB, int Total, int Disagreements, IReadOnlyList<PairItem> Items, AnnotatorPairAgreement? Agreement = null);

/// <summary>Each item's answers to one single-choice field combined into one label with a confidence; ties need adjudication.</summary>
public sealed record ItemAggregation(string Field, string Method, IReadOnlyList<string> Categories, int Ties, IReadOnlyList<ItemAggregate> Items);

/// <summary>
/// Computes, stores and serves quality reports. Computing reads the project's current answers in one pass without
/// locks (plain reads, no transaction), so labeling goes on while a large project is recomputed.
/// </summary>
public sealed class QualityService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, TimeProvider clock)
{
    public const int MaxPairItemsPage = 200;

    /// <summary>
    /// Reads every current answer of the project (and each first answer to a gold item, which gold accuracy scores),
    /// computes all figures and stores them as a new report.
    /// </summary>
    public async Task<QualityReport> ComputeAndStoreAsync(Guid projectId, Guid? jobRunId, IJobProgress? progress, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == projectId, ct);
        var gold = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold)
            .Select(i => new { i.Id, i.GoldAnswer }).ToDictionaryAsync(i => i.Id, i => i.GoldAnswer, ct);
        var upTo = await db.Annotations.Where(a => a.ProjectId == projectId).MaxAsync(a => (long?)a.Id, ct) ?? 0;
        var total = await db.Annotations.CountAsync(a => a.ProjectId == projectId && a.IsCurrent && a.Id <= upTo, ct);

        var calculator = new QualityCalculator(project.Schema, gold);
        // One pass: the current answers, and the first answers to gold items that were changed since (they alone score gold).
        var answers = db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Id <= upTo
                && (a.IsCurrent || (a.Version == 1 && db.Items.Any(i => i.Id == a.ItemId && i.IsGold))))
            .Select(a => new AnswerRecord(a.ItemId, a.AnnotatorId, a.Values, a.DurationMs, a.CreatedAt, a.IsCurrent, a.Version == 1))
            .AsAsyncEnumerable();
        await foreach (var answer in answers.WithCancellation(ct))
        {
            calculator.Add(answer);
            if (progress is not null && answer.IsCurrent && calculator.Answers % 50_000 == 0 && total > 0)
            {
                await progress.ReportAsync(0.8 * calculator.Answers / total, $"Read {calculator.Answers:N0} of {total:N0} answers", ct);
            }
        }
        if (progress is not null)
        {
            await progress.ReportAsync(0.85, "Computing agreement", ct);
        }

        var names = await db.Users.AsNoTracking()
            .Where(u => db.Annotations.Any(a => a.ProjectId == projectId && a.IsCurrent && a.AnnotatorId == u.Id))
            .Select(u => new { u.Id, Name = u.DisplayName != "" ? u.DisplayName : u.UserName! })
            .ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var itemCounts = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && !i.IsGold)
            .GroupBy(_ => 1)
            .Select(g => new { Total = g.Count(), Complete = g.Count(i => i.SubmittedCount >= project.Overlap) })
            .FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        var dayAgo = now.AddDays(-1);
        var lastDay = await db.Annotations.CountAsync(a => a.ProjectId == projectId && a.Version == 1 && a.CreatedAt > dayAgo, ct);
        var data = calculator.Compute(
            names,
            itemCounts is { Total: > 0 } counts ? (double)counts.Complete / counts.Total : 0,
            lastDay / 24.0,
            Stopwatch.GetElapsedTime(started));

        var report = new QualityReport
        {
            ProjectId = projectId,
            ComputedAt = now,
            UpToAnnotationId = upTo,
            Annotations = calculator.Answers,
            JobRunId = jobRunId,
            Data = data,
        };
        // A re-run of the same job replaces the report an earlier attempt stored.
        if (jobRunId is not null)
        {
            await db.QualityReports.Where(r => r.JobRunId == jobRunId).ExecuteDeleteAsync(ct);
        }
        db.QualityReports.Add(report);
        await db.SaveChangesAsync(ct);
        return report;
    }

    /// <summary>Starts a recompute job for the project (managers; also what the dashboard's button does), or returns the one already queued or running.</summary>
    public async Task<JobRunInfo> StartRecomputeAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
            // A recompute already queued or running gives the figures asked for: a second click (or a script's retry)
            // joins it instead of reading every answer again.
            var kind = QualityJobs.Recompute.Kind;
            var pending = await db.JobRuns.AsNoTracking()
                .Where(j => j.ProjectId == projectId && j.Kind == kind && (j.State == JobState.Queued || j.State == JobState.Running))
                .OrderByDescending(j => j.CreatedAt)
                .FirstOrDefaultAsync(ct);
            if (pending is not null)
            {
                return JobRunService.ToInfo(pending);
            }
        }
        return await jobs.StartAsync(QualityJobs.Recompute, projectId, actor.UserId, new QualityJobParameters(projectId), ct);
    }

    /// <summary>
    /// Starts a recompute for every project with at least its "recompute every" of new answers since its last
    /// report and no recompute queued or running. The recurring job calls this every minute.
    /// </summary>
    public async Task<int> StartDueRecomputesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var projects = await db.Projects.AsNoTracking().Select(p => new { p.Id, p.Quality }).ToListAsync(ct);
        var kind = QualityJobs.Recompute.Kind;
        var started = 0;
        foreach (var project in projects)
        {
            var busy = await db.JobRuns.AnyAsync(j => j.ProjectId == project.Id && j.Kind == kind
                && (j.State == JobState.Queued || j.State == JobState.Running), ct);
            if (busy)
            {
                continue;
            }
            var since = await db.QualityReports.Where(r => r.ProjectId == project.Id).MaxAsync(r => (long?)r.UpToAnnotationId, ct) ?? 0;
            // Walks the primary key from the last report's id: only the new answers are read.
            var fresh = await db.Annotations.Where(a => a.Id > since && a.ProjectId == project.Id)
                .Take(project.Quality.RecomputeEveryAnnotations).CountAsync(ct);
            if (fresh >= project.Quality.RecomputeEveryAnnotations)
            {
                await jobs.StartAsync(QualityJobs.Recompute, project.Id, null, new QualityJobParameters(project.Id), ct);
                started++;
            }
        }
        return started;
    }

    /// <summary>The newest report, or null before the first one.</summary>
    public async Task<QualityReportInfo?> LatestAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var report = await db.QualityReports.AsNoTracking().Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.ComputedAt).ThenByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        if (report is null)
        {
            return null;
        }
        var fresh = await db.Annotations.CountAsync(a => a.Id > report.UpToAnnotationId && a.ProjectId == projectId, ct);
        return new QualityReportInfo(report.Id, projectId, report.ComputedAt, report.Annotations, fresh, project.Quality, report.Data);
    }

    /// <summary>The newest report, or the project's empty state before the first one (never null, so a script need not special-case it).</summary>
    public async Task<QualityReportState> StateAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        if (await LatestAsync(actor, projectId, ct) is { } report)
        {
            return new QualityReportState(QualityReportState.Computed, report.Id, projectId, report.ComputedAt, report.Annotations, report.NewAnnotationsSince,
                report.Targets, report.Data);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var fresh = await db.Annotations.CountAsync(a => a.ProjectId == projectId, ct);
        return new QualityReportState(QualityReportState.None, null, projectId, null, 0, fresh, project.Quality, null);
    }

    /// <summary>Headline figures of the newest reports, oldest first.</summary>
    public async Task<IReadOnlyList<QualityTrendPoint>> TrendAsync(Actor actor, Guid projectId, int limit = 100, CancellationToken ct = default)
    {
        if (limit is < 1 or > 1000)
        {
            throw new ValidationException("limit", "Ask for 1 to 1,000 reports.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var reports = await db.QualityReports.AsNoTracking().Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.ComputedAt).ThenByDescending(r => r.Id).Take(limit).ToListAsync(ct);
        return [.. reports.AsEnumerable().Reverse().Select(r => new QualityTrendPoint(
            r.ComputedAt,
            r.Annotations,
            r.Data.Kpis,
            r.Data.Fields.ToDictionary(f => f.Field, f => f.Metrics.FirstOrDefault(m => m.Metric == f.Headline)?.Value.Value)))];
    }

    /// <summary>
    /// The non-gold items two annotators both answered, with both answers to one field side by side (the cell of
    /// the agreement heatmap, opened): disagreements first, then by item.
    /// </summary>
    public async Task<PairItemsPage> PairItemsAsync(
        Actor actor, Guid projectId, string field, Guid annotatorA, Guid annotatorB, int page = 1, int pageSize = 50, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (page < 1)
        {
            errors.Add("page", "Pages start at 1.");
        }
        if (pageSize is < 1 or > MaxPairItemsPage)
        {
            errors.Add("pageSize", $"A page holds 1 to {MaxPairItemsPage} items.");
        }
        errors.ThrowIfAny();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        if (project.Schema.Field(field) is not { } schemaField)
        {
            throw new ValidationException("field", $"The schema has no field '{field}'.");
        }
        var pairs = await (
            from a in db.Annotations.AsNoTracking()
            where a.ProjectId == projectId && a.IsCurrent && a.AnnotatorId == annotatorA
            join b in db.Annotations.AsNoTracking().Where(b => b.ProjectId == projectId && b.IsCurrent && b.AnnotatorId == annotatorB)
                on a.ItemId equals b.ItemId
            // Gold items measure accuracy, not agreement: the heatmap leaves them out, so does the list behind a cell.
            join i in db.Items.AsNoTracking().Where(i => !i.IsGold) on a.ItemId equals i.Id
            select new { a.ItemId, A = a.Values, B = b.Values })
            .ToListAsync(ct);
        var compared = pairs.Select(p =>
        {
            var answerA = p.A.TryGetValue(field, out var va) ? va : (JsonElement?)null;
            var answerB = p.B.TryGetValue(field, out var vb) ? vb : (JsonElement?)null;
            var agree = GoldService.Matches(project.Schema, Single(field, answerA), Single(field, answerB));
            return (p.ItemId, answerA, answerB, agree);
        }).OrderBy(p => p.agree).ThenBy(p => p.ItemId).ToList();
        var pageItems = compared.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var ids = pageItems.Select(p => p.ItemId).ToList();
        var data = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id))
            .Select(i => new { i.Id, i.Data }).ToDictionaryAsync(i => i.Id, i => i.Data, ct);
        var drawn = schemaField.Kind.Placement() != FieldPlacement.Panel;
        var names = await db.Users.AsNoTracking().Where(u => u.Id == annotatorA || u.Id == annotatorB)
            .Select(u => new { u.Id, Name = u.DisplayName != "" ? u.DisplayName : u.UserName! })
            .ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var agreement = QualityCalculator.PairAgreement(schemaField,
            (annotatorA, names.GetValueOrDefault(annotatorA, annotatorA.ToString())),
            (annotatorB, names.GetValueOrDefault(annotatorB, annotatorB.ToString())),
            pairs.Select(p => (p.ItemId, (IReadOnlyDictionary<string, JsonElement>)p.A, (IReadOnlyDictionary<string, JsonElement>)p.B)));
        return new PairItemsPage(field, annotatorA, annotatorB, compared.Count, compared.Count(p => !p.agree),
            [.. pageItems.Select(p => new PairItem(p.ItemId, data.TryGetValue(p.ItemId, out var d) ? GoldService.Preview(d) : "", p.answerA, p.answerB, p.agree,
                drawn ? data.GetValueOrDefault(p.ItemId) : null))],
            agreement);
    }

    public static readonly IReadOnlyList<string> AggregationMethods = ["majority_vote", "dawid_skene"];

    /// <summary>
    /// Every item's aggregated answer to a single-choice field, computed now from the current answers: majority vote
    /// (ties go to the label listed first in the schema and are flagged) or Dawid–Skene (gold answers fix their items
    /// and so seed each annotator's estimated reliability).
    /// </summary>
    public async Task<ItemAggregation> AggregateAsync(Actor actor, Guid projectId, string field, string method, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var errors = new ValidationErrors();
        var schemaField = project.Schema.Field(field);
        if (schemaField is null || schemaField.Kind != FieldKind.Choice)
        {
            errors.Add("field", $"'{field}' is not a single-choice field of this project; aggregation combines single-choice answers.");
        }
        if (!AggregationMethods.Contains(method))
        {
            errors.Add("method", "Methods: majority_vote, dawid_skene.");
        }
        errors.ThrowIfAny();
        var answers = new List<(Guid Annotator, long Item, string Answer)>();
        var rows = db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.IsCurrent)
            .Select(a => new { a.AnnotatorId, a.ItemId, a.Values }).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (AnswerCodec.Read(schemaField!, row.Values).Clean is ChoiceAnswer choice)
            {
                answers.Add((row.AnnotatorId, row.ItemId, choice.Label));
            }
        }
        var categorical = CategoricalAnswers.From(answers, schemaField!.Labels);
        IReadOnlyList<ItemAggregate> items;
        if (method == "majority_vote")
        {
            items = MajorityVote.Aggregate(categorical).Items;
        }
        else
        {
            var gold = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold)
                .Select(i => new { i.Id, i.GoldAnswer }).ToDictionaryAsync(i => i.Id, i => i.GoldAnswer, ct);
            items = DawidSkene.Aggregate(categorical, QualityCalculator.GoldLabelsOf(gold, schemaField)).Items;
        }
        return new ItemAggregation(field, method, categorical.Categories, items.Count(i => i.Tie), items);
    }

    private static Dictionary<string, JsonElement> Single(string field, JsonElement? value) =>
        value is { } v ? new Dictionary<string, JsonElement> { [field] = v } : [];
}
