using System.Data;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// The work of the rules jobs (<see cref="CleansingJobs"/>): reads the project's current, non-rejected answers with
/// their items' data a page at a time, evaluates the compiled rules, and either reports (dry run) or writes each fix as
/// a new answer version in short transactions, a page at a time, so labeling goes on beside it (ADR 0015).
/// </summary>
public sealed class CleansingRulesRun(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock, CleansingRunLog runLog)
{
    public const int PageSize = 1000;

    public async Task<JobOutcome<DryRunReport>> DryRunAsync(JobRun run, CleansingDryRunParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var projectId = run.ProjectId ?? throw new InvalidOperationException($"Job {run.Id} has no project.");
        var (rules, version) = await LoadAsync(projectId, parameters.Version, parameters.RulesJson, ct);
        var (upTo, total) = await BoundsAsync(projectId, ct);
        var seen = 0;
        var tally = new CleansingDryRun.Accumulator(rules);
        await foreach (var answer in Answers(projectId, upTo, ct))
        {
            tally.Add(answer);
            if (++seen % (PageSize * 10) == 0 && total > 0)
            {
                await progress.ReportAsync(Math.Min(1.0, (double)seen / total), $"Read {seen:N0} of {total:N0} answers", ct);
            }
        }
        var report = tally.Report();
        var summary = version is null
            ? $"Dry run: of {report.Answers:N0} answers, {report.AnswersChanged:N0} would be changed and {report.AnswersFlagged:N0} flagged."
            : $"Dry run of rules version {version}: of {report.Answers:N0} answers, {report.AnswersChanged:N0} would be changed and {report.AnswersFlagged:N0} flagged.";
        return new JobOutcome<DryRunReport>(true, summary, report);
    }

    public async Task<JobOutcome<CleansingApplyResult>> ApplyAsync(JobRun run, CleansingApplyParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var projectId = run.ProjectId ?? throw new InvalidOperationException($"Job {run.Id} has no project.");
        var (rules, _) = await LoadAsync(projectId, parameters.Version, null, ct);
        var ruleCount = rules.RuleSet.Rules.Count;
        var changed = new int[ruleCount];
        var flagged = new int[ruleCount];
        int answers = 0, answersChanged = 0, answersFlagged = 0, skipped = 0;
        // The run is recorded first (with its "before" snapshot) so the report compares against the answers it read.
        var cleansingRun = await runLog.StartAsync(projectId, CleansingRunKind.Rules, run.Id, parameters.AuthorId,
            new { version = parameters.Version }, parameters.Version, ct);
        var (upTo, total) = await BoundsAsync(projectId, ct);

        long after = 0;
        while (true)
        {
            List<AnswerRow> page;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                page = await Page(db, projectId, after, upTo).ToListAsync(ct);
            }
            if (page.Count == 0)
            {
                break;
            }
            after = page[^1].Id;
            var fixes = new List<(AnswerRow Row, Dictionary<string, JsonElement> Values, string Comment, IReadOnlyList<RuleOutcome> Outcomes)>();
            var flags = new List<(AnswerRow Row, RuleOutcome Outcome)>();
            foreach (var row in page)
            {
                answers++;
                var evaluation = rules.Evaluate(row.Values, row.ItemData);
                if (evaluation.Clean)
                {
                    continue;
                }
                var anyFlag = false;
                foreach (var outcome in evaluation.Outcomes)
                {
                    if (outcome.Kind == RuleOutcomeKind.Fixed)
                    {
                        changed[outcome.RuleIndex]++;
                    }
                    else
                    {
                        flagged[outcome.RuleIndex]++;
                        flags.Add((row, outcome));
                        anyFlag = true;
                    }
                }
                answersFlagged += anyFlag ? 1 : 0;
                if (evaluation.Changed)
                {
                    var comment = string.Join("; ", evaluation.Outcomes.Where(o => o.Kind == RuleOutcomeKind.Fixed)
                        .Select(o => $"rule {o.Rule.Id}: {o.Rule.Message ?? o.Reason}"));
                    fixes.Add((row, new Dictionary<string, JsonElement>(evaluation.Values), comment.Length > 2000 ? comment[..2000] : comment, evaluation.Outcomes));
                }
            }
            var newVersions = new Dictionary<long, long>();
            if (fixes.Count > 0)
            {
                newVersions = await WriteFixesAsync(cleansingRun, fixes, parameters.AuthorId, ct);
                answersChanged += newVersions.Count;
                skipped += fixes.Count - newVersions.Count;
            }
            if (flags.Count > 0)
            {
                // A flag on an answer this run also fixed is about the fixed version: that is the one a reviewer decides on.
                await runLog.AddFindingsAsync(cleansingRun, flags.Select(f => RuleFinding(f.Row, f.Outcome, newVersions.GetValueOrDefault(f.Row.Id, f.Row.Id))), ct);
            }
            if (total > 0)
            {
                await progress.ReportAsync(Math.Min(1.0, (double)answers / total), $"Read {answers:N0} of {total:N0} answers", ct);
            }
        }

