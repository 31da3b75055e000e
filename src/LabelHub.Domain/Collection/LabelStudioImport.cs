using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>A Label Studio task's answers with the LabelHub account of each (same order as <see cref="LabelStudioRead.Answers"/>).</summary>
internal sealed record LabelStudioPending(LabelStudioRead Read, Guid[] AnnotatorIds);

/// <summary>
/// Keeps what Label Studio tasks bring besides their data, next to the import's pending items (ADR 0014): each
/// non-cancelled annotation becomes the answer (version 1, Submit; current once its item is revealed) of the account its
/// annotator maps to, with a submitted assignment, so the distributor counts it and never hands the item to that account again; each prediction
/// becomes a <see cref="Prediction"/>. Everything hangs off the pending items, so a failed import removes it with them.
/// </summary>
internal sealed class LabelStudioImport(IDbContextFactory<LabelHubDbContext> dbFactory, Guid projectId, Guid runId, DateTimeOffset now)
{
    private const int MaxUserNameLength = LabelStudioAnnotator.MaxAccountNameLength;

    private readonly Dictionary<string, Guid> byKey = new(StringComparer.Ordinal);
    private readonly HashSet<Guid> matchedAccounts = [];
    private readonly HashSet<Guid> serviceAccounts = [];
    private readonly HashSet<Guid> storedAnnotators = [];
    private Dictionary<string, Guid> membersByEmail = [];
    private Dictionary<string, Guid> membersByUserName = [];

    public int Answers { get; private set; }
    public int Predictions { get; private set; }
    public int Cancelled { get; private set; }

