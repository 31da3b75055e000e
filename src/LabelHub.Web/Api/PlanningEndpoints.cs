using System.Security.Claims;
using LabelHub.Domain.Planning;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public sealed record MemberRequest(Guid UserId);

public static class PlanningEndpoints
{
    public static void MapPlanningEndpoints(this RouteGroupBuilder api)
    {
        var projects = api.MapGroup("/projects").WithTags("Projects");
        // ?archived=true lists archived projects too.
        projects.MapGet("/", (bool? archived, ProjectService service, ClaimsPrincipal user, CancellationToken ct) => service.ListAsync(user.ToActor(), archived ?? false, ct));
        projects.MapPost("/{projectId:guid}/archive", async (Guid projectId, ProjectService service, ClaimsPrincipal user, CancellationToken ct) =>
            ToDto(await service.SetArchivedAsync(user.ToActor(), projectId, archived: true, ct)));
        projects.MapPost("/{projectId:guid}/restore", async (Guid projectId, ProjectService service, ClaimsPrincipal user, CancellationToken ct) =>
            ToDto(await service.SetArchivedAsync(user.ToActor(), projectId, archived: false, ct)));
        // Deletes an archived project for good, as a job; confirmName must be the project's name.
        projects.MapDelete("/{projectId:guid}", async (Guid projectId, string? confirmName, ProjectDeletion deletion, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var job = await deletion.StartAsync(user.ToActor(), projectId, confirmName, ct);
            return Results.Accepted($"/api/v1/jobs/{job.Id}", job);
        }).ProducesJob().ProducesConflict("the project is not archived (only an archived project can be deleted).");
        projects.MapPost("/", async (ProjectInput input, ProjectService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var project = await service.CreateAsync(user.ToActor(), input, ct);
            return Results.Created($"/api/v1/projects/{project.Id}", ToDto(project));
        }).RequireAuthorization(Policies.Manager).Produces<ProjectDto>(StatusCodes.Status201Created);
        projects.MapGet("/{projectId:guid}", async (Guid projectId, ProjectService service, ClaimsPrincipal user, CancellationToken ct) =>
            ToDto(await service.GetAsync(user.ToActor(), projectId, ct)));
        projects.MapPut("/{projectId:guid}", async (Guid projectId, ProjectInput input, ProjectService service, ClaimsPrincipal user, CancellationToken ct) =>
            ToDto(await service.UpdateAsync(user.ToActor(), projectId, input, ct))).RequireAuthorization(Policies.Manager);

        projects.MapGet("/{projectId:guid}/members", (Guid projectId, ProjectService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.MembersAsync(user.ToActor(), projectId, ct));
        projects.MapPost("/{projectId:guid}/members", async (Guid projectId, MemberRequest input, ProjectService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await service.AddMemberAsync(user.ToActor(), projectId, input.UserId, ct);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Manager).Produces(StatusCodes.Status204NoContent);
        projects.MapDelete("/{projectId:guid}/members/{userId:guid}", async (Guid projectId, Guid userId, ProjectService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await service.RemoveMemberAsync(user.ToActor(), projectId, userId, ct);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Manager).Produces(StatusCodes.Status204NoContent);

        MapPlan(api);
    }

    /// <summary>The spec sheet, its estimate, the stage targets and the pipeline overview (issue 17): for managers, since they hold costs.</summary>
    private static void MapPlan(RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{projectId:guid}").WithTags("Projects").RequireAuthorization(Policies.Manager);
        project.MapGet("/plan", (Guid projectId, PlanService plans, ClaimsPrincipal user, CancellationToken ct) =>
            plans.GetAsync(user.ToActor(), projectId, ct));
        // Targets, labeling's quality targets and the overlap ride along; a null member keeps the current value.
        project.MapPut("/plan", (Guid projectId, PlanInput input, PlanService plans, ClaimsPrincipal user, CancellationToken ct) =>
            plans.UpdateAsync(user.ToActor(), projectId, input, ct));
        project.MapGet("/plan/estimate", (Guid projectId, PlanService plans, ClaimsPrincipal user, CancellationToken ct) =>
            plans.ForecastAsync(user.ToActor(), projectId, ct))
            .WithDescription("The plan's estimate (labels = target items × overlap; hours = labels × seconds per label ÷ 3600; cost = hours × cost per hour; " +
                "working days = hours ÷ (annotators × hours per day)), with `missing` naming the spec members it lacks, and the same figures at the measured " +
                "pace: seconds per label is the mean of the newest 5,000 answer durations after dropping those over 10 × the median; effective seconds = " +
                "that × (1 + review rejection rate) + skips per answer × seconds per skip. Gaps are projected − planned: positive is over plan.");
        project.MapGet("/pipeline", (Guid projectId, PlanService plans, ClaimsPrincipal user, CancellationToken ct) =>
            plans.PipelineAsync(user.ToActor(), projectId, ct));
    }

    /// <param name="Quality">KPI targets and the recompute interval, as PUT takes them.</param>
    public sealed record ProjectDto(
        Guid Id, string Name, string Description, LabelSchema Schema, int Overlap, int LeaseMinutes, LabelingSettings Labeling, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
        QualitySettings Quality, DateTimeOffset? ArchivedAt = null);

    public static ProjectDto ToDto(Project p) => new(p.Id, p.Name, p.Description, p.Schema, p.Overlap, p.LeaseMinutes, p.Labeling, p.CreatedAt, p.UpdatedAt, p.Quality, p.ArchivedAt);
}
