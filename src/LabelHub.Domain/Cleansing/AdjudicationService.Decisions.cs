using System.Data;
using System.Text.Json;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// Decisions on findings and restores. Each is one short transaction: the finding is claimed while still open (a second
/// decision answers 409), and each answer while its current version is still the one read (an edit that lands meanwhile
/// answers 409 instead of being overwritten). A correction always starts from the answer's current version, so the other
/// fields of a newer edit are kept.
/// </summary>
public sealed partial class AdjudicationService
{
    public const int MaxNoteLength = 2000;

    /// <summary>
    /// Writes the finding's suggestion into its field: into the flagged answer (its current version), or, for a finding
    /// about the whole item, into every current answer whose field holds something else.
    /// </summary>
    public async Task<FindingDecision> AcceptAsync(Actor actor, Guid projectId, long findingId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (project, finding) = await LoadOpenAsync(db, actor, projectId, findingId, ct);
        if (finding.Suggestion is not { } suggestion || finding.Field is null)
        {
            throw new ValidationException("suggestion", "This finding has no suggestion: correct the answer or dismiss the finding.");
        }
        var field = finding.Field;
        if (project.Schema.Field(field) is null)
        {
            throw new ValidationException("field", "The label schema has no such field.");
        }
        var itemData = await ItemDataAsync(db, finding.ItemId, ct);
        List<(Annotation Current, int? FlaggedVersion)> targets;
        if (finding.AnnotationId is { } flaggedId)
        {
            var flagged = await db.Annotations.AsNoTracking().SingleAsync(a => a.Id == flaggedId, ct);
            targets = [(await CurrentOfAsync(db, flagged, ct), flagged.Version)];
        }
        else
        {
            var answers = await db.Annotations.AsNoTracking()
                .Where(a => a.ItemId == finding.ItemId && a.IsCurrent && a.ReviewStatus != ReviewStatus.Rejected)
                .OrderBy(a => a.Id)
                .ToListAsync(ct);
            targets = [.. answers.Where(a => !a.Values.TryGetValue(field, out var value) || !JsonElement.DeepEquals(value, suggestion)).Select(a => (a, (int?)null))];
        }

        var writes = new List<(Annotation Current, Dictionary<string, JsonElement> Values, string Comment)>();
        foreach (var (current, flaggedVersion) in targets)
        {
            var values = new Dictionary<string, JsonElement>(current.Values) { [field] = suggestion };
            // Only the field written is checked: an old answer's other fields may predate the schema, and stay as they are.
            if (AnnotationValidator.Problems(project.Schema, values, itemData).TryGetValue($"values.{field}", out var problems))
            {
                throw new ValidationException(new Dictionary<string, string[]> { [$"values.{field}"] = problems });
            }
            var comment = CommentOf(finding);
            if (flaggedVersion is { } raisedOn && raisedOn != current.Version)
            {
                comment += $" (raised on version {raisedOn}, written onto version {current.Version})";
            }
            writes.Add((current, values, comment));
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        await ClaimFindingAsync(db, finding.Id, FindingState.Accepted, actor.UserId, now, finding.Reason, ct);
        var written = new List<Annotation>();
        foreach (var (current, values, comment) in writes)
        {
            written.Add(await AddVersionAsync(db, current, values, comment, actor.UserId, now, ct));
        }
        await db.SaveChangesAsync(ct);
        if (written.Count > 0)
        {
            var result = written[0].Id;
            await db.CleansingFindings.Where(f => f.Id == finding.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.ResultAnnotationId, result), ct);
        }
        await transaction.CommitAsync(ct);
        claims.TryClaim(projectId, finding.ItemId, actor.UserId);
        return new FindingDecision(finding.Id, FindingState.Accepted, [.. written.Select(a => a.Id)]);
    }

