using System.Data;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

/// <param name="TasksLeft">Items this annotator could still be given, counted up to <see cref="MyWorkService.TasksLeftCap"/>.</param>
/// <param name="GoldAccuracy">Share of their check items answered as the gold answer says; null when the project does not show it, or none was answered.</param>
public sealed record MyWork(
    int TasksLeft, bool TasksLeftCapped, int DoneToday, int DoneTotal, int GoldAnswered, double? GoldAccuracy,
    IReadOnlyList<MyAnswer> Rejected, IReadOnlyList<MyAnswer> Recent);

/// <summary>One of the annotator's current answers, with the item it answers and, when reviewed, the reviewer's word.</summary>
public sealed record MyAnswer(
    long AnnotationId, long ItemId, int Version, DateTimeOffset CreatedAt, ReviewStatus Status, bool CanRevise,
    string? ReviewComment, string? Reviewer, DateTimeOffset? ReviewedAt,
    Dictionary<string, JsonElement> Values, Dictionary<string, JsonElement> ItemData)
{
    /// <summary>Where a synthetic item came from (shown above it while revising); null for a collected item.</summary>
    public SyntheticOrigin? Synthetic { get; init; }
}

public sealed record ReviseRequest(Dictionary<string, JsonElement> Values, int? DurationMs = null);

