using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>One current answer to a single-choice field.</summary>
public readonly record struct ChoiceAnswerRow(long AnnotationId, Guid AnnotatorId, long ItemId, string Label);

/// <summary>
/// An item's given label for label-error detection: the label most of its current answers chose (strictly: a tie
/// has no given label), how many answers it has, and the answers that chose it (the ones a finding points at).
/// </summary>
public sealed record GivenLabel(long ItemId, int Label, int Answers, IReadOnlyList<long> AnnotationIds);

/// <summary>
/// Reads the current, non-rejected answers to one single-choice field for the detectors, a page of
/// <see cref="PageSize"/> at a time (short reads, so annotators are never held up), leaving out items merged into a
/// duplicate (they are excluded from the data set).
/// </summary>
public sealed class CleansingAnswers(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    public const int PageSize = 1000;

    public async Task<IReadOnlyList<ChoiceAnswerRow>> ChoiceAnswersAsync(Guid projectId, LabelField field, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        HashSet<long> merged;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            merged = [.. await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.DuplicateOfItemId != null).Select(i => i.Id).ToListAsync(ct)];
        }
        var rows = new List<ChoiceAnswerRow>();
        long after = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var page = await db.Annotations.AsNoTracking()
                .Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected && a.Id > after)
                .OrderBy(a => a.Id).Take(PageSize)
                .Select(a => new { a.Id, a.AnnotatorId, a.ItemId, a.Values })
                .ToListAsync(ct);
            if (page.Count == 0)
            {
                break;
            }
            after = page[^1].Id;
            foreach (var answer in page)
            {
                if (!merged.Contains(answer.ItemId) && AnswerCodec.Read(field, answer.Values).Clean is ChoiceAnswer choice)
                {
                    rows.Add(new ChoiceAnswerRow(answer.Id, answer.AnnotatorId, answer.ItemId, choice.Label));
                }
            }
        }
        return rows;
    }

    /// <summary>Each item's strict-majority label among its answers, in item order; tied items and labels not in the schema are left out.</summary>
    public static IReadOnlyList<GivenLabel> GivenLabels(IEnumerable<ChoiceAnswerRow> answers, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(labels);
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var given = new List<GivenLabel>();
        foreach (var item in answers.Where(a => index.ContainsKey(a.Label)).GroupBy(a => a.ItemId).OrderBy(g => g.Key))
        {
            var counts = item.GroupBy(a => a.Label, StringComparer.Ordinal).Select(g => (Label: g.Key, Count: g.Count())).OrderByDescending(c => c.Count).ToList();
            if (counts.Count > 1 && counts[0].Count == counts[1].Count)
            {
                continue;
            }
            var winner = counts[0].Label;
            given.Add(new GivenLabel(item.Key, index[winner], item.Count(), [.. item.Where(a => a.Label == winner).Select(a => a.AnnotationId).Order()]));
        }
        return given;
    }
}
