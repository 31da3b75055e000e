using System.Data;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

/// <summary>A model's proposal shown with the task; accepting it counts as the annotator's own answer.</summary>
public sealed record Suggestion(long PredictionId, string ModelVersion, double? Score, Dictionary<string, JsonElement> Values);

/// <summary>
/// What an annotator gets: the item, their autosaved draft, the model's suggestions and the guideline version in
/// force. Never another annotator's answer, never a gold answer.
/// </summary>
/// <param name="Synthetic">Where a synthetic item came from; null for a collected item.</param>
public sealed record LabelingTask(
    long AssignmentId,
    long ItemId,
    Dictionary<string, JsonElement> Data,
    DateTimeOffset LeaseExpiresAt,
    Dictionary<string, JsonElement>? Draft = null,
    IReadOnlyList<Suggestion>? Suggestions = null,
    int? GuidelineVersion = null,
    SyntheticOrigin? Synthetic = null);

/// <param name="Values">The answer, keyed by schema field name.</param>
/// <param name="DurationMs">Time the annotator spent on the task.</param>
/// <param name="GuidelineVersion">Informational only: the server records the guideline version the annotator acknowledged.</param>
/// <param name="PredictionId">The suggestion the annotator accepted, if the answer came from one.</param>
public sealed record SubmitRequest(Dictionary<string, JsonElement> Values, int? DurationMs = null, int? GuidelineVersion = null, long? PredictionId = null);

/// <param name="GoldAnswer">For a gold item in a project that shows gold feedback: the correct answer.</param>
/// <param name="GuidelineToAcknowledge">
/// A guideline version published since the annotator last acknowledged one: the next task comes only after they read
/// it (a page that reserved the next task in advance shows the guideline instead).
/// </param>
public sealed record SubmitResult(long AnnotationId, int Version, bool AlreadySubmitted, Dictionary<string, JsonElement>? GoldAnswer = null, int? GuidelineToAcknowledge = null);

/// <summary>The annotator must read and acknowledge this guideline version before the next task.</summary>
public sealed class GuidelineAcknowledgementRequiredException(int version)
    : DomainException($"Guideline version {version} is new: read it and acknowledge it before the next task.")
{
    public int Version { get; } = version;
}

public sealed class TaskLimitReachedException(int limit)
    : DomainException($"You reached this project's limit of {limit} tasks per annotator.")
{
    public int Limit { get; } = limit;
}

