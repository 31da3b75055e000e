using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>A search as asked for over the API or the page: names as text, checked here so a mistake is a 400 naming the field.</summary>
public sealed record DuplicateSearchRequest(string? Kind, double? Threshold = null, string? TextKey = null, int? MaxDistance = null, string? Hash = null);

/// <summary>One current answer on a member, for deciding side by side.</summary>
public sealed record DuplicateAnswerView(long AnnotationId, Guid AnnotatorId, string AnnotatorName, int Version, AnnotationReason Reason, Dictionary<string, JsonElement> Values);

/// <summary>A member: its similarity to the representative, a short text or its image, whether it is excluded, its current answers.</summary>
public sealed record DuplicateMemberView(long ItemId, double Similarity, string? Text, string? ImageUrl, long? DuplicateOfItemId, IReadOnlyList<DuplicateAnswerView> Answers);

public sealed record DuplicateGroupView(
    long Id, DuplicateKind Kind, DuplicateDecision Decision, long RepresentativeItemId, long? KeptItemId, string? DecidedByName, DateTimeOffset? DecidedAt,
    long RunId, DateTimeOffset CreatedAt, string? Reason, IReadOnlyList<DuplicateMemberView> Members);

/// <param name="NextAfter">Pass as <c>after</c> for the next page; null on the last one.</param>
public sealed record DuplicateGroupPage(IReadOnlyList<DuplicateGroupView> Groups, long? NextAfter, int Open, int Decided);

/// <summary>What a decision did, with the group as it is now. For an undo: the items restored and the carried answers withdrawn.</summary>
/// <param name="Carried">Answers carried over to the kept item as new answers.</param>
/// <param name="NotCarried">Answers left on an excluded item because their annotator already answered the kept item (or is labeling it now).</param>
public sealed record DuplicateDecisionResult(DuplicateGroupView Group, int Excluded, int Carried, int NotCarried, int LeasesEnded);

public enum DuplicateListFilter
{
    Open,
    Decided,
    All,
}

/// <summary>
/// Duplicate groups for the project's managers (ADR 0019, 4): start a search, list and open groups, and decide them —
/// keep one (the others excluded, their answers carried over), distinct, or undo (DuplicateService.Decisions.cs).
/// </summary>
public sealed partial class DuplicateService(IDbContextFactory<LabelHubDbContext> dbFactory, JobRunService jobs, TimeProvider clock)
{
    public const int MaxPageSize = 100;
    private const int ShortText = 400;

