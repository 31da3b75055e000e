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

/// <summary>
/// Who may call what (issue 13): every HTTP endpoint the app maps has one access rule in <see cref="Table"/>, and every
/// endpoint is called by every kind of caller (anonymous; Admin, Manager, Reviewer and Annotator, each as a member and as
/// a non-member of the project the route points at) with real ids, so a 404 means "not visible", not "no such thing".
/// A new endpoint fails <see cref="Every_endpoint_the_app_maps_has_an_access_rule"/> until it gets a row here.
/// </summary>
public sealed class AuthorizationMatrixTests(ITestOutputHelper output)
{
    /// <summary>Access rules, from open to closed. "Project" rules also need the project to be visible (member, or admin).</summary>
    public enum Access
    {
        /// <summary>No sign-in needed.</summary>
        Anonymous,

        /// <summary>Any signed-in user; the endpoint answers only about the caller's own things.</summary>
        SignedIn,

        /// <summary>Members of the project, whatever their role, and admins.</summary>
        ProjectMember,

        /// <summary>Members of the project who are reviewers, managers or admins (admins need no membership).</summary>
        ProjectReviewer,

        /// <summary>Members of the project who are managers, and admins.</summary>
        ProjectManager,

        /// <summary>Managers and admins; no project involved.</summary>
        Manager,

        /// <summary>Admins only.</summary>
        Admin,
    }

