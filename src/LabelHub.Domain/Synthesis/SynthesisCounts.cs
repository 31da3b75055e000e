using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Synthesis;

/// <summary>
/// The counts the Synthesis stage decides with: labeled real images per class, and what annotators made of synthetic
/// items. An item's final answer follows the rule the Learning stage trains on (<see cref="Learning.LearningData.LabeledAsync"/>):
/// the gold answer for gold items, else <see cref="MajorityVote"/> over the current answers not rejected in review, ties
/// left out. Only the answers' single-choice values are read (streamed, one small row per answer); items themselves are
/// counted by SQL grouping and never loaded.
/// Why not the other helpers: <see cref="Labeling.ItemConsensus"/> proposes a value even without a majority (a reviewer's
/// starting point, not a final answer), and <see cref="Releases.ReleaseAggregation"/> follows a release's own settings
/// (Dawid–Skene needs a fit over the whole project); a generator learns what the project's classifier learns.
/// </summary>
internal static class SynthesisCounts
{
    public const int MinImagesPerClass = 20;

    /// <summary>Real (not synthetic) items with a final answer to <paramref name="field"/>, per label, in the field's order; labels without any are left out.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> LabeledPerClassAsync(LabelHubDbContext db, Guid projectId, LabelField field, CancellationToken ct)
    {
        var answers = new List<(Guid Annotator, long Item, string Answer)>();
        var rows = db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
            .Join(db.Items.Where(i => i.SyntheticGeneratorId == null && !i.IsGold), a => a.ItemId, i => i.Id, (a, _) => new { a.AnnotatorId, a.ItemId, a.Values })
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (AnswerCodec.Read(field, row.Values).Clean is ChoiceAnswer choice)
            {
                answers.Add((row.AnnotatorId, row.ItemId, choice.Label));
            }
        }
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (answers.Count > 0)
        {
            foreach (var item in MajorityVote.Aggregate(answers, field.Labels).Items.Where(i => !i.Tie))
            {
                counts[item.Label] = counts.GetValueOrDefault(item.Label) + 1;
            }
        }
        var gold = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold && i.SyntheticGeneratorId == null)
            .Select(i => i.GoldAnswer).ToListAsync(ct);
        foreach (var answer in gold)
        {
            if (answer.TryGetValue(field.Name, out var value) && AnswerCodec.Read(field, value).Clean is ChoiceAnswer choice)
            {
                counts[choice.Label] = counts.GetValueOrDefault(choice.Label) + 1;
            }
        }
        return field.Labels.Where(counts.ContainsKey).ToDictionary(l => l, l => counts[l], StringComparer.Ordinal);
    }

    /// <summary>
    /// Synthetic items per class and how annotators answered them: confirmed when the final answer to the generator's field
    /// is the class it was asked for, rejected when it is another class, awaiting otherwise.
    /// </summary>
    public static async Task<SyntheticItemsSummary> SyntheticAsync(LabelHubDbContext db, Guid projectId, Project project, CancellationToken ct)
    {
        var made = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.SyntheticGeneratorId != null)
            .GroupBy(i => i.SyntheticLabel).Select(g => new { Label = g.Key, Count = g.Count() }).ToListAsync(ct);
        if (made.Count == 0)
        {
            return SyntheticItemsSummary.Empty;
        }
        var fieldOf = await db.Generators.AsNoTracking().Where(g => g.ProjectId == projectId)
            .ToDictionaryAsync(g => g.Id, g => g.Field, ct);
        var answers = new List<(Guid Annotator, long Item, string Answer)>();
        var asked = new Dictionary<long, string>();
        var rows = db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
            .Join(db.Items.Where(i => i.SyntheticGeneratorId != null), a => a.ItemId, i => i.Id,
                (a, i) => new { a.AnnotatorId, a.ItemId, a.Values, i.SyntheticGeneratorId, i.SyntheticLabel })
            .AsAsyncEnumerable();
        var categories = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (fieldOf.TryGetValue(row.SyntheticGeneratorId!.Value, out var name) && project.Schema.Field(name) is { Kind: FieldKind.Choice } field
                && AnswerCodec.Read(field, row.Values).Clean is ChoiceAnswer choice)
            {
                answers.Add((row.AnnotatorId, row.ItemId, choice.Label));
                asked[row.ItemId] = row.SyntheticLabel ?? "";
                categories.Add(choice.Label);
            }
        }
        var confirmed = new Dictionary<string, int>(StringComparer.Ordinal);
        var rejected = new Dictionary<string, int>(StringComparer.Ordinal);
        if (answers.Count > 0)
        {
            foreach (var item in MajorityVote.Aggregate(answers, [.. categories.Order(StringComparer.Ordinal)]).Items.Where(i => !i.Tie))
            {
                var label = asked[item.Item];
                var tally = string.Equals(item.Label, label, StringComparison.Ordinal) ? confirmed : rejected;
                tally[label] = tally.GetValueOrDefault(label) + 1;
            }
        }
        var perClass = made.OrderBy(m => m.Label, StringComparer.Ordinal)
            .Select(m => new SyntheticClassCount(m.Label ?? "", m.Count, confirmed.GetValueOrDefault(m.Label ?? ""), rejected.GetValueOrDefault(m.Label ?? "")))
            .ToList();
        var items = perClass.Sum(c => c.Items);
        var yes = perClass.Sum(c => c.Confirmed);
        var no = perClass.Sum(c => c.Rejected);
        return new SyntheticItemsSummary(items, items - yes - no, yes, no, perClass);
    }

    /// <summary>Synthetic items each generator of the project made.</summary>
    public static Task<Dictionary<Guid, int>> ItemsPerGeneratorAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct) =>
        db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.SyntheticGeneratorId != null)
            .GroupBy(i => i.SyntheticGeneratorId!.Value).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);

    /// <summary>The item key holding an image item's picture: the one box fields draw on, else "image".</summary>
    public static string ImageKeyOf(Project project) =>
        project.Schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.OnImage).Select(f => f.SourceKey).FirstOrDefault() ?? MediaUrls.ImageKey;

    /// <summary>
    /// 28 when the real images whose size the item data records are all at most 28 px on both sides (MNIST-like data
    /// keeps its resolution), else 32. A sample suffices: a project's images come from the same source.
    /// </summary>
    public static async Task<int> ChooseImageSideAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct)
    {
        var sample = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.SyntheticGeneratorId == null)
            .OrderBy(i => i.Id).Take(200).Select(i => i.Data).ToListAsync(ct);
        var sizes = sample.Select(d => MediaUrls.TryGetSize(d, out var w, out var h) ? Math.Max(w, h) : (int?)null).Where(s => s is not null).ToList();
        return sizes.Count > 0 && sizes.All(s => s <= 28) ? 28 : 32;
    }
}
