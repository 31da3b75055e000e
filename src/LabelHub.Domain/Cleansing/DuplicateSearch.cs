using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>Which 64-bit perceptual hash an image search compares (docs/cleansing/near-duplicates-images.md).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ImageHashKind>))]
public enum ImageHashKind
{
    PHash = 0,
    DHash = 1,
}

/// <summary>What a duplicate search looks for; null settings take the documented defaults.</summary>
/// <param name="Threshold">Text: the Jaccard similarity of the shingle sets at or above which two texts group (default 0.8).</param>
/// <param name="TextKey">Exact and text: the item key holding the text (default: the schema's text key, else "text").</param>
/// <param name="MaxDistance">Images: the Hamming distance in bits within which two hashes group (default 8).</param>
/// <param name="Hash">Images: pHash (the robust one, default) or dHash.</param>
public sealed record DuplicateSearchParameters(
    [property: JsonConverter(typeof(JsonStringEnumConverter<DuplicateKind>))] DuplicateKind Kind,
    Guid StartedById,
    double? Threshold = null,
    string? TextKey = null,
    int? MaxDistance = null,
    ImageHashKind? Hash = null)
{
    public const double DefaultThreshold = 0.8;
    public const double MinThreshold = 0.5;
    public const int DefaultMaxDistance = 8;
    public const int MaxMaxDistance = 24;

    public double EffectiveThreshold => Threshold ?? DefaultThreshold;

    public int EffectiveMaxDistance => MaxDistance ?? DefaultMaxDistance;

    public ImageHashKind EffectiveHash => Hash ?? ImageHashKind.PHash;
}

/// <param name="Items">Items searched (excluded duplicates are left out).</param>
/// <param name="Skipped">Items without what the search compares (no text at the key, no stored image, an image that does not decode).</param>
/// <param name="AlreadyDecided">Groups found again inside a group a manager already decided: not raised again.</param>
public sealed record DuplicateSearchResult(long RunId, DuplicateKind Kind, int Items, int Skipped, int Groups, int ItemsInGroups, int AlreadyDecided);

/// <summary>One group a detector found: the representative first, each member with its similarity to it (1 for itself).</summary>
public sealed record FoundDuplicateGroup(long RepresentativeItemId, IReadOnlyList<DuplicateGroupMember> Members);

/// <summary>
/// The duplicate search's Domain half (ADR 0019, 2 and 4): exact and near-duplicate text searches over the project's
/// items a page at a time, and storing any detector's groups (the image search hashes in Workers and stores here).
/// A group inside one a manager already decided is not raised again; the open groups of an older run of the same kind
/// are replaced, so the list shows the newest search.
/// </summary>
public sealed class DuplicateSearch(IDbContextFactory<LabelHubDbContext> dbFactory, CleansingRunLog log)
{
    public const int PageSize = 1000;

    /// <summary>An item of a page: its id, its data and its content hash.</summary>
    public sealed record ItemRow(long Id, Dictionary<string, JsonElement> Data, string ContentHash);

