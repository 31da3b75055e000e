using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// What a project's answers look like at one moment (ADR 0019, 6): the "before" a run stores when it starts and the
/// "after" it stores when it is closed. Stored as JSON in <see cref="CleansingRun.BeforeJson"/> and
/// <see cref="CleansingRun.AfterJson"/>, so its shape only grows.
/// </summary>
/// <param name="Answers">Current, non-rejected answers.</param>
/// <param name="AnswersWithOpenFindings">Of those, answers with an open finding on them (or on their item).</param>
/// <param name="QualityScore">Share of the answers with no open finding; null without answers.</param>
/// <param name="Agreement">The weakest field's headline agreement, as the quality KPI reads it; null when undefined.</param>
/// <param name="GoldAccuracy">Share of gold checks the first answers to gold items passed; null without gold answers.</param>
/// <param name="ComputeSeconds">How long taking it took (it runs at the start of every cleansing job).</param>
public sealed record CleansingSnapshot(
    DateTimeOffset TakenAt, long UpToAnnotationId, int Answers, int AnswersWithOpenFindings, double? QualityScore,
    double? Agreement, double? GoldAccuracy, int GoldChecks, List<SnapshotField> Fields, double ComputeSeconds)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonColumn.Options);

    public static CleansingSnapshot? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<CleansingSnapshot>(json, JsonColumn.Options);
}

/// <summary>One field of a snapshot.</summary>
/// <param name="Answered">Answers that give the field a value.</param>
/// <param name="AgreementMetric">The field's headline statistic (as on the quality page).</param>
/// <param name="Labels">Per label (choice, multiple choice, spans and boxes: each span and box counts; ratings: per star)
/// how many times it is given, in the schema's order, then labels the schema no longer has.</param>
public sealed record SnapshotField(string Field, string Kind, int Answered, string? AgreementMetric, double? Agreement, List<SnapshotLabel> Labels);

public sealed record SnapshotLabel(string Label, int Count);

/// <summary>
/// Takes a <see cref="CleansingSnapshot"/> in one streaming pass over the project's answers (no transaction, nothing
/// held but counters and the quality accumulators), so labeling goes on while it reads.
/// </summary>
public sealed class CleansingSnapshotTaker(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public async Task<CleansingSnapshot> TakeAsync(Guid projectId, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var schema = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.Schema).SingleAsync(ct);
        var gold = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold)
            .Select(i => new { i.Id, i.GoldAnswer }).ToDictionaryAsync(i => i.Id, i => i.GoldAnswer, ct);
        var upTo = await db.Annotations.Where(a => a.ProjectId == projectId).MaxAsync(a => (long?)a.Id, ct) ?? 0;

        // Open findings are few next to the answers: their answers and items fit in two sets.
        var open = await db.CleansingFindings.AsNoTracking()
            .Where(f => f.ProjectId == projectId && f.State == FindingState.Open)
            .Select(f => new { f.AnnotationId, f.ItemId }).ToListAsync(ct);
        var flaggedAnswers = open.Where(f => f.AnnotationId is not null).Select(f => f.AnnotationId!.Value).ToHashSet();
        var flaggedItems = open.Where(f => f.AnnotationId is null).Select(f => f.ItemId).ToHashSet();

        var counter = new SnapshotCounter(schema);
        var quality = new QualityCalculator(schema, gold);
        var answers = db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Id <= upTo && a.ReviewStatus != ReviewStatus.Rejected
                && (a.IsCurrent || (a.Version == 1 && db.Items.Any(i => i.Id == a.ItemId && i.IsGold))))
            .Select(a => new { a.Id, a.ItemId, a.AnnotatorId, a.Values, a.IsCurrent, First = a.Version == 1 })
            .AsAsyncEnumerable();
        await foreach (var answer in answers.WithCancellation(ct))
        {
            quality.Add(new AnswerRecord(answer.ItemId, answer.AnnotatorId, answer.Values, null, default, answer.IsCurrent, answer.First));
            if (answer.IsCurrent)
            {
                counter.Add(answer.Values, flaggedAnswers.Contains(answer.Id) || flaggedItems.Contains(answer.ItemId));
            }
        }
        var report = quality.Compute(new Dictionary<Guid, string>(), 0, null, TimeSpan.Zero);
        return counter.Snapshot(clock.GetUtcNow(), upTo, report, Stopwatch.GetElapsedTime(started));
    }
}

