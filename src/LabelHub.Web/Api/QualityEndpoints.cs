using System.Globalization;
using System.Security.Claims;
using System.Text;
using LabelHub.Domain.Quality;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

public static class QualityEndpoints
{
    private const string QualityMetricsDoc =
        "The newest quality report. Every metric name, which field kind gets which statistic, the pair and annotator tables, " +
        "ranges and empty states are described in docs/api/quality-metrics.md. A figure that cannot be computed has `value` null " +
        "and says why in `undefinedReason`; `items` is how many items it rests on.";

    public static void MapQualityEndpoints(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{projectId:guid}").WithTags("Quality").RequireAuthorization(Policies.Manager);
        project.MapGet("/progress", (Guid projectId, ProgressService progress, ClaimsPrincipal user, CancellationToken ct) =>
            progress.ForProjectAsync(user.ToActor(), projectId, ct));

        // The newest report ("status": "computed"); before the first one the same shape with "status": "none" and no id, time or data.
        project.MapGet("/quality", (Guid projectId, QualityService quality, ClaimsPrincipal user, CancellationToken ct) =>
            quality.StateAsync(user.ToActor(), projectId, ct))
            .WithDescription(QualityMetricsDoc);
        project.MapGet("/quality/trend", (Guid projectId, int? limit, QualityService quality, ClaimsPrincipal user, CancellationToken ct) =>
            quality.TrendAsync(user.ToActor(), projectId, limit ?? 100, ct));
        project.MapPost("/quality/recompute", async (Guid projectId, QualityService quality, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var run = await quality.StartRecomputeAsync(user.ToActor(), projectId, ct);
            return Results.Accepted($"/api/v1/jobs/{run.Id}", run);
        }).ProducesJob();
        project.MapGet("/quality/pairs", (Guid projectId, string field, Guid a, Guid b, int? page, int? pageSize, QualityService quality, ClaimsPrincipal user, CancellationToken ct) =>
            quality.PairItemsAsync(user.ToActor(), projectId, field, a, b, page ?? 1, pageSize ?? 50, ct));
        project.MapGet("/quality/aggregation", async (Guid projectId, string field, string? method, string? format, QualityService quality, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var result = await quality.AggregateAsync(user.ToActor(), projectId, field, method ?? "majority_vote", ct);
            if (format != "csv")
            {
                return Results.Ok(result);
            }
            var csv = new StringBuilder("item_id,label,confidence,tie\r\n");
            foreach (var item in result.Items)
            {
                csv.Append(Domain.Releases.AnnotationExporter.CsvLine([item.Item.ToString(CultureInfo.InvariantCulture), item.Label,
                    item.Confidence.ToString("R", CultureInfo.InvariantCulture), item.Tie ? "true" : "false"])).Append("\r\n");
            }
            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", $"aggregation-{field}-{result.Method}.csv");
        }).Produces<ItemAggregation>().AlsoAsCsv("With format=csv: a CSV file, one line per item (item_id,label,confidence,tie).");
        project.MapGet("/quality/{table}.csv", async (Guid projectId, string table, QualityService quality, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var report = await quality.LatestAsync(user.ToActor(), projectId, ct);
            // Before the first report: the table's header alone, so a script reads an empty table rather than a special status.
            var csv = QualityCsv.Write(report?.Data ?? new QualityReportData(), table);
            var stamp = report?.ComputedAt.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture) ?? "none";
            return csv is null
                ? Results.Problem(statusCode: 404, title: "Unknown table", detail: "Tables: fields, labels, pairs, annotators.")
                : Results.File(Encoding.UTF8.GetBytes(csv), "text/csv", $"quality-{table}-{stamp}.csv");
        }).Produces<string>(StatusCodes.Status200OK, "text/csv")
            .Describe(StatusCodes.Status200OK, "The table as CSV; before the first report, its header line alone.")
            .Describe(StatusCodes.Status404NotFound, "No such project, or no such table (fields, labels, pairs, annotators).");
    }
}
