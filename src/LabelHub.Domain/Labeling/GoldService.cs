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
/// <param name="Annotators">Annotators with a current answer for the item.</param>
/// <param name="Correct">How many of those answers equal the gold answer (see <see cref="GoldService.Matches"/>).</param>
/// <param name="Accuracy">Correct / Annotators; null while nobody has answered.</param>
public sealed record GoldItem(long ItemId, string Preview, Dictionary<string, JsonElement> Answer, int Annotators, int Correct, double? Accuracy);

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
            .Where(a => a.ProjectId == projectId && a.IsCurrent && ids.Contains(a.ItemId))
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
    /// Whether an answer equals the gold answer, field by field and exactly: the same label, text, number or date;
    /// the same set of labels, spans (start, end, label) or boxes (label and position, to a millionth of the image).
    /// The order of list entries does not matter, and a field left empty matches only a field left empty.
    /// </summary>
    public static bool Matches(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> gold, IReadOnlyDictionary<string, JsonElement> answer)
    {
        foreach (var name in gold.Keys.Union(answer.Keys))
        {
            var hasGold = gold.TryGetValue(name, out var expected) && !IsEmpty(expected);
            var hasAnswer = answer.TryGetValue(name, out var actual) && !IsEmpty(actual);
            if (hasGold != hasAnswer)
            {
                return false;
            }
            if (hasGold && !FieldEquals(schema.Field(name)?.Kind, expected, actual))
            {
                return false;
            }
        }
        return true;
    }

    private static bool FieldEquals(FieldKind? kind, JsonElement expected, JsonElement actual)
    {
        if (kind is FieldKind.MultiChoice or FieldKind.Spans or FieldKind.Boxes
            && Entries(kind.Value, expected) is { } expectedEntries && Entries(kind.Value, actual) is { } actualEntries)
        {
            return expectedEntries.SequenceEqual(actualEntries, StringComparer.Ordinal);
        }
        return JsonElement.DeepEquals(expected, actual);
    }

    /// <summary>A list answer as sorted keys of what counts in it (spans keep no copied text, boxes no pixels); null when malformed.</summary>
    private static List<string>? Entries(FieldKind kind, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var keys = new List<string>();
        foreach (var entry in value.EnumerateArray())
        {
            string? key = kind switch
            {
                FieldKind.MultiChoice when entry.ValueKind == JsonValueKind.String => entry.GetString(),
                FieldKind.Spans when entry.ValueKind == JsonValueKind.Object
                    && TryGetInt(entry, "start", out var start) && TryGetInt(entry, "end", out var end) && TryGetString(entry, "label", out var label) =>
                    string.Create(CultureInfo.InvariantCulture, $"{start}\u001f{end}\u001f{label}"),
                FieldKind.Boxes when entry.ValueKind == JsonValueKind.Object
                    && TryGetString(entry, "label", out var label) && TryGetFraction(entry, "x", out var x) && TryGetFraction(entry, "y", out var y)
                    && TryGetFraction(entry, "width", out var width) && TryGetFraction(entry, "height", out var height) =>
                    string.Create(CultureInfo.InvariantCulture, $"{label}\u001f{x}\u001f{y}\u001f{width}\u001f{height}"),
                _ => null,
            };
            if (key is null)
            {
                return null;
            }
            keys.Add(key);
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>The same emptiness the validator applies: missing, null, blank text or an empty list.</summary>
    private static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()),
        JsonValueKind.Array => value.GetArrayLength() == 0,
        _ => false,
    };

    private static bool TryGetInt(JsonElement element, string name, out int value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out value);
    }

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        value = "";
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        value = property.GetString()!;
        return true;
    }

    /// <summary>A box coordinate rounded to a millionth: a box drawn to the same pixels always gives the same key.</summary>
    private static bool TryGetFraction(JsonElement element, string name, out long millionths)
    {
        millionths = 0;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.Number || !property.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            return false;
        }
        millionths = (long)Math.Round(value * 1_000_000, MidpointRounding.AwayFromZero);
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
