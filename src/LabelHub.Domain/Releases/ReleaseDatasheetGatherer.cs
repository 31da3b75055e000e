using System.Globalization;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Synthesis;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>A release's datasheet in both languages it is stored and downloaded in.</summary>
public sealed record DatasheetTexts(string English, string Korean);

/// <summary>
/// Fills a release's datasheet when its cut finishes, from what the write pass counted and a few grouped queries (no
/// per-item query): the project's purpose and schema, the settings in words, the newest quality report (the figures the
/// quality dashboard shows, named with the time it was computed), gold items, guideline versions, annotators' answers and
/// time on the release's items, and the cleansing runs with their corrections by source.
/// </summary>
public sealed class ReleaseDatasheetGatherer(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    public async Task<DatasheetTexts> RenderAsync(Release release, Project project, ReleaseSettings settings, ReleaseCutRecord record, DateTimeOffset cutAt, CancellationToken ct)
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
            .Select(u => new { u.Id, u.UserName, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => AnnotatorName(u.UserName!, u.DisplayName), ct);

        var runs = await db.CleansingRuns.CountAsync(r => r.ProjectId == projectId && r.StartedAt <= cutAt, ct);
        var ruleFixes = await db.CleansingRuns.Where(r => r.ProjectId == projectId && r.StartedAt <= cutAt).SumAsync(r => (long?)r.Corrections, ct) ?? 0;
        var decided = await db.CleansingFindings.Where(f => f.ProjectId == projectId && (f.State == FindingState.Accepted || f.State == FindingState.Corrected))
            .GroupBy(f => f.Source).Select(g => new { Source = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        List<DatasheetCorrections> CorrectionsIn(DatasheetLanguage language)
        {
            var corrections = decided.OrderBy(d => d.Source).Select(d => new DatasheetCorrections(SourceName(d.Source, language), d.Count)).ToList();
            if (ruleFixes > 0)
            {
                corrections.Add(new DatasheetCorrections(RuleFixes(language), ruleFixes));
            }
            return corrections;
        }

        // Synthetic items enter only when the release asked for those people confirmed: counted per generator.
        var synthetic = settings.Filter.IncludeSynthetic
            ? await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.SyntheticGeneratorId != null
                    && db.ReleaseItems.Any(r => r.ReleaseId == releaseId && r.ItemId == i.Id))
                .GroupBy(i => i.SyntheticGeneratorId!.Value).Select(g => new { GeneratorId = g.Key, Items = g.LongCount() }).ToListAsync(ct)
            : [];
        var generatorIds = synthetic.Select(g => g.GeneratorId).ToList();
        var generatorVersions = await db.Generators.AsNoTracking().Where(g => generatorIds.Contains(g.Id))
            .ToDictionaryAsync(g => g.Id, g => g.Version, ct);

        // One model: its sentences are English here and swapped for Korean ones below; the figures are shared.
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
            QualitySource = QualitySource(report?.ComputedAt, report?.Annotations, DatasheetLanguage.English),
            GoldAccuracy = report?.Data.Kpis.GoldAccuracy?.Value,
            GoldItems = goldItems,
            Guidelines = [.. guidelines.Select(g => new DatasheetGuideline(g.Version, g.CreatedAt))],
            Annotators = [.. perAnnotator.Select(a => new DatasheetAnnotator(names.GetValueOrDefault(a.AnnotatorId, a.AnnotatorId.ToString()), a.Answers, a.Milliseconds / 3_600_000.0))
                .OrderByDescending(a => a.Answers).ThenBy(a => a.Name, StringComparer.Ordinal)],
            HoursMethod = HoursMethod(DatasheetLanguage.English),
            CleansingRuns = runs,
            Corrections = CorrectionsIn(DatasheetLanguage.English),
            SyntheticItems = synthetic.Sum(g => g.Items),
            SyntheticGenerators = [.. synthetic.OrderBy(g => generatorVersions[g.GeneratorId]).Select(g => (Generator.NameOf(generatorVersions[g.GeneratorId]), g.Items))],
        };
        var korean = model with
        {
            Filter = FilterInWords(settings.Filter, DatasheetLanguage.Korean),
            Aggregation = AggregationInWords(settings.Aggregation, DatasheetLanguage.Korean),
            SplitSettings = SplitInWords(settings.Split, DatasheetLanguage.Korean),
            QualitySource = QualitySource(report?.ComputedAt, report?.Annotations, DatasheetLanguage.Korean),
            HoursMethod = HoursMethod(DatasheetLanguage.Korean),
            Corrections = CorrectionsIn(DatasheetLanguage.Korean),
        };
        return new DatasheetTexts(ReleaseDatasheet.Render(model, DatasheetLanguage.English), ReleaseDatasheet.Render(korean, DatasheetLanguage.Korean));
    }

    /// <summary>Where agreement and gold accuracy come from: the newest quality report, or none.</summary>
    public static string QualitySource(DateTimeOffset? computedAt, int? answers, DatasheetLanguage language = DatasheetLanguage.English)
    {
        if (computedAt is not { } at)
        {
            return language == DatasheetLanguage.Korean
                ? "이 릴리스 전에 계산한 품질 보고서가 없어 일치도를 측정하지 않았습니다."
                : "No quality report was computed before this release: agreement was not measured.";
        }
        var count = answers ?? 0;
        return language == DatasheetLanguage.Korean
            ? FormattableString.Invariant($"일치도와 골드 정확도는 {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC에 답변 {count:N0}개로 계산한 품질 보고서의 값이며, 품질 대시보드에 보이는 값과 같습니다.")
            : FormattableString.Invariant($"Agreement and gold accuracy are the quality report of {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC over {count:N0} answers, as the quality dashboard shows it.");
    }

    private static string HoursMethod(DatasheetLanguage language) => language == DatasheetLanguage.Korean
        ? "시간은 릴리스 항목의 현재 답변마다 라벨링 페이지가 잰 시간을 더한 값입니다."
        : "Hours add up the time the labeling page measured on each current answer of the release's items.";

    /// <summary>The user name, which is unique (service accounts often share a description as display name), then the display name when it says more.</summary>
    private static string AnnotatorName(string userName, string displayName) =>
        displayName.Length == 0 || string.Equals(displayName, userName, StringComparison.Ordinal) ? userName : $"{userName} ({displayName})";

    public static string FilterInWords(ReleaseFilter filter, DatasheetLanguage language = DatasheetLanguage.English)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var korean = language == DatasheetLanguage.Korean;
        var parts = new List<string>
        {
            (filter.RequireFinalAnswer, korean) switch
            {
                (true, false) => "items with a final answer to every required field",
                (false, false) => "every item, with or without final answers",
                (true, true) => "모든 필수 필드에 최종 답변이 있는 항목",
                (false, true) => "최종 답변이 있든 없든 모든 항목",
            },
        };
        if (filter.ReviewedOnly)
        {
            parts.Add(korean ? "검수된 항목만" : "reviewed only");
        }
        if (filter.MinConfidence > 0)
        {
            parts.Add(korean
                ? string.Create(CultureInfo.InvariantCulture, $"모든 최종 답변의 신뢰도 {filter.MinConfidence:0.###} 이상")
                : string.Create(CultureInfo.InvariantCulture, $"every final answer at least {filter.MinConfidence:0.###} sure"));
        }
        if (filter.IncludeSynthetic)
        {
            parts.Add(korean ? "사람이 확인한 합성 항목 포함" : "synthetic items people confirmed included");
        }
        return string.Join("; ", parts);
    }

    public static string AggregationInWords(AggregationMethod method, DatasheetLanguage language = DatasheetLanguage.English) => (method, language == DatasheetLanguage.Korean) switch
    {
        (AggregationMethod.MajorityVote, false) => "gold answer, else the adjudicated answer, else majority vote (ties left for adjudication)",
        (AggregationMethod.DawidSkene, false) => "gold answer, else the adjudicated answer, else Dawid–Skene (posterior arg-max)",
        (AggregationMethod.MajorityVote, true) => "골드 답변, 없으면 정제 검토에서 정한 답변, 없으면 다수결 (동률은 정제 검토로 넘김)",
        (AggregationMethod.DawidSkene, true) => "골드 답변, 없으면 정제 검토에서 정한 답변, 없으면 Dawid–Skene (사후 확률이 가장 높은 라벨)",
        _ => method.ToString(),
    };

    public static string SplitInWords(SplitSettings split, DatasheetLanguage language = DatasheetLanguage.English)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (language == DatasheetLanguage.Korean)
        {
            return KoreanSplitInWords(split);
        }
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

    private static string KoreanSplitInWords(SplitSettings split)
    {
        var ratios = string.Join(", ", SplitNames.All.Select(name => string.Create(CultureInfo.InvariantCulture,
            $"{KoreanSplitName(name)} {split.Ratios.GetValueOrDefault(name):0.###}")));
        var mode = split.Mode switch
        {
            SplitMode.Random => "무작위",
            SplitMode.Stratified => $"{split.LabelField} 라벨로 층화",
            _ => split.Mode.ToString(),
        };
        var grouping = split.Grouping switch
        {
            SplitGrouping.None => "",
            SplitGrouping.DuplicateGroups => ", 유사 중복 그룹은 한 분할에",
            SplitGrouping.DataKey => $", {split.GroupKeyName} 값이 같은 항목은 한 분할에",
            _ => "",
        };
        return $"{ratios}; {mode}{grouping}; 시드 \"{split.Seed}\"; 이전 릴리스의 항목은 분할이 바뀌지 않음";
    }

    private static string KoreanSplitName(string split) => split switch
    {
        SplitNames.Train => "학습",
        SplitNames.Validation => "검증",
        SplitNames.Test => "테스트",
        _ => split,
    };

    private static string RuleFixes(DatasheetLanguage language) => language == DatasheetLanguage.Korean ? "규칙 수정" : "rule fixes";

    private static string SourceName(FindingSource source, DatasheetLanguage language) => (source, language == DatasheetLanguage.Korean) switch
    {
        (FindingSource.Rule, false) => "rules",
        (FindingSource.Duplicate, false) => "duplicates",
        (FindingSource.LabelError, false) => "label errors",
        (FindingSource.Disagreement, false) => "disagreements",
        (FindingSource.Rule, true) => "규칙",
        (FindingSource.Duplicate, true) => "중복",
        (FindingSource.LabelError, true) => "라벨 오류",
        (FindingSource.Disagreement, true) => "불일치",
        _ => source.ToString(),
    };
}