    /// <summary>
    /// Writes the reviewer's own answer (checked against the schema) as the answer's next version. The finding is
    /// corrected, and so are the other open findings on that answer whose field the correction changed.
    /// </summary>
    public async Task<FindingDecision> CorrectAsync(Actor actor, Guid projectId, long findingId, CorrectFindingRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (project, finding) = await LoadOpenAsync(db, actor, projectId, findingId, ct);
        var errors = new ValidationErrors();
        if (request.Values is null)
        {
            errors.Add("values", "A correction needs the corrected answer.");
        }
        if (request.Note?.Length > MaxNoteLength)
        {
            errors.Add("note", "A note has at most 2,000 characters.");
        }
        var annotationId = request.AnnotationId ?? finding.AnnotationId;
        if (annotationId is null)
        {
            errors.Add("annotationId", "This finding is about the whole item: name the answer to correct.");
        }
        errors.ThrowIfAny();
        var named = await db.Annotations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == annotationId, ct);
        if (named is null || named.ItemId != finding.ItemId)
        {
            throw new ValidationException("annotationId", $"Answer {annotationId} is not an answer to item {finding.ItemId}.");
        }
        var itemData = await ItemDataAsync(db, finding.ItemId, ct);
        AnnotationValidator.Validate(project.Schema, request.Values!, itemData);
        var current = await CurrentOfAsync(db, named, ct);

