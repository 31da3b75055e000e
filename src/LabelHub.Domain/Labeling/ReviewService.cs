using System.Data;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

public sealed record ReviewQueueEntry(
    long AnnotationId, long ItemId, Dictionary<string, JsonElement> ItemData, Guid AnnotatorId, string AnnotatorName,
    int Version, Dictionary<string, JsonElement> Values, int? DurationMs, int? GuidelineVersion, DateTimeOffset CreatedAt)
{
    /// <summary>Where a synthetic item came from (shown above it); null for a collected item.</summary>
    public SyntheticOrigin? Synthetic { get; init; }
}

public sealed record ReviewQueuePage(IReadOnlyList<ReviewQueueEntry> Entries, int Remaining, long? NextAfter);

public sealed record ReviewRequest(ReviewDecision Decision, string? Comment = null, Dictionary<string, JsonElement>? Values = null);

public sealed record ReviewResult(long ReviewId, ReviewDecision Decision, long CurrentAnnotationId);

public sealed record AnnotationVersionInfo(
    long AnnotationId, int Version, bool IsCurrent, AnnotationReason Reason, ReviewStatus ReviewStatus, string AuthorName,
    Dictionary<string, JsonElement> Values, string? Comment, int? GuidelineVersion, DateTimeOffset CreatedAt);

public sealed record ReviewInfo(long ReviewId, ReviewDecision Decision, string ReviewerName, string? Comment, long AnnotationId, long? FixedAnnotationId, DateTimeOffset CreatedAt);

/// <summary>One annotator's answer for one item: every version and every review of it.</summary>
public sealed record AnnotationHistory(long ItemId, Guid AnnotatorId, string AnnotatorName, IReadOnlyList<AnnotationVersionInfo> Versions, IReadOnlyList<ReviewInfo> Reviews);

