using System.Security.Claims;
using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Web.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace LabelHub.Web.Api;

public sealed record GuidelineRequest(string Markdown, string? ChangeNote);

/// <param name="Released">1 when the lease ended, 0 when it was kept (it holds a draft) or was not open.</param>
public sealed record ReleaseResult(int Released);

public sealed record AcknowledgeRequest(int Version);

public sealed record GoldRequest(Dictionary<string, JsonElement> Answer);

/// <param name="Added">How many suggestions were stored.</param>
public sealed record PredictionsAdded(int Added);

public static class LabelingEndpoints
{
    public static void MapLabelingEndpoints(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{projectId:guid}").WithTags("Labeling");
        project.MapGet("/guideline", async (Guid projectId, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
            await guidelines.CurrentAsync(user.ToActor(), projectId, ct) is { } current ? Results.Ok(current) : Results.NoContent())
            .Produces<GuidelineView>().Produces(StatusCodes.Status204NoContent).Describe(StatusCodes.Status204NoContent, "The project has no guideline yet.");
        project.MapGet("/guideline/versions", (Guid projectId, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
            guidelines.HistoryAsync(user.ToActor(), projectId, ct));
        project.MapGet("/guideline/versions/{version:int}", (Guid projectId, int version, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
            guidelines.VersionAsync(user.ToActor(), projectId, version, ct));
        project.MapPost("/guideline", async (Guid projectId, GuidelineRequest input, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var saved = await guidelines.SaveAsync(user.ToActor(), projectId, input.Markdown, input.ChangeNote, ct);
            return Results.Created($"/api/v1/projects/{projectId}/guideline/versions/{saved.Version}", saved);
        }).RequireAuthorization(Policies.Manager).Produces<GuidelineView>(StatusCodes.Status201Created);

        project.MapPost("/guideline/acknowledge", async (Guid projectId, AcknowledgeRequest input, GuidelineService guidelines, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await guidelines.AcknowledgeAsync(user.ToActor(), projectId, input.Version, ct);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent)
            .Describe(StatusCodes.Status204NoContent, "Acknowledged (again is fine): POST tasks/next hands out tasks again.")
            .Describe(StatusCodes.Status404NotFound, "The project, or this guideline version, does not exist (or is not visible to the caller).");

        // Hands out the next task (or the one already reserved for the caller); 204 when nothing is left.
        project.MapPost("/tasks/next", async (Guid projectId, TaskDistributor distributor, ClaimsPrincipal user, CancellationToken ct) =>
            await distributor.NextAsync(user.ToActor(), projectId, ct) is { } task ? Results.Ok(task) : Results.NoContent())
            .Produces<LabelingTask>()
            .Produces(StatusCodes.Status204NoContent).Describe(StatusCodes.Status204NoContent, "Nothing is left for the caller in this project.")
            .ProducesConflict("`guideline_acknowledgement_required` (a newer guideline version, in `guidelineVersion`, must be read and acknowledged " +
                "with POST guideline/acknowledge first), `task_limit_reached` (the project's task limit per annotator, in `limit`), " +
                "`conflict` (the project is archived).");

        var tasks = api.MapGroup("/tasks").WithTags("Labeling");
        tasks.MapPost("/{assignmentId:long}/submit", ([FromBody] JsonElement body, long assignmentId, IOptions<HttpJsonOptions> json, TaskDistributor distributor,
            ClaimsPrincipal user, CancellationToken ct) =>
            distributor.SubmitAsync(user.ToActor(), assignmentId, ReadSubmit(body, json.Value.SerializerOptions), ct))
            .Accepts<SubmitRequest>("application/json")
            .Produces<SubmitResult>()
            .ProducesConflict("the task was skipped, expired or rejected in review, or its answer was reviewed or changed elsewhere meanwhile.");
        tasks.MapPut("/{assignmentId:long}/draft", async (long assignmentId, Dictionary<string, JsonElement> draft, TaskDistributor distributor, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await distributor.SaveDraftAsync(user.ToActor(), assignmentId, draft ?? [], ct);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent).ProducesConflict("the task is no longer the caller's to edit (submitted, skipped or expired).");
        // Leaving a task without an answer: the item goes back to the pool now (a task with a draft stays reserved).
        tasks.MapPost("/{assignmentId:long}/release", async (long assignmentId, TaskDistributor distributor, ClaimsPrincipal user, CancellationToken ct) =>
            Results.Ok(new ReleaseResult(await distributor.ReleaseAsync(user.ToActor(), [assignmentId], ct))))
            .Produces<ReleaseResult>();
        tasks.MapPost("/{assignmentId:long}/skip", async (long assignmentId, TaskDistributor distributor, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await distributor.SkipAsync(user.ToActor(), assignmentId, ct);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent).ProducesConflict("the task is already submitted.");

        // The caller's own work in a project: tasks left, done today, gold accuracy (when shown), rejected and recent answers.
        project.MapGet("/my-work", (Guid projectId, int? utcOffsetMinutes, MyWorkService work, ClaimsPrincipal user, CancellationToken ct) =>
            work.GetAsync(user.ToActor(), projectId, utcOffsetMinutes ?? 0, ct));
        // A new version of the caller's own answer: redo a rejected one, correct one not reviewed yet.
        api.MapPost("/annotations/{annotationId:long}/revise", (long annotationId, ReviseRequest input, MyWorkService work, ClaimsPrincipal user, CancellationToken ct) =>
            work.ReviseAsync(user.ToActor(), annotationId, input, ct)).WithTags("Labeling")
            .ProducesConflict("the answer has a newer version, was accepted in review, is a gold item's answer whose expected answer was shown, or was changed elsewhere meanwhile.");

        var reviews = api.MapGroup("").WithTags("Review");
        reviews.MapGet("/projects/{projectId:guid}/reviews/queue", (Guid projectId, long? after, int? limit, ReviewService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.QueueAsync(user.ToActor(), projectId, after, limit ?? 20, ct));
        reviews.MapPost("/annotations/{annotationId:long}/review", (long annotationId, ReviewRequest input, ReviewService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.DecideAsync(user.ToActor(), annotationId, input, ct))
            .ProducesConflict("the answer was already reviewed or changed meanwhile; reload the queue.");
        // Review by item: every answer to an item side by side with their consensus, settled in one decision.
        reviews.MapGet("/projects/{projectId:guid}/reviews/items", (Guid projectId, bool? disagreementsOnly, Guid? annotatorId, string? label, long? after, int? limit,
            ItemReviewService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.QueueAsync(user.ToActor(), projectId, new ItemReviewFilter(disagreementsOnly ?? false, annotatorId, label), after, limit ?? 10, ct));
        reviews.MapPost("/items/{itemId:long}/review", (long itemId, ItemReviewRequest input, ItemReviewService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.DecideAsync(user.ToActor(), itemId, input, ct))
            .ProducesConflict("one of the answers was already reviewed or changed meanwhile; reload the item.");
        reviews.MapPost("/projects/{projectId:guid}/reviews/accept-unanimous", (Guid projectId, AcceptUnanimousRequest? input, ItemReviewService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.AcceptUnanimousAsync(user.ToActor(), projectId, input ?? new AcceptUnanimousRequest(), ct));
        reviews.MapGet("/items/{itemId:long}/annotations/{annotatorId:guid}/history", (long itemId, Guid annotatorId, ReviewService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.HistoryAsync(user.ToActor(), itemId, annotatorId, ct));

        // Gold items with their answers and the annotators' accuracy on them; pages start at 1.
        project.MapGet("/gold", (Guid projectId, int? page, int? pageSize, GoldService gold, ClaimsPrincipal user, CancellationToken ct) =>
            gold.ListAsync(user.ToActor(), projectId, page ?? 1, pageSize ?? 20, ct))
            .RequireAuthorization(Policies.Manager);
        // One item with its data and gold answer (null when it is not gold), to write its gold answer against.
        project.MapGet("/items/{itemId:long}/gold", (Guid projectId, long itemId, GoldService gold, ClaimsPrincipal user, CancellationToken ct) =>
            gold.CandidateAsync(user.ToActor(), projectId, itemId, ct))
            .RequireAuthorization(Policies.Manager);
        project.MapPut("/items/{itemId:long}/gold", async (Guid projectId, long itemId, GoldRequest input, GoldService gold, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await gold.SetGoldAsync(user.ToActor(), projectId, itemId, input.Answer ?? [], ct);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Manager).Produces(StatusCodes.Status204NoContent);
        project.MapDelete("/items/{itemId:long}/gold", async (Guid projectId, long itemId, GoldService gold, ClaimsPrincipal user, CancellationToken ct) =>
        {
            await gold.UnsetGoldAsync(user.ToActor(), projectId, itemId, ct);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Manager).Produces(StatusCodes.Status204NoContent);
        project.MapPost("/predictions", async (Guid projectId, List<PredictionInput> input, PredictionService predictions, ClaimsPrincipal user, CancellationToken ct) =>
            Results.Ok(new PredictionsAdded(await predictions.AddAsync(user.ToActor(), projectId, input ?? [], ct))))
            .Produces<PredictionsAdded>()
            .WithTags("Learning")
            .RequireAuthorization(Policies.Manager);
    }
    private static readonly string[] SubmitProperties = ["values", "durationMs", "guidelineVersion", "predictionId"];

    /// <summary>
    /// Reads a submit body strictly: a property the request does not have (such as an answer sent without its "values"
    /// wrapper) and a missing answer are refused by name, instead of storing an empty answer as submitted.
    /// </summary>
    private static SubmitRequest ReadSubmit(JsonElement body, JsonSerializerOptions options)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException("body", "The request body is a JSON object.");
        }
        var errors = new ValidationErrors();
        var hasValues = false;
        foreach (var property in body.EnumerateObject())
        {
            var known = SubmitProperties.FirstOrDefault(p => string.Equals(p, property.Name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                errors.Add(property.Name, "Unknown property: the answer goes inside 'values', keyed by field name.");
            }
            else if (known == "values")
            {
                hasValues = property.Value.ValueKind != JsonValueKind.Null;
            }
        }
        if (!hasValues)
        {
            errors.Add("values", "Required: the answer, keyed by field name.");
        }
        errors.ThrowIfAny();
        try
        {
            return body.Deserialize<SubmitRequest>(options)!;
        }
        catch (JsonException invalid)
        {
            throw new BadHttpRequestException("The request body does not read as a submit.", invalid);
        }
    }
}