        var comment = CommentOf(finding);
        if (!string.IsNullOrWhiteSpace(request.Note))
        {
            comment += $"; {request.Note.Trim()}";
        }
        // The answer's other open findings whose field this correction changes are settled by it too.
        var versionIds = db.Annotations.Where(a => a.ItemId == named.ItemId && a.AnnotatorId == named.AnnotatorId).Select(a => a.Id);
        var others = await db.CleansingFindings.AsNoTracking()
            .Where(f => f.Id != finding.Id && f.State == FindingState.Open && f.Field != null && f.AnnotationId != null && versionIds.Contains(f.AnnotationId.Value))
            .Select(f => new { f.Id, f.Field, f.Reason })
            .ToListAsync(ct);
        var changedFields = project.Schema.Fields.Select(f => f.Name).Where(name => !SameValue(current.Values, request.Values!, name)).ToHashSet();

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        await ClaimFindingAsync(db, finding.Id, FindingState.Corrected, actor.UserId, now, finding.Reason, ct);
        var version = await AddVersionAsync(db, current, request.Values!, comment, actor.UserId, now, ct);
        await db.SaveChangesAsync(ct);
        var settled = others.Where(o => changedFields.Contains(o.Field!)).Select(o => o.Id).Append(finding.Id).ToList();
        await db.CleansingFindings.Where(f => settled.Contains(f.Id) && (f.Id == finding.Id || f.State == FindingState.Open))
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.State, FindingState.Corrected)
                .SetProperty(f => f.ResolvedById, actor.UserId)
                .SetProperty(f => f.ResolvedAt, now)
                .SetProperty(f => f.ResultAnnotationId, version.Id), ct);
        await transaction.CommitAsync(ct);
        claims.TryClaim(projectId, finding.ItemId, actor.UserId);
        return new FindingDecision(finding.Id, FindingState.Corrected, [version.Id]);
    }

    /// <summary>Keeps the answer as it is; a note is kept with the finding's reason.</summary>
    public async Task<FindingDecision> DismissAsync(Actor actor, Guid projectId, long findingId, DismissFindingRequest? request, CancellationToken ct = default)
    {
        var note = request?.Note?.Trim();
        if (note?.Length > MaxNoteLength)
        {
            throw new ValidationException("note", "A note has at most 2,000 characters.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (_, finding) = await LoadOpenAsync(db, actor, projectId, findingId, ct);
        var reason = string.IsNullOrEmpty(note) ? finding.Reason : $"{finding.Reason}\n— {note}";
        await ClaimFindingAsync(db, finding.Id, FindingState.Dismissed, actor.UserId, clock.GetUtcNow(), reason.Length > 2000 ? reason[..2000] : reason, ct);
        claims.TryClaim(projectId, finding.ItemId, actor.UserId);
        return new FindingDecision(finding.Id, FindingState.Dismissed, []);
    }

    /// <summary>
    /// Writes a new version of the answer equal to an older one (<paramref name="annotationId"/>): a correction undone,
    /// with every version kept in the history.
    /// </summary>
    public async Task<RestoreResult> RestoreAsync(Actor actor, long annotationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var old = await db.Annotations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == annotationId, ct) ?? throw new NotFoundException("Annotation");
        await ReviewService.LoadForReviewAsync(db, actor, old.ProjectId, ct);
        var current = await CurrentOfAsync(db, old, ct);
        if (current.Id == old.Id)
        {
            throw new ConflictException("This version is the current one: there is nothing to restore.");
        }
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var version = await AddVersionAsync(db, current, new Dictionary<string, JsonElement>(old.Values), $"restored version {old.Version}", actor.UserId, now, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new RestoreResult(version.Id, version.Version, old.Version);
    }

    private static async Task<(Project Project, CleansingFinding Finding)> LoadOpenAsync(LabelHubDbContext db, Actor actor, Guid projectId, long findingId, CancellationToken ct)
    {
        var project = await ReviewService.LoadForReviewAsync(db, actor, projectId, ct);
        var finding = await db.CleansingFindings.AsNoTracking().FirstOrDefaultAsync(f => f.Id == findingId && f.ProjectId == projectId, ct)
            ?? throw new NotFoundException("Finding");
        if (finding.State != FindingState.Open)
        {
            throw FindingDecided();
        }
        return (project, finding);
    }

    /// <summary>Decides the finding only while it is still open: of two reviewers deciding at once, the second gets 409.</summary>
    private static async Task ClaimFindingAsync(LabelHubDbContext db, long findingId, FindingState state, Guid reviewerId, DateTimeOffset now, string reason, CancellationToken ct)
    {
        var claimed = await db.CleansingFindings
            .Where(f => f.Id == findingId && f.State == FindingState.Open)
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.State, state)
                .SetProperty(f => f.ResolvedById, reviewerId)
                .SetProperty(f => f.ResolvedAt, now)
                .SetProperty(f => f.Reason, reason), ct);
        if (claimed == 0)
        {
            throw FindingDecided();
        }
    }

    private static ConflictException FindingDecided() =>
        new("This finding was already decided by someone else, or a newer run replaced it. Reload the item.");

    /// <summary>The current version of the answer the given version belongs to (same item, same annotator).</summary>
    private static async Task<Annotation> CurrentOfAsync(LabelHubDbContext db, Annotation version, CancellationToken ct) =>
        await db.Annotations.AsNoTracking().FirstOrDefaultAsync(a => a.ItemId == version.ItemId && a.AnnotatorId == version.AnnotatorId && a.IsCurrent, ct)
        ?? throw new ConflictException("This answer was changed at the same time elsewhere. Reload and try again.");

    /// <summary>
    /// Adds the answer's next version inside the caller's transaction, claiming the current one first: an answer whose
    /// current version moved since it was read is not overwritten (409).
    /// </summary>
    private static async Task<Annotation> AddVersionAsync(LabelHubDbContext db, Annotation current, Dictionary<string, JsonElement> values, string comment,
        Guid authorId, DateTimeOffset now, CancellationToken ct)
    {
        var claimed = await db.Annotations
            .Where(a => a.Id == current.Id && a.IsCurrent && a.Version == current.Version)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.IsCurrent, false), ct);
        if (claimed == 0)
        {
            throw new ConflictException("This answer was changed at the same time elsewhere. Reload and try again.");
        }
        var version = new Annotation
        {
            ProjectId = current.ProjectId,
            ItemId = current.ItemId,
            AnnotatorId = current.AnnotatorId,
            AuthorId = authorId,
            Version = current.Version + 1,
            IsCurrent = true,
            Reason = AnnotationReason.Cleansing,
            Comment = comment.Length > 2000 ? comment[..2000] : comment,
            Values = values,
            GuidelineVersion = current.GuidelineVersion,
            AssignmentId = current.AssignmentId,
            ReviewStatus = current.ReviewStatus,
            CreatedAt = now,
        };
        db.Annotations.Add(version);
        return version;
    }

    private static async Task<Dictionary<string, JsonElement>> ItemDataAsync(LabelHubDbContext db, long itemId, CancellationToken ct) =>
        await db.Items.AsNoTracking().Where(i => i.Id == itemId).Select(i => i.Data).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("Item");

    /// <summary>"label error: given shirt, model says T-shirt": the source and the finding's reason, as the version's comment.</summary>
    private static string CommentOf(CleansingFinding finding) => $"{SourceName(finding.Source)}: {finding.Reason}";

    private static string SourceName(FindingSource source) => source switch
    {
        FindingSource.Rule => "rule",
        FindingSource.Duplicate => "duplicate",
        FindingSource.LabelError => "label error",
        FindingSource.Disagreement => "disagreement",
        _ => source.ToString(),
    };

    private static bool SameValue(IReadOnlyDictionary<string, JsonElement> before, IReadOnlyDictionary<string, JsonElement> after, string field)
    {
        var had = before.TryGetValue(field, out var a) && a.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
        var has = after.TryGetValue(field, out var b) && b.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
        return had == has && (!had || JsonElement.DeepEquals(a, b));
    }
}