    /// <summary>
    /// Mapped endpoints the matrix leaves out, and why: Blazor pages (their [Authorize] attributes and redirects are
    /// covered by the page and E2E tests), the Blazor circuit's SignalR hub (a circuit is only as privileged as its page),
    /// and static assets (public files).
    /// </summary>
    private static string? ExclusionReason(RouteEndpoint endpoint, string pattern)
    {
        if (endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
        {
            return "Blazor page";
        }
        if (pattern.StartsWith("/_blazor", StringComparison.Ordinal))
        {
            return "Blazor circuit hub";
        }
        if (endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor") || pattern.StartsWith("/_framework/", StringComparison.Ordinal)
            || pattern.StartsWith("/_content/", StringComparison.Ordinal) || pattern.Contains(":file}", StringComparison.Ordinal))
        {
            return "static asset";
        }
        return null;
    }

    /// <summary>Every endpoint the running app maps, as "METHOD /route/pattern" ("*" when it takes any method).</summary>
    private static (SortedSet<string> Endpoints, SortedDictionary<string, int> Excluded) Discover(IServiceProvider services)
    {
        var endpoints = new SortedSet<string>(StringComparer.Ordinal);
        var excluded = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (ExclusionReason(endpoint, pattern) is { } reason)
            {
                excluded[reason] = excluded.GetValueOrDefault(reason) + 1;
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            foreach (var method in methods is { Count: > 0 } ? methods : ["*"])
            {
                endpoints.Add($"{method} {pattern}");
            }
        }
        return (endpoints, excluded);
    }

    [Fact]
    public async Task Every_endpoint_the_app_maps_has_an_access_rule()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var (endpoints, excluded) = Discover(app.Services);
        output.WriteLine($"{endpoints.Count} endpoints; left out: {string.Join(", ", excluded.Select(e => $"{e.Value} {e.Key}"))}");
        var table = Table.Select(r => r.Endpoint).ToList();
        Assert.Equal(table.Count, table.Distinct().Count());

        var missing = endpoints.Except(table).ToList();
        var stale = table.Except(endpoints).ToList();
        var message = new StringBuilder();
        if (missing.Count > 0)
        {
            message.AppendLine(CultureInfo.InvariantCulture, $"{missing.Count} endpoint(s) without an access rule: add a row to AuthorizationMatrixTests.Table (and docs/ARCHITECTURE.md, Access rules):");
            missing.ForEach(e => message.AppendLine("  " + e));
        }
        if (stale.Count > 0)
        {
            message.AppendLine(CultureInfo.InvariantCulture, $"{stale.Count} row(s) of AuthorizationMatrixTests.Table match no endpoint (renamed or removed?):");
            stale.ForEach(e => message.AppendLine("  " + e));
        }
        Assert.True(message.Length == 0, message.ToString());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Every_endpoint_answers_every_kind_of_caller_by_its_access_rule(string provider)
    {
        var clock = Stopwatch.StartNew();
        var database = await TestDatabases.CreateAsync(provider);
        List<Caller> callers;
        World world;
        // The data is made with the job server running (imports and exports finish); the matrix runs without one, so the
        // jobs it starts (imports, exports, learning rounds, a project deletion if one slipped through) stay queued.
        await using (var setup = await LabelHubApp.StartAsync(database))
        {
            (world, callers) = await SetUpAsync(setup);
        }
        var setupTime = clock.Elapsed;
        await using var app = await LabelHubApp.StartAsync(database, runJobServer: false);
        world.App = app;
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var (endpoints, _) = Discover(app.Services);

        var mismatches = new List<string>();
        var calls = 0;
        output.WriteLine(string.Join(" | ", callers.Select(c => c.Name)));
        foreach (var row in Table.Where(r => endpoints.Contains(r.Endpoint)))
        {
            var statuses = new List<int>();
            foreach (var caller in callers)
            {
                using var response = await CallAsync(http, row, world, caller);
                calls++;
                statuses.Add((int)response.StatusCode);
                if (Mismatch(row, caller, response) is { } expected)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    mismatches.Add($"{row.Endpoint} as {caller.Name}: expected {expected}, got {(int)response.StatusCode} {Shorten(body)}");
                }
            }
            output.WriteLine($"{row.Endpoint} [{row.Rule}]: {string.Join(" ", statuses)}");
            if (row.After is { } after)
            {
                await after(world);
            }
        }

        // The browser's way in, for a few endpoints: the sign-in cookie of an annotator who is a member, same rules.
        var cookieCaller = callers.Single(c => c.Role == Roles.Annotator && c.Member);
        const string Password = "Matrix-Cookie-Path-42";
        await SetOwnPasswordAsync(app, cookieCaller.UserId, Password);
        var (browser, login) = await app.SignInWithFormAsync(cookieCaller.UserName, Password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var byCookie = cookieCaller with { Name = cookieCaller.Name + " (cookie)", Token = null };
        foreach (var row in Table.Where(r => CookieSample.Contains(r.Endpoint)))
        {
            using var response = await CallAsync(browser, row, world, byCookie);
            calls++;
            if (Mismatch(row, byCookie, response) is { } expected)
            {
                mismatches.Add($"{row.Endpoint} as {byCookie.Name}: expected {expected}, got {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}");
            }
        }

        output.WriteLine($"{provider}: set-up {setupTime.TotalSeconds:0.0} s, {calls} calls, total {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {calls} calls broke the access rules:\n" + string.Join("\n", mismatches));
    }

    private static readonly HashSet<string> CookieSample =
    [
        "GET /api/v1/projects/{projectId:guid}",
        "GET /api/v1/projects/{projectId:guid}/progress",
        "POST /api/v1/projects/{projectId:guid}/guideline",
        "POST /api/v1/projects/{projectId:guid}/guideline/acknowledge",
        "GET /api/v1/users/",
        "* /jobs/{**path}",
    ];

    private static string Shorten(string body) => body.Length <= 160 ? body : body[..160] + "…";

    /// <summary>Null when the answer fits the rule; otherwise what was expected.</summary>
    private static string? Mismatch(Row row, Caller caller, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        // Outside /api and /jobs, the cookie scheme's challenge is a redirect to the sign-in page with a return URL.
        var path = response.RequestMessage!.RequestUri!.AbsolutePath;
        var programs = path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/jobs", StringComparison.Ordinal);
        var challenged = status == 401
            || (!programs && status == 302 && response.Headers.Location?.OriginalString.Contains("ReturnUrl=", StringComparison.Ordinal) == true);
        if (Allows(row.Rule, caller))
        {
            return challenged || status is 403 or 404 || status >= 500 ? "allowed (not 401/403/404/5xx)" : null;
        }
        if (caller.Role is null)
        {
            return challenged ? null : "401";
        }
        var invisible = IsProjectRule(row.Rule) && !caller.Member && caller.Role != Roles.Admin;
        return status == 403 || (status == 404 && (invisible || row.HiddenFromMembers))
            ? null
            : invisible || row.HiddenFromMembers ? "403 or 404" : "403";
    }

    private static bool IsProjectRule(Access rule) => rule is Access.ProjectMember or Access.ProjectReviewer or Access.ProjectManager;

    private static bool Allows(Access rule, Caller caller)
    {
        var signedIn = caller.Role is not null;
        var admin = caller.Role == Roles.Admin;
        var manager = admin || caller.Role == Roles.Manager;
        var reviewer = manager || caller.Role == Roles.Reviewer;
        var sees = signedIn && (admin || caller.Member);
        return rule switch
        {
            Access.Anonymous => true,
            Access.SignedIn => signedIn,
            Access.ProjectMember => sees,
            Access.ProjectReviewer => sees && reviewer,
            Access.ProjectManager => sees && manager,
            Access.Manager => manager,
            Access.Admin => admin,
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };
    }

    private static async Task<HttpResponseMessage> CallAsync(HttpClient http, Row row, World world, Caller caller)
    {
        if (row.Before is { } before)
        {
            await before(world, caller);
        }
        var method = row.Endpoint[..row.Endpoint.IndexOf(' ', StringComparison.Ordinal)];
        using var request = new HttpRequestMessage(method == "*" ? HttpMethod.Get : new HttpMethod(method), row.Path(world, caller));
        if (caller.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }
        else
        {
            // A cookie caller's writes come from this site's pages.
            request.Headers.Add("Origin", "http://localhost");
        }
        if (row.Content is { } content)
        {
            request.Content = content(world, caller);
        }
        else if (row.Json is { } json)
        {
            request.Content = JsonContent.Create(json(world, caller), options: LabelHubApp.Json);
        }
        return await http.SendAsync(request);
    }

    /// <summary>One kind of caller: anonymous (no role) or a user with one global role, a member of the project or not.</summary>
    private sealed record Caller(string Name, string? Role, bool Member)
    {
        public Guid UserId { get; init; }
        public string UserName { get; init; } = "";
        public string? Token { get; init; }

        /// <summary>A task the caller holds in the project (leased while a member; non-members were removed afterwards).</summary>
        public long AssignmentId { get; init; }

        /// <summary>A second task the caller holds, to skip.</summary>
        public long SkipAssignmentId { get; init; }

        /// <summary>The caller's own answer in the project.</summary>
        public long AnnotationId { get; init; }
    }

    /// <summary>The real ids the routes are filled with.</summary>
    private sealed class World
    {
        public required LabelHubApp App { get; set; }
        public required Guid ProjectId { get; init; }
        public required ProjectInput ProjectInput { get; init; }
        public required Guid WorkerId { get; init; }
        public required long WorkerItemId { get; init; }
        public required long WorkerAnnotationId { get; init; }
        public required long GoldItemId { get; init; }

        /// <summary>Open findings on the worker's answer, one per decision row: accept, correct, dismiss.</summary>
        public required long[] FindingIds { get; init; }
        public required Guid JobId { get; init; }
        public required Guid ExportFileId { get; init; }
        public required Guid ImageFileId { get; init; }
        public required long SourceId { get; init; }
        public required Guid TargetUserId { get; init; }
        public required Guid SpareUserId { get; init; }
        public required Guid ServiceAccountId { get; init; }
        public required string ScripterName { get; init; }
        public required string ScripterPassword { get; init; }
        public required Guid OtherAnnotatorId { get; init; }
        public required IReadOnlyList<Guid> MemberIds { get; init; }
        public required long CleansingRunId { get; init; }
        public int NewNames { get; set; }
        public Dictionary<Guid, Guid> SpareTokens { get; } = [];
        public Dictionary<Guid, Guid> Throwaways { get; } = [];
        public Guid ThrowawayProjectId { get; set; }

        /// <summary>A crowd invite of the project (made on first use) and one person who signed up through it.</summary>
        public string? CrowdSecret { get; set; }
        public Guid CrowdInviteId { get; set; }
        public long CrowdMemberId { get; set; }
        public string P => $"/api/v1/projects/{ProjectId}";

        /// <summary>A duplicate group of two items of the project, and the item a keep-one call keeps.</summary>
        public long DuplicateGroupId { get; set; }
        public long DuplicateKeepItemId { get; set; }
    }

    private sealed record Row(string Endpoint, Access Rule, Func<World, Caller, string> Path)
    {
        public Func<World, Caller, object?>? Json { get; init; }
        public Func<World, Caller, HttpContent>? Content { get; init; }

        /// <summary>Runs before each call (e.g. puts back what the previous caller removed).</summary>
        public Func<World, Caller, Task>? Before { get; init; }

        /// <summary>Runs once after the row's calls (e.g. restores an archived project for the rows after it).</summary>
        public Func<World, Task>? After { get; init; }

        /// <summary>Members the rule refuses get 404, not 403 (blind labeling: another annotator's answer does not exist for them).</summary>
        public bool HiddenFromMembers { get; init; }
    }

    private static async Task EnsureCrowdAsync(World w, Caller caller)
    {
        if (w.CrowdSecret is not null)
        {
            return;
        }
        await using var scope = w.App.Services.CreateAsyncScope();
        var invite = await scope.ServiceProvider.GetRequiredService<CrowdService>()
            .CreateInviteAsync(w.App.Admin, w.ProjectId, new NewCrowdInvite("matrix crowd", DateTimeOffset.UtcNow.AddDays(7)));
        var signUp = await scope.ServiceProvider.GetRequiredService<CrowdService>()
            .SignUpAsync(invite.Secret, new CrowdSignUp($"crowd-{++w.NewNames}", null, null, "crowd-matrix-password-1"));
        (w.CrowdSecret, w.CrowdInviteId, w.CrowdMemberId) = (invite.Secret, invite.Invite.Id, signUp.MemberId);
    }

    private static Row R(string endpoint, Access rule, Func<World, string> path) => new(endpoint, rule, (w, _) => path(w));

    private static Row R(string endpoint, Access rule, Func<World, Caller, string> path) => new(endpoint, rule, path);

    private static readonly Dictionary<string, System.Text.Json.JsonElement> Positive = Values(("sentiment", "positive"));

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

    private static async Task<(World World, List<Caller> Callers)> SetUpAsync(LabelHubApp app)
    {
        var owner = await app.CreateUserClientAsync("owner", Roles.Manager);
        var worker = await app.CreateUserClientAsync("worker", Roles.Annotator);
        var input = new ProjectInput("matrix", "test project", SentimentSchema, 2, 30);
        var project = await owner.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", input);
        var p = $"/api/v1/projects/{project.Id}";
        await AddMemberAsync(owner, project.Id, worker.UserId);
        var import = await UploadAsync(owner, project.Id, "items.csv", "text\n" + string.Concat(Enumerable.Range(1, 30).Select(i => $"item {i}\n")));
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(owner, import.Id)).State);
        await ApiClient.EnsureAsync(await owner.PostRawAsync($"{p}/guideline", new GuidelineRequest("# Rules", "first")));