    public static CleansingRunKind RunKindOf(DuplicateKind kind) => kind switch
    {
        DuplicateKind.Exact => CleansingRunKind.ExactDuplicates,
        DuplicateKind.Text => CleansingRunKind.TextDuplicates,
        DuplicateKind.Image => CleansingRunKind.ImageDuplicates,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The exact or text search, start to end: records the run, its groups and one finding per group.</summary>
    public async Task<JobOutcome<DuplicateSearchResult>> RunAsync(JobRun job, DuplicateSearchParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var projectId = job.ProjectId ?? throw new InvalidOperationException($"Job {job.Id} has no project.");
        if (parameters.Kind == DuplicateKind.Image)
        {
            throw new InvalidOperationException("The image search hashes in Workers and stores through StoreAsync.");
        }
        var textKey = parameters.TextKey ?? await DefaultTextKeyAsync(projectId, ct);
        var run = await log.StartAsync(projectId, RunKindOf(parameters.Kind), job.Id, parameters.StartedById, Settings(parameters, textKey), ct: ct);
        var total = await CountAsync(projectId, ct);
        int items = 0, skipped = 0;
        // (key, item) pairs sorted afterwards: 24 bytes an item, no list per key.
        var exact = new List<(UInt128 Key, long ItemId)>();
        var finder = parameters.Kind == DuplicateKind.Text ? new NearDuplicateTextFinder(new NearDuplicateOptions(parameters.EffectiveThreshold)) : null;
        await foreach (var page in PagesAsync(projectId, ct))
        {
            foreach (var item in page)
            {
                items++;
                var text = item.Data.TryGetValue(textKey, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                if (finder is not null)
                {
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        skipped++;
                        continue;
                    }
                    finder.Add(item.Id, text);
                    continue;
                }
                if (text is null && string.IsNullOrEmpty(item.ContentHash))
                {
                    // Nothing to compare (an item stored without a hash): it would match every other such item.
                    skipped++;
                    continue;
                }
                exact.Add((ExactKey(text, item.ContentHash), item.Id));
            }
            await progress.ReportAsync(total == 0 ? 0.8 : 0.8 * items / total, $"Read {items:N0} of {total:N0} items", ct);
        }
        List<FoundDuplicateGroup> groups;
        if (finder is not null)
        {
            await progress.ReportAsync(0.85, "Comparing texts", ct);
            groups = [.. finder.FindGroups().Groups.Select(g => new FoundDuplicateGroup(g.RepresentativeId,
                [.. g.Members.Select(m => new DuplicateGroupMember { ItemId = m.ItemId, Similarity = m.Similarity })]))];
        }
        else
        {
            groups = [.. SameKeyRuns(exact).Select(ids => new FoundDuplicateGroup(ids[0], [.. ids.Select(id => new DuplicateGroupMember { ItemId = id, Similarity = 1 })]))];
        }
        return await StoreAsync(run, parameters, items, skipped, groups, progress, ct);
    }

    /// <summary>Runs of two or more items with the same key, ids ascending, ordered by their first id.</summary>
    private static IEnumerable<long[]> SameKeyRuns(List<(UInt128 Key, long ItemId)> keys)
    {
        keys.Sort();
        var runs = new List<long[]>();
        for (var start = 0; start < keys.Count;)
        {
            var end = start + 1;
            while (end < keys.Count && keys[end].Key == keys[start].Key)
            {
                end++;
            }
            if (end - start > 1)
            {
                runs.Add([.. keys.GetRange(start, end - start).Select(k => k.ItemId)]);
            }
            start = end;
        }
        return runs.OrderBy(ids => ids[0]);
    }

    /// <summary>
    /// The same content: the text at the text key with case, width and spacing normalised (so "Hello  world" and
    /// "hello world" are one text, whatever else the items carry), else the item's content hash (an image's bytes).
    /// 128 bits of SHA-256: 16 bytes per item in memory.
    /// </summary>
    public static UInt128 ExactKey(string? text, string contentHash)
    {
        var source = text is null ? "c:" + contentHash : "t:" + TextShingler.Normalize(text);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(source), digest);
        return new UInt128(BitConverter.ToUInt64(digest[..8]), BitConverter.ToUInt64(digest[8..16]));
    }

