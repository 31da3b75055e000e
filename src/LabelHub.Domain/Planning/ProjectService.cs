using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Planning;

/// <param name="Labeling">Skip policy, limits, gold and review settings; null keeps the project's current ones.</param>
/// <param name="Quality">KPI targets and recompute interval; null keeps the project's current ones.</param>
public sealed record ProjectInput(
    string Name, string? Description, LabelSchema Schema, int Overlap, int LeaseMinutes = 30, LabelingSettings? Labeling = null, QualitySettings? Quality = null);

/// <param name="Stage">The pipeline stage the project is in (see <see cref="PipelineOverview"/>).</param>
/// <param name="Health">Green, amber or red by its KPIs against their targets.</param>
public sealed record ProjectSummary(
    Guid Id, string Name, string Description, int Overlap, int ItemCount, int CompletedItemCount, DateTimeOffset CreatedAt, DateTimeOffset? ArchivedAt = null,
    PipelineStage Stage = PipelineStage.Plan, ProjectHealth Health = ProjectHealth.Green);

public sealed record MemberInfo(Guid UserId, string UserName, string DisplayName, DateTimeOffset AddedAt);

public sealed class ProjectService(IDbContextFactory<LabelHubDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxOverlap = 50;

    /// <param name="includeArchived">Archived projects too (the list hides them by default).</param>
    public async Task<IReadOnlyList<ProjectSummary>> ListAsync(Actor actor, bool includeArchived = false, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var listed = db.Projects.AsNoTracking().VisibleTo(actor).Where(p => includeArchived || p.ArchivedAt == null);
        var summaries = await listed
            .OrderBy(p => p.Name)
            .Select(p => new ProjectSummary(
                p.Id, p.Name, p.Description, p.Overlap,
                db.Items.Count(i => i.ProjectId == p.Id),
                // Inline form of ItemQueries.WhereCompleted: a method call cannot be translated inside a projection.
                db.Items.Count(i => i.ProjectId == p.Id && i.TakenSlots >= p.Overlap
                    && !db.Assignments.Any(a => a.ItemId == i.Id && a.State == AssignmentState.Leased)),
                p.CreatedAt,
                p.ArchivedAt))
            .ToListAsync(ct);
        // Stage and health for all listed projects in a fixed number of grouped queries (no query per project).
        var overviews = await PipelineReader.ForProjectsAsync(db, await listed.ToListAsync(ct), ct);
        return [.. summaries.Select(s => overviews.TryGetValue(s.Id, out var o) ? s with { Stage = o.CurrentStage, Health = o.Health } : s)];
    }

    public async Task<Project> GetAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.GetVisibleAsync(actor, projectId, ct);
    }

    public async Task<Project> CreateAsync(Actor actor, ProjectInput input, CancellationToken ct = default)
    {
        ProjectAccess.EnsureManager(actor);
        ProjectAccess.EnsureNotScoped(actor);
        Validate(input);
        var now = clock.GetUtcNow();
        var project = new Project
        {
            Id = Guid.CreateVersion7(),
            CreatedById = actor.UserId,
            CreatedAt = now,
        };
        Apply(project, input, now);
        // The creator is a member, so a manager always sees the projects they make.
        project.Members.Add(new ProjectMember { ProjectId = project.Id, UserId = actor.UserId, AddedAt = now });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Projects.Add(project);
        await db.SaveChangesAsync(ct);
        return project;
    }

    public async Task<Project> UpdateAsync(Actor actor, Guid projectId, ProjectInput input, CancellationToken ct = default)
    {
        Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        var project = await db.Projects.SingleAsync(p => p.Id == projectId, ct);
        Apply(project, input, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return project;
    }

    /// <summary>Archives the project (or brings it back): reversible; an archived project hands out no tasks.</summary>
    public async Task<Project> SetArchivedAsync(Actor actor, Guid projectId, bool archived, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.GetManageableAsync(actor, projectId, ct);
        db.Attach(project);
        project.ArchivedAt = archived ? project.ArchivedAt ?? clock.GetUtcNow() : null;
        project.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return project;
    }

    public async Task<IReadOnlyList<MemberInfo>> MembersAsync(Actor actor, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetVisibleAsync(actor, projectId, ct);
        return await db.ProjectMembers.AsNoTracking()
            .Where(m => m.ProjectId == projectId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { Member = m, User = u })
            // Ordered before the projection: EF cannot translate ordering by a property of a constructed record.
            .OrderBy(x => x.User.UserName)
            .Select(x => new MemberInfo(x.User.Id, x.User.UserName!, x.User.DisplayName, x.Member.AddedAt))
            .ToListAsync(ct);
    }

    public async Task AddMemberAsync(Actor actor, Guid projectId, Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            throw new ValidationException("userId", "No user has this id.");
        }
        if (await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.UserId == userId, ct))
        {
            return;
        }
        db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = userId, AddedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveMemberAsync(Actor actor, Guid projectId, Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.GetManageableAsync(actor, projectId, ct);
        await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.UserId == userId).ExecuteDeleteAsync(ct);
    }

    public static void Validate(ProjectInput input)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            errors.Add("name", "A project needs a name.");
        }
        else if (input.Name.Trim().Length > 200)
        {
            errors.Add("name", "A project name has at most 200 characters.");
        }
        if (input.Description?.Length > 4000)
        {
            errors.Add("description", "A description has at most 4,000 characters.");
        }
        if (input.Overlap is < 1 or > MaxOverlap)
        {
            errors.Add("overlap", $"Overlap must be between 1 and {MaxOverlap}.");
        }
        if (input.LeaseMinutes is < 1 or > 24 * 60)
        {
            errors.Add("leaseMinutes", "A lease lasts between 1 minute and 24 hours.");
        }
        if (input.Labeling is { } labeling)
        {
            if (!Enum.IsDefined(labeling.SkipPolicy))
            {
                errors.Add("labeling.skipPolicy", "Skip policies: RequeueToOthers, RequeueToMe, Ignore.");
            }
            if (labeling.MaxTasksPerAnnotator is < 1)
            {
                errors.Add("labeling.maxTasksPerAnnotator", "A task limit is at least 1, or empty for no limit.");
            }
            if (labeling.GoldRate is < 0 or > LabelingSettings.MaxGoldRate || double.IsNaN(labeling.GoldRate))
            {
                errors.Add("labeling.goldRate", $"The gold rate is between 0 and {LabelingSettings.MaxGoldRate}.");
            }
        }
        if (input.Quality is { } quality)
        {
            CheckShare(errors, "quality.agreementTarget", quality.AgreementTarget, min: -1, "An agreement target is between -1 and 1.");
            foreach (var (field, target) in quality.FieldAgreementTargets ?? [])
            {
                if (input.Schema?.Fields.Any(f => f.Name == field) != true)
                {
                    errors.Add($"quality.fieldAgreementTargets.{field}", $"The schema has no field \"{field}\" to set an agreement target for.");
                }
                CheckShare(errors, $"quality.fieldAgreementTargets.{field}", target, min: -1, "An agreement target is between -1 and 1.");
            }
            CheckShare(errors, "quality.goldAccuracyTarget", quality.GoldAccuracyTarget, min: 0, "A gold accuracy target is between 0 and 1.");
            if (quality.LabelsPerHourTarget is { } perHour && (!double.IsFinite(perHour) || perHour <= 0))
            {
                errors.Add("quality.labelsPerHourTarget", "A throughput target is a positive number of labels per hour.");
            }
            if (quality.MedianSecondsPerTaskTarget is { } seconds && (!double.IsFinite(seconds) || seconds <= 0))
            {
                errors.Add("quality.medianSecondsPerTaskTarget", "A time-per-task target is a positive number of seconds.");
            }
            if (quality.RecomputeEveryAnnotations < QualitySettings.MinRecomputeEvery)
            {
                errors.Add("quality.recomputeEveryAnnotations", $"Recompute after at least {QualitySettings.MinRecomputeEvery} new answers.");
            }
        }
        if (input.Schema is null)
        {
            errors.Add("schema", "A project needs a label schema.");
        }
        else
        {
            SchemaValidator.Validate(input.Schema, errors);
        }
        errors.ThrowIfAny();
    }

    private static void CheckShare(ValidationErrors errors, string field, double? value, double min, string message)
    {
        if (value is { } v && (!double.IsFinite(v) || v < min || v > 1))
        {
            errors.Add(field, message);
        }
    }

    private static void Apply(Project project, ProjectInput input, DateTimeOffset now)
    {
        project.Name = input.Name.Trim();
        project.Description = input.Description?.Trim() ?? "";
        project.Schema = input.Schema with
        {
            Fields = [.. input.Schema.Fields.Select(f => f with { Labels = [.. f.Labels.Select(l => l.Trim())] })],
        };
        project.Overlap = input.Overlap;
        project.LeaseMinutes = input.LeaseMinutes;
        project.Labeling = input.Labeling ?? project.Labeling;
        project.Quality = input.Quality ?? project.Quality;
        project.UpdatedAt = now;
    }
}
