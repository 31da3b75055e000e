using System.Globalization;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// The adjudication queue (ADR 0019, 3 and 5): every open finding, one item at a time, for the project's reviewers,
/// managers and admins — the people who review answers. A decision accepts the finding's suggestion, writes the
/// reviewer's own answer, or dismisses the finding; every correction is a new answer version with its reason and author,
/// and any older version can be restored.
/// </summary>
public sealed partial class AdjudicationService(IDbContextFactory<LabelHubDbContext> dbFactory, AdjudicationClaims claims, TimeProvider clock)
{
    public const int MaxSkipped = 500;
    public const int MaxPageSize = 1000;

    /// <summary>The queue's order of sources: what is most likely a wrong label first.</summary>
    public static IReadOnlyList<FindingSource> SourcePriority => SourceOrder;

    private static readonly FindingSource[] SourceOrder = [FindingSource.LabelError, FindingSource.Rule, FindingSource.Disagreement, FindingSource.Duplicate];

    /// <summary>Duplicate findings name their group in their code ("duplicate-group:42"); the queue links to it.</summary>
    public const string DuplicateGroupCodePrefix = "duplicate-group:";

    public async Task<AdjudicationQueueSummary> SummaryAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ReviewService.LoadForReviewAsync(db, actor, projectId, ct);
        return await SummaryAsync(db, projectId, ct);
    }

    /// <summary>
    /// Hands the caller the next item with open findings, in source priority then highest score, leaving out the items
    /// they passed over (<paramref name="skip"/>) and those another reviewer holds; the item is claimed for the caller
    /// (<see cref="AdjudicationClaims"/>) and their previous one given back.
    /// </summary>
    public async Task<AdjudicationNext> NextAsync(Actor actor, Guid projectId, FindingSource? source, IReadOnlyCollection<long>? skip, CancellationToken ct = default)
    {
        if (source is { } only && !Enum.IsDefined(only))
        {
            throw new ValidationException("source", "Sources: Rule, Duplicate, LabelError, Disagreement.");
        }
        if (skip?.Count > MaxSkipped)
        {
            throw new ValidationException("skip", $"At most {MaxSkipped} items can be skipped at once.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ReviewService.LoadForReviewAsync(db, actor, projectId, ct);
        var excluded = new HashSet<long>(skip ?? []);
        excluded.UnionWith(claims.HeldByOthers(projectId, actor.UserId));
        // A few attempts: another reviewer may claim the item found between the query and the claim.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var itemId = await NextItemIdAsync(db, projectId, source, [.. excluded], ct);
            if (itemId is not { } found)
            {
                break;
            }
            if (claims.TryClaim(projectId, found, actor.UserId) is { } until)
            {
                var item = await ItemAsync(db, projectId, found, ct);
                return new AdjudicationNext(item with { ClaimedUntil = until }, await SummaryAsync(db, projectId, ct));
            }
            excluded.Add(found);
        }
        claims.Release(projectId, actor.UserId);
        return new AdjudicationNext(null, await SummaryAsync(db, projectId, ct));
    }

    /// <summary>The reviewer left the queue: the item held for them goes back at once instead of when the claim runs out.</summary>
    public void Leave(Actor actor, Guid projectId)
    {
        ArgumentNullException.ThrowIfNull(actor);
        claims.Release(projectId, actor.UserId);
    }

    /// <summary>An item with every current answer and its findings, open and decided (any item of the project, queued or not).</summary>
    public async Task<AdjudicationItem> ItemAsync(Actor actor, Guid projectId, long itemId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ReviewService.LoadForReviewAsync(db, actor, projectId, ct);
        return await ItemAsync(db, projectId, itemId, ct);
    }

    /// <summary>The project's findings by id, filtered; a page at a time (keyset on the id).</summary>
    public async Task<FindingPage> FindingsAsync(Actor actor, Guid projectId, FindingState? state, FindingSource? source, long? itemId,
        long? after, int limit, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (state is { } s && !Enum.IsDefined(s))
        {
            errors.Add("state", "States: Open, Accepted, Corrected, Dismissed, Superseded.");
        }
        if (source is { } o && !Enum.IsDefined(o))
        {
            errors.Add("source", "Sources: Rule, Duplicate, LabelError, Disagreement.");
        }
        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"The limit is a number from 1 to {MaxPageSize}.");
        }
        errors.ThrowIfAny();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ReviewService.LoadForReviewAsync(db, actor, projectId, ct);
        var query = db.CleansingFindings.AsNoTracking().Where(f => f.ProjectId == projectId && f.Id > (after ?? 0));
        if (state is not null)
        {
            query = query.Where(f => f.State == state);
        }
        if (source is not null)
        {
            query = query.Where(f => f.Source == source);
        }
        if (itemId is not null)
        {
            query = query.Where(f => f.ItemId == itemId);
        }
        var page = await query.OrderBy(f => f.Id).Take(limit + 1).ToListAsync(ct);
        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }
        var views = await ViewsAsync(db, page, ct);
        return new FindingPage(views, more ? page[^1].Id : null);
    }

    private static async Task<AdjudicationQueueSummary> SummaryAsync(LabelHubDbContext db, Guid projectId, CancellationToken ct)
    {
        var open = db.CleansingFindings.AsNoTracking().Where(f => f.ProjectId == projectId && f.State == FindingState.Open);
        var bySource = await open.GroupBy(f => f.Source)
            .Select(g => new { Source = g.Key, Findings = g.Count(), Items = g.Select(f => f.ItemId).Distinct().Count() })
            .ToListAsync(ct);
        var items = await open.Select(f => f.ItemId).Distinct().CountAsync(ct);
        return new AdjudicationQueueSummary(bySource.Sum(s => s.Findings), items,
            [.. SourcePriority.Select(source => bySource.FirstOrDefault(s => s.Source == source) is { } found
                ? new AdjudicationSourceCount(source, found.Findings, found.Items)
                : new AdjudicationSourceCount(source, 0, 0))]);
    }

    /// <summary>
    /// The first item in queue order: a query per source in priority order, each served by the (project, state, source,
    /// score) index, so the queue stays quick however many findings are open.
    /// </summary>
    private static async Task<long?> NextItemIdAsync(LabelHubDbContext db, Guid projectId, FindingSource? only, List<long> excluded, CancellationToken ct)
    {
        foreach (var source in SourcePriority.Where(s => only is null || s == only))
        {
            var itemId = await db.CleansingFindings.AsNoTracking()
                .Where(f => f.ProjectId == projectId && f.State == FindingState.Open && f.Source == source && !excluded.Contains(f.ItemId))
                .OrderByDescending(f => f.Score).ThenBy(f => f.ItemId)
                .Select(f => (long?)f.ItemId)
                .FirstOrDefaultAsync(ct);
            if (itemId is not null)
            {
                return itemId;
            }
        }
        return null;
    }

    private static async Task<AdjudicationItem> ItemAsync(LabelHubDbContext db, Guid projectId, long itemId, CancellationToken ct)
    {
        var data = await db.Items.AsNoTracking().Where(i => i.Id == itemId && i.ProjectId == projectId).Select(i => i.Data).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Item");
        var answers = await db.Annotations.AsNoTracking()
            .Where(a => a.ItemId == itemId && a.IsCurrent)
            .OrderBy(a => a.Id)
            .ToListAsync(ct);
        var findings = await db.CleansingFindings.AsNoTracking()
            .Where(f => f.ItemId == itemId && f.ProjectId == projectId)
            .ToListAsync(ct);
        var views = await ViewsAsync(db, findings, ct);
        var names = await ReviewService.UserNamesAsync(db, answers.SelectMany(a => new[] { a.AnnotatorId, a.AuthorId }), ct);
        var open = views.Where(f => f.State == FindingState.Open)
            .OrderBy(f => Priority(f.Source)).ThenByDescending(f => f.Score).ThenBy(f => f.Id).ToList();
        var decided = views.Where(f => f.State != FindingState.Open)
            .OrderByDescending(f => f.ResolvedAt ?? f.CreatedAt).ThenByDescending(f => f.Id).ToList();
        return new AdjudicationItem(itemId, data,
            [.. answers.Select(a => new AdjudicationAnswer(a.Id, a.AnnotatorId, names.GetValueOrDefault(a.AnnotatorId, "?"), a.Version, a.Reason,
                names.GetValueOrDefault(a.AuthorId, "?"), a.Comment, a.ReviewStatus, a.Values, a.CreatedAt))],
            open, decided, null);
    }

    /// <summary>Findings as the reviewer reads them: whose answer, which version, whether it changed since, who decided.</summary>
    private static async Task<List<FindingView>> ViewsAsync(LabelHubDbContext db, List<CleansingFinding> findings, CancellationToken ct)
    {
        var flaggedIds = findings.Where(f => f.AnnotationId is not null).Select(f => f.AnnotationId!.Value).Distinct().ToList();
        var flagged = await db.Annotations.AsNoTracking()
            .Where(a => flaggedIds.Contains(a.Id))
            .Select(a => new { a.Id, a.ItemId, a.AnnotatorId, a.Version, a.IsCurrent })
            .ToDictionaryAsync(a => a.Id, ct);
        var names = await ReviewService.UserNamesAsync(db, findings.Where(f => f.ResolvedById is not null).Select(f => f.ResolvedById!.Value), ct);
        return [.. findings.Select(f =>
        {
            var answer = f.AnnotationId is { } id ? flagged.GetValueOrDefault(id) : null;
            return new FindingView(f.Id, f.RunId, f.ItemId, f.AnnotationId, answer?.AnnotatorId, answer?.Version, answer is { IsCurrent: false },
                f.Field, f.Source, f.Code, f.Reason, f.Suggestion, f.Score, f.State,
                f.ResolvedById is { } by ? names.GetValueOrDefault(by, "?") : null, f.ResolvedAt, f.ResultAnnotationId, f.CreatedAt,
                DuplicateGroupOf(f));
        })];
    }

    private static long? DuplicateGroupOf(CleansingFinding finding) =>
        finding.Source == FindingSource.Duplicate && finding.Code.StartsWith(DuplicateGroupCodePrefix, StringComparison.Ordinal)
        && long.TryParse(finding.Code.AsSpan(DuplicateGroupCodePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var group)
            ? group
            : null;

    private static int Priority(FindingSource source) => Array.IndexOf(SourceOrder, source) is var index and >= 0 ? index : SourceOrder.Length;
}