    /// <summary>Checks the settings and queues the search job.</summary>
    public async Task<JobRunInfo> StartAsync(Actor actor, Guid projectId, DuplicateSearchRequest request, CancellationToken ct = default)
    {
        var parameters = Check(request, actor.UserId);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.GetManageableAsync(actor, projectId, ct);
            // One search at a time: each replaces the open groups the previous one left, which two at once would both keep.
            if (await ActiveSearch(db, projectId).AnyAsync(ct))
            {
                throw new ConflictException("A duplicate search of this project is already running; wait for it to finish.");
            }
        }
        return await jobs.StartAsync(CleansingJobs.Duplicates, projectId, actor.UserId, parameters, ct);
    }

    /// <summary>
    /// The search a project's data calls for: near-duplicate images for image items, near-duplicate texts for text
    /// (exact copies are already dropped on import), exact duplicates for records.
    /// </summary>
    public async Task<DuplicateKind> SuggestedKindAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        return await LearningData.ChooseKindAsync(db, project, ct) switch
        {
            ModelKind.ImageCnn => DuplicateKind.Image,
            ModelKind.TextMlp => DuplicateKind.Text,
            _ => DuplicateKind.Exact,
        };
    }

    /// <summary>The project's duplicate search queued or running now, if any, so a page follows one started elsewhere.</summary>
    public async Task<JobRunInfo?> ActiveSearchAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var job = await ActiveSearch(db, projectId).OrderByDescending(j => j.CreatedAt).FirstOrDefaultAsync(ct);
        return job is null ? null : JobRunService.ToInfo(job);
    }

    private static IQueryable<JobRun> ActiveSearch(LabelHubDbContext db, Guid projectId) =>
        db.JobRuns.AsNoTracking().Where(j => j.ProjectId == projectId && j.Kind == CleansingJobs.Duplicates.Kind && (j.State == JobState.Queued || j.State == JobState.Running));

    /// <summary>The job's parameters from a request; every bad setting is a 400 naming its field.</summary>
    public static DuplicateSearchParameters Check(DuplicateSearchRequest request, Guid startedById)
    {
        var errors = new ValidationErrors();
        DuplicateKind kind = default;
        if (string.IsNullOrWhiteSpace(request.Kind) || !Enum.TryParse(request.Kind, ignoreCase: true, out kind) || !Enum.IsDefined(kind))
        {
            errors.Add("kind", "The kind must be Exact, Text or Image.");
        }
        if (request.Threshold is { } threshold && (double.IsNaN(threshold) || threshold < DuplicateSearchParameters.MinThreshold || threshold > 1))
        {
            errors.Add("threshold", $"The threshold must be from {DuplicateSearchParameters.MinThreshold:0.0} to 1.");
        }
        if (request.MaxDistance is { } distance && (distance < 0 || distance > DuplicateSearchParameters.MaxMaxDistance))
        {
            errors.Add("maxDistance", $"The distance must be from 0 to {DuplicateSearchParameters.MaxMaxDistance} bits.");
        }
        ImageHashKind? hash = null;
        if (request.Hash is not null)
        {
            if (Enum.TryParse<ImageHashKind>(request.Hash, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                hash = parsed;
            }
            else
            {
                errors.Add("hash", "The hash must be PHash or DHash.");
            }
        }
        if (request.TextKey is { } key && (string.IsNullOrWhiteSpace(key) || key.Length > 200))
        {
            errors.Add("textKey", "The text key must be an item key of 1 to 200 characters.");
        }
        errors.ThrowIfAny();
        return new DuplicateSearchParameters(kind, startedById, request.Threshold, request.TextKey, request.MaxDistance, hash);
    }

    /// <summary>Groups by id, a page at a time, with their members and answers.</summary>
    public async Task<DuplicateGroupPage> ListAsync(Actor actor, Guid projectId, DuplicateListFilter filter, DuplicateKind? kind, long? after, int? limit, CancellationToken ct = default)
    {
        var size = limit ?? 20;
        if (size < 1 || size > MaxPageSize)
        {
            throw new ValidationException("limit", $"The limit must be from 1 to {MaxPageSize}.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        var groups = db.DuplicateGroups.AsNoTracking().Where(g => g.ProjectId == projectId);
        var open = await groups.CountAsync(g => g.Decision == DuplicateDecision.Open, ct);
        var decided = await groups.CountAsync(g => g.Decision != DuplicateDecision.Open, ct);
        groups = filter switch
        {
            DuplicateListFilter.Open => groups.Where(g => g.Decision == DuplicateDecision.Open),
            DuplicateListFilter.Decided => groups.Where(g => g.Decision != DuplicateDecision.Open),
            DuplicateListFilter.All => groups,
            _ => throw new ArgumentOutOfRangeException(nameof(filter)),
        };
        if (kind is { } k)
        {
            groups = groups.Where(g => g.Kind == k);
        }
        var page = await groups.Where(g => after == null || g.Id > after).OrderBy(g => g.Id).Take(size + 1).Include(g => g.Members).ToListAsync(ct);
        var more = page.Count > size;
        page = [.. page.Take(size)];
        var views = await ViewsAsync(db, project, page, ct);
        return new DuplicateGroupPage(views, more ? page[^1].Id : null, open, decided);
    }

    public async Task<DuplicateGroupView> GetAsync(Actor actor, Guid projectId, long groupId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        return await ViewAsync(db, project, groupId, ct);
    }

    /// <summary>
    /// For releases (issue 15): each item of an open or kept-one group with the group it belongs to, so a split keeps a
    /// group together. Groups that share an item are joined (the smallest group id names them); groups marked distinct
    /// are not duplicates and are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, long>> GroupsOfItemsAsync(Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var members = await db.DuplicateGroupMembers.AsNoTracking()
            .Where(m => db.DuplicateGroups.Any(g => g.Id == m.GroupId && g.ProjectId == projectId && g.Decision != DuplicateDecision.Distinct))
            .OrderBy(m => m.GroupId)
            .Select(m => new { m.GroupId, m.ItemId })
            .ToListAsync(ct);
        var parent = new Dictionary<long, long>();
        long Find(long group)
        {
            while (parent.TryGetValue(group, out var up) && up != group)
            {
                group = up;
            }
            return group;
        }
        var groupOfItem = new Dictionary<long, long>();
        foreach (var member in members)
        {
            parent.TryAdd(member.GroupId, member.GroupId);
            if (groupOfItem.TryGetValue(member.ItemId, out var other))
            {
                var (a, b) = (Find(other), Find(member.GroupId));
                parent[Math.Max(a, b)] = Math.Min(a, b);
            }
            else
            {
                groupOfItem[member.ItemId] = member.GroupId;
            }
        }
        return groupOfItem.ToDictionary(e => e.Key, e => Find(e.Value));
    }

    private static async Task<DuplicateGroupView> ViewAsync(LabelHubDbContext db, Project project, long groupId, CancellationToken ct)
    {
        var group = await db.DuplicateGroups.AsNoTracking().Include(g => g.Members).SingleOrDefaultAsync(g => g.Id == groupId && g.ProjectId == project.Id, ct)
            ?? throw new NotFoundException("Duplicate group");
        return (await ViewsAsync(db, project, [group], ct))[0];
    }

    private static async Task<List<DuplicateGroupView>> ViewsAsync(LabelHubDbContext db, Project project, List<DuplicateGroup> groups, CancellationToken ct)
    {
        var itemIds = groups.SelectMany(g => g.Members.Select(m => m.ItemId)).Distinct().ToList();
        var items = await db.Items.AsNoTracking().Where(i => itemIds.Contains(i.Id))
            .Select(i => new { i.Id, i.Data, i.DuplicateOfItemId }).ToDictionaryAsync(i => i.Id, ct);
        var answers = await db.Annotations.AsNoTracking().Where(a => itemIds.Contains(a.ItemId) && a.IsCurrent)
            .OrderBy(a => a.Id)
            .Select(a => new { a.Id, a.ItemId, a.AnnotatorId, a.Version, a.Reason, a.Values }).ToListAsync(ct);
        var annotatorIds = answers.Select(a => a.AnnotatorId).Concat(groups.Where(g => g.DecidedById != null).Select(g => g.DecidedById!.Value)).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => annotatorIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.UserName ?? "?", ct);
        var codes = groups.Select(g => DuplicateSearch.FindingCode(g.Id)).ToList();
        var reasons = await db.CleansingFindings.AsNoTracking().Where(f => f.ProjectId == project.Id && f.Source == FindingSource.Duplicate && codes.Contains(f.Code))
            .Select(f => new { f.Code, f.Reason }).ToListAsync(ct);
        var reasonOf = reasons.GroupBy(r => r.Code).ToDictionary(r => r.Key, r => r.First().Reason);
        var answersOf = answers.ToLookup(a => a.ItemId);
        var textKey = project.Schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.OnText).Select(f => f.SourceKey).FirstOrDefault() ?? FieldKinds.DefaultTextKey;
        var imageKey = project.Schema.Fields.Where(f => f.Kind.Placement() == FieldPlacement.OnImage).Select(f => f.SourceKey).FirstOrDefault() ?? MediaUrls.ImageKey;
        return [.. groups.Select(g => new DuplicateGroupView(
            g.Id, g.Kind, g.Decision, g.RepresentativeItemId, g.KeptItemId, g.DecidedById is { } by ? names.GetValueOrDefault(by) : null, g.DecidedAt,
            g.RunId, g.CreatedAt, reasonOf.GetValueOrDefault(DuplicateSearch.FindingCode(g.Id)),
            [.. g.Members
                .OrderBy(m => m.ItemId == g.RepresentativeItemId ? 0 : 1).ThenByDescending(m => m.Similarity).ThenBy(m => m.ItemId)
                .Select(m =>
                {
                    var data = items.TryGetValue(m.ItemId, out var item) ? item.Data : [];
                    var text = data.TryGetValue(textKey, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    return new DuplicateMemberView(m.ItemId, m.Similarity, text is { Length: > ShortText } ? text[..ShortText] + "…" : text,
                        MediaUrls.TryGetImage(data, imageKey, project.Id, out var url) ? url : null, item?.DuplicateOfItemId,
                        [.. answersOf[m.ItemId].Select(a => new DuplicateAnswerView(a.Id, a.AnnotatorId, names.GetValueOrDefault(a.AnnotatorId) ?? "?", a.Version, a.Reason, a.Values))]);
                })])
        )];
    }
}