/// <summary>
/// An annotator's own view of their work in a project: what is left, what they did today, how they do on check items,
/// which answers a reviewer sent back and why; and a new version of one of their answers — to redo a rejected one or
/// correct one not reviewed yet. A revised answer goes back to the review queue unreviewed.
/// </summary>
public sealed class MyWorkService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public const int TasksLeftCap = 10_000;
    public const int RecentCount = 50;

    /// <param name="utcOffsetMinutes">The annotator's clock (minutes ahead of UTC), so "today" is their day.</param>
    public async Task<MyWork> GetAsync(Actor actor, Guid projectId, int utcOffsetMinutes = 0, CancellationToken ct = default)
    {
        if (utcOffsetMinutes is < -14 * 60 or > 14 * 60)
        {
            throw new ValidationException("utcOffsetMinutes", "A UTC offset is between -840 and 840 minutes.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetVisibleAsync(actor, projectId, ct);
        var me = actor.UserId;
        var offset = TimeSpan.FromMinutes(utcOffsetMinutes);
        var now = clock.GetUtcNow().ToOffset(offset);
        var startOfDay = new DateTimeOffset(now.Date, offset).ToUniversalTime();

        // Open items with a slot free that this annotator has not had (an expired lease does not count).
        var left = await db.Items.Where(i => i.ProjectId == projectId && i.TakenSlots < project.Overlap
                && !db.Assignments.Any(a => a.ItemId == i.Id && a.UserId == me && a.State != AssignmentState.Expired))
            .Take(TasksLeftCap + 1).CountAsync(ct);
        var mine = db.Annotations.Where(a => a.ProjectId == projectId && a.AnnotatorId == me && a.IsCurrent);
        var doneTotal = await mine.CountAsync(ct);
        var doneToday = await db.Annotations.Where(a => a.ProjectId == projectId && a.AnnotatorId == me && a.Version == 1 && a.CreatedAt >= startOfDay)
            .Select(a => a.ItemId).Distinct().CountAsync(ct);

        var (goldAnswered, goldAccuracy) = project.Labeling.ShowGoldFeedback ? await GoldScoreAsync(db, project, me, ct) : (0, null);
        var rejected = await AnswersAsync(db, project, mine.Where(a => a.ReviewStatus == ReviewStatus.Rejected).OrderByDescending(a => a.Id), RecentCount, ct);
        var recent = await AnswersAsync(db, project, mine.OrderByDescending(a => a.Id), RecentCount, ct);
        return new MyWork(Math.Min(left, TasksLeftCap), left > TasksLeftCap, doneToday, doneTotal, goldAnswered, goldAccuracy, rejected, recent);
    }

    /// <summary>How many of the caller's current answers in the project a reviewer rejected (the labeling page says so).</summary>
    public async Task<int> RejectedCountAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Annotations.CountAsync(a => a.ProjectId == projectId && a.AnnotatorId == actor.UserId && a.IsCurrent && a.ReviewStatus == ReviewStatus.Rejected, ct);
    }

    /// <summary>
    /// A new version of the annotator's own current answer: validated like a submit, unreviewed, back in the review queue.
    /// A rejected answer whose slot was given back takes the slot again while the item still has one free.
    /// </summary>
    public async Task<MyAnswer> ReviseAsync(Actor actor, long annotationId, ReviseRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var current = await db.Annotations.SingleOrDefaultAsync(a => a.Id == annotationId && a.AnnotatorId == actor.UserId, ct)
            ?? throw new NotFoundException("Answer");
        var project = await db.GetVisibleAsync(actor, current.ProjectId, ct);
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == current.ItemId, ct);
        if (!current.IsCurrent)
        {
            throw new ConflictException("This answer has a newer version; open that one.");
        }
        if (current.ReviewStatus == ReviewStatus.Accepted)
        {
            throw new ConflictException("A reviewer accepted this answer; it can no longer be changed.");
        }
        if (item.IsGold && project.Labeling.ShowGoldFeedback)
        {
            throw new ConflictException("This was a check item and its expected answer was shown; the answer stays as given.");
        }
        AnnotationValidator.Validate(project.Schema, request.Values, item.Data);
        if (request.DurationMs is < 0)
        {
            throw new ValidationException("durationMs", "Time spent cannot be negative.");
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        current.IsCurrent = false;
        var revised = new Annotation
        {
            ProjectId = current.ProjectId,
            ItemId = current.ItemId,
            AnnotatorId = actor.UserId,
            AuthorId = actor.UserId,
            Version = current.Version + 1,
            IsCurrent = true,
            Reason = AnnotationReason.Edit,
            Values = request.Values,
            GuidelineVersion = await db.GuidelineAcknowledgements.Where(g => g.ProjectId == current.ProjectId && g.UserId == actor.UserId).MaxAsync(g => (int?)g.Version, ct),
            DurationMs = request.DurationMs,
            AssignmentId = current.AssignmentId,
            ReviewStatus = ReviewStatus.Unreviewed,
            CreatedAt = now,
        };
        db.Annotations.Add(revised);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("This answer was changed at the same time elsewhere. Reload and try again.");
        }
        // A rejected answer whose slot went back to the pool takes it again, if nobody has filled it meanwhile.
        if (current.ReviewStatus == ReviewStatus.Rejected && current.AssignmentId is { } assignmentId
            && await db.Items.Where(i => i.Id == current.ItemId && i.TakenSlots < project.Overlap)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, i => i.TakenSlots + 1), ct) == 1)
        {
            await db.Assignments.Where(a => a.Id == assignmentId && a.State == AssignmentState.Rejected)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Submitted), ct);
        }
        await transaction.CommitAsync(ct);
        var synthetic = item.SyntheticGeneratorId is null ? [] : await SyntheticOrigin.OfItemsAsync(db, [item.Id], ct);
        return ToAnswer(revised, item.Data, review: null, reviewer: null, CanRevise(revised, item.IsGold, project)) with { Synthetic = synthetic.GetValueOrDefault(item.Id) };
    }

    private static bool CanRevise(Annotation answer, bool isGold, Project project) =>
        answer.IsCurrent && answer.ReviewStatus != ReviewStatus.Accepted && !(isGold && project.Labeling.ShowGoldFeedback);

    private static async Task<(int Answered, double? Accuracy)> GoldScoreAsync(LabelHubDbContext db, Project project, Guid me, CancellationToken ct)
    {
        var answers = await db.Annotations.AsNoTracking()
            // The first answer scores: later versions, written after the gold answer may have been shown, do not.
            .Where(a => a.ProjectId == project.Id && a.AnnotatorId == me && a.Version == 1)
            .Join(db.Items.Where(i => i.IsGold), a => a.ItemId, i => i.Id, (a, i) => new { a.Values, i.GoldAnswer })
            .ToListAsync(ct);
        return answers.Count == 0
            ? (0, null)
            : (answers.Count, answers.Count(a => GoldService.Matches(project.Schema, a.GoldAnswer, a.Values)) / (double)answers.Count);
    }

    private async Task<List<MyAnswer>> AnswersAsync(LabelHubDbContext db, Project project, IQueryable<Annotation> answers, int count, CancellationToken ct)
    {
        var rows = await answers.AsNoTracking().Take(count)
            .Join(db.Items, a => a.ItemId, i => i.Id, (a, i) => new { Answer = a, i.Data, i.IsGold })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Answer.Id).ToList();
        var reviews = (await db.Reviews.AsNoTracking().Where(r => ids.Contains(r.AnnotationId)).ToListAsync(ct))
            .GroupBy(r => r.AnnotationId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Id)!);
        var reviewerIds = reviews.Values.Select(r => r.ReviewerId).Distinct().ToList();
        var reviewers = await db.Users.AsNoTracking().Where(u => reviewerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.UserName ?? "", ct);
        var synthetic = await SyntheticOrigin.OfItemsAsync(db, [.. rows.Select(r => r.Answer.ItemId).Distinct()], ct);
        return [.. rows.OrderByDescending(r => r.Answer.Id).Select(r =>
        {
            var review = reviews.GetValueOrDefault(r.Answer.Id);
            return ToAnswer(r.Answer, r.Data, review, review is null ? null : reviewers.GetValueOrDefault(review.ReviewerId), CanRevise(r.Answer, r.IsGold, project))
                with { Synthetic = synthetic.GetValueOrDefault(r.Answer.ItemId) };
        })];
    }

    private static MyAnswer ToAnswer(Annotation a, Dictionary<string, JsonElement> itemData, Review? review, string? reviewer, bool canRevise) =>
        new(a.Id, a.ItemId, a.Version, a.CreatedAt, a.ReviewStatus, canRevise, review?.Comment, reviewer, review?.CreatedAt, a.Values, itemData);
}
