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
public sealed partial class AuthorizationMatrixTests(ITestOutputHelper output)
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
}
