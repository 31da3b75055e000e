using System.Globalization;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// The disagreement detector (<see cref="CleansingJobs.Disagreement"/>): majority vote and Dawid–Skene over the
/// field's current answers, <see cref="DisagreementFlags"/> on the items with at least two answers, and one item-level
/// finding per flagged item, recorded through <see cref="CleansingRunLog"/>.
/// </summary>
public sealed class DisagreementRun(IDbContextFactory<LabelHubDbContext> dbFactory, CleansingAnswers answers, CleansingRunLog log)
{
    public const string VoteSplitCode = "vote-split";
    public const string LowPosteriorCode = "low-posterior";
    public const string MethodsDisagreeCode = "methods-disagree";

    public async Task<JobOutcome<DisagreementResult>> RunAsync(JobRun job, DisagreementParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(progress);
        var projectId = job.ProjectId ?? throw new InvalidOperationException($"Job {job.Id} has no project.");
        Project project;
        Dictionary<long, Dictionary<string, System.Text.Json.JsonElement>> gold;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct) ?? throw new NotFoundException("Project");
            gold = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold)
                .Select(i => new { i.Id, i.GoldAnswer }).ToDictionaryAsync(i => i.Id, i => i.GoldAnswer, ct);
        }
        var field = project.Schema.Field(parameters.Field) is { Kind: FieldKind.Choice } f
            ? f
            : throw new ValidationException("field", $"'{parameters.Field}' is not a single-choice field of this project.");
        var options = new DisagreementOptions(parameters.MinVoteShare, parameters.MinPosterior);
        var run = await log.StartAsync(projectId, CleansingRunKind.Disagreement, job.Id, parameters.StartedById,
            new { field = field.Name, minVoteShare = options.MinVoteShare, minPosterior = options.MinPosterior, method = "majority vote + Dawid–Skene" }, ct: ct);
        await progress.ReportAsync(0.1, "Reading the answers", ct);

        var rows = await answers.ChoiceAnswersAsync(projectId, field, ct);
        var categorical = CategoricalAnswers.From(rows.Select(r => (r.AnnotatorId, r.ItemId, r.Label)), field.Labels);
        var votes = MajorityVote.Aggregate(categorical).Items;
        await progress.ReportAsync(0.4, "Estimating the annotators' reliability (Dawid–Skene)", ct);
        var posteriors = DawidSkene.Aggregate(categorical, QualityCalculator.GoldLabelsOf(gold, field)).Items;
        var byItem = rows.GroupBy(r => r.ItemId).Where(g => g.Count() >= 2).ToDictionary(g => g.Key, g => g.ToList());
        var flags = DisagreementFlags.Find([.. votes.Where(v => byItem.ContainsKey(v.Item))], posteriors, options);

        await progress.ReportAsync(0.8, "Recording the flagged items", ct);
        var findings = flags.Select(flag => ToFinding(field, flag, byItem[flag.Item])).ToList();
        await log.AddFindingsAsync(run, findings, ct);
        await log.FinishAsync(run, corrections: 0, ct);
        var result = new DisagreementResult(run.Id, field.Name, byItem.Count, flags.Count,
            flags.Count(f => f.Reasons.Contains(DisagreementReason.Split) || f.Reasons.Contains(DisagreementReason.LowVoteShare)),
            flags.Count(f => f.Reasons.Contains(DisagreementReason.LowPosterior)),
            flags.Count(f => f.Reasons.Contains(DisagreementReason.MethodsDisagree)));
        return new JobOutcome<DisagreementResult>(true,
            $"Disagreement on {field.Name}: {result.Flagged:N0} of {result.Items:N0} items with several answers flagged.", result);
    }

    /// <summary>
    /// An item-level finding: coded by its first reason (a split before a low posterior before the methods disagreeing),
    /// the aggregated label as the suggestion unless the vote is a tie that Dawid–Skene did not settle.
    /// </summary>
    public static CleansingFinding ToFinding(LabelField field, DisagreementFlag flag, IReadOnlyList<ChoiceAnswerRow> answers)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(flag);
        ArgumentNullException.ThrowIfNull(answers);
        var reasons = flag.Reasons;
        var code = reasons.Contains(DisagreementReason.Split) || reasons.Contains(DisagreementReason.LowVoteShare) ? VoteSplitCode
            : reasons.Contains(DisagreementReason.LowPosterior) ? LowPosteriorCode
            : MethodsDisagreeCode;
        var tiedVote = reasons.Contains(DisagreementReason.Split) && flag.Posterior is null
            && answers.GroupBy(a => a.Label, StringComparer.Ordinal).Select(g => g.Count()).OrderDescending().Take(2).Distinct().Count() == 1;
        return new CleansingFinding
        {
            ItemId = flag.Item,
            AnnotationId = null,
            Field = field.Name,
            Source = FindingSource.Disagreement,
            Code = code,
            Reason = Reason(flag, answers),
            Suggestion = tiedVote ? null : AnswerCodec.ToJson(new ChoiceAnswer(flag.Label)),
            Score = Math.Clamp(1 - (flag.Posterior ?? flag.VoteShare), 0, 1),
        };
    }

    private static string Reason(DisagreementFlag flag, IReadOnlyList<ChoiceAnswerRow> answers)
    {
        var votes = string.Join(", ", answers.GroupBy(a => a.Label, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} × {g.Key}"));
        var share = flag.VoteShare.ToString("F2", CultureInfo.InvariantCulture);
        if (flag.Posterior is not { } posterior)
        {
            return $"{answers.Count} answers: {votes} (vote share {share}).";
        }
        var p = posterior.ToString("F2", CultureInfo.InvariantCulture);
        return $"{answers.Count} answers: {votes} (vote share {share}); Dawid–Skene gives {flag.Label} a posterior of {p}.";
    }
}