        await runLog.FinishAsync(cleansingRun, answersChanged, ct);
        var result = new CleansingApplyResult(parameters.Version, answers, answersChanged, answersFlagged, skipped,
            [.. rules.RuleSet.Rules.Select((rule, i) => new RuleApplyCount(i, rule.Id, rule.KindName, rule.Field, rule.Mode, changed[i], flagged[i]))],
            cleansingRun.Id);
        return new JobOutcome<CleansingApplyResult>(true,
            $"Rules version {parameters.Version}: {answersChanged:N0} of {answers:N0} answers corrected, {answersFlagged:N0} flagged.", result);
    }

    private static CleansingFinding RuleFinding(AnswerRow row, RuleOutcome outcome, long annotationId) => new()
    {
        ItemId = row.ItemId,
        AnnotationId = annotationId,
        Field = outcome.Rule.Field,
        Source = FindingSource.Rule,
        Code = outcome.Rule.Id,
        Reason = $"rule {outcome.Rule.Id}: {outcome.Rule.Message ?? outcome.Reason}",
        Suggestion = outcome.After,
        Score = 1,
    };

    /// <summary>
    /// One short transaction per page: each answer is claimed only while it is still the current version (an answer
    /// edited or reviewed since it was read is skipped), then its fix is added as the next version, and each fix is
    /// recorded as a finding the run's author accepted (the report counts rule corrections from them).
    /// Returns the new version's id by the fixed answer's id.
    /// </summary>
    private async Task<Dictionary<long, long>> WriteFixesAsync(CleansingRun cleansingRun,
        List<(AnswerRow Row, Dictionary<string, JsonElement> Values, string Comment, IReadOnlyList<RuleOutcome> Outcomes)> fixes, Guid authorId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var ids = fixes.Select(f => f.Row.Id).ToList();
        var originals = await db.Annotations.AsNoTracking().Where(a => ids.Contains(a.Id) && a.IsCurrent).ToDictionaryAsync(a => a.Id, ct);
        var now = clock.GetUtcNow();
        var written = new List<(AnswerRow Row, Annotation Version, IReadOnlyList<RuleOutcome> Outcomes)>();
        foreach (var (row, values, comment, outcomes) in fixes)
        {
            if (!originals.TryGetValue(row.Id, out var original))
            {
                continue;
            }
            var claimed = await db.Annotations
                .Where(a => a.Id == original.Id && a.IsCurrent && a.Version == original.Version && a.ReviewStatus == original.ReviewStatus)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.IsCurrent, false), ct);
            if (claimed == 0)
            {
                continue;
            }
            var version = new Annotation
            {
                ProjectId = original.ProjectId,
                ItemId = original.ItemId,
                AnnotatorId = original.AnnotatorId,
                AuthorId = authorId,
                Version = original.Version + 1,
                IsCurrent = true,
                Reason = AnnotationReason.Cleansing,
                Comment = comment,
                Values = values,
                GuidelineVersion = original.GuidelineVersion,
                AssignmentId = original.AssignmentId,
                ReviewStatus = original.ReviewStatus,
                CreatedAt = now,
            };
            db.Annotations.Add(version);
            written.Add((row, version, outcomes));
        }
        await db.SaveChangesAsync(ct);
        db.CleansingFindings.AddRange(written.SelectMany(w => w.Outcomes.Where(o => o.Kind == RuleOutcomeKind.Fixed).Select(o =>
        {
            var finding = RuleFinding(w.Row, o, w.Row.Id);
            finding.ProjectId = cleansingRun.ProjectId;
            finding.RunId = cleansingRun.Id;
            finding.State = FindingState.Accepted;
            finding.ResolvedById = authorId;
            finding.ResolvedAt = now;
            finding.ResultAnnotationId = w.Version.Id;
            finding.CreatedAt = now;
            return finding;
        })));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return written.ToDictionary(w => w.Row.Id, w => w.Version.Id);
    }

    private async Task<(CompiledRuleSet Rules, int? Version)> LoadAsync(Guid projectId, int? version, string? rulesJson, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var schema = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.Schema).SingleAsync(ct);
        if (rulesJson is not null)
        {
            return (CompiledRuleSet.Compile(schema, CleansingRuleSet.FromJson(rulesJson)), null);
        }
        var stored = await db.CleansingRuleSets.AsNoTracking().SingleOrDefaultAsync(r => r.ProjectId == projectId && r.Version == version, ct)
            ?? throw new InvalidOperationException($"Project {projectId} has no version {version} of its cleansing rules.");
        return (CompiledRuleSet.Compile(schema, CleansingRuleSet.FromJson(stored.RulesJson)), stored.Version);
    }

    /// <summary>
    /// The last answer id at the start and how many current answers there are up to it: a run reads no further, so it
    /// never reads the versions it writes itself nor answers submitted while it runs (the next run sees those).
    /// </summary>
    private async Task<(long UpTo, int Total)> BoundsAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var upTo = await db.Annotations.Where(a => a.ProjectId == projectId).MaxAsync(a => (long?)a.Id, ct) ?? 0;
        return (upTo, await Current(db, projectId).CountAsync(a => a.Id <= upTo, ct));
    }

    /// <summary>The answers a page at a time by id, each page read and closed before the next.</summary>
    private async IAsyncEnumerable<DryRunAnswer> Answers(Guid projectId, long upTo, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        long after = 0;
        while (true)
        {
            List<AnswerRow> page;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                page = await Page(db, projectId, after, upTo).ToListAsync(ct);
            }
            if (page.Count == 0)
            {
                yield break;
            }
            foreach (var row in page)
            {
                yield return new DryRunAnswer(row.Id, row.ItemId, row.Values, row.ItemData);
            }
            after = page[^1].Id;
        }
    }

    private static IQueryable<Annotation> Current(LabelHubDbContext db, Guid projectId) =>
        db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected);

    private static IQueryable<AnswerRow> Page(LabelHubDbContext db, Guid projectId, long after, long upTo) =>
        (from a in Current(db, projectId)
         where a.Id > after && a.Id <= upTo
         join i in db.Items.AsNoTracking() on a.ItemId equals i.Id
         orderby a.Id
         select new AnswerRow(a.Id, a.ItemId, a.Values, i.Data))
        .Take(PageSize);

    private sealed record AnswerRow(long Id, long ItemId, Dictionary<string, JsonElement> Values, Dictionary<string, JsonElement> ItemData);
}
