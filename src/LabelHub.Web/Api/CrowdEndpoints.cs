using System.Globalization;
using System.Security.Claims;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using LabelHub.Web.Identity;

namespace LabelHub.Web.Api;

/// <param name="Approved">How many pending sign-ups were approved.</param>
public sealed record ApproveAllResult(int Approved);

/// <summary>Crowd invites and members (issue 17): managers make links and decide on sign-ups; anyone with a link signs up.</summary>
public static class CrowdEndpoints
{
    public const string ThrottledMessage = "Too many sign-ups from here or through this link: try again in {0} minutes.";

    public static void MapCrowdEndpoints(this RouteGroupBuilder api)
    {
        var crowd = api.MapGroup("/projects/{projectId:guid}/crowd").WithTags("Crowd").RequireAuthorization(Policies.Manager);
        crowd.MapPost("/invites", async (Guid projectId, NewCrowdInvite input, CrowdService service, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var created = await service.CreateInviteAsync(user.ToActor(), projectId, input, ct);
            return Results.Created($"/api/v1/projects/{projectId}/crowd/invites/{created.Invite.Id}", created);
        }).Produces<CreatedCrowdInvite>(StatusCodes.Status201Created)
            .Describe(StatusCodes.Status201Created, "The invite and its link's secret, shown only this once.");
        crowd.MapGet("/invites", (Guid projectId, CrowdService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.ListInvitesAsync(user.ToActor(), projectId, ct));
        // Revoking closes the link; the people who signed up through it stay as they are.
        crowd.MapDelete("/invites/{inviteId:guid}", (Guid projectId, Guid inviteId, CrowdService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.RevokeInviteAsync(user.ToActor(), projectId, inviteId, ct));

        // ?inviteId= lists the sign-ups of one invite link.
        crowd.MapGet("/members", (Guid projectId, CrowdMemberState? state, string? inviteId, CrowdMemberService service, ClaimsPrincipal user, CancellationToken ct) =>
            service.ListAsync(user.ToActor(), projectId, state, ParseInviteId(inviteId), ct));
        crowd.MapPost("/members/approve-pending", async (Guid projectId, CrowdMemberService service, ClaimsPrincipal user, CancellationToken ct) =>
            new ApproveAllResult(await service.ApproveAllPendingAsync(user.ToActor(), projectId, ct)));
        MapDecision(crowd, "approve", (s, a, p, m, ct) => s.ApproveAsync(a, p, m, ct), "the sign-up is neither pending nor rejected.");
        MapDecision(crowd, "reject", (s, a, p, m, ct) => s.RejectAsync(a, p, m, ct), "the sign-up is not pending.");
        MapDecision(crowd, "disable", (s, a, p, m, ct) => s.DisableAsync(a, p, m, ct), "the member is already rejected or disabled.");
        MapDecision(crowd, "enable", (s, a, p, m, ct) => s.EnableAsync(a, p, m, ct), "the member is not disabled.");
        MapDecision(crowd, "reset-qualification", (s, a, p, m, ct) => s.ResetQualificationAsync(a, p, m, ct),
            "the invite asks for no qualification, or too few gold items are left that the member has not had.");

        // The link itself: anonymous, and throttled per address and per link on sign-up.
        api.MapGet("/join/{secret}", (string secret, CrowdService service, CancellationToken ct) => service.InfoAsync(secret, ct))
            .WithTags("Crowd").AllowAnonymous()
            .Describe(StatusCodes.Status404NotFound, "No such link (or its project is archived).");
        api.MapPost("/join/{secret}", async (string secret, CrowdSignUp input, CrowdService service, CrowdSignUpThrottle throttle, HttpContext context) =>
            await SignUpAsync(secret, input, service, throttle, context) is { } wait
                ? Throttled(context, wait)
                : Results.Created("/api/v1/me", SignUpResult(context)))
            .WithTags("Crowd").AllowAnonymous()
            .Produces<CrowdSignUpResult>(StatusCodes.Status201Created)
            .Describe(StatusCodes.Status201Created, "An Annotator account and a pending sign-up: a manager approves it before any task.")
            .Describe(StatusCodes.Status404NotFound, "No such link (or its project is archived).")
            .ProducesConflict("the link expired, was revoked or has as many people as it takes.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .Describe(StatusCodes.Status429TooManyRequests, "Too many sign-ups from this address or through this link: wait the Retry-After header's seconds.");
    }

    private const string SignUpResultKey = "labelhub:crowd-sign-up";

    /// <summary>
    /// The sign-up under the throttle, shared by the API and the join page: null when it went ahead (the result is in
    /// the request's items), else how long to wait. An attempt refused for a field to correct is not counted.
    /// </summary>
    public static async Task<TimeSpan?> SignUpAsync(string secret, CrowdSignUp input, CrowdService service, CrowdSignUpThrottle throttle, HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress?.ToString();
        var wait = throttle.TryAcquire(address, secret);
        if (wait > TimeSpan.Zero)
        {
            return wait;
        }
        try
        {
            context.Items[SignUpResultKey] = await service.SignUpAsync(secret, input, context.RequestAborted);
            return null;
        }
        catch (ValidationException)
        {
            throttle.GiveBack(address, secret);
            throw;
        }
    }

    public static CrowdSignUpResult? SignUpResult(HttpContext context) => context.Items[SignUpResultKey] as CrowdSignUpResult;

    public static string ThrottledText(TimeSpan wait) =>
        ServerMessages.Localize(
            string.Format(CultureInfo.InvariantCulture, ThrottledMessage, Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))), CultureInfo.CurrentUICulture);

    private static IResult Throttled(HttpContext context, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var english = string.Format(CultureInfo.InvariantCulture, ThrottledMessage, Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes)));
        return Results.Problem(ThrottledText(wait), statusCode: StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["code"] = ServerMessages.CodeOf(english) });
    }

    private static void MapDecision(RouteGroupBuilder crowd, string action,
        Func<CrowdMemberService, Domain.Identity.Actor, Guid, long, CancellationToken, Task<CrowdMemberView>> decide, string conflict) =>
        crowd.MapPost($"/members/{{memberId:long}}/{action}", (Guid projectId, long memberId, CrowdMemberService service, ClaimsPrincipal user, CancellationToken ct) =>
            decide(service, user.ToActor(), projectId, memberId, ct))
            .Produces<CrowdMemberView>()
            .ProducesConflict(conflict);

    /// <summary>The <c>inviteId</c> query parameter: absent, or an invite's id (a GUID); anything else is a 400 naming it.</summary>
    private static Guid? ParseInviteId(string? value) =>
        string.IsNullOrEmpty(value) ? null
        : Guid.TryParse(value, out var id) ? id
        : throw new ValidationException("inviteId", "The invite id must be a GUID.");
}
