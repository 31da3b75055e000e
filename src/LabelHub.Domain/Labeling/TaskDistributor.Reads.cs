using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Labeling;

/// <summary>The two reads of the labeling path, each one compiled query: the hand-out's context and the submit's.</summary>
public sealed partial class TaskDistributor
{
    /// <summary>What a hand-out needs to know about the project and the annotator before it picks, read in one query.</summary>
    private sealed record HandOutContext(
        Project Project, int? LatestGuideline, int? AcknowledgedGuideline, long? HeldAssignmentId, bool AnyExpired, bool InQualification);

    private static async Task<HandOutContext?> ReadHandOutContextAsync(
        LabelHubDbContext db, Actor actor, Guid projectId, long? besides, DateTimeOffset now, CancellationToken ct) =>
        actor.Reaches(projectId) ? await HandOutContextQuery.For(db)(db, projectId, actor.UserId, actor.IsAdmin, besides, now, ct) : null;

    // Compiled once: a LINQ query is otherwise rebuilt and walked for its parameters on every call, which was about a
    // third of what a hand-out or submit allocated (bench/LabelHub.Bench.Distribution, allocation ticks by type).
    // "isAdmin || member" is ProjectAccess.VisibleTo as one query for both kinds of caller. Both reads build the
    // project without its plan and stage targets (issue 17): labeling never reads them, and their JSON read and
    // deserialized on every hand-out and submit cost 3 KiB and longer GC pauses per operation.
    private static readonly CompiledPerModel<Func<LabelHubDbContext, Guid, Guid, bool, long?, DateTimeOffset, CancellationToken, Task<HandOutContext?>>> HandOutContextQuery =
        new(() => EF.CompileAsyncQuery((LabelHubDbContext db, Guid projectId, Guid userId, bool isAdmin, long? besides, DateTimeOffset now, CancellationToken ct) =>
            db.Projects.AsNoTracking()
                .Where(p => p.Id == projectId && (isAdmin || p.Members.Any(m => m.UserId == userId)))
                .Select(p => new HandOutContext(
                    new Project
                    {
                        Id = p.Id,
                        Name = p.Name,
                        Description = p.Description,
                        Schema = p.Schema,
                        Overlap = p.Overlap,
                        LeaseMinutes = p.LeaseMinutes,
                        Labeling = p.Labeling,
                        Quality = p.Quality,
                        Learning = p.Learning,
                        CreatedById = p.CreatedById,
                        CreatedAt = p.CreatedAt,
                        UpdatedAt = p.UpdatedAt,
                        ArchivedAt = p.ArchivedAt,
                    },
                    db.GuidelineVersions.Where(g => g.ProjectId == projectId).Max(g => (int?)g.Version),
                    db.GuidelineAcknowledgements.Where(a => a.ProjectId == projectId && a.UserId == userId).Max(a => (int?)a.Version),
                    db.Assignments
                        .Where(a => a.ProjectId == projectId && a.UserId == userId && a.State == AssignmentState.Leased && a.LeaseExpiresAt > now
                            && a.Id != besides)
                        .OrderBy(a => a.Id)
                        .Select(a => (long?)a.Id)
                        .FirstOrDefault(),
                    db.Assignments.Any(a => a.ProjectId == projectId && a.State == AssignmentState.Leased && a.LeaseExpiresAt <= now),
                    db.CrowdMembers.Any(m => m.ProjectId == projectId && m.UserId == userId && m.State == CrowdMemberState.Approved
                        && (m.Qualification == QualificationState.InProgress || m.Qualification == QualificationState.Failed))))
                .FirstOrDefault()));

    /// <summary>Everything a submit checks, read in one query. <see cref="Project"/> is null when the caller may no longer see it.</summary>
    private sealed record SubmitContext(
        Assignment Assignment, Project? Project, Dictionary<string, JsonElement> ItemData, bool IsGold,
        Dictionary<string, JsonElement> GoldAnswer, int? AcknowledgedGuideline, int? LatestGuideline);

    private static async Task<SubmitContext> ReadSubmitContextAsync(LabelHubDbContext db, Actor actor, long assignmentId, CancellationToken ct) =>
        // Someone else's task is reported as missing, not forbidden, so ids reveal nothing.
        await SubmitContextQuery.For(db)(db, assignmentId, actor.UserId, actor.IsAdmin, ct) is { } context && actor.Reaches(context.Assignment.ProjectId)
            ? context
            : throw new NotFoundException("Task");

    private static readonly CompiledPerModel<Func<LabelHubDbContext, long, Guid, bool, CancellationToken, Task<SubmitContext?>>> SubmitContextQuery =
        new(() => EF.CompileAsyncQuery((LabelHubDbContext db, long assignmentId, Guid userId, bool isAdmin, CancellationToken ct) =>
            (from a in db.Assignments.AsNoTracking()
             where a.Id == assignmentId && a.UserId == userId
             join i in db.Items.AsNoTracking() on a.ItemId equals i.Id
             join p in db.Projects.AsNoTracking() on a.ProjectId equals p.Id
             select new SubmitContext(
                 a,
                 isAdmin || p.Members.Any(m => m.UserId == userId)
                     ? new Project
                     {
                         Id = p.Id,
                         Name = p.Name,
                         Description = p.Description,
                         Schema = p.Schema,
                         Overlap = p.Overlap,
                         LeaseMinutes = p.LeaseMinutes,
                         Labeling = p.Labeling,
                         Quality = p.Quality,
                         Learning = p.Learning,
                         CreatedById = p.CreatedById,
                         CreatedAt = p.CreatedAt,
                         UpdatedAt = p.UpdatedAt,
                         ArchivedAt = p.ArchivedAt,
                     }
                     : null,
                 i.Data, i.IsGold, i.GoldAnswer,
                 db.GuidelineAcknowledgements.Where(g => g.ProjectId == a.ProjectId && g.UserId == userId).Max(g => (int?)g.Version),
                 db.GuidelineVersions.Where(g => g.ProjectId == a.ProjectId).Max(g => (int?)g.Version)))
            .FirstOrDefault()));
}
