using System.Security.Claims;
using LabelHub.Domain.Jobs;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public static class JobsEndpoints
{
    public static void MapJobsEndpoints(this RouteGroupBuilder api)
    {
        var jobs = api.MapGroup("").WithTags("Jobs");
        // The latest jobs the caller may read (admins: all), messages in the caller's language.
        jobs.MapGet("/jobs", (int? limit, JobRunService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.ListRecentAsync(user.ToActor(), limit ?? 100, ct));
        jobs.MapGet("/jobs/{jobId:guid}", (Guid jobId, JobRunService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.GetAsync(user.ToActor(), jobId, ct));
        // Stops a queued or running job; what it wrote is removed.
        jobs.MapPost("/jobs/{jobId:guid}/cancel", (Guid jobId, JobRunService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.CancelAsync(user.ToActor(), jobId, ct))
            .ProducesConflict("the job has already finished.");
        jobs.MapGet("/projects/{projectId:guid}/jobs", (Guid projectId, int? limit, JobRunService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.ListForProjectAsync(user.ToActor(), projectId, limit ?? 50, ct));
    }
}