        // An answer, a task held to draft and submit, and a second one (reserved as the workbench's next) to skip.
        async Task<(long Assignment, long Annotation, long Item, long SkipAssignment)> AnswerAndHoldAsync(ApiClient client, string role)
        {
            await ApiClient.EnsureAsync(await client.PostRawAsync($"{p}/guideline/acknowledge", new AcknowledgeRequest(1)));
            var answered = await client.PostAsync<LabelingTask>($"{p}/tasks/next", null);
            var answer = await client.PostAsync<SubmitResult>($"/api/v1/tasks/{answered.AssignmentId}/submit", new SubmitRequest(Positive));
            var held = await client.PostAsync<LabelingTask>($"{p}/tasks/next", null);
            var next = await app.Service<TaskDistributor>().PrefetchAsync(new Actor(client.UserId, new HashSet<string> { role }), project.Id, held.AssignmentId);
            return (held.AssignmentId, answer.AnnotationId, answered.ItemId, next!.AssignmentId);
        }

        var work = await AnswerAndHoldAsync(worker, Roles.Annotator);
        var callers = new List<Caller> { new("anonymous", null, false) };
        foreach (var role in new[] { Roles.Admin, Roles.Manager, Roles.Reviewer, Roles.Annotator })
        {
            foreach (var member in new[] { true, false })
            {
                var userName = $"{role.ToLowerInvariant()}-{(member ? "member" : "outsider")}";
                var client = await app.CreateUserClientAsync(userName, role);
                // Everyone labels while a member; outsiders are then removed and keep their task and answer (as a removed member does).
                await AddMemberAsync(owner, project.Id, client.UserId);
                var own = await AnswerAndHoldAsync(client, role);
                if (!member)
                {
                    await ApiClient.EnsureAsync(await owner.Http.DeleteAsync($"{p}/members/{client.UserId}"));
                }
                callers.Add(new Caller($"{role} {(member ? "member" : "non-member")}", role, member)
                {
                    UserName = userName,
                    UserId = client.UserId,
                    Token = client.Token,
                    AssignmentId = own.Assignment,
                    SkipAssignmentId = own.SkipAssignment,
                    AnnotationId = own.Annotation,
                });
            }
        }

