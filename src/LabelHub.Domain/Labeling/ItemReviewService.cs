using System.Data;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

/// <param name="DisagreementsOnly">Only items whose answers differ on some field.</param>
/// <param name="AnnotatorId">Only items with an answer of this annotator waiting for review.</param>
/// <param name="Label">Only items where some answer uses this label (a choice, one of several, a span's or a box's).</param>
public sealed record ItemReviewFilter(bool DisagreementsOnly = false, Guid? AnnotatorId = null, string? Label = null);

/// <summary>One answer to the item, as the reviewer sees it; <see cref="CanDecide"/> when it waits for this reviewer.</summary>
public sealed record ItemAnswer(
    long AnnotationId, Guid AnnotatorId, string AnnotatorName, int Version, ReviewStatus ReviewStatus, bool CanDecide,
    Dictionary<string, JsonElement> Values, int? DurationMs, int? GuidelineVersion, DateTimeOffset CreatedAt);

/// <summary>An item with every current answer (rejected ones left out) and the consensus they give.</summary>
public sealed record ItemReviewEntry(long ItemId, Dictionary<string, JsonElement> ItemData, IReadOnlyList<ItemAnswer> Answers, ItemConsensus Consensus)
{
    /// <summary>Where a synthetic item came from (shown above it); null for a collected item.</summary>
    public SyntheticOrigin? Synthetic { get; init; }
}

/// <param name="Remaining">Items with answers waiting for this reviewer (the filter's annotator only, when given).</param>
/// <param name="NextAfter">Where the next page starts (an item id); null at the end of the queue.</param>
public sealed record ItemReviewPage(IReadOnlyList<ItemReviewEntry> Items, int Remaining, long? NextAfter);

/// <summary>What to do with one answer to the item.</summary>
public sealed record AnswerVerdict(long AnnotationId, ReviewDecision Decision);

/// <summary>
/// Settles an item: one verdict per answer decided (the others wait). <see cref="Answer"/> is what fixed answers
/// become (needed when a verdict is a fix); <see cref="Comment"/> goes with every decision (needed for a rejection).
/// </summary>
public sealed record ItemReviewRequest(IReadOnlyList<AnswerVerdict>? Verdicts, Dictionary<string, JsonElement>? Answer = null, string? Comment = null);

public sealed record ItemReviewResult(long ItemId, IReadOnlyList<ReviewResult> Reviews);

/// <param name="DryRun">Count only; nothing is written.</param>
public sealed record AcceptUnanimousRequest(bool DryRun = false);

/// <param name="Items">Items whose waiting answers were (or, in a dry run, would be) accepted.</param>
/// <param name="Answers">Answers accepted.</param>
public sealed record AcceptUnanimousResult(int Items, int Answers, bool DryRun);