/// <summary>
/// Hands out tasks and takes answers back. Every hand-out is one short transaction that locks the item row
/// (PostgreSQL: one statement, FOR NO KEY UPDATE SKIP LOCKED; SQLite: the single IMMEDIATE writer transaction), so an
/// item never has more than its overlap of distinct annotators, and the unique (item, user) index means nobody gets
/// the same item twice. This file holds the API and the rules that do not depend on the database; the steps that do
/// (pick and lease, submit claim, reclaim expired leases) are an <see cref="ITaskStore"/> implemented twice, side by
/// side: TaskDistributor.Postgres.cs and TaskDistributor.Sqlite.cs. See docs/decisions/0002-task-distribution.md and
/// 0005-distribution-speed.md.
/// </summary>
public sealed partial class TaskDistributor(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    private const int MaxAttempts = 5;
    private const int ReclaimBatch = 200;
    private const int MaxSuggestions = 3;

    /// <summary>The golden ratio's fractional part spreads gold items evenly but irregularly through a queue.</summary>
    private const double GoldenRatio = 0.6180339887498949;

    /// <summary>
    /// The distribution steps whose implementation depends on the database, implemented exactly twice:
    /// <see cref="PostgresTaskStore"/> (one SQL statement each, ADR 0005) and <see cref="SqliteTaskStore"/> (EF Core inside
    /// the IMMEDIATE writer transaction). Both files have these members in this order, so a rule added to one is visibly
    /// missing from the other; rules that do not depend on the database belong in this file. One instance per provider,
    /// so choosing a store allocates nothing.
    /// </summary>
    private interface ITaskStore
    {
        /// <summary>Whether a call holds one connection from its first statement to its last (<see cref="HeldConnection"/>).</summary>
        bool HoldsConnection { get; }

        /// <summary>
        /// Hand-out: when <paramref name="reclaimExpiredFirst"/>, frees the project's expired leases first. Then picks the
        /// first of: on the user's gold turn, a gold item they have not had (gold items ignore the overlap); the fullest open
        /// item they have not had, then by priority, then oldest; under "requeue to me", their own oldest skipped item that
        /// is gold or has a free slot. Leases it (taking up their expired or skipped row for it) and counts the slot. With
        /// <paramref name="goldOnly"/> (a crowd member's qualification) only the gold pick is tried. Null when nothing is
        /// left; a <see cref="DbUpdateException"/> when a concurrent call of the same user got there first.
        /// </summary>
        Task<LabelingTask?> PickAndLeaseAsync(
            LabelHubDbContext db, Project project, Guid userId, bool goldTurn, bool goldOnly, bool reclaimExpiredFirst, DateTimeOffset now, int? guidelineVersion,
            CancellationToken ct);

        /// <summary>
        /// Submit claim: only a still-leased assignment turns into a submission, with the first version of the answer, and
        /// the item counts it. The new annotation's id, or null when the assignment was no longer leased (a concurrent
        /// duplicate won, or it expired or was skipped).
        /// </summary>
        Task<long?> ClaimSubmitAsync(
            LabelHubDbContext db, Actor actor, Assignment assignment, SubmitRequest request, int? guidelineVersion, DateTimeOffset now,
            CancellationToken ct);

        /// <summary>
        /// Reclaim: up to <see cref="ReclaimBatch"/> expired leases (of one project, or of every project when null) become
        /// Expired and give their slot back, each at most once. Returns how many.
        /// </summary>
        Task<int> ReclaimExpiredAsync(LabelHubDbContext db, Guid? projectId, DateTimeOffset now, CancellationToken ct);
    }

    /// <summary>The task on screen and the one prefetched behind it: a user never holds more leases than this in a project.</summary>
    public const int MaxHeldLeases = 2;

    /// <summary>
    /// Checked by both stores inside the hand-out's transaction, after the same user's other hand-outs are shut out (SQLite:
    /// the one writer; PostgreSQL: an advisory lock per user and project), so parallel calls cannot each add a lease. A
    /// full hand is a lost race: the retry finds a held lease and returns it.
    /// </summary>
    private static async Task ThrowIfHoldingMaxLeasesAsync(LabelHubDbContext db, Guid projectId, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        var held = await db.Assignments.CountAsync(
            a => a.ProjectId == projectId && a.UserId == userId && a.State == AssignmentState.Leased && a.LeaseExpiresAt > now, ct);
        if (held >= MaxHeldLeases)
        {
            throw new DbUpdateException("A concurrent hand-out of the same user filled their leases.");
        }
    }

    private static ITaskStore StoreFor(LabelHubDbContext db) =>
        db.Provider == DatabaseProvider.Postgres ? PostgresTaskStore.Instance : SqliteTaskStore.Instance;

    public Task<LabelingTask?> NextAsync(Actor actor, Guid projectId, CancellationToken ct = default) =>
        NextBesidesAsync(actor, projectId, besides: null, ct);

    /// <summary>
    /// Reserves the task after the one on screen, so the workbench can show it the moment the current one is
    /// submitted. Returns null when there is none (or the annotator's task limit leaves no room for it).
    /// </summary>
    public async Task<LabelingTask?> PrefetchAsync(Actor actor, Guid projectId, long currentAssignmentId, CancellationToken ct = default)
    {
        try
        {
            return await NextBesidesAsync(actor, projectId, currentAssignmentId, ct);
        }
        catch (TaskLimitReachedException)
        {
            return null;
        }
    }

    private async Task<LabelingTask?> NextBesidesAsync(Actor actor, Guid projectId, long? besides, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryNextAsync(actor, projectId, besides, ct);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Lost a race for the same (item, user) pair, e.g. one user's two tabs; take another look.
            }
        }
    }

    private async Task<LabelingTask?> TryNextAsync(Actor actor, Guid projectId, long? besides, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var store = StoreFor(db);
        await using var connection = await HeldConnection.OpenAsync(db, store.HoldsConnection, ct);
        var now = clock.GetUtcNow();
        var context = await ReadHandOutContextAsync(db, actor, projectId, besides, now, ct)
            ?? throw await NotReachedAsync(db, actor, projectId, ct);
        if (context.Project.ArchivedAt is not null)
        {
            throw new ConflictException("This project is archived: it hands out no tasks.");
        }
        if (context.LatestGuideline is { } latest && !(context.AcknowledgedGuideline >= latest))
        {
            throw new GuidelineAcknowledgementRequiredException(latest);
        }

        // Only a crowd member still in qualification (gold only) or failed (nothing) costs the gate's own reads.
        var goldOnly = context.InQualification && await CrowdGateAsync(db, context.Project, actor.UserId, ct);

        // A task already reserved for this user comes back first, so reloading the page costs no slot.
        if (context.HeldAssignmentId is { } heldId)
        {
            var held = await db.Assignments.AsNoTracking().SingleAsync(a => a.Id == heldId, ct);
            return await ToTaskAsync(db, held, context.LatestGuideline, ct);
        }

        var project = context.Project;
        var settings = project.Labeling;
        // Counted only when a rule needs it: the count grows with the annotator's history.
        var handedOut = settings.MaxTasksPerAnnotator is not null || settings.GoldRate > 0
            ? await db.Assignments.CountAsync(a => a.ProjectId == projectId && a.UserId == actor.UserId
                && (a.State == AssignmentState.Submitted || a.State == AssignmentState.Leased), ct)
            : 0;
        if (settings.MaxTasksPerAnnotator is { } limit && handedOut >= limit)
        {
            throw new TaskLimitReachedException(limit);
        }
        var goldTurn = goldOnly || GoldTurn(actor.UserId, handedOut, settings.GoldRate);
        return await store.PickAndLeaseAsync(db, project, actor.UserId, goldTurn, goldOnly, reclaimExpiredFirst: context.AnyExpired, now, context.LatestGuideline, ct);
    }

    /// <summary>
    /// Whether the user's next hand-out should be a gold item. The golden-ratio sequence (shifted per user) lands
    /// below the rate at exactly that share of positions, spread evenly but without a pattern an annotator could learn.
    /// </summary>
    public static bool GoldTurn(Guid userId, int handedOut, double goldRate)
    {
        if (goldRate <= 0)
        {
            return false;
        }
        var x = (handedOut * GoldenRatio) + ((userId.GetHashCode() & 0xFFFF) / 65536.0);
        return x - Math.Floor(x) < goldRate;
    }

    public async Task<SubmitResult> SubmitAsync(Actor actor, long assignmentId, SubmitRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var store = StoreFor(db);
        await using var connection = await HeldConnection.OpenAsync(db, store.HoldsConnection, ct);
        var context = await ReadSubmitContextAsync(db, actor, assignmentId, ct);
        var assignment = context.Assignment;
        var project = context.Project ?? throw new NotFoundException("Project");
        AnnotationValidator.Validate(project.Schema, request.Values, context.ItemData);
        if (request.DurationMs is < 0)
        {
            throw new ValidationException("durationMs", "Time spent cannot be negative.");
        }
        if (request.PredictionId is { } predictionId && !await db.Predictions.AnyAsync(p => p.Id == predictionId && p.ItemId == assignment.ItemId, ct))
        {
            throw new ValidationException("predictionId", "No suggestion with this id belongs to this item.");
        }
        var goldFeedback = context.IsGold && project.Labeling.ShowGoldFeedback ? context.GoldAnswer : null;
        var result = await SaveAnswerAsync(db, store, actor, context, request, goldFeedback, ct);
        return context.LatestGuideline is { } latest && !(context.AcknowledgedGuideline >= latest) ? result with { GuidelineToAcknowledge = latest } : result;
    }

    private async Task<SubmitResult> SaveAnswerAsync(
        LabelHubDbContext db, ITaskStore store, Actor actor, SubmitContext context, SubmitRequest request,
        Dictionary<string, JsonElement>? goldFeedback, CancellationToken ct)
    {
        var assignment = context.Assignment;
        if (assignment.State == AssignmentState.Submitted)
        {
            return await ResubmitAsync(db, actor, assignment, request, context.AcknowledgedGuideline, goldFeedback, ct);
        }
        ThrowIfClosed(assignment);

        if (await store.ClaimSubmitAsync(db, actor, assignment, request, context.AcknowledgedGuideline, clock.GetUtcNow(), ct) is { } annotationId)
        {
            return new SubmitResult(annotationId, Version: 1, AlreadySubmitted: false, goldFeedback);
        }
        return await ResubmitAfterLostClaimAsync(db, actor, assignment.Id, request, context.AcknowledgedGuideline, goldFeedback, ct);
    }

    /// <summary>The assignment changed between reading it and claiming it: a concurrent submit won, or it expired or was skipped.</summary>
    private async Task<SubmitResult> ResubmitAfterLostClaimAsync(
        LabelHubDbContext db, Actor actor, long assignmentId, SubmitRequest request, int? guidelineVersion,
        Dictionary<string, JsonElement>? goldFeedback, CancellationToken ct)
    {
        var current = await db.Assignments.AsNoTracking().SingleAsync(a => a.Id == assignmentId, ct);
        ThrowIfClosed(current);
        return await ResubmitAsync(db, actor, current, request, guidelineVersion, goldFeedback, ct);
    }

    /// <summary>The same answer again is a no-op; a different answer is a new version of the annotator's own answer.</summary>
    private async Task<SubmitResult> ResubmitAsync(
        LabelHubDbContext db, Actor actor, Assignment assignment, SubmitRequest request, int? guidelineVersion,
        Dictionary<string, JsonElement>? goldFeedback, CancellationToken ct)
    {
        var current = await db.Annotations
            .Where(a => a.ItemId == assignment.ItemId && a.AnnotatorId == actor.UserId && a.IsCurrent)
            .SingleAsync(ct);
        if (SameValues(current.Values, request.Values))
        {
            return new SubmitResult(current.Id, current.Version, AlreadySubmitted: true, goldFeedback);
        }
        if (current.ReviewStatus != ReviewStatus.Unreviewed)
        {
            throw new ConflictException("This answer has been reviewed; it can no longer be changed here.");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        current.IsCurrent = false;
        var edit = OwnVersion(actor, assignment, request, current.Version + 1, AnnotationReason.Edit, guidelineVersion, clock.GetUtcNow());
        db.Annotations.Add(edit);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("This answer was changed at the same time elsewhere. Reload and try again.");
        }
        await transaction.CommitAsync(ct);
        return new SubmitResult(edit.Id, edit.Version, AlreadySubmitted: false, goldFeedback);
    }

    public async Task SkipAsync(Actor actor, long assignmentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignment = await LoadOwnAsync(db, actor, assignmentId, ct);
        if (assignment.State is AssignmentState.Skipped or AssignmentState.Expired or AssignmentState.Rejected)
        {
            return;
        }
        if (assignment.State == AssignmentState.Submitted)
        {
            throw new ConflictException("This task is already submitted.");
        }
        var project = await db.GetVisibleAsync(actor, assignment.ProjectId, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        // The row stays, marked skipped, so the item is not offered to this user again (under "requeue to me", only last).
        var skipped = await db.Assignments
            .Where(a => a.Id == assignmentId && a.State == AssignmentState.Leased)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AssignmentState.Skipped).SetProperty(a => a.CompletedAt, clock.GetUtcNow()), ct);
        // Under "ignore", the skip uses up its slot; otherwise the slot goes back to the pool.
        if (skipped == 1 && project.Labeling.SkipPolicy != SkipPolicy.Ignore)
        {
            await db.Items.Where(i => i.Id == assignment.ItemId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, i => i.TakenSlots - 1), ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Gives back the user's leases that hold no draft (all of them, or those listed) when they leave the labeling page
    /// or sign out, so the items go to others now instead of when the lease runs out: each lease ends at once and the
    /// next hand-out reclaims its slot (ADR 2). A lease with a draft is kept until it runs out, so the work so far comes
    /// back to its annotator first. Returns how many were released.
    /// </summary>
    public async Task<int> ReleaseAsync(Actor actor, IReadOnlyCollection<long>? assignmentIds, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var leases = db.Assignments.AsNoTracking().Where(a => a.UserId == actor.UserId && a.State == AssignmentState.Leased && a.LeaseExpiresAt > now);
        if (actor.ProjectScope is { } scope)
        {
            leases = leases.Where(a => a.ProjectId == scope);
        }
        if (assignmentIds is not null)
        {
            leases = leases.Where(a => assignmentIds.Contains(a.Id));
        }
        var empty = (await leases.Select(a => new { a.Id, a.Draft }).ToListAsync(ct))
            .Where(a => a.Draft is null || a.Draft.Count == 0).Select(a => a.Id).ToList();
        if (empty.Count == 0)
        {
            return 0;
        }
        return await db.Assignments
            .Where(a => empty.Contains(a.Id) && a.UserId == actor.UserId && a.State == AssignmentState.Leased)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LeaseExpiresAt, now), ct);
    }

    /// <summary>
    /// Autosaves the unsubmitted answer of a task the user holds. A draft's values are not validated (it is work in
    /// progress), but its keys must be fields of the schema: anything else is a malformed request, named in the refusal.
    /// </summary>
    public async Task SaveDraftAsync(Actor actor, long assignmentId, Dictionary<string, JsonElement> draft, CancellationToken ct = default)
    {
        if (JsonSerializer.Serialize(draft, JsonColumn.Options).Length > 1_000_000)
        {
            throw new ValidationException("draft", "A draft is at most 1 MB.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignment = await LoadOwnAsync(db, actor, assignmentId, ct);
        // A member removed from the project keeps their leases until they run out, but may no longer work on them.
        var project = await db.GetVisibleAsync(actor, assignment.ProjectId, ct);
        var errors = new ValidationErrors();
        foreach (var key in draft.Keys.Where(k => project.Schema.Field(k) is null))
        {
            errors.Add(key, "The label schema has no such field.");
        }
        errors.ThrowIfAny();
        var saved = await db.Assignments
            .Where(a => a.Id == assignment.Id && a.State == AssignmentState.Leased)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Draft, draft).SetProperty(a => a.DraftSavedAt, clock.GetUtcNow()), ct);
        if (saved == 0)
        {
            throw new ConflictException("This task is no longer yours to edit (submitted, skipped or expired).");
        }
    }

    /// <summary>
    /// Marks up to a batch of expired leases expired, giving each slot back only if this call made the change. On SQLite
    /// it belongs inside a transaction (the hand-out's, or one per batch here).
    /// </summary>
    public static Task<int> ReclaimExpiredAsync(LabelHubDbContext db, Guid? projectId, DateTimeOffset now, CancellationToken ct) =>
        StoreFor(db).ReclaimExpiredAsync(db, projectId, now, ct);

    /// <summary>Frees every expired lease in every project; the recurring job calls this.</summary>
    public async Task<int> ReclaimAllExpiredAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = 0;
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var reclaimed = await ReclaimExpiredAsync(db, null, clock.GetUtcNow(), ct);
            await transaction.CommitAsync(ct);
            total += reclaimed;
            if (reclaimed < ReclaimBatch)
            {
                return total;
            }
        }
    }

    /// <summary>A new current version of the annotator's own answer, written by the annotator.</summary>
    private static Annotation OwnVersion(
        Actor actor, Assignment assignment, SubmitRequest request, int version, AnnotationReason reason, int? guidelineVersion, DateTimeOffset now) => new()
        {
            ProjectId = assignment.ProjectId,
            ItemId = assignment.ItemId,
            AnnotatorId = actor.UserId,
            AuthorId = actor.UserId,
            Version = version,
            IsCurrent = true,
            Reason = reason,
            Values = request.Values,
            GuidelineVersion = guidelineVersion,
            DurationMs = request.DurationMs,
            AssignmentId = assignment.Id,
            PredictionId = request.PredictionId,
            CreatedAt = now,
        };

    private static void ThrowIfClosed(Assignment assignment)
    {
        switch (assignment.State)
        {
            case AssignmentState.Skipped:
                throw new ConflictException("This task was skipped; it can no longer be submitted.");
            case AssignmentState.Expired:
                throw new ConflictException("Your reservation of this task expired and it went back to the pool. Take the next task.");
            case AssignmentState.Rejected:
                throw new ConflictException("This answer was rejected in review and the task went back to the pool.");
        }
    }

    private static async Task<Assignment> LoadOwnAsync(LabelHubDbContext db, Actor actor, long assignmentId, CancellationToken ct)
    {
        var assignment = await db.Assignments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == assignmentId, ct);
        // Someone else's task is reported as missing, not forbidden, so ids reveal nothing.
        if (assignment is null || assignment.UserId != actor.UserId || !actor.Reaches(assignment.ProjectId))
        {
            throw new NotFoundException("Task");
        }
        return assignment;
    }

    private static async Task<LabelingTask> ToTaskAsync(LabelHubDbContext db, Assignment assignment, int? guidelineVersion, CancellationToken ct)
    {
        var item = await db.Items.AsNoTracking().Where(i => i.Id == assignment.ItemId)
            .Select(i => new
            {
                i.Data,
                i.SyntheticLabel,
                GeneratorVersion = db.Generators.Where(g => g.Id == i.SyntheticGeneratorId).Select(g => (int?)g.Version).FirstOrDefault(),
            })
            .SingleAsync(ct);
        var predictions = await db.Predictions.AsNoTracking()
            .Where(p => p.ItemId == assignment.ItemId)
            .OrderByDescending(p => p.Id)
            .Take(MaxSuggestions * 4)
            .ToListAsync(ct);
        return new LabelingTask(assignment.Id, assignment.ItemId, item.Data, assignment.LeaseExpiresAt, assignment.Draft, SuggestionsFrom(predictions), guidelineVersion,
            SyntheticOrigin.Of(item.GeneratorVersion, item.SyntheticLabel));
    }


    /// <summary>The newest prediction of each model version, best first; <paramref name="newestFirst"/> is ordered by id, descending.</summary>
    private static List<Suggestion> SuggestionsFrom(IEnumerable<Prediction> newestFirst) => newestFirst
        .GroupBy(p => p.ModelVersion)
        .Select(g => g.First())
        .OrderByDescending(p => p.Score ?? 0)
        .Take(MaxSuggestions)
        .Select(p => new Suggestion(p.Id, p.ModelVersion, p.Score, p.Values))
        .ToList();

    private static bool SameValues(Dictionary<string, JsonElement> a, Dictionary<string, JsonElement> b) =>
        JsonSerializer.Serialize(a.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(), JsonColumn.Options)
        == JsonSerializer.Serialize(b.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(), JsonColumn.Options);

    /// <summary>
    /// One pooled connection for a whole call instead of a trip to the Npgsql pool (and back) per statement. It is
    /// closed explicitly at the end: a context from the DbContext pool keeps a connection opened this way when it goes
    /// back to that pool, and the Npgsql pool then runs dry while its connections sit in idle contexts.
    /// </summary>
    private sealed class HeldConnection(LabelHubDbContext? db) : IAsyncDisposable
    {
        public static async Task<HeldConnection> OpenAsync(LabelHubDbContext db, bool hold, CancellationToken ct)
        {
            if (!hold)
            {
                return new HeldConnection(null);
            }
            await db.Database.OpenConnectionAsync(ct);
            return new HeldConnection(db);
        }

        public async ValueTask DisposeAsync()
        {
            if (db is not null)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