        var export = await owner.PostAsync<JobRunInfo>($"{p}/exports", new { format = "csv" });
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(owner, export.Id)).State);
        // Release 1, cut while the job server runs, for the routes that read a release.
        var cut = await owner.PostAsync<JobRunInfo>($"{p}/releases", new { });
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(owner, cut.Id)).State);
        var files = app.Service<StoredFileService>();
        var image = await files.SaveAsync(project.Id, owner.UserId, "pixel.png", "image/png", new MemoryStream(TestImages.Png(8, 8, 200, 40, 40)));
        var trainingSet = await files.SaveAsync(project.Id, null, "training-set.jsonl", "application/x-ndjson", new MemoryStream("{}\n"u8.ToArray()));
        var checkpoint = await files.SaveAsync(project.Id, null, "model.bin", "application/octet-stream", new MemoryStream([1, 2, 3]));
        long goldItem;
        long[] findingIds;
        Guid exportFile;
        await using (var db = app.CreateDbContext())
        {
            exportFile = await db.StoredFiles.Where(f => f.JobRunId == export.Id).Select(f => f.Id).SingleAsync();
            goldItem = await db.Items.Where(i => i.ProjectId == project.Id).MaxAsync(i => i.Id);
            // A trained model and its round, written as the learning job would: training one is not what this test is about.
            var model = new ModelVersion
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                Version = 1,
                Kind = ModelKind.TextMlp,
                Field = "sentiment",
                Labels = ["positive", "negative", "neutral"],
                TrainedAt = DateTimeOffset.UtcNow,
                JobRunId = import.Id,
                CheckpointFileId = checkpoint.Id,
                TrainingSetFileId = trainingSet.Id,
            };
            db.ModelVersions.Add(model);
            // Generator v1, as a training job would have created it, for the synthesis rows.
            db.Generators.Add(new LabelHub.Domain.Synthesis.Generator
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                Version = 1,
                State = LabelHub.Domain.Synthesis.GeneratorState.Training,
                Field = "sentiment",
                Labels = ["positive", "negative"],
                ImageSide = 28,
                Channels = 1,
                JobRunId = Guid.CreateVersion7(),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            db.LearningRounds.Add(new LearningRound
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                Number = 1,
                JobRunId = import.Id,
                Trigger = RoundTrigger.Manual,
                Strategy = SamplingStrategy.Random,
                ModelVersionId = model.Id,
                CreatedAt = DateTimeOffset.UtcNow,
                FinishedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();

            // What a cleansing run flags on the worker's answer, for the adjudication rows.
            var run = new CleansingRun { ProjectId = project.Id, Kind = CleansingRunKind.LabelErrors, StartedById = owner.UserId, StartedAt = DateTimeOffset.UtcNow };
            db.CleansingRuns.Add(run);
            await db.SaveChangesAsync();
            var findings = Enumerable.Range(0, 3).Select(i => new CleansingFinding
            {
                ProjectId = project.Id,
                RunId = run.Id,
                ItemId = work.Item,
                AnnotationId = work.Annotation,
                Field = "sentiment",
                Source = FindingSource.LabelError,
                Code = "label-error",
                Reason = $"matrix finding {i}",
                Suggestion = System.Text.Json.JsonSerializer.SerializeToElement("negative"),
                Score = 0.9,
                CreatedAt = DateTimeOffset.UtcNow,
            }).ToList();
            db.CleansingFindings.AddRange(findings);
            await db.SaveChangesAsync();
            findingIds = [.. findings.Select(f => f.Id)];
        }

        var target = await app.CreateUserClientAsync("target", Roles.Annotator);
        var spare = await app.CreateUserClientAsync("spare", Roles.Annotator);
        var scripter = await app.CreateUserClientAsync("scripter", Roles.Annotator);
        const string ScripterPassword = "Matrix-Script-Password-7";
        await SetOwnPasswordAsync(app, scripter.UserId, ScripterPassword);

        var serviceAccount = await app.Service<ServiceAccountService>().CreateAsync(app.Admin, new NewServiceAccount("matrix-bot", null));

        // A finished cleansing run for the report endpoints.
        var runLog = app.Service<LabelHub.Domain.Cleansing.CleansingRunLog>();
        var cleansingRun = await runLog.FinishAsync(await runLog.StartAsync(project.Id, LabelHub.Domain.Cleansing.CleansingRunKind.Rules, null, owner.UserId), 0);

        long sourceId;
        await using (var sources = app.CreateDbContext())
        {
            sourceId = await sources.ItemSources.Where(s => s.ProjectId == project.Id).Select(s => s.Id).FirstAsync();
        }

        var world = new World
        {
            SourceId = sourceId,
            ServiceAccountId = serviceAccount.Id,
            App = app,
            ProjectId = project.Id,
            ProjectInput = input,
            WorkerId = worker.UserId,
            WorkerItemId = work.Item,
            WorkerAnnotationId = work.Annotation,
            GoldItemId = goldItem,
            FindingIds = findingIds,
            JobId = import.Id,
            ExportFileId = exportFile,
            ImageFileId = image.Id,
            TargetUserId = target.UserId,
            SpareUserId = spare.UserId,
            ScripterName = "scripter",
            ScripterPassword = ScripterPassword,
            OtherAnnotatorId = callers.Single(c => c.Role == Roles.Annotator && c.Member).UserId,
            MemberIds = [.. callers.Where(c => c.Member).Select(c => c.UserId)],
            CleansingRunId = cleansingRun.Id,
        };
        (world.DuplicateGroupId, world.DuplicateKeepItemId) = await AddDuplicateGroupAsync(app, project.Id, owner.UserId);
        return (world, callers);
    }

    /// <summary>Two fresh items of the project in one open exact-duplicate group, as the duplicate search stores them.</summary>
    private static async Task<(long GroupId, long KeepItemId)> AddDuplicateGroupAsync(LabelHubApp app, Guid projectId, Guid managerId)
    {
        await using var db = app.CreateDbContext();
        var items = new[] { "matrix duplicate", "Matrix  duplicate" }.Select(text => new Item
        {
            ProjectId = projectId,
            Data = new() { ["text"] = System.Text.Json.JsonSerializer.SerializeToElement(text) },
            ContentHash = text,
            CreatedAt = DateTimeOffset.UtcNow,
        }).ToList();
        db.Items.AddRange(items);
        var run = new CleansingRun { ProjectId = projectId, Kind = CleansingRunKind.ExactDuplicates, StartedById = managerId, StartedAt = DateTimeOffset.UtcNow };
        db.CleansingRuns.Add(run);
        await db.SaveChangesAsync();
        var group = new DuplicateGroup
        {
            ProjectId = projectId,
            RunId = run.Id,
            Kind = DuplicateKind.Exact,
            RepresentativeItemId = items[0].Id,
            CreatedAt = DateTimeOffset.UtcNow,
            Members = [.. items.Select(i => new DuplicateGroupMember { ItemId = i.Id, Similarity = 1 })],
        };
        db.DuplicateGroups.Add(group);
        await db.SaveChangesAsync();
        return (group.Id, items[0].Id);
    }

    private static async Task SetOwnPasswordAsync(LabelHubApp app, Guid userId, string password)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var account = await users.FindByIdAsync(userId.ToString());
        await users.RemovePasswordAsync(account!);
        Assert.True((await users.AddPasswordAsync(account!, password)).Succeeded);
        foreach (var mark in (await users.GetClaimsAsync(account!)).Where(c => c.Type == UserAdminService.MustChangePasswordClaim).ToList())
        {
            await users.RemoveClaimAsync(account!, mark);
        }
    }
}
