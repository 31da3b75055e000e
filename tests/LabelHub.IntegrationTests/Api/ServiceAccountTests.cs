using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Issue 13, point 15: admin-created service accounts with tokens scoped to a project, a role and an expiry.</summary>
public sealed class ServiceAccountTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_service_token_acts_in_its_one_project_with_its_one_role(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var mine = await CreateProjectAsync(manager, "Reviews", overlap: 1);
        var other = await CreateProjectAsync(manager, "Other", overlap: 1);
        foreach (var project in new[] { mine, other })
        {
            var import = await manager.PostAsync<LabelHub.Domain.Jobs.JobRunInfo>($"/api/v1/projects/{project.Id}/items",
                new[] { new { text = "good" }, new { text = "bad" } });
            Assert.Equal(LabelHub.Domain.Jobs.JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        }

        var account = await admin.PostAsync<ServiceAccountInfo>("/api/v1/service-accounts", new NewServiceAccount("ml-backend", "Pre-labels reviews"));
        var annotatorToken = await admin.PostAsync<CreatedAccessToken>($"/api/v1/service-accounts/{account.Id}/tokens",
            new ScopedTokenRequest("labeler", mine.Id, Roles.Annotator, 30));
        Assert.Equal(mine.Id, annotatorToken.Info.ProjectId);
        Assert.Equal(Roles.Annotator, annotatorToken.Info.Role);
        Assert.InRange(annotatorToken.Info.ExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(29.9), TimeSpan.FromDays(30.1));
        var bot = Client(app, annotatorToken.Token);

        // In its project it labels like any annotator, and sees that one project only.
        Assert.Equal(["Reviews"], (await bot.GetAsync<List<ProjectSummary>>("/api/v1/projects")).Select(p => p.Name));
        var task = await bot.PostAsync<LabelingTask>($"/api/v1/projects/{mine.Id}/tasks/next", null);
        var submitted = await bot.PostRawAsync($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive"))));
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);

        // Another project does not exist for it, even once its account is a member there.
        await AddMemberAsync(manager, other.Id, account.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await bot.Http.PostAsync($"/api/v1/projects/{other.Id}/tasks/next", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bot.Http.GetAsync($"/api/v1/projects/{other.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bot.Http.GetAsync($"/api/v1/projects/{other.Id}/guideline")).StatusCode);
        // A task it holds in the other project (leased through the manager's doing, as if by another token) is missing too.
        var otherTask = await app.Service<TaskDistributor>().NextAsync(new Actor(account.Id, new HashSet<string> { Roles.Annotator }), other.Id);
        Assert.NotNull(otherTask);
        Assert.Equal(HttpStatusCode.NotFound, (await bot.PostRawAsync($"/api/v1/tasks/{otherTask.AssignmentId}/submit",
            new SubmitRequest(Values(("sentiment", "negative"))))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bot.Http.PutAsJsonAsync($"/api/v1/tasks/{otherTask.AssignmentId}/draft",
            Values(("sentiment", "negative")), LabelHubApp.Json)).StatusCode);

        // Its role is the token's: no manager or admin work, no new projects, no tokens of its own.
        Assert.Equal(HttpStatusCode.Forbidden, (await bot.PostRawAsync($"/api/v1/projects/{mine.Id}/exports", new { format = "csv" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bot.PostRawAsync("/api/v1/projects", new ProjectInput("Mine", null, SentimentSchema, 1))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bot.Http.GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bot.PostRawAsync("/api/v1/me/tokens", new TokenRequest("wider", 30))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bot.Http.GetAsync("/api/v1/me/tokens")).StatusCode);

        // A manager-scoped token of the same account exports that project, and still nothing else.
        var managerToken = await admin.PostAsync<CreatedAccessToken>($"/api/v1/service-accounts/{account.Id}/tokens",
            new ScopedTokenRequest("exporter", mine.Id, Roles.Manager));
        Assert.InRange(managerToken.Info.ExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(89.9), TimeSpan.FromDays(90.1));
        var exporter = Client(app, managerToken.Token);
        Assert.Equal(HttpStatusCode.Accepted, (await exporter.PostRawAsync($"/api/v1/projects/{mine.Id}/exports", new { format = "csv" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await exporter.PostRawAsync($"/api/v1/projects/{other.Id}/exports", new { format = "csv" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await exporter.PostRawAsync("/api/v1/projects", new ProjectInput("Mine", null, SentimentSchema, 1))).StatusCode);
        var jobs = await exporter.GetAsync<List<JsonElement>>("/api/v1/jobs");
        Assert.All(jobs, j => Assert.Equal(mine.Id, j.GetProperty("projectId").GetGuid()));

        // The admin sees the account with its tokens; the account is no person: not in the user list, no password, no sign-in.
        var listed = Assert.Single(await admin.GetAsync<List<ServiceAccountInfo>>("/api/v1/service-accounts"));
        Assert.Equal(["exporter", "labeler"], listed.Tokens.Select(t => t.Token.Name).Order());
        Assert.All(listed.Tokens, t => Assert.Equal("Reviews", t.ProjectName));
        Assert.DoesNotContain(await admin.GetAsync<List<UserInfo>>("/api/v1/users"), u => u.Id == account.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Http.PostAsync($"/api/v1/users/{account.Id}/password-reset", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Http.PutAsJsonAsync($"/api/v1/users/{account.Id}/roles", new RolesRequest([Roles.Admin]), LabelHubApp.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().PostRawAsync("/api/v1/auth/token", new AuthTokenRequest("ml-backend", ""))).StatusCode);

        // Revoking one token ends it at once, the other goes on; disabling the account ends every token.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/service-accounts/{account.Id}/tokens/{annotatorToken.Info.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bot.Http.GetAsync("/api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await exporter.Http.GetAsync($"/api/v1/projects/{mine.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/v1/users/{account.Id}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await exporter.Http.GetAsync($"/api/v1/projects/{mine.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Only_admins_make_service_accounts_and_bad_scopes_are_refused_by_field(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "P", overlap: 1);

        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostRawAsync("/api/v1/service-accounts", new NewServiceAccount("bot", null))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.Http.GetAsync("/api/v1/service-accounts")).StatusCode);
        await AssertFieldsAsync(await admin.PostRawAsync("/api/v1/service-accounts", new NewServiceAccount("has space", null)), "userName");
        var account = await admin.PostAsync<ServiceAccountInfo>("/api/v1/service-accounts", new NewServiceAccount("bot", null));
        await AssertFieldsAsync(await admin.PostRawAsync("/api/v1/service-accounts", new NewServiceAccount("BOT", null)), "userName");

        var tokens = $"/api/v1/service-accounts/{account.Id}/tokens";
        await AssertFieldsAsync(await admin.PostRawAsync(tokens, new ScopedTokenRequest("t", project.Id, Roles.Admin)), "role");
        await AssertFieldsAsync(await admin.PostRawAsync(tokens, new ScopedTokenRequest("t", Guid.NewGuid(), Roles.Annotator)), "projectId");
        await AssertFieldsAsync(await admin.PostRawAsync(tokens, new ScopedTokenRequest("t", project.Id, Roles.Annotator, 0)), "expiresInDays");
        await AssertFieldsAsync(await admin.PostRawAsync(tokens, new ScopedTokenRequest("", project.Id, Roles.Reviewer, 5000)), "name", "expiresInDays");
        // Nothing half-written: a refused token left no membership behind.
        await using (var db = app.CreateDbContext())
        {
            Assert.False(db.ProjectMembers.Any(m => m.UserId == account.Id));
            Assert.False(db.AccessTokens.Any(t => t.UserId == account.Id));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostRawAsync($"/api/v1/service-accounts/{manager.UserId}/tokens",
            new ScopedTokenRequest("t", project.Id, Roles.Annotator))).StatusCode);

        // The token's membership shows among the project's members, and a manager removing it stops the token there.
        var created = await admin.PostAsync<CreatedAccessToken>(tokens, new ScopedTokenRequest("t", project.Id, Roles.Reviewer));
        var bot = Client(app, created.Token);
        Assert.Equal(HttpStatusCode.OK, (await bot.Http.GetAsync($"/api/v1/projects/{project.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await manager.Http.DeleteAsync($"/api/v1/projects/{project.Id}/members/{account.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bot.Http.GetAsync($"/api/v1/projects/{project.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_person_can_scope_their_own_token_to_a_project_and_a_lower_role(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "P", overlap: 1);
        var hidden = await CreateProjectAsync(manager, "Q", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);

        var labelOnly = await manager.PostAsync<CreatedAccessToken>("/api/v1/me/tokens", new TokenRequest("labeling script", 7, project.Id, Roles.Annotator));
        var script = Client(app, labelOnly.Token);
        Assert.Equal(HttpStatusCode.OK, (await script.Http.GetAsync($"/api/v1/projects/{project.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await script.PostRawAsync($"/api/v1/projects/{project.Id}/exports", new { format = "csv" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await script.Http.GetAsync($"/api/v1/projects/{hidden.Id}")).StatusCode);
        // The full-strength token of the same person still manages.
        Assert.Equal(HttpStatusCode.Accepted, (await manager.PostRawAsync($"/api/v1/projects/{project.Id}/exports", new { format = "csv" })).StatusCode);

        // No scope above one's own role or outside one's projects.
        await AssertFieldsAsync(await annotator.PostRawAsync("/api/v1/me/tokens", new TokenRequest("t", 7, project.Id, Roles.Manager)), "role");
        await AssertFieldsAsync(await annotator.PostRawAsync("/api/v1/me/tokens", new TokenRequest("t", 7, hidden.Id, Roles.Annotator)), "projectId");
        await AssertFieldsAsync(await annotator.PostRawAsync("/api/v1/me/tokens", new TokenRequest("t", 7, project.Id, null)), "role");
        var listed = await manager.GetAsync<List<AccessTokenInfo>>("/api/v1/me/tokens");
        Assert.Contains(listed, t => t.Name == "labeling script" && t.ProjectId == project.Id && t.Role == Roles.Annotator);
    }

    private static ApiClient Client(LabelHubApp app, string token)
    {
        var http = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", token);
        return new ApiClient(http, Guid.Empty, token);
    }

    private static async Task AssertFieldsAsync(HttpResponseMessage response, params string[] fields)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToList();
        Assert.Equal(fields.Order(), errors);
    }
}
