using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The matrix's table: one access rule per endpoint (see AuthorizationMatrixTests.cs).</summary>
public sealed partial class AuthorizationMatrixTests
{
    /// <summary>
    /// The access rule of every endpoint, in the order the matrix calls them (rows that use up a caller's task or change the
    /// project run after those that need them). Keep docs/ARCHITECTURE.md, "Access rules", in step.
    /// </summary>
    private static readonly Row[] Table =
    [
        // Sign-in, account and tokens.
        R("POST /api/v1/auth/token", Access.Anonymous, _ => "/api/v1/auth/token") with
        {
            Json = (w, _) => new AuthTokenRequest(w.ScripterName, w.ScripterPassword, "matrix", 1),
        },
        R("GET /api/v1/me/", Access.SignedIn, _ => "/api/v1/me"),
        R("GET /api/v1/me/tokens", Access.SignedIn, _ => "/api/v1/me/tokens"),
        R("POST /api/v1/me/tokens", Access.SignedIn, _ => "/api/v1/me/tokens") with { Json = (_, _) => new TokenRequest("matrix", 1) },
        // The caller's own spare token (someone else's answers 404 whoever asks).
        R("DELETE /api/v1/me/tokens/{tokenId:guid}", Access.SignedIn, (w, c) => $"/api/v1/me/tokens/{w.SpareTokens[c.UserId]}") with
        {
            Before = async (w, c) => w.SpareTokens[c.UserId] = (await w.App.Service<AccessTokenService>().CreateAsync(c.Role is null ? w.TargetUserId : c.UserId, "spare", 1)).Info.Id,
        },

        // Users: admins only. The target is a user of its own, never a caller.
        R("GET /api/v1/users/", Access.Admin, _ => "/api/v1/users"),
        R("POST /api/v1/users/", Access.Admin, _ => "/api/v1/users") with { Json = (w, _) => new NewUser($"new-user-{++w.NewNames}", null, null, [Roles.Annotator]) },
        R("GET /api/v1/users/{userId:guid}", Access.Admin, w => $"/api/v1/users/{w.TargetUserId}"),
        R("PUT /api/v1/users/{userId:guid}/roles", Access.Admin, w => $"/api/v1/users/{w.TargetUserId}/roles") with { Json = (_, _) => new RolesRequest([Roles.Annotator]) },
        R("POST /api/v1/users/{userId:guid}/password-reset", Access.Admin, w => $"/api/v1/users/{w.TargetUserId}/password-reset"),
        R("POST /api/v1/users/{userId:guid}/tokens/revoke", Access.Admin, w => $"/api/v1/users/{w.TargetUserId}/tokens/revoke"),
        R("POST /api/v1/users/{userId:guid}/disable", Access.Admin, w => $"/api/v1/users/{w.TargetUserId}/disable"),
        R("POST /api/v1/users/{userId:guid}/enable", Access.Admin, w => $"/api/v1/users/{w.TargetUserId}/enable"),
        // Archiving disables the target and restoring brings it back, so the rows after these find it as it was.
        R("POST /api/v1/users/{userId:guid}/archive", Access.Admin, w => $"/api/v1/users/{w.TargetUserId}/archive"),
        R("POST /api/v1/users/{userId:guid}/restore", Access.Admin, w => $"/api/v1/users/{w.TargetUserId}/restore"),
        // Each call deletes an account of its own that never worked.
        R("DELETE /api/v1/users/{userId:guid}", Access.Admin, (w, c) => $"/api/v1/users/{w.Throwaways[c.UserId]}") with
        {
            Before = async (w, c) => w.Throwaways[c.UserId] = (await w.App.CreateUserClientAsync($"leaver-{++w.NewNames}", Roles.Annotator)).UserId,
        },

        // Service accounts (ADR 0017): admins only. Tokens go to an account of the matrix's own.
        R("GET /api/v1/service-accounts/", Access.Admin, _ => "/api/v1/service-accounts"),
        R("POST /api/v1/service-accounts/", Access.Admin, _ => "/api/v1/service-accounts") with { Json = (w, _) => new NewServiceAccount($"bot-{++w.NewNames}", null) },
        R("POST /api/v1/service-accounts/{accountId:guid}/tokens", Access.Admin, w => $"/api/v1/service-accounts/{w.ServiceAccountId}/tokens") with
        {
            Json = (w, _) => new ScopedTokenRequest("matrix", w.ProjectId, Roles.Annotator, 1),
        },
        R("DELETE /api/v1/service-accounts/{accountId:guid}/tokens/{tokenId:guid}", Access.Admin, (w, c) => $"/api/v1/service-accounts/{w.ServiceAccountId}/tokens/{w.SpareTokens[c.UserId]}") with
        {
            Before = async (w, c) => w.SpareTokens[c.UserId] = (await w.App.Service<ServiceAccountService>().CreateTokenAsync(
                w.App.Admin, w.ServiceAccountId, new ScopedTokenRequest("spare", w.ProjectId, Roles.Annotator, 1))).Info.Id,
        },

        // Projects and members.
        R("GET /api/v1/projects/", Access.SignedIn, _ => "/api/v1/projects"),
        R("POST /api/v1/projects/", Access.Manager, _ => "/api/v1/projects") with
        {
            Json = (w, _) => new ProjectInput($"new-project-{++w.NewNames}", null, SentimentSchema, 1),
        },
        R("GET /api/v1/projects/{projectId:guid}", Access.ProjectMember, w => w.P),
        R("PUT /api/v1/projects/{projectId:guid}", Access.ProjectManager, w => w.P) with { Json = (w, _) => w.ProjectInput },
        R("GET /api/v1/projects/{projectId:guid}/plan", Access.ProjectManager, w => $"{w.P}/plan"),
        R("PUT /api/v1/projects/{projectId:guid}/plan", Access.ProjectManager, w => $"{w.P}/plan") with
        {
            Json = (_, _) => new PlanInput(new ProjectPlan { TargetItems = 100, SecondsPerLabel = 20, Annotators = 2, HoursPerDay = 6 }, new StageTargets { MaxSourceShare = 0.6 }),
        },
        R("GET /api/v1/projects/{projectId:guid}/plan/estimate", Access.ProjectManager, w => $"{w.P}/plan/estimate"),
        R("GET /api/v1/projects/{projectId:guid}/pipeline", Access.ProjectManager, w => $"{w.P}/pipeline"),
        R("GET /api/v1/projects/{projectId:guid}/members", Access.ProjectMember, w => $"{w.P}/members"),
        R("POST /api/v1/projects/{projectId:guid}/members", Access.ProjectManager, w => $"{w.P}/members") with { Json = (w, _) => new MemberRequest(w.SpareUserId) },
        R("DELETE /api/v1/projects/{projectId:guid}/members/{userId:guid}", Access.ProjectManager, w => $"{w.P}/members/{w.SpareUserId}") with
        {
            Before = async (w, _) => await w.App.Service<ProjectService>().AddMemberAsync(w.App.Admin, w.ProjectId, w.SpareUserId),
        },

        // Crowd invites and members (issue 17): managers of the project; the link itself is anonymous. A decision the
        // member's state does not allow answers 409, which still shows the caller was let in.
        R("POST /api/v1/projects/{projectId:guid}/crowd/invites", Access.ProjectManager, w => $"{w.P}/crowd/invites") with
        {
            Json = (_, _) => new NewCrowdInvite("matrix", DateTimeOffset.UtcNow.AddDays(7)),
        },
        R("GET /api/v1/projects/{projectId:guid}/crowd/invites", Access.ProjectManager, w => $"{w.P}/crowd/invites"),
        R("DELETE /api/v1/projects/{projectId:guid}/crowd/invites/{inviteId:guid}", Access.ProjectManager, w => $"{w.P}/crowd/invites/{w.CrowdInviteId}") with
        {
            Before = EnsureCrowdAsync,
        },
        R("GET /api/v1/projects/{projectId:guid}/crowd/members", Access.ProjectManager, w => $"{w.P}/crowd/members?state=Pending") with { Before = EnsureCrowdAsync },
        R("POST /api/v1/projects/{projectId:guid}/crowd/members/approve-pending", Access.ProjectManager, w => $"{w.P}/crowd/members/approve-pending"),
        R("POST /api/v1/projects/{projectId:guid}/crowd/members/{memberId:long}/approve", Access.ProjectManager, w => $"{w.P}/crowd/members/{w.CrowdMemberId}/approve") with
        {
            Before = EnsureCrowdAsync,
        },
        R("POST /api/v1/projects/{projectId:guid}/crowd/members/{memberId:long}/reject", Access.ProjectManager, w => $"{w.P}/crowd/members/{w.CrowdMemberId}/reject") with
        {
            Before = EnsureCrowdAsync,
        },
        R("POST /api/v1/projects/{projectId:guid}/crowd/members/{memberId:long}/disable", Access.ProjectManager, w => $"{w.P}/crowd/members/{w.CrowdMemberId}/disable") with
        {
            Before = EnsureCrowdAsync,
        },
        R("POST /api/v1/projects/{projectId:guid}/crowd/members/{memberId:long}/enable", Access.ProjectManager, w => $"{w.P}/crowd/members/{w.CrowdMemberId}/enable") with
        {
            Before = EnsureCrowdAsync,
        },
        R("POST /api/v1/projects/{projectId:guid}/crowd/members/{memberId:long}/reset-qualification", Access.ProjectManager,
            w => $"{w.P}/crowd/members/{w.CrowdMemberId}/reset-qualification") with { Before = EnsureCrowdAsync },
        R("GET /api/v1/join/{secret}", Access.Anonymous, w => $"/api/v1/join/{w.CrowdSecret}") with { Before = EnsureCrowdAsync },
        // A form with a field to correct (400): it reaches the sign-up without making accounts or using up the throttle.
        R("POST /api/v1/join/{secret}", Access.Anonymous, w => $"/api/v1/join/{w.CrowdSecret}") with
        {
            Before = EnsureCrowdAsync,
            Json = (_, _) => new CrowdSignUp("x", null, null, ""),
        },

        // Items and imports.
        R("GET /api/v1/projects/{projectId:guid}/items", Access.ProjectManager, w => $"{w.P}/items?limit=5"),
        R("POST /api/v1/projects/{projectId:guid}/items", Access.ProjectManager, w => $"{w.P}/items") with { Json = (_, _) => new[] { new { text = "bulk item" } } },
        // The data manager's bulk actions: on an id no item has, so nothing the rows after these use changes.
        R("POST /api/v1/projects/{projectId:guid}/items/actions/priority", Access.ProjectManager, w => $"{w.P}/items/actions/priority") with
        {
            Json = (_, _) => new SetPriorityRequest([long.MaxValue], Priority: 1),
        },
        R("POST /api/v1/projects/{projectId:guid}/items/actions/review", Access.ProjectManager, w => $"{w.P}/items/actions/review") with
        {
            Json = (_, _) => new ItemSelectionRequest([long.MaxValue]),
        },
        R("POST /api/v1/projects/{projectId:guid}/items/actions/gold", Access.ProjectManager, w => $"{w.P}/items/actions/gold") with
        {
            Json = (_, _) => new SetGoldRequest([long.MaxValue]),
        },
        R("POST /api/v1/projects/{projectId:guid}/items/actions/delete", Access.ProjectManager, w => $"{w.P}/items/actions/delete") with
        {
            Json = (_, _) => new DeleteItemsRequest([long.MaxValue], ConfirmCount: 1),
        },
        R("GET /api/v1/projects/{projectId:guid}/items/export", Access.ProjectManager, w => $"{w.P}/items/export?format=csv&ids={w.GoldItemId}"),
        R("POST /api/v1/projects/{projectId:guid}/items/export", Access.ProjectManager, w => $"{w.P}/items/export?format=jsonl") with
        {
            Json = (w, _) => new ItemSelectionRequest([w.GoldItemId]),
        },
        R("POST /api/v1/projects/{projectId:guid}/imports", Access.ProjectManager, w => $"{w.P}/imports") with
        {
            Content = (_, _) => new MultipartFormDataContent { { new ByteArrayContent("text\nuploaded item\n"u8.ToArray()), "file", "more.csv" } },
        },
        R("GET /api/v1/projects/{projectId:guid}/media/{fileId:guid}", Access.ProjectMember, w => $"{w.P}/media/{w.ImageFileId}"),
        R("GET /api/v1/projects/{projectId:guid}/sources/", Access.ProjectManager, w => $"{w.P}/sources"),
        R("PATCH /api/v1/projects/{projectId:guid}/sources/{sourceId:long}", Access.ProjectManager, w => $"{w.P}/sources/{w.SourceId}") with
        {
            Json = (_, _) => new SourceUpdate(Licence: "CC BY 4.0"),
        },
        R("GET /api/v1/projects/{projectId:guid}/sources/balance", Access.ProjectManager, w => $"{w.P}/sources/balance?field=sentiment"),

        // Labeling: the guideline, the caller's own tasks and answers.
        R("GET /api/v1/projects/{projectId:guid}/guideline", Access.ProjectMember, w => $"{w.P}/guideline"),
        R("GET /api/v1/projects/{projectId:guid}/guideline/versions", Access.ProjectMember, w => $"{w.P}/guideline/versions"),
        R("GET /api/v1/projects/{projectId:guid}/guideline/versions/{version:int}", Access.ProjectMember, w => $"{w.P}/guideline/versions/1"),
        R("POST /api/v1/projects/{projectId:guid}/guideline/acknowledge", Access.ProjectMember, w => $"{w.P}/guideline/acknowledge") with
        {
            Json = (_, _) => new AcknowledgeRequest(1),
        },
        R("POST /api/v1/projects/{projectId:guid}/tasks/next", Access.ProjectMember, w => $"{w.P}/tasks/next"),
        // Task routes use the caller's own task: a member's is theirs to work on; a removed member's is refused (404).
        R("PUT /api/v1/tasks/{assignmentId:long}/draft", Access.ProjectMember, (_, c) => $"/api/v1/tasks/{c.AssignmentId}/draft") with
        {
            Json = (_, _) => Values(("note", "thinking")),
        },
        R("POST /api/v1/tasks/{assignmentId:long}/submit", Access.ProjectMember, (_, c) => $"/api/v1/tasks/{c.AssignmentId}/submit") with
        {
            Json = (_, _) => new SubmitRequest(Positive),
        },
        R("POST /api/v1/tasks/{assignmentId:long}/skip", Access.ProjectMember, (_, c) => $"/api/v1/tasks/{c.SkipAssignmentId}/skip"),
        // Giving back a lease one holds frees its slot; it needs no membership (signing out does the same for every project).
        R("POST /api/v1/tasks/{assignmentId:long}/release", Access.SignedIn, (_, c) => $"/api/v1/tasks/{c.AssignmentId}/release"),
        R("GET /api/v1/projects/{projectId:guid}/my-work", Access.ProjectMember, w => $"{w.P}/my-work"),
        R("POST /api/v1/annotations/{annotationId:long}/revise", Access.ProjectMember, (_, c) => $"/api/v1/annotations/{c.AnnotationId}/revise") with
        {
            Json = (_, _) => new ReviseRequest(Values(("sentiment", "negative"))),
        },

        // Review: another annotator's answer (the worker's).
        R("GET /api/v1/projects/{projectId:guid}/reviews/queue", Access.ProjectReviewer, w => $"{w.P}/reviews/queue"),
        R("GET /api/v1/projects/{projectId:guid}/reviews/items", Access.ProjectReviewer, w => $"{w.P}/reviews/items"),
        R("GET /api/v1/items/{itemId:long}/annotations/{annotatorId:guid}/history", Access.ProjectReviewer,
            w => $"/api/v1/items/{w.WorkerItemId}/annotations/{w.WorkerId}/history") with { HiddenFromMembers = true },
        R("POST /api/v1/projects/{projectId:guid}/reviews/accept-unanimous", Access.ProjectReviewer, w => $"{w.P}/reviews/accept-unanimous") with
        {
            Json = (_, _) => new AcceptUnanimousRequest(DryRun: true),
        },
        R("POST /api/v1/items/{itemId:long}/review", Access.ProjectReviewer, w => $"/api/v1/items/{w.WorkerItemId}/review") with
        {
            Json = (w, _) => new ItemReviewRequest([new AnswerVerdict(w.WorkerAnnotationId, ReviewDecision.Accepted)]),
        },
        R("POST /api/v1/annotations/{annotationId:long}/review", Access.ProjectReviewer, w => $"/api/v1/annotations/{w.WorkerAnnotationId}/review") with
        {
            Json = (_, _) => new ReviewRequest(ReviewDecision.Accepted),
        },

        // Gold and predictions.
        R("GET /api/v1/projects/{projectId:guid}/gold", Access.ProjectManager, w => $"{w.P}/gold"),
        R("GET /api/v1/projects/{projectId:guid}/items/{itemId:long}/gold", Access.ProjectManager, w => $"{w.P}/items/{w.GoldItemId}/gold"),
        R("PUT /api/v1/projects/{projectId:guid}/items/{itemId:long}/gold", Access.ProjectManager, w => $"{w.P}/items/{w.GoldItemId}/gold") with
        {
            Json = (_, _) => new GoldRequest(Positive),
        },
        R("DELETE /api/v1/projects/{projectId:guid}/items/{itemId:long}/gold", Access.ProjectManager, w => $"{w.P}/items/{w.GoldItemId}/gold"),
        R("POST /api/v1/projects/{projectId:guid}/predictions", Access.ProjectManager, w => $"{w.P}/predictions") with
        {
            Json = (w, _) => new[] { new PredictionInput(w.GoldItemId, "outside model", 0.9, Positive) },
        },

        // Quality.
        R("GET /api/v1/projects/{projectId:guid}/progress", Access.ProjectManager, w => $"{w.P}/progress"),
        R("GET /api/v1/projects/{projectId:guid}/quality", Access.ProjectManager, w => $"{w.P}/quality"),
        R("GET /api/v1/projects/{projectId:guid}/quality/trend", Access.ProjectManager, w => $"{w.P}/quality/trend"),
        R("POST /api/v1/projects/{projectId:guid}/quality/recompute", Access.ProjectManager, w => $"{w.P}/quality/recompute"),
        R("GET /api/v1/projects/{projectId:guid}/quality/pairs", Access.ProjectManager,
            w => $"{w.P}/quality/pairs?field=sentiment&a={w.WorkerId}&b={w.OtherAnnotatorId}"),
        R("GET /api/v1/projects/{projectId:guid}/quality/aggregation", Access.ProjectManager, w => $"{w.P}/quality/aggregation?field=sentiment"),
        R("GET /api/v1/projects/{projectId:guid}/quality/{table}.csv", Access.ProjectManager, w => $"{w.P}/quality/fields.csv"),

        // Cleansing.
        R("GET /api/v1/projects/{projectId:guid}/cleansing/rules", Access.ProjectManager, w => $"{w.P}/cleansing/rules"),
        R("PUT /api/v1/projects/{projectId:guid}/cleansing/rules", Access.ProjectManager, w => $"{w.P}/cleansing/rules") with
        {
            Json = (_, _) => new { rules = new[] { new { kind = "trim", id = "trim-note", field = "note", mode = "Fix" } } },
        },
        R("GET /api/v1/projects/{projectId:guid}/cleansing/rules/versions", Access.ProjectManager, w => $"{w.P}/cleansing/rules/versions"),
        R("POST /api/v1/projects/{projectId:guid}/cleansing/rules/dry-run", Access.ProjectManager, w => $"{w.P}/cleansing/rules/dry-run") with
        {
            Json = (_, _) => new { rules = new[] { new { kind = "trim", id = "trim-note", field = "note", mode = "Fix" } } },
        },
        R("POST /api/v1/projects/{projectId:guid}/cleansing/rules/apply", Access.ProjectManager, w => $"{w.P}/cleansing/rules/apply") with
        {
            Json = (_, _) => new { },
        },
        // The adjudication queue: reviewers too. Decisions after the first answer 409 (decided), which the rule allows.
        R("GET /api/v1/projects/{projectId:guid}/cleansing/findings", Access.ProjectReviewer, w => $"{w.P}/cleansing/findings?state=open"),
        R("GET /api/v1/projects/{projectId:guid}/cleansing/queue", Access.ProjectReviewer, w => $"{w.P}/cleansing/queue"),
        R("GET /api/v1/projects/{projectId:guid}/cleansing/queue/next", Access.ProjectReviewer, w => $"{w.P}/cleansing/queue/next"),
        R("GET /api/v1/projects/{projectId:guid}/cleansing/items/{itemId:long}", Access.ProjectReviewer, w => $"{w.P}/cleansing/items/{w.WorkerItemId}"),
        R("POST /api/v1/projects/{projectId:guid}/cleansing/findings/{findingId:long}/accept", Access.ProjectReviewer,
            w => $"{w.P}/cleansing/findings/{w.FindingIds[0]}/accept"),
        R("POST /api/v1/projects/{projectId:guid}/cleansing/findings/{findingId:long}/dismiss", Access.ProjectReviewer,
            w => $"{w.P}/cleansing/findings/{w.FindingIds[1]}/dismiss") with
        {
            Json = (_, _) => new DismissFindingRequest("fine as it is"),
        },
        // Last of the three: a correction also settles the answer's other open findings on the field it changes.
        R("POST /api/v1/projects/{projectId:guid}/cleansing/findings/{findingId:long}/correct", Access.ProjectReviewer,
            w => $"{w.P}/cleansing/findings/{w.FindingIds[2]}/correct") with
        {
            Json = (_, _) => new CorrectFindingRequest(null, Values(("sentiment", "neutral"))),
        },
        // Restores the worker's first version (the decisions above wrote newer ones); an annotator gets 403, blind labeling holds.
        R("POST /api/v1/annotations/{annotationId:long}/restore", Access.ProjectReviewer, w => $"/api/v1/annotations/{w.WorkerAnnotationId}/restore"),
        R("GET /api/v1/projects/{projectId:guid}/cleansing/rules/hints", Access.ProjectMember, w => $"{w.P}/cleansing/rules/hints"),
        R("GET /api/v1/projects/{projectId:guid}/cleansing/runs/{runId:long}/report", Access.ProjectManager,
            w => $"{w.P}/cleansing/runs/{w.CleansingRunId}/report"),
        R("POST /api/v1/projects/{projectId:guid}/cleansing/runs/{runId:long}/close", Access.ProjectManager,
            w => $"{w.P}/cleansing/runs/{w.CleansingRunId}/close"),
        R("POST /api/v1/projects/{projectId:guid}/cleansing/duplicates", Access.ProjectManager, w => $"{w.P}/cleansing/duplicates") with
        {
            Json = (_, _) => new { kind = "Exact" },
        },
        R("GET /api/v1/projects/{projectId:guid}/cleansing/duplicates", Access.ProjectManager, w => $"{w.P}/cleansing/duplicates?decision=all"),
        R("GET /api/v1/projects/{projectId:guid}/cleansing/duplicates/{groupId:long}", Access.ProjectManager, w => $"{w.P}/cleansing/duplicates/{w.DuplicateGroupId}"),
        R("POST /api/v1/projects/{projectId:guid}/cleansing/duplicates/{groupId:long}/keep", Access.ProjectManager, w => $"{w.P}/cleansing/duplicates/{w.DuplicateGroupId}/keep") with
        {
            Json = (w, _) => new { itemId = w.DuplicateKeepItemId },
        },
        R("POST /api/v1/projects/{projectId:guid}/cleansing/duplicates/{groupId:long}/distinct", Access.ProjectManager, w => $"{w.P}/cleansing/duplicates/{w.DuplicateGroupId}/distinct"),
        R("POST /api/v1/projects/{projectId:guid}/cleansing/duplicates/{groupId:long}/undo", Access.ProjectManager, w => $"{w.P}/cleansing/duplicates/{w.DuplicateGroupId}/undo"),
        R("POST /api/v1/projects/{projectId:guid}/cleansing/label-errors", Access.ProjectManager, w => $"{w.P}/cleansing/label-errors") with
        {
            Json = (_, _) => new { field = "sentiment", folds = 2 },
        },
        R("POST /api/v1/projects/{projectId:guid}/cleansing/disagreement", Access.ProjectManager, w => $"{w.P}/cleansing/disagreement") with
        {
            Json = (_, _) => new { field = "sentiment" },
        },
        R("GET /api/v1/projects/{projectId:guid}/cleansing/runs", Access.ProjectManager, w => $"{w.P}/cleansing/runs"),
        R("GET /api/v1/projects/{projectId:guid}/cleansing/runs/{runId:long}", Access.ProjectManager, w => $"{w.P}/cleansing/runs/{w.CleansingRunId}"),

        // Learning.
        R("GET /api/v1/projects/{projectId:guid}/learning", Access.ProjectManager, w => $"{w.P}/learning"),
        R("PUT /api/v1/projects/{projectId:guid}/learning/settings", Access.ProjectManager, w => $"{w.P}/learning/settings") with
        {
            Json = (_, _) => new LearningSettings(),
        },
        R("GET /api/v1/projects/{projectId:guid}/learning/rounds", Access.ProjectManager, w => $"{w.P}/learning/rounds"),
        R("GET /api/v1/projects/{projectId:guid}/learning/rounds/{number:int}", Access.ProjectManager, w => $"{w.P}/learning/rounds/1"),
        R("POST /api/v1/projects/{projectId:guid}/learning/rounds", Access.ProjectManager, w => $"{w.P}/learning/rounds"),
        R("GET /api/v1/projects/{projectId:guid}/learning/simulations", Access.ProjectManager, w => $"{w.P}/learning/simulations"),
        R("POST /api/v1/projects/{projectId:guid}/learning/simulations", Access.ProjectManager, w => $"{w.P}/learning/simulations") with
        {
            Json = (_, _) => new { },
        },
        R("GET /api/v1/projects/{projectId:guid}/models", Access.ProjectManager, w => $"{w.P}/models"),
        R("GET /api/v1/projects/{projectId:guid}/models/{version:int}", Access.ProjectManager, w => $"{w.P}/models/1"),
        R("GET /api/v1/projects/{projectId:guid}/models/{version:int}/training-set", Access.ProjectManager, w => $"{w.P}/models/1/training-set"),

        // Synthesis. A text project: training answers 409 (not images), generating 409 (generator v1 is still training); allowed all the same.
        R("GET /api/v1/projects/{projectId:guid}/synthesis", Access.ProjectManager, w => $"{w.P}/synthesis"),
        R("POST /api/v1/projects/{projectId:guid}/synthesis/generators", Access.ProjectManager, w => $"{w.P}/synthesis/generators") with { Json = (_, _) => new { } },
        R("GET /api/v1/projects/{projectId:guid}/synthesis/generators", Access.ProjectManager, w => $"{w.P}/synthesis/generators"),
        R("GET /api/v1/projects/{projectId:guid}/synthesis/generators/{version:int}", Access.ProjectManager, w => $"{w.P}/synthesis/generators/1"),
        R("POST /api/v1/projects/{projectId:guid}/synthesis/generators/{version:int}/generate", Access.ProjectManager, w => $"{w.P}/synthesis/generators/1/generate") with
        {
            Json = (_, _) => new { count = 1 },
        },

        // Exports, files and jobs (a project's job history is for its managers, and whoever started the job).
        R("POST /api/v1/projects/{projectId:guid}/exports", Access.ProjectManager, w => $"{w.P}/exports") with { Json = (_, _) => new { format = "csv" } },
        // The first caller's cut stays queued (no job server in the matrix); the others get 409, allowed all the same.
        R("POST /api/v1/projects/{projectId:guid}/releases", Access.ProjectManager, w => $"{w.P}/releases") with { Json = (_, _) => new { } },
        R("POST /api/v1/projects/{projectId:guid}/releases/preview", Access.ProjectManager, w => $"{w.P}/releases/preview") with { Json = (_, _) => new { } },
        R("GET /api/v1/projects/{projectId:guid}/releases", Access.ProjectManager, w => $"{w.P}/releases"),
        R("GET /api/v1/projects/{projectId:guid}/releases/{number:int}", Access.ProjectManager, w => $"{w.P}/releases/1"),
        R("GET /api/v1/projects/{projectId:guid}/releases/{number:int}/download", Access.ProjectManager, w => $"{w.P}/releases/1/download?format=jsonl"),
        R("GET /api/v1/projects/{projectId:guid}/releases/{number:int}/changes", Access.ProjectManager, w => $"{w.P}/releases/1/changes"),
        // Each allowed caller queues a check of release 1 (it stays queued: no job server in the matrix).
        R("POST /api/v1/projects/{projectId:guid}/releases/{number:int}/verify", Access.ProjectManager, w => $"{w.P}/releases/1/verify"),
        R("GET /api/v1/files/{fileId:guid}", Access.ProjectManager, w => $"/api/v1/files/{w.ExportFileId}"),
        R("GET /api/v1/jobs", Access.SignedIn, _ => "/api/v1/jobs"),
        R("GET /api/v1/jobs/{jobId:guid}", Access.ProjectManager, w => $"/api/v1/jobs/{w.JobId}"),
        R("POST /api/v1/jobs/{jobId:guid}/cancel", Access.ProjectManager, w => $"/api/v1/jobs/{w.JobId}/cancel"),
        R("GET /api/v1/projects/{projectId:guid}/jobs", Access.ProjectManager, w => $"{w.P}/jobs"),

        // Changes to the project itself, last. The archive is undone after the row.
        R("POST /api/v1/projects/{projectId:guid}/archive", Access.ProjectManager, w => $"{w.P}/archive") with
        {
            After = async w => await w.App.Service<ProjectService>().SetArchivedAsync(w.App.Admin, w.ProjectId, archived: false),
        },
        R("POST /api/v1/projects/{projectId:guid}/restore", Access.ProjectManager, w => $"{w.P}/restore"),
        // Each call deletes a throwaway archived project with the same members (the deletion job stays queued).
        R("DELETE /api/v1/projects/{projectId:guid}", Access.ProjectManager, w => $"/api/v1/projects/{w.ThrowawayProjectId}?confirmName=throwaway") with
        {
            Before = async (w, _) =>
            {
                var projects = w.App.Service<ProjectService>();
                var throwaway = await projects.CreateAsync(w.App.Admin, new ProjectInput("throwaway", null, SentimentSchema, 1));
                foreach (var member in w.MemberIds)
                {
                    await projects.AddMemberAsync(w.App.Admin, throwaway.Id, member);
                }
                await projects.SetArchivedAsync(w.App.Admin, throwaway.Id, archived: true);
                w.ThrowawayProjectId = throwaway.Id;
            },
        },
        R("POST /api/v1/projects/{projectId:guid}/guideline", Access.ProjectManager, w => $"{w.P}/guideline") with
        {
            Json = (_, _) => new GuidelineRequest("# Rules\n\nRead twice.", "second"),
        },

        // Outside the API.
        R("GET /openapi/{documentName}.json", Access.Anonymous, _ => "/openapi/v1.json"),
        // The API reference page (Scalar) and its own scripts: public, like the document it shows.
        R("GET /api/reference/{documentName?}", Access.Anonymous, _ => "/api/reference"),
        R("GET /api/reference/scalar.js", Access.Anonymous, _ => "/api/reference/scalar.js"),
        R("GET /api/reference/scalar.aspnetcore.js", Access.Anonymous, _ => "/api/reference/scalar.aspnetcore.js"),
        R("GET /api/reference/favicon.svg", Access.Anonymous, _ => "/api/reference/favicon.svg"),
        R("* /health", Access.Anonymous, _ => "/health"),
        R("* /jobs/{**path}", Access.Admin, _ => "/jobs"),
        // Without the form's antiforgery token the sign-in answers 400: what matters is that nothing asks for a sign-in first.
        R("POST /account/login", Access.Anonymous, _ => "/account/login") with
        {
            Content = (_, _) => new FormUrlEncodedContent(new Dictionary<string, string> { ["userName"] = "nobody", ["password"] = "wrong" }),
        },
        R("GET /account/refresh-sign-in", Access.Anonymous, _ => "/account/refresh-sign-in"),
        R("GET /account/culture", Access.Anonymous, _ => "/account/culture?culture=en"),
        // Last: it gives back the caller's leases.
        R("POST /account/logout", Access.SignedIn, _ => "/account/logout"),
    ];
}
