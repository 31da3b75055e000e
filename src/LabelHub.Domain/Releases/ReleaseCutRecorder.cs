using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Releases;

/// <summary>What the cut's write pass counted: the datasheet's numbers and the diff against the previous release.</summary>
/// <param name="LabelCounts">Items per split carrying each label of each labeled field (choice, options, span and box labels).</param>
/// <param name="Ties">Items whose field was left tied, per field (schema order): the recorder counts those released, the cut adds those the filter left out.</param>
/// <param name="Diff">Null for a first release.</param>
public sealed record ReleaseCutRecord(
    IReadOnlyList<(string Split, long Items)> ItemsPerSplit, IReadOnlyList<DatasheetLabelCount> LabelCounts, IReadOnlyList<(string Field, long Items)> Ties,
    ReleaseDiffSummary? Diff);

/// <summary>
/// Fed by the cut with every row it writes, in item id order: counts items and labels per split and tied fields, and
/// merge-joins the previous release's rows (streamed by item id, a page at a time) to give each row the reason its final
/// answers changed and to build the diff. The reasons come from the answer versions and reviews since the previous release
/// was cut, read for the item ids of each page of the previous release: a cleansing correction settling a disagreement is <see cref="RelabelReason.Adjudication"/>,
/// another cleansing correction <see cref="RelabelReason.Cleansing"/>, a review (accept, fix, reject)
/// <see cref="RelabelReason.Review"/>, nothing of these <see cref="RelabelReason.Aggregation"/> (new answers). Memory
/// holds a page of each stream and the counts, never a release.
/// </summary>
public sealed class ReleaseCutRecorder
{
    private const int PageSize = 2000;
    private readonly LabelSchema schema;
    private readonly long[] itemsPerSplit = new long[SplitNames.All.Count];
    private readonly Dictionary<(string Field, string Label, int Split), long> labelCounts = [];
    private readonly Dictionary<string, long> ties = new(StringComparer.Ordinal);
    private readonly ReleaseDiffTally? diff;
    private readonly KeysetCursor<ReleaseEntry>? previous;
    private readonly IDbContextFactory<LabelHubDbContext>? dbFactory;
    private readonly Guid projectId;
    private readonly DateTimeOffset since;

    // Why items changed, for the item ids up to evidenceUpTo: loaded a window at a time, aligned with the previous release's pages.
    private Dictionary<long, RelabelReason> evidence = [];
    private long evidenceUpTo;

