using System.Globalization;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>
/// Fills a release's datasheet when its cut finishes, from what the write pass counted and a few grouped queries (no
/// per-item query): the project's purpose and schema, the settings in words, the newest quality report (the figures the
/// quality dashboard shows, named with the time it was computed), gold items, guideline versions, annotators' answers and
/// time on the release's items, and the cleansing runs with their corrections by source.
/// </summary>
public sealed class ReleaseDatasheetGatherer(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    public async Task<string> RenderAsync(Release release, Project project, ReleaseSettings settings, ReleaseCutRecord record, DateTimeOffset cutAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(record);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var projectId = project.Id;
        var report = await db.QualityReports.AsNoTracking().Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.ComputedAt).ThenByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        var goldItems = await db.Items.CountAsync(i => i.ProjectId == projectId && i.IsGold, ct);

        // The answers the release was made of: current, not rejected, on its items.
        var releaseId = release.Id;
        var answers = db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected
            && db.ReleaseItems.Any(r => r.ReleaseId == releaseId && r.ItemId == a.ItemId));
        // One scan of the answers: per annotator and guideline version (a handful of rows), summed up below.
        var groups = await answers.GroupBy(a => new { a.AnnotatorId, a.GuidelineVersion })
            .Select(g => new { g.Key.AnnotatorId, g.Key.GuidelineVersion, Answers = g.LongCount(), Milliseconds = g.Sum(a => (long?)a.DurationMs) ?? 0 })
            .ToListAsync(ct);
        var versions = groups.Where(g => g.GuidelineVersion is not null).Select(g => g.GuidelineVersion!.Value).Distinct().ToList();
        var guidelines = await db.GuidelineVersions.AsNoTracking().Where(g => g.ProjectId == projectId && versions.Contains(g.Version))
            .OrderBy(g => g.Version).Select(g => new { g.Version, g.CreatedAt }).ToListAsync(ct);
        var perAnnotator = groups.GroupBy(g => g.AnnotatorId)
            .Select(g => new { AnnotatorId = g.Key, Answers = g.Sum(x => x.Answers), Milliseconds = g.Sum(x => x.Milliseconds) }).ToList();
        var ids = perAnnotator.Select(a => a.AnnotatorId).ToList();
        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.DisplayName != "" ? u.DisplayName : u.UserName! }).ToDictionaryAsync(u => u.Id, u => u.Name, ct);

        var runs = await db.CleansingRuns.CountAsync(r => r.ProjectId == projectId && r.StartedAt <= cutAt, ct);
        var ruleFixes = await db.CleansingRuns.Where(r => r.ProjectId == projectId && r.StartedAt <= cutAt).SumAsync(r => (long?)r.Corrections, ct) ?? 0;
        var decided = await db.CleansingFindings.Where(f => f.ProjectId == projectId && (f.State == FindingState.Accepted || f.State == FindingState.Corrected))
            .GroupBy(f => f.Source).Select(g => new { Source = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var corrections = decided.OrderBy(d => d.Source).Select(d => new DatasheetCorrections(SourceName(d.Source), d.Count)).ToList();
        if (ruleFixes > 0)
        {
            corrections.Add(new DatasheetCorrections("rule fixes", ruleFixes));
        }

        var model = new ReleaseDatasheetModel
        {
            ProjectName = project.Name,
            Description = project.Description,
            Schema = project.Schema,
            ReleaseNumber = release.Number,
            CutAt = cutAt,
            Filter = FilterInWords(settings.Filter),
            Aggregation = AggregationInWords(settings.Aggregation),
            SplitSettings = SplitInWords(settings.Split),
            ItemsPerSplit = record.ItemsPerSplit,
            LabelCounts = record.LabelCounts,
            Ties = record.Ties,
            Agreement = report is null ? [] : [.. report.Data.Fields.Select(f => new DatasheetAgreement(f.Field, f.Headline,
                f.Metrics.FirstOrDefault(m => m.Metric == f.Headline)?.Value.Value))],
            QualitySource = report is null
                ? "No quality report was computed before this release: agreement was not measured."
                : FormattableString.Invariant($"Agreement and gold accuracy are the quality report of {report.ComputedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC over {report.Annotations:N0} answers, as the quality dashboard shows it."),
            GoldAccuracy = report?.Data.Kpis.GoldAccuracy?.Value,
            GoldItems = goldItems,
            Guidelines = [.. guidelines.Select(g => new DatasheetGuideline(g.Version, g.CreatedAt))],
            Annotators = [.. perAnnotator.Select(a => new DatasheetAnnotator(names.GetValueOrDefault(a.AnnotatorId, a.AnnotatorId.ToString()), a.Answers, a.Milliseconds / 3_600_000.0))
                .OrderByDescending(a => a.Answers).ThenBy(a => a.Name, StringComparer.Ordinal)],
            HoursMethod = "Hours add up the time the labeling page measured on each current answer of the release's items.",
            CleansingRuns = runs,
            Corrections = corrections,
        };
        return ReleaseDatasheet.Render(model);
    }

    public static string FilterInWords(ReleaseFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parts = new List<string>
        {
            filter.RequireFinalAnswer ? "items with a final answer to every required field" : "every item, with or without final answers",
        };
        if (filter.ReviewedOnly)
        {
            parts.Add("reviewed only");
        }
        if (filter.MinConfidence > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"every final answer at least {filter.MinConfidence:0.###} sure"));
        }
        return string.Join("; ", parts);
    }

    public static string AggregationInWords(AggregationMethod method) => method switch
    {
        AggregationMethod.MajorityVote => "gold answer, else the adjudicated answer, else majority vote (ties left for adjudication)",
        AggregationMethod.DawidSkene => "gold answer, else the adjudicated answer, else Dawid–Skene (posterior arg-max)",
        _ => method.ToString(),
    };

    public static string SplitInWords(SplitSettings split)
    {
        ArgumentNullException.ThrowIfNull(split);
        var ratios = string.Join(", ", SplitNames.All.Select(name => string.Create(CultureInfo.InvariantCulture,
            $"{name} {split.Ratios.GetValueOrDefault(name):0.###}")));
        var mode = split.Mode switch
        {
            SplitMode.Random => "random",
            SplitMode.Stratified => $"stratified by {split.LabelField}",
            _ => split.Mode.ToString(),
        };
        var grouping = split.Grouping switch
        {
            SplitGrouping.None => "",
            SplitGrouping.DuplicateGroups => ", near-duplicate groups kept together",
            SplitGrouping.DataKey => $", items sharing {split.GroupKeyName} kept together",
            _ => "",
        };
        return $"{ratios}; {mode}{grouping}; seed \"{split.Seed}\"; items of the previous release keep their split";
    }

    private static string SourceName(FindingSource source) => source switch
    {
        FindingSource.Rule => "rules",
        FindingSource.Duplicate => "duplicates",
        FindingSource.LabelError => "label errors",
        FindingSource.Disagreement => "disagreements",
        _ => source.ToString(),
    };
}