/// <summary>
/// The data-quality score now without a full snapshot: two counts in the database (the quality dashboard's KPI).
/// </summary>
public static class CleansingQualityScore
{
    public static async Task<double?> NowAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct = default)
    {
        var current = db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected);
        var answers = await current.CountAsync(ct);
        if (answers == 0)
        {
            return null;
        }
        var open = db.CleansingFindings.Where(f => f.ProjectId == projectId && f.State == FindingState.Open);
        var flagged = await current.CountAsync(a => open.Any(f => f.AnnotationId == a.Id || (f.AnnotationId == null && f.ItemId == a.ItemId)), ct);
        return (double)(answers - flagged) / answers;
    }
}

/// <summary>The counting half of a snapshot, pure so it is tested and measured without a database.</summary>
public sealed class SnapshotCounter
{
    private readonly LabelSchema schema;
    private readonly Dictionary<string, int>[] labelCounts;
    private readonly int[] answered;

    public SnapshotCounter(LabelSchema schema)
    {
        this.schema = schema;
        labelCounts = [.. schema.Fields.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal))];
        answered = new int[schema.Fields.Count];
    }

    public int Answers { get; private set; }
    public int Flagged { get; private set; }

    public void Add(IReadOnlyDictionary<string, JsonElement> values, bool flagged)
    {
        Answers++;
        Flagged += flagged ? 1 : 0;
        for (var f = 0; f < schema.Fields.Count; f++)
        {
            var field = schema.Fields[f];
            if (!values.TryGetValue(field.Name, out var value) || AnswerCodec.IsEmpty(value))
            {
                continue;
            }
            answered[f]++;
            // Read straight from the JSON, not through the codec's typed records: a million answers are read at the start
            // of every run. Labels the schema does not know are counted too (they show up as such).
            foreach (var label in LabelsIn(field.Kind, value))
            {
                Count(labelCounts[f], label);
            }
        }
    }

    /// <summary>The labels an answer gives, read straight from its JSON; text, numbers and dates have none.</summary>
    private static IEnumerable<string> LabelsIn(FieldKind kind, JsonElement value) => kind switch
    {
        FieldKind.Choice => value.ValueKind == JsonValueKind.String ? [value.GetString()!] : [],
        FieldKind.MultiChoice => value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.String).Select(l => l.GetString()!)
            : [],
        FieldKind.Spans or FieldKind.Boxes => value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
                .Select(mark => mark.ValueKind == JsonValueKind.Object && mark.TryGetProperty("label", out var label) && label.ValueKind == JsonValueKind.String
                    ? label.GetString()
                    : null)
                .OfType<string>()
            : [],
        FieldKind.Rating => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var stars) ? [stars.ToString(CultureInfo.InvariantCulture)] : [],
        FieldKind.Text or FieldKind.Number or FieldKind.Date => [],
    };

    private static void Count(Dictionary<string, int> counts, string label) =>
        counts[label] = counts.GetValueOrDefault(label) + 1;

    public CleansingSnapshot Snapshot(DateTimeOffset takenAt, long upTo, QualityReportData quality, TimeSpan elapsed)
    {
        var fields = new List<SnapshotField>(schema.Fields.Count);
        for (var f = 0; f < schema.Fields.Count; f++)
        {
            var field = schema.Fields[f];
            var fieldQuality = quality.Fields.FirstOrDefault(q => q.Field == field.Name);
            var headline = fieldQuality?.Metrics.FirstOrDefault(m => m.Metric == fieldQuality.Headline)?.Value;
            fields.Add(new SnapshotField(field.Name, field.Kind.ToString(), answered[f], fieldQuality?.Headline,
                headline?.Value, LabelsOf(field, labelCounts[f])));
        }
        var agreement = quality.Kpis.Agreement;
        var gold = quality.Kpis.GoldAccuracy;
        return new CleansingSnapshot(takenAt, upTo, Answers, Flagged,
            Answers == 0 ? null : (double)(Answers - Flagged) / Answers,
            agreement?.Value,
            gold?.Value,
            gold?.Items ?? 0,
            fields,
            elapsed.TotalSeconds);
    }

    /// <summary>The schema's labels first, in its order (zero counts included, so before and after line up), then any others.</summary>
    private static List<SnapshotLabel> LabelsOf(LabelField field, Dictionary<string, int> counts)
    {
        var known = field.Kind == FieldKind.Rating
            ? Enumerable.Range(1, field.RatingMax).Select(s => s.ToString(CultureInfo.InvariantCulture)).ToList()
            : field.Kind.HasLabels() ? [.. field.Labels] : [];
        var labels = known.Select(l => new SnapshotLabel(l, counts.GetValueOrDefault(l))).ToList();
        var knownSet = known.ToHashSet(StringComparer.Ordinal);
        labels.AddRange(counts.Where(c => !knownSet.Contains(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new SnapshotLabel(c.Key, c.Value)));
        return labels;
    }
}