    private ReleaseCutRecorder(LabelSchema schema, IDbContextFactory<LabelHubDbContext> dbFactory, Guid projectId, long? previousId, DateTimeOffset since)
    {
        this.schema = schema;
        if (previousId is not { } previousReleaseId)
        {
            return;
        }
        diff = new ReleaseDiffTally(schema);
        previous = new KeysetCursor<ReleaseEntry>(dbFactory, e => e.ItemId, async (db, after, ct) =>
            [.. (await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == previousReleaseId && i.ItemId > after).OrderBy(i => i.ItemId).Take(PageSize)
                .Select(i => new { i.ItemId, i.AnswersJson }).ToListAsync(ct))
                .Select(i => new ReleaseEntry(i.ItemId, "", "", Empty, ReadAnswers(i.AnswersJson)))]);
        this.dbFactory = dbFactory;
        this.projectId = projectId;
        this.since = since;
    }

    private static readonly Dictionary<string, JsonElement> Empty = [];

    /// <summary>A recorder for a cut compared with <paramref name="previousReleaseId"/> (null: a first release, no diff).</summary>
    public static async Task<ReleaseCutRecorder> StartAsync(IDbContextFactory<LabelHubDbContext> dbFactory, Project project, long? previousReleaseId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dbFactory);
        ArgumentNullException.ThrowIfNull(project);
        var since = DateTimeOffset.MinValue;
        if (previousReleaseId is { } id)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            // From when the previous cut began: a change made while it read the answers may be missing from it.
            since = await db.Releases.AsNoTracking().Where(r => r.Id == id).Select(r => r.CreatedAt).SingleAsync(ct);
        }
        return new ReleaseCutRecorder(project.Schema, dbFactory, project.Id, previousReleaseId, since);
    }

    /// <summary>Records one written row (rows come in increasing item id); returns why its final answers changed, or null.</summary>
    public async Task<string?> AddAsync(long itemId, short split, ItemAggregation final, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(final);
        itemsPerSplit[split]++;
        foreach (var field in schema.Fields)
        {
            if (final.Answers.TryGetValue(field.Name, out var answer))
            {
                foreach (var label in LabelsIn(field.Kind, answer.Value))
                {
                    var key = (field.Name, label, (int)split);
                    labelCounts[key] = labelCounts.GetValueOrDefault(key) + 1;
                }
            }
            else if (final.Missing.TryGetValue(field.Name, out var missing) && missing == NoFinalAnswerReason.Tied)
            {
                ties[field.Name] = ties.GetValueOrDefault(field.Name) + 1;
            }
        }
        if (diff is null)
        {
            return null;
        }
        while (await previous!.HasAsync(ct) && previous.Current.ItemId < itemId)
        {
            diff.Removed(previous.Current);
            previous.Next();
        }
        var entry = new ReleaseEntry(itemId, SplitNames.All[split], "", Empty, final.Answers);
        if (!await previous.HasAsync(ct) || previous.Current.ItemId != itemId)
        {
            diff.Added(entry);
            return null;
        }
        var before = previous.Current;
        previous.Next();
        var reason = await ReasonAsync(itemId, ct);
        var changes = diff.Kept(before, entry, _ => reason);
        return changes.Count == 0 ? null : (reason ?? RelabelReason.Aggregation).ToString();
    }

    /// <summary>The labels an item carries in a final answer (each once): the choice, the chosen options, the labels of its spans or boxes.</summary>
    private static IEnumerable<string> LabelsIn(FieldKind kind, JsonElement value) => kind switch
    {
        FieldKind.Choice => value.ValueKind == JsonValueKind.String ? [value.GetString()!] : [],
        FieldKind.MultiChoice => value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).Distinct(StringComparer.Ordinal)
            : [],
        FieldKind.Spans or FieldKind.Boxes => value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String)
                .Select(v => v.GetProperty("label").GetString()!).Distinct(StringComparer.Ordinal)
            : [],
        FieldKind.Text or FieldKind.Number or FieldKind.Date or FieldKind.Rating => [],
    };

    /// <summary>After the last row: the rest of the previous release was removed.</summary>
    public async Task<ReleaseCutRecord> FinishAsync(CancellationToken ct)
    {
        if (diff is not null)
        {
            while (await previous!.HasAsync(ct))
            {
                diff.Removed(previous.Current);
                previous.Next();
            }
        }
        var fieldOrder = schema.Fields.Select((f, i) => (f.Name, i)).ToDictionary(f => f.Name, f => f.i, StringComparer.Ordinal);
        var labelOrder = schema.Fields.SelectMany(f => f.Labels.Select((l, i) => ((f.Name, l), i))).ToDictionary(p => p.Item1, p => p.i);
        return new ReleaseCutRecord(
            [.. SplitNames.All.Select((name, i) => (name, itemsPerSplit[i]))],
            [.. labelCounts.OrderBy(c => fieldOrder[c.Key.Field]).ThenBy(c => labelOrder.GetValueOrDefault((c.Key.Field, c.Key.Label), int.MaxValue))
                .ThenBy(c => c.Key.Label, StringComparer.Ordinal).ThenBy(c => c.Key.Split)
                .Select(c => new DatasheetLabelCount(c.Key.Field, c.Key.Label, SplitNames.All[c.Key.Split], c.Value))],
            [.. schema.Fields.Where(f => ties.ContainsKey(f.Name)).Select(f => (f.Name, ties[f.Name]))],
            diff?.Summary());
    }

    /// <summary>
    /// The strongest evidence among the item's answer versions since the previous release. Read for the item ids of the
    /// previous release's page the item is on (two range reads over indexes on the item id), so every answer version and
    /// review since is read once in the whole cut.
    /// </summary>
    private async Task<RelabelReason?> ReasonAsync(long itemId, CancellationToken ct)
    {
        if (itemId > evidenceUpTo)
        {
            var from = evidenceUpTo;
            var to = Math.Max(itemId, previous!.LastKey);
            await using var db = await dbFactory!.CreateDbContextAsync(ct);
            // The project is checked after reading: with it in the query SQLite walks a project index over every answer of
            // the project for each page (a release of a million items took minutes) instead of seeking the item id range.
            var corrections = (await db.Annotations.AsNoTracking()
                .Where(a => a.ItemId > from && a.ItemId <= to && a.CreatedAt > since && a.Reason == AnnotationReason.Cleansing)
                .Select(a => new
                {
                    a.ItemId,
                    a.ProjectId,
                    // A disagreement finding is decided in the same moment its correction is written.
                    Settled = db.CleansingFindings.Any(f => f.ProjectId == projectId && f.ItemId == a.ItemId && f.Source == FindingSource.Disagreement
                        && f.ResolvedAt == a.CreatedAt),
                })
                .ToListAsync(ct)).Where(a => a.ProjectId == projectId);
            var reviewed = (await db.Reviews.AsNoTracking().Where(r => r.ItemId > from && r.ItemId <= to && r.CreatedAt > since)
                .Select(r => new { r.ItemId, r.ProjectId }).Distinct().ToListAsync(ct)).Where(r => r.ProjectId == projectId).Select(r => r.ItemId).Distinct();
            evidence = reviewed.ToDictionary(id => id, _ => RelabelReason.Review);
            foreach (var correction in corrections)
            {
                var reason = correction.Settled ? RelabelReason.Adjudication : RelabelReason.Cleansing;
                if (!evidence.TryGetValue(correction.ItemId, out var known) || known == RelabelReason.Review || reason == RelabelReason.Adjudication)
                {
                    evidence[correction.ItemId] = reason;
                }
            }
            evidenceUpTo = to;
        }
        return evidence.TryGetValue(itemId, out var found) ? found : null;
    }

    internal static Dictionary<string, FinalAnswer> ReadAnswers(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, FinalAnswer>>(json, JsonColumn.Options) ?? [];

    /// <summary>Rows of a query read a page at a time in increasing key order (keyset paging: key &gt; the last one read).</summary>
    private sealed class KeysetCursor<T>(IDbContextFactory<LabelHubDbContext> dbFactory, Func<T, long> keyOf, Func<LabelHubDbContext, long, CancellationToken, Task<List<T>>> page)
    {
        private List<T> rows = [];
        private int position;
        private long after;
        private bool done;

        /// <summary>The row at the cursor (after <see cref="HasAsync"/> said there is one).</summary>
        public T Current => rows[position];

        /// <summary>Whether a row is at the cursor, reading the next page when this one is used up.</summary>
        public async ValueTask<bool> HasAsync(CancellationToken ct)
        {
            if (position < rows.Count)
            {
                return true;
            }
            if (done)
            {
                return false;
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            rows = await page(db, after, ct);
            position = 0;
            done = rows.Count < PageSize;
            if (rows.Count == 0)
            {
                return false;
            }
            after = keyOf(rows[^1]);
            return true;
        }

        public void Next() => position++;

        /// <summary>The key of the last row read so far (0 before the first page).</summary>
        public long LastKey => after;
    }
}
