using System.Security.Claims;
using System.Text;
using LabelHub.Domain;
using LabelHub.Domain.Cleansing;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <summary>
/// A cleansing run's before/after report (ADR 0019, 6): read it as JSON or CSV, and close it to freeze its "after"; and the
/// rules as hints for every member of the project.
/// </summary>
public static class CleansingReportEndpoints
{
    public static void MapCleansingReportEndpoints(this RouteGroupBuilder cleansing)
    {
        // The newest rules for every member: the checks the workbench shows beside the fields as hints (they never refuse a submit).
        cleansing.MapGet("/rules/hints", (Guid projectId, CleansingHints hints, ClaimsPrincipal user, CancellationToken ct) =>
            hints.ForMembersAsync(user.ToActor(), projectId, ct))
            .Produces<CleansingRulesView>();

        cleansing.MapGet("/runs/{runId:long}/report", async (Guid projectId, long runId, string? format, HttpContext http,
            CleansingReportService reports, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var csv = format is null
                ? http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
                : format.ToLowerInvariant() switch
                {
                    "csv" => true,
                    "json" => false,
                    _ => throw new ValidationException("format", "The format must be json or csv."),
                };
            var report = await reports.ReportAsync(user.ToActor(), projectId, runId, ct);
            return csv
                ? Results.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(CleansingReportCsv.Write(report))).ToArray(),
                    "text/csv", $"cleansing-run-{runId}-report.csv")
                : Results.Ok(report);
        }).RequireAuthorization(Policies.Manager).Produces<CleansingRunReport>()
            .AlsoAsCsv("With format=csv (or Accept: text/csv): one CSV table with the header section,field,label,before,after,delta.");

        // Freezes the report: the project as it is now becomes the run's "after" (closing again changes nothing).
        cleansing.MapPost("/runs/{runId:long}/close", (Guid projectId, long runId, CleansingReportService reports, ClaimsPrincipal user, CancellationToken ct) =>
            reports.CloseAsync(user.ToActor(), projectId, runId, ct))
            .RequireAuthorization(Policies.Manager).Produces<CleansingRunReport>();
    }
}