/// <summary>
/// Review by item: all answers to one item side by side with their consensus, settled in one decision. Decisions are
/// the same review rows as one answer at a time (<see cref="ReviewService"/>): accepted, fixed (a new version written
/// by the reviewer) or rejected with a note the annotator reads.
/// </summary>
public sealed class ItemReviewService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Items read per query while looking for ones that match the filter.</summary>
    private const int ScanBatch = 200;

    /// <summary>Items looked at per request at most: a filter that matches little returns a short page and where to go on.</summary>
    private const int ScanLimit = 5_000;

    public async Task<ItemReviewPage> QueueAsync(Actor actor, Guid projectId, ItemReviewFilter filter, long? after = null, int limit = 10, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await ReviewService.LoadForReviewAsync(db, actor, projectId, ct);
        var label = string.IsNullOrWhiteSpace(filter.Label) ? null : filter.Label.Trim();
        var waiting = Waiting(db, actor, projectId, filter.AnnotatorId);
        var remaining = await waiting.Select(a => a.ItemId).Distinct().CountAsync(ct);

        limit = Math.Clamp(limit, 1, 50);
        var found = new List<(long ItemId, List<Annotation> Answers, ItemConsensus Consensus)>();
        long cursor = after ?? 0;
        var scanned = 0;
        var atEnd = false;
        while (found.Count < limit && scanned < ScanLimit)
        {
            var ids = await waiting.Where(a => a.ItemId > cursor).Select(a => a.ItemId).Distinct().OrderBy(id => id).Take(ScanBatch).ToListAsync(ct);
            if (ids.Count == 0)
            {
                atEnd = true;
                break;
            }
            var answers = (await CurrentAnswersAsync(db, ids, ct)).ToLookup(a => a.ItemId);
            foreach (var itemId in ids)
            {
                cursor = itemId;
                var itemAnswers = answers[itemId].OrderBy(a => a.Id).ToList();
                var consensus = ItemConsensus.Of(project.Schema, [.. itemAnswers.Select(a => new ConsensusAnswer(a.Id, a.Values))]);
                if ((!filter.DisagreementsOnly || consensus.HasDisagreement) && (label is null || itemAnswers.Any(a => UsesLabel(project.Schema, a.Values, label))))
                {
                    found.Add((itemId, itemAnswers, consensus));
                    if (found.Count == limit)
                    {
                        break;
                    }
                }
            }
            scanned += ids.Count;
        }
        if (!atEnd && found.Count == limit)
        {
            // The page is full: whether anything follows is the next request's question.
            atEnd = !await waiting.AnyAsync(a => a.ItemId > cursor, ct);
        }

        var foundIds = found.Select(f => f.ItemId).ToList();
        var data = await db.Items.AsNoTracking().Where(i => foundIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Data, ct);
        var names = await ReviewService.UserNamesAsync(db, found.SelectMany(f => f.Answers.Select(a => a.AnnotatorId)), ct);
        var synthetic = await SyntheticOrigin.OfItemsAsync(db, foundIds, ct);
        var entries = found.Select(f => new ItemReviewEntry(
            f.ItemId, data.GetValueOrDefault(f.ItemId) ?? [],
            [.. f.Answers.Select(a => new ItemAnswer(
                a.Id, a.AnnotatorId, names.GetValueOrDefault(a.AnnotatorId, "?"), a.Version, a.ReviewStatus,
                a.ReviewStatus == ReviewStatus.Unreviewed && a.AnnotatorId != actor.UserId,
                a.Values, a.DurationMs, a.GuidelineVersion, a.CreatedAt))],
            f.Consensus)
        {
            Synthetic = synthetic.GetValueOrDefault(f.ItemId),
        }).ToList();
        return new ItemReviewPage(entries, remaining, atEnd ? null : cursor);
    }

    /// <summary>Settles an item's answers in one transaction: all verdicts are written, or none.</summary>
    public async Task<ItemReviewResult> DecideAsync(Actor actor, long itemId, ItemReviewRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var item = await db.Items.AsNoTracking().Where(i => i.Id == itemId).Select(i => new { i.ProjectId, i.Data }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Item");
        var project = await ReviewService.LoadForReviewAsync(db, actor, item.ProjectId, ct);

        var verdicts = request.Verdicts ?? [];
        var errors = new ValidationErrors();
        if (verdicts.Count == 0)
        {
            errors.Add("verdicts", "Decide on at least one answer.");
        }
        var ids = verdicts.Select(v => v.AnnotationId).ToList();
        var annotations = await db.Annotations.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        for (var i = 0; i < verdicts.Count; i++)
        {
            var verdict = verdicts[i];
            var key = $"verdicts[{i}]";
            if (!Enum.IsDefined(verdict.Decision))
            {
                errors.Add(key, "Decisions: Accepted, FixedAndAccepted, Rejected.");
            }
            if (ids.IndexOf(verdict.AnnotationId) != i)
            {
                errors.Add(key, $"Answer {verdict.AnnotationId} is decided twice.");
            }
            else if (!annotations.TryGetValue(verdict.AnnotationId, out var annotation) || annotation.ItemId != itemId)
            {
                errors.Add(key, $"Answer {verdict.AnnotationId} is not an answer to item {itemId}.");
            }
            else if (annotation.AnnotatorId == actor.UserId)
            {
                errors.Add(key, "You cannot review your own answer.");
            }
        }
        if (verdicts.Any(v => v.Decision == ReviewDecision.Rejected) && string.IsNullOrWhiteSpace(request.Comment))
        {
            errors.Add("comment", "Say why the answer is rejected, so the annotator can learn from it.");
        }
        if (request.Comment?.Length > 2000)
        {
            errors.Add("comment", "A comment has at most 2,000 characters.");
        }
        var fixes = verdicts.Any(v => v.Decision == ReviewDecision.FixedAndAccepted);
        if (fixes && request.Answer is null)
        {
            errors.Add("answer", "A fix needs the corrected answer.");
        }
        errors.ThrowIfAny();
        if (fixes)
        {
            AnnotationValidator.Validate(project.Schema, request.Answer!, item.Data);
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var results = new List<ReviewResult>();
        foreach (var verdict in verdicts)
        {
            // A conflict on any answer leaves the whole item as it was (the transaction is not committed).
            var (review, currentId) = await ReviewService.WriteDecisionAsync(
                db, actor, project, annotations[verdict.AnnotationId], verdict.Decision, request.Comment, request.Answer, now, ct);
            results.Add(new ReviewResult(review.Id, review.Decision, currentId));
        }
        await transaction.CommitAsync(ct);
        return new ItemReviewResult(itemId, results);
    }

    /// <summary>
    /// Accepts every waiting answer on items where at least two answers agree on every field, a batch of items per
    /// transaction so that annotators' writes never wait long. A dry run only counts.
    /// </summary>
    public async Task<AcceptUnanimousResult> AcceptUnanimousAsync(Actor actor, Guid projectId, AcceptUnanimousRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await ReviewService.LoadForReviewAsync(db, actor, projectId, ct);
        var waiting = Waiting(db, actor, projectId, annotatorId: null);
        long cursor = 0;
        int items = 0, accepted = 0;
        while (true)
        {
            var ids = await waiting.Where(a => a.ItemId > cursor).Select(a => a.ItemId).Distinct().OrderBy(id => id).Take(ScanBatch).ToListAsync(ct);
            if (ids.Count == 0)
            {
                break;
            }
            cursor = ids[^1];
            var toAccept = (await CurrentAnswersAsync(db, ids, ct))
                .GroupBy(a => a.ItemId)
                .Where(g => ItemConsensus.Of(project.Schema, [.. g.Select(a => new ConsensusAnswer(a.Id, a.Values))]).Unanimous)
                .Select(g => g.Where(a => a.ReviewStatus == ReviewStatus.Unreviewed && a.AnnotatorId != actor.UserId).ToList())
                .Where(g => g.Count > 0)
                .ToList();
            if (!request.DryRun && toAccept.Count > 0)
            {
                await AcceptBatchAsync(db, actor, project, toAccept, ct);
            }
            items += toAccept.Count;
            accepted += toAccept.Sum(g => g.Count);
        }
        return new AcceptUnanimousResult(items, accepted, request.DryRun);
    }

    private async Task AcceptBatchAsync(LabelHubDbContext db, Actor actor, Project project, List<List<Annotation>> items, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        foreach (var answer in items.SelectMany(g => g))
        {
            try
            {
                // A claim that finds the answer decided writes nothing, so the rest of the batch goes on.
                await ReviewService.WriteDecisionAsync(db, actor, project, answer, ReviewDecision.Accepted, null, null, now, ct);
            }
            catch (ConflictException)
            {
                // Decided by someone else since it was read: theirs stands.
            }
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>Answers waiting for this reviewer: current, not reviewed, not their own.</summary>
    private static IQueryable<Annotation> Waiting(LabelHubDbContext db, Actor actor, Guid projectId, Guid? annotatorId)
    {
        var waiting = db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus == ReviewStatus.Unreviewed && a.AnnotatorId != actor.UserId);
        return annotatorId is { } id ? waiting.Where(a => a.AnnotatorId == id) : waiting;
    }

    /// <summary>Every current answer to the items that still counts (rejected ones are out).</summary>
    private static Task<List<Annotation>> CurrentAnswersAsync(LabelHubDbContext db, List<long> itemIds, CancellationToken ct) =>
        db.Annotations.AsNoTracking()
            .Where(a => itemIds.Contains(a.ItemId) && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
            .ToListAsync(ct);

    private static bool UsesLabel(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> values, string label) =>
        schema.Fields.Any(field => AnswerCodec.Read(field, values).Value switch
        {
            ChoiceAnswer c => c.Label == label,
            MultiChoiceAnswer m => m.Labels.Contains(label),
            SpansAnswer s => s.Spans.Any(span => span.Label == label),
            BoxesAnswer b => b.Boxes.Any(box => box.Label == label),
            _ => false,
        });
}