    /// <summary>The item key the project's texts are under: the first span field's source, else "text".</summary>
    public async Task<string> DefaultTextKeyAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var schema = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.Schema).SingleAsync(ct);
        return schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.OnText).Select(f => f.SourceKey).FirstOrDefault() ?? FieldKinds.DefaultTextKey;
    }

    /// <summary>The item key the project's images are under: the first box field's source, else "image".</summary>
    public async Task<string> DefaultImageKeyAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var schema = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.Schema).SingleAsync(ct);
        return schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.OnImage).Select(f => f.SourceKey).FirstOrDefault() ?? Collection.MediaUrls.ImageKey;
    }

    /// <summary>The items a search reads: the project's, less those excluded as duplicates of another.</summary>
    public async Task<int> CountAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Items.CountAsync(i => i.ProjectId == projectId && i.DuplicateOfItemId == null, ct);
    }

    /// <summary>The items a page of 1,000 at a time by id, each page read in its own short context.</summary>
    public async IAsyncEnumerable<List<ItemRow>> PagesAsync(Guid projectId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        long after = 0;
        while (true)
        {
            List<ItemRow> page;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                page = await db.Items.AsNoTracking()
                    .Where(i => i.ProjectId == projectId && i.DuplicateOfItemId == null && i.Id > after)
                    .OrderBy(i => i.Id)
                    .Take(PageSize)
                    .Select(i => new ItemRow(i.Id, i.Data, i.ContentHash))
                    .ToListAsync(ct);
            }
            if (page.Count == 0)
            {
                yield break;
            }
            after = page[^1].Id;
            yield return page;
        }
    }

    public static object Settings(DuplicateSearchParameters parameters, string? textKey) => parameters.Kind switch
    {
        DuplicateKind.Exact => new { kind = "Exact", textKey },
        DuplicateKind.Text => new { kind = "Text", textKey, threshold = parameters.EffectiveThreshold },
        DuplicateKind.Image => new { kind = "Image", hash = parameters.EffectiveHash.ToString(), maxDistance = parameters.EffectiveMaxDistance },
        _ => throw new ArgumentOutOfRangeException(nameof(parameters)),
    };

    /// <summary>
    /// Stores a finished search: leaves out groups inside a decided group, replaces the older open groups of the kind,
    /// writes the groups (a batch per short transaction) with one finding each, and finishes the run.
    /// </summary>
    public async Task<JobOutcome<DuplicateSearchResult>> StoreAsync(CleansingRun run, DuplicateSearchParameters parameters, int items, int skipped,
        IReadOnlyList<FoundDuplicateGroup> found, IJobProgress progress, CancellationToken ct)
    {
        var decided = await DecidedGroupsAsync(run.ProjectId, ct);
        var fresh = found.Where(g => !InsideDecided(g, decided)).ToList();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var old = db.DuplicateGroups.Where(g => g.ProjectId == run.ProjectId && g.Kind == parameters.Kind && g.Decision == DuplicateDecision.Open && g.RunId != run.Id);
            await db.DuplicateGroupMembers.Where(m => old.Select(g => g.Id).Contains(m.GroupId)).ExecuteDeleteAsync(ct);
            await old.ExecuteDeleteAsync(ct);
        }
        await progress.ReportAsync(0.9, $"Storing {fresh.Count:N0} groups", ct);
        var now = run.StartedAt;
        foreach (var batch in fresh.Chunk(CleansingRunLog.BatchSize))
        {
            List<DuplicateGroup> rows;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                rows = [.. batch.Select(g => new DuplicateGroup
                {
                    ProjectId = run.ProjectId,
                    RunId = run.Id,
                    Kind = parameters.Kind,
                    RepresentativeItemId = g.RepresentativeItemId,
                    CreatedAt = now,
                    Members = [.. g.Members.Select(m => new DuplicateGroupMember { ItemId = m.ItemId, Similarity = Math.Round(m.Similarity, 4) })],
                })];
                db.DuplicateGroups.AddRange(rows);
                await db.SaveChangesAsync(ct);
            }
            await log.AddFindingsAsync(run, rows.Select(g => new CleansingFinding
            {
                ItemId = g.RepresentativeItemId,
                Source = FindingSource.Duplicate,
                Code = FindingCode(g.Id),
                Reason = Reason(parameters, g.Members.Count),
                Score = g.Members.Where(m => m.ItemId != g.RepresentativeItemId).Select(m => m.Similarity).DefaultIfEmpty(1).Max(),
            }), ct);
        }
        await log.FinishAsync(run, 0, ct);
        var result = new DuplicateSearchResult(run.Id, parameters.Kind, items, skipped, fresh.Count, fresh.Sum(g => g.Members.Count), found.Count - fresh.Count);
        return new JobOutcome<DuplicateSearchResult>(true, $"{fresh.Count:N0} duplicate groups among {items:N0} items.", result);
    }

    /// <summary>The code of a group's finding, so the group and its finding find each other.</summary>
    public static string FindingCode(long groupId) => $"duplicate-group:{groupId}";

    private static string Reason(DuplicateSearchParameters parameters, int count) => parameters.Kind switch
    {
        DuplicateKind.Exact => $"{count} items with the same content.",
        DuplicateKind.Text => $"{count} items with similar text (Jaccard at least {parameters.EffectiveThreshold:0.00}).",
        DuplicateKind.Image => $"{count} images within {parameters.EffectiveMaxDistance} bits of {parameters.EffectiveHash}.",
        _ => throw new ArgumentOutOfRangeException(nameof(parameters)),
    };

    /// <summary>Every decided group's items, by group, and the groups each item is in.</summary>
    private async Task<(Dictionary<long, HashSet<long>> Items, Dictionary<long, List<long>> GroupsOf)> DecidedGroupsAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.DuplicateGroupMembers.AsNoTracking()
            .Where(m => db.DuplicateGroups.Any(g => g.Id == m.GroupId && g.ProjectId == projectId && g.Decision != DuplicateDecision.Open))
            .Select(m => new { m.GroupId, m.ItemId })
            .ToListAsync(ct);
        var items = new Dictionary<long, HashSet<long>>();
        var groupsOf = new Dictionary<long, List<long>>();
        foreach (var row in rows)
        {
            (items.TryGetValue(row.GroupId, out var set) ? set : items[row.GroupId] = []).Add(row.ItemId);
            (groupsOf.TryGetValue(row.ItemId, out var list) ? list : groupsOf[row.ItemId] = []).Add(row.GroupId);
        }
        return (items, groupsOf);
    }

    /// <summary>A group all of whose items are in one decided group (the same set, or part of it) was decided already.</summary>
    private static bool InsideDecided(FoundDuplicateGroup group, (Dictionary<long, HashSet<long>> Items, Dictionary<long, List<long>> GroupsOf) decided) =>
        decided.GroupsOf.TryGetValue(group.Members[0].ItemId, out var candidates)
        && candidates.Any(id => group.Members.All(m => decided.Items[id].Contains(m.ItemId)));
}
