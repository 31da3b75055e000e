using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

/// <summary>
/// One gold item as managers see it: a short preview of the item, its gold answer, and how the annotators did on it.
/// </summary>
/// <param name="Annotators">Annotators who answered the item.</param>
/// <param name="Correct">How many of their first answers equal the gold answer (see <see cref="GoldService.Matches"/>).</param>
/// <param name="Accuracy">Correct / Annotators; null while nobody has answered.</param>
public sealed record GoldItem(long ItemId, string Preview, Dictionary<string, JsonElement> Answer, int Annotators, int Correct, double? Accuracy);

/// <summary>An item as a manager opens it to give its gold answer: its data, and its gold answer if it has one.</summary>
public sealed record GoldCandidate(long ItemId, Dictionary<string, JsonElement> Data, Dictionary<string, JsonElement>? GoldAnswer);

public sealed record GoldItemPage(IReadOnlyList<GoldItem> Items, int Page, int PageSize, int Total);

/// <summary>Managers mark items as gold (honeypots) with their correct answer; annotators never see it before submitting.</summary>
public sealed class GoldService(IDbContextFactory<LabelHubDbContext> dbFactory)
{
    public const int MaxPageSize = 100;
    public const int MaxPage = 1_000_000;
    public const int PreviewLength = 120;

    public async Task SetGoldAsync(Actor actor, Guid projectId, long itemId, Dictionary<string, JsonElement> answer, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var item = await db.Items.FirstOrDefaultAsync(i => i.Id == itemId && i.ProjectId == projectId, ct) ?? throw new NotFoundException("Item");
        AnnotationValidator.Validate(project.Schema, answer, item.Data);
        item.IsGold = true;
        item.GoldAnswer = answer;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>One item of the project, to give (or change) its gold answer.</summary>
    public async Task<GoldCandidate> CandidateAsync(Actor actor, Guid projectId, long itemId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var item = await db.Items.AsNoTracking().Where(i => i.Id == itemId && i.ProjectId == projectId)
            .Select(i => new { i.Data, i.IsGold, i.GoldAnswer })
            .FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Item");
        return new GoldCandidate(itemId, item.Data, item.IsGold ? item.GoldAnswer : null);
    }

    public async Task UnsetGoldAsync(Actor actor, Guid projectId, long itemId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var changed = await db.Items.Where(i => i.Id == itemId && i.ProjectId == projectId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.IsGold, false).SetProperty(i => i.GoldAnswer, new Dictionary<string, JsonElement>()), ct);
        if (changed == 0)
        {
            throw new NotFoundException("Item");
        }
    }

    /// <summary>The project's gold items, oldest first, a page at a time (pages start at 1).</summary>
    public async Task<GoldItemPage> ListAsync(Actor actor, Guid projectId, int page = 1, int pageSize = 20, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var errors = new ValidationErrors();
        if (page is < 1 or > MaxPage)
        {
            errors.Add("page", $"The page is a number from 1 to {MaxPage.ToString("N0", CultureInfo.InvariantCulture)}.");
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors.Add("pageSize", $"The page size is a number from 1 to {MaxPageSize}.");
        }
        errors.ThrowIfAny();

        var gold = db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && i.IsGold);
        var total = await gold.CountAsync(ct);
        // The item data is read only for the page's rows, to cut the preview from.
        var rows = await gold.OrderBy(i => i.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(i => new { i.Id, i.Data, i.GoldAnswer })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var answers = (await db.Annotations.AsNoTracking()
            // Each annotator's first answer scores: a later version may copy the gold answer shown after the submit.
            .Where(a => a.ProjectId == projectId && a.Version == 1 && ids.Contains(a.ItemId))
            .Select(a => new { a.ItemId, a.Values })
            .ToListAsync(ct))
            .ToLookup(a => a.ItemId, a => a.Values);
        var items = rows.Select(row =>
        {
            var given = answers[row.Id].ToList();
            var correct = given.Count(values => Matches(project.Schema, row.GoldAnswer, values));
            return new GoldItem(row.Id, Preview(row.Data), row.GoldAnswer, given.Count, correct, given.Count == 0 ? null : (double)correct / given.Count);
        }).ToList();
        return new GoldItemPage(items, page, pageSize, total);
    }

    /// <summary>The gold answers of those of the given items that are gold, for a manager reviewing them.</summary>
    public async Task<IReadOnlyDictionary<long, Dictionary<string, JsonElement>>> AnswersAsync(Actor actor, Guid projectId, IEnumerable<long> itemIds, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var ids = itemIds.Distinct().ToList();
        return await db.Items.AsNoTracking()
            .Where(i => i.ProjectId == projectId && i.IsGold && ids.Contains(i.Id))
            .Select(i => new { i.Id, i.GoldAnswer })
            .ToDictionaryAsync(i => i.Id, i => i.GoldAnswer, ct);
    }

    /// <summary>
    /// Whether an answer equals the gold answer, field by field (<see cref="AnswerValue.SameAs"/>): the same label, text,
    /// number or date; the same set of labels, spans (start, end, label) or boxes (label and position, to a millionth of
    /// the image). The order of list entries does not matter, and a field left empty matches only a field left empty.
    /// </summary>
    public static bool Matches(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> gold, IReadOnlyDictionary<string, JsonElement> answer)
    {
        foreach (var name in gold.Keys.Union(answer.Keys))
        {
            var hasGold = gold.TryGetValue(name, out var expected) && !AnswerCodec.IsEmpty(expected);
            var hasAnswer = answer.TryGetValue(name, out var actual) && !AnswerCodec.IsEmpty(actual);
            if (hasGold != hasAnswer)
            {
                return false;
            }
            if (hasGold && !AnswerCodec.Same(schema.Field(name), expected, actual))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The item's text, else its file name, else its first value: one line of at most <see cref="PreviewLength"/> characters.</summary>
    public static string Preview(IReadOnlyDictionary<string, JsonElement> data)
    {
        static string? StringAt(IReadOnlyDictionary<string, JsonElement> data, string key) =>
            data.TryGetValue(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        var text = StringAt(data, "text") ?? StringAt(data, "file_name");
        if (text is null && data.Count > 0)
        {
            var (key, value) = data.First();
            text = $"{key}: {(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())}";
        }
        var line = string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (line.Length <= PreviewLength)
        {
            return line;
        }
        // Never cut a surrogate pair in half.
        var cut = char.IsHighSurrogate(line[PreviewLength - 2]) ? PreviewLength - 2 : PreviewLength - 1;
        return line[..cut] + "…";
    }
}