    /// <summary>Reads the project's members once: annotators are matched among them only.</summary>
    public async Task LoadMembersAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId)
            .Join(db.Users.AsNoTracking(), m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.NormalizedEmail, u.NormalizedUserName })
            .ToListAsync(ct);
        membersByEmail = members.Where(m => !string.IsNullOrEmpty(m.NormalizedEmail)).GroupBy(m => m.NormalizedEmail!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        membersByUserName = members.Where(m => !string.IsNullOrEmpty(m.NormalizedUserName)).GroupBy(m => m.NormalizedUserName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
    }

    /// <summary>
    /// The accounts of a task's answers, or the problem when two of its annotators map to one account. Runs on the
    /// parser's thread, so a new service account is made (or found) synchronously, once per annotator.
    /// </summary>
    public (LabelStudioPending? Pending, string? Error) Resolve(LabelStudioRead read, CancellationToken ct)
    {
        var ids = new Guid[read.Answers.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            var annotator = read.Answers[i].Annotator;
            if (!byKey.TryGetValue(annotator.Key, out var id))
            {
                id = Match(annotator) ?? ServiceAccountAsync(annotator, ct).GetAwaiter().GetResult();
                byKey[annotator.Key] = id;
            }
            var earlier = Array.IndexOf(ids, id, 0, i);
            if (earlier >= 0)
            {
                return (null, $"{(read.TaskId is { } taskId ? $"task {taskId}" : "the task")}: annotations by Label Studio users {read.Answers[earlier].Annotator.Key} and {annotator.Key} map to the same account");
            }
            ids[i] = id;
        }
        return (new LabelStudioPending(read, ids), null);
    }

    /// <summary>A member with the annotator's e-mail, else with their user name (both compared as Identity normalises them).</summary>
    private Guid? Match(LabelStudioAnnotator annotator)
    {
        if (annotator.Email is { } email && membersByEmail.TryGetValue(email.ToUpperInvariant(), out var byEmail))
        {
            matchedAccounts.Add(byEmail);
            return byEmail;
        }
        if (annotator.UserName is { } userName && membersByUserName.TryGetValue(userName.ToUpperInvariant(), out var byName))
        {
            matchedAccounts.Add(byName);
            return byName;
        }
        return null;
    }

    /// <summary>
    /// The service account standing for an annotator no member matches: one per Label Studio user, so agreement still sees
    /// separate annotators, named <c>ls-</c> and their e-mail, user name or id. An earlier import's account of that name is
    /// used again; the account becomes a member of the project, so its managers see it.
    /// </summary>
    private async Task<Guid> ServiceAccountAsync(LabelStudioAnnotator annotator, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var baseName = annotator.AccountName;
        for (var attempt = 1; ; attempt++)
        {
            var userName = attempt == 1 ? baseName : $"{baseName[..Math.Min(baseName.Length, MaxUserNameLength - 4)]}-{attempt}";
            var normalized = userName.ToUpperInvariant();
            var existing = await db.Users.AsNoTracking().Where(u => u.NormalizedUserName == normalized)
                .Select(u => new { u.Id, u.IsServiceAccount }).FirstOrDefaultAsync(ct);
            if (existing is { IsServiceAccount: false })
            {
                // A person has the name: never pin a Label Studio user's answers on them by accident.
                continue;
            }
            var id = existing?.Id ?? Guid.CreateVersion7();
            if (existing is null)
            {
                db.Users.Add(new AppUser
                {
                    Id = id,
                    UserName = userName,
                    NormalizedUserName = normalized,
                    DisplayName = $"Label Studio user {annotator.Email ?? annotator.UserName ?? annotator.Key}",
                    // No password hash: nothing can sign it in (ADR 0017).
                    SecurityStamp = Guid.NewGuid().ToString("N"),
                    ConcurrencyStamp = Guid.NewGuid().ToString(),
                    IsServiceAccount = true,
                    CreatedAt = now,
                });
            }
            if (!await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.UserId == id, ct))
            {
                db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = id, AddedAt = now });
            }
            await db.SaveChangesAsync(ct);
            serviceAccounts.Add(id);
            return id;
        }
    }

    /// <summary>
    /// Stores the answers and predictions of a batch's items, just written as pending. The items' ids are read back by
    /// the import and its lines, and matched by content hash (unique within an import, since repeats are skipped).
    /// </summary>
    public async Task StoreAsync(LabelHubDbContext db, IReadOnlyList<Item> stored, IReadOnlyDictionary<string, LabelStudioPending> pending, CancellationToken ct)
    {
        var withTasks = stored.Where(i => pending.ContainsKey(i.ContentHash)).ToList();
        if (withTasks.Count == 0)
        {
            return;
        }
        var firstLine = withTasks.Min(i => i.SourceLine);
        var lastLine = withTasks.Max(i => i.SourceLine);
        var ids = await db.Items.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.ImportJobRunId == runId && i.SourceLine >= firstLine && i.SourceLine <= lastLine)
            .Select(i => new { i.Id, i.ContentHash })
            .ToDictionaryAsync(i => i.ContentHash, i => i.Id, StringComparer.Ordinal, ct);
        var assignments = new List<(Assignment Assignment, Annotation Annotation)>();
        foreach (var item in withTasks)
        {
            var itemId = ids[item.ContentHash];
            var (read, annotatorIds) = pending[item.ContentHash];
            Cancelled += read.Cancelled;
            for (var i = 0; i < read.Answers.Count; i++)
            {
                var answer = read.Answers[i];
                var at = answer.CreatedAt ?? now;
                var assignment = new Assignment
                {
                    ProjectId = projectId,
                    ItemId = itemId,
                    UserId = annotatorIds[i],
                    State = AssignmentState.Submitted,
                    LeasedAt = at,
                    LeaseExpiresAt = at,
                    CompletedAt = at,
                };
                db.Assignments.Add(assignment);
                storedAnnotators.Add(annotatorIds[i]);
                assignments.Add((assignment, new Annotation
                {
                    ProjectId = projectId,
                    ItemId = itemId,
                    AnnotatorId = annotatorIds[i],
                    AuthorId = annotatorIds[i],
                    Version = 1,
                    // Not current until the import reveals its item (ItemImporter.RevealAsync): the review queue, quality
                    // and exports read current answers without looking at the item, and a pending item is not there yet.
                    IsCurrent = false,
                    Reason = AnnotationReason.Submit,
                    Comment = $"Label Studio task {read.TaskId}, annotation {answer.AnnotationId}",
                    Values = answer.Values,
                    DurationMs = answer.DurationMs,
                    ReviewStatus = ReviewStatus.Unreviewed,
                    CreatedAt = at,
                }));
            }
            foreach (var prediction in read.Predictions)
            {
                db.Predictions.Add(new Prediction
                {
                    ProjectId = projectId,
                    ItemId = itemId,
                    ModelVersion = prediction.ModelVersion,
                    Score = prediction.Score,
                    Values = prediction.Values,
                    CreatedAt = prediction.CreatedAt ?? now,
                });
                Predictions++;
            }
        }
        // Assignments first: each answer names the assignment it was submitted through.
        await db.SaveChangesAsync(ct);
        foreach (var (assignment, annotation) in assignments)
        {
            annotation.AssignmentId = assignment.Id;
            db.Annotations.Add(annotation);
        }
        await db.SaveChangesAsync(ct);
        Answers += assignments.Count;
        db.ChangeTracker.Clear();
    }

    /// <summary>What the import kept from Label Studio, for its result: the annotators counted are those whose answers were stored.</summary>
    public LabelStudioImportSummary Summary() =>
        new(Answers, Predictions, Cancelled, storedAnnotators.Count(matchedAccounts.Contains), storedAnnotators.Count(serviceAccounts.Contains));
}
