using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Planning;

/// <summary>
/// Who sees and manages what: admins everything; everyone else only projects they are members of;
/// managers manage the projects they belong to.
/// </summary>
public static class ProjectAccess
{
    public static IQueryable<Project> VisibleTo(this IQueryable<Project> projects, Actor actor)
    {
        if (actor.ProjectScope is { } scope)
        {
            // A project-scoped token (ADR 0017) sees its one project, and that only while its account is a member.
            projects = projects.Where(p => p.Id == scope);
        }
        return actor.IsAdmin ? projects : projects.Where(p => p.Members.Any(m => m.UserId == actor.UserId));
    }

    /// <summary>For what no project-scoped token may do (create projects, manage tokens): it reaches one project only.</summary>
    public static void EnsureNotScoped(Actor actor)
    {
        if (actor.ProjectScope is not null)
        {
            throw new ForbiddenException("This token is limited to one project and cannot do this.");
        }
    }

    /// <summary>Loads a project the actor may see; a project they may not see is reported as missing.</summary>
    public static async Task<Project> GetVisibleAsync(this LabelHubDbContext db, Actor actor, Guid projectId, CancellationToken ct = default) =>
        await db.Projects.AsNoTracking().VisibleTo(actor).FirstOrDefaultAsync(p => p.Id == projectId, ct)
        ?? throw new NotFoundException("Project");

    public static async Task<Project> GetManageableAsync(this LabelHubDbContext db, Actor actor, Guid projectId, CancellationToken ct = default)
    {
        var project = await db.GetVisibleAsync(actor, projectId, ct);
        EnsureManager(actor);
        return project;
    }

    public static void EnsureManager(Actor actor)
    {
        if (!actor.IsManager)
        {
            throw new ForbiddenException("Only managers and admins can do this.");
        }
    }
}