/// <summary>
/// Reviewers accept, fix-and-accept or reject submitted answers. Every decision is a review row; a fix is a new
/// annotation version written by the reviewer; nothing is overwritten.
/// </summary>
public sealed class ReviewService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public async Task<ReviewQueuePage> QueueAsync(Actor actor, Guid projectId, long? after = null, int limit = 20, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await LoadForReviewAsync(db, actor, projectId, ct);
        var pending = db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.IsCurrent && a.ReviewStatus == ReviewStatus.Unreviewed && a.AnnotatorId != actor.UserId);
        var page = await pending.Where(a => a.Id > (after ?? 0))
            .OrderBy(a => a.Id)
            .Take(Math.Clamp(limit, 1, 100))
            .Join(db.Items, a => a.ItemId, i => i.Id, (a, i) => new { Annotation = a, i.Data })
            .ToListAsync(ct);
        var names = await UserNamesAsync(db, page.Select(p => p.Annotation.AnnotatorId), ct);
        var synthetic = await SyntheticOrigin.OfItemsAsync(db, [.. page.Select(p => p.Annotation.ItemId).Distinct()], ct);
        var entries = page.Select(p => new ReviewQueueEntry(
            p.Annotation.Id, p.Annotation.ItemId, p.Data, p.Annotation.AnnotatorId, names.GetValueOrDefault(p.Annotation.AnnotatorId, "?"),
            p.Annotation.Version, p.Annotation.Values, p.Annotation.DurationMs, p.Annotation.GuidelineVersion, p.Annotation.CreatedAt)
        {
            Synthetic = synthetic.GetValueOrDefault(p.Annotation.ItemId),
        }).ToList();
        return new ReviewQueuePage(entries, await pending.CountAsync(ct), entries.Count == 0 ? null : entries[^1].AnnotationId);
    }

    public async Task<ReviewResult> DecideAsync(Actor actor, long annotationId, ReviewRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var annotation = await db.Annotations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == annotationId, ct) ?? throw new NotFoundException("Annotation");
        var project = await LoadForReviewAsync(db, actor, annotation.ProjectId, ct);
        if (annotation.AnnotatorId == actor.UserId)
        {
            throw new ForbiddenException("You cannot review your own answer.");
        }
        var errors = new ValidationErrors();
        if (!Enum.IsDefined(request.Decision))
        {
            errors.Add("decision", "Decisions: Accepted, FixedAndAccepted, Rejected.");
        }
        if (request.Decision == ReviewDecision.Rejected && string.IsNullOrWhiteSpace(request.Comment))
        {
            errors.Add("comment", "Say why the answer is rejected, so the annotator can learn from it.");
        }
        if (request.Comment?.Length > 2000)
        {
            errors.Add("comment", "A comment has at most 2,000 characters.");
        }
        if (request.Decision == ReviewDecision.FixedAndAccepted && request.Values is null)
        {
            errors.Add("values", "A fix needs the corrected answer.");
        }
        errors.ThrowIfAny();
        if (request.Decision == ReviewDecision.FixedAndAccepted)
        {
            var itemData = await db.Items.AsNoTracking().Where(i => i.Id == annotation.ItemId).Select(i => i.Data).SingleAsync(ct);
            AnnotationValidator.Validate(project.Schema, request.Values!, itemData);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var (review, currentId) = await WriteDecisionAsync(db, actor, project, annotation, request.Decision, request.Comment, request.Values, clock.GetUtcNow(), ct);
        await transaction.CommitAsync(ct);
        return new ReviewResult(review.Id, review.Decision, currentId);
    }

    /// <summary>
    /// Writes one decision inside the caller's transaction: claims the answer (only its current, unreviewed version
    /// can be decided on, so two reviewers never both decide), writes the fix as a new version, gives a rejected
    /// answer's slot back to the pool when the project says so, and records the review.
    /// </summary>
    internal static async Task<(Review Review, long CurrentAnnotationId)> WriteDecisionAsync(
        LabelHubDbContext db, Actor actor, Project project, Annotation annotation, ReviewDecision decision, string? comment,
        Dictionary<string, JsonElement>? fixedValues, DateTimeOffset now, CancellationToken ct)
    {
        var status = decision == ReviewDecision.Rejected ? ReviewStatus.Rejected : ReviewStatus.Accepted;
        var claimed = await db.Annotations
            .Where(a => a.Id == annotation.Id && a.IsCurrent && a.ReviewStatus == ReviewStatus.Unreviewed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.ReviewStatus, status)
                .SetProperty(a => a.IsCurrent, decision != ReviewDecision.FixedAndAccepted), ct);
        if (claimed == 0)
        {
            throw new ConflictException("This answer was already reviewed or changed. Reload the review queue.");
        }
        var currentId = annotation.Id;
        Annotation? fix = null;
        if (decision == ReviewDecision.FixedAndAccepted)
        {
            fix = new Annotation
            {
                ProjectId = annotation.ProjectId,
                ItemId = annotation.ItemId,
                AnnotatorId = annotation.AnnotatorId,
                AuthorId = actor.UserId,
                Version = annotation.Version + 1,
                IsCurrent = true,
                Reason = AnnotationReason.ReviewFix,
                Comment = comment?.Trim(),
                Values = fixedValues!,
                GuidelineVersion = annotation.GuidelineVersion,
                AssignmentId = annotation.AssignmentId,
                ReviewStatus = ReviewStatus.Accepted,
                CreatedAt = now,
            };
            db.Annotations.Add(fix);
            await db.SaveChangesAsync(ct);
            currentId = fix.Id;
        }
        if (decision == ReviewDecision.Rejected && project.Labeling.RequeueRejected && annotation.AssignmentId is { } assignmentId)
        {
            // The slot goes back to the pool; the annotator's row stays, so the item goes to someone else.
            var requeued = await db.Assignments
                .Where(a => a.Id == assignmentId && a.State == AssignmentState.Submitted)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Rejected), ct);
            if (requeued == 1)
            {
                await db.Items.Where(i => i.Id == annotation.ItemId).ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.TakenSlots, i => i.TakenSlots - 1)
                    .SetProperty(i => i.SubmittedCount, i => i.SubmittedCount - 1), ct);
            }
        }
        var review = new Review
        {
            ProjectId = annotation.ProjectId,
            ItemId = annotation.ItemId,
            AnnotatorId = annotation.AnnotatorId,
            AnnotationId = annotation.Id,
            FixedAnnotationId = fix?.Id,
            ReviewerId = actor.UserId,
            Decision = decision,
            Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(),
            CreatedAt = now,
        };
        db.Reviews.Add(review);
        await db.SaveChangesAsync(ct);
        return (review, currentId);
    }

    /// <summary>Every version and review of one annotator's answer. Annotators see only their own.</summary>
    public async Task<AnnotationHistory> HistoryAsync(Actor actor, long itemId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var projectId = await db.Items.Where(i => i.Id == itemId).Select(i => (Guid?)i.ProjectId).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("Item");
        await db.GetVisibleAsync(actor, projectId, ct);
        if (annotatorId != actor.UserId && !actor.IsReviewer)
        {
            // Blind labeling: other annotators' answers stay hidden.
            throw new NotFoundException("Annotation");
        }
        var versions = await db.Annotations.AsNoTracking()
            .Where(a => a.ItemId == itemId && a.AnnotatorId == annotatorId)
            .OrderBy(a => a.Version)
            .ToListAsync(ct);
        if (versions.Count == 0)
        {
            throw new NotFoundException("Annotation");
        }
        var reviews = await db.Reviews.AsNoTracking()
            .Where(r => r.ItemId == itemId && r.AnnotatorId == annotatorId)
            .OrderBy(r => r.Id)
            .ToListAsync(ct);
        var names = await UserNamesAsync(db, versions.Select(v => v.AuthorId).Concat(reviews.Select(r => r.ReviewerId)).Append(annotatorId), ct);
        return new AnnotationHistory(
            itemId, annotatorId, names.GetValueOrDefault(annotatorId, "?"),
            [.. versions.Select(v => new AnnotationVersionInfo(v.Id, v.Version, v.IsCurrent, v.Reason, v.ReviewStatus, names.GetValueOrDefault(v.AuthorId, "?"), v.Values, v.Comment, v.GuidelineVersion, v.CreatedAt))],
            [.. reviews.Select(r => new ReviewInfo(r.Id, r.Decision, names.GetValueOrDefault(r.ReviewerId, "?"), r.Comment, r.AnnotationId, r.FixedAnnotationId, r.CreatedAt))]);
    }

    internal static async Task<Project> LoadForReviewAsync(LabelHubDbContext db, Actor actor, Guid projectId, CancellationToken ct)
    {
        var project = await db.GetVisibleAsync(actor, projectId, ct);
        if (!actor.IsReviewer)
        {
            throw new ForbiddenException("Only reviewers, managers and admins review answers.");
        }
        return project;
    }

    internal static async Task<Dictionary<Guid, string>> UserNamesAsync(LabelHubDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => distinct.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.UserName ?? u.Id.ToString(), ct);
    }
}
