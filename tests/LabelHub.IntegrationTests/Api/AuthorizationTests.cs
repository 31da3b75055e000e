using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

public sealed class AuthorizationTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Roles_memberships_and_tokens_decide_what_each_caller_sees(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var managerA = await app.CreateUserClientAsync("manager-a", Roles.Manager);
        var managerB = await app.CreateUserClientAsync("manager-b", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var outsider = await app.CreateUserClientAsync("outsider", Roles.Annotator);
        var projectA = await CreateProjectAsync(managerA, "A", overlap: 1);
        var projectB = await CreateProjectAsync(managerB, "B", overlap: 1);
        await AddMemberAsync(managerA, projectA.Id, annotator.UserId);

        // No credentials: 401, for API and dashboard alike; a bad token too.
        var anonymous = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/jobs")).StatusCode);
        anonymous.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", "lh_not-a-real-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/api/v1/projects")).StatusCode);

        // An annotator gets 403 on manager and admin endpoints.
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.PostRawAsync("/api/v1/projects", new ProjectInput("Mine", null, SentimentSchema, 1))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.GetAsync($"/api/v1/projects/{projectA.Id}/progress")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.PostRawAsync($"/api/v1/projects/{projectA.Id}/exports", new { format = "csv" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.GetAsync("/jobs")).StatusCode);
        // A project's manager writes its guideline; annotators and other projects' managers cannot.
        Assert.Equal(HttpStatusCode.Created, (await managerA.PostRawAsync($"/api/v1/projects/{projectA.Id}/guideline", new GuidelineRequest("# x", null))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.PostRawAsync($"/api/v1/projects/{projectA.Id}/guideline", new GuidelineRequest("# y", null))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await managerB.PostRawAsync($"/api/v1/projects/{projectA.Id}/guideline", new GuidelineRequest("# z", null))).StatusCode);

        // Another project's data is invisible: not listed, and 404 by id.
        Assert.Equal(["A"], (await managerA.GetAsync<List<ProjectSummary>>("/api/v1/projects")).Select(p => p.Name));
        Assert.Equal(["A"], (await annotator.GetAsync<List<ProjectSummary>>("/api/v1/projects")).Select(p => p.Name));
        Assert.Empty(await outsider.GetAsync<List<ProjectSummary>>("/api/v1/projects"));
        Assert.Equal(HttpStatusCode.NotFound, (await managerA.Http.GetAsync($"/api/v1/projects/{projectB.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await managerA.Http.GetAsync($"/api/v1/projects/{projectB.Id}/items")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.PostAsync($"/api/v1/projects/{projectA.Id}/tasks/next", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await managerA.PostRawAsync($"/api/v1/projects/{projectB.Id}/exports", new { format = "csv" })).StatusCode);
        var admin = await app.AdminClientAsync();
        Assert.Equal(2, (await admin.GetAsync<List<ProjectSummary>>("/api/v1/projects")).Count);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/jobs")).StatusCode);

        // A revoked token stops working at once.
        var tokens = await annotator.GetAsync<List<AccessTokenInfo>>("/api/v1/me/tokens");
        Assert.Equal(HttpStatusCode.NoContent, (await annotator.Http.DeleteAsync($"/api/v1/me/tokens/{tokens.Single().Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await annotator.Http.GetAsync("/api/v1/projects")).StatusCode);

        // A disabled user's tokens stop working too.
        var disabled = await app.CreateUserClientAsync("leaver", Roles.Annotator);
        // Used once, so its identity is cached: disabling must still take effect on the next call.
        Assert.Equal(HttpStatusCode.OK, (await disabled.Http.GetAsync("/api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/v1/users/{disabled.UserId}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await disabled.Http.GetAsync("/api/v1/projects")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Bad_input_gets_problem_details_that_name_the_field(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var schema = new LabelSchema
        {
            Fields =
            [
                new LabelField { Name = "label", Kind = FieldKind.Choice, Labels = ["a", "b"] },
                new LabelField { Name = "label", Kind = FieldKind.Choice, Labels = [] },
            ],
        };
        var response = await manager.PostRawAsync("/api/v1/projects", new ProjectInput(" ", null, schema, 0));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("overlap", out _));
        Assert.Contains("used twice", errors.GetProperty("schema.fields[1].name")[0].GetString());
        Assert.Contains("at least one label", errors.GetProperty("schema.fields[1].labels")[0].GetString());

        var malformed = await manager.Http.PostAsync("/api/v1/projects", new StringContent("{\"name\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.DoesNotContain("   at ", await malformed.Content.ReadAsStringAsync());

        var project = await CreateProjectAsync(manager, "Uploads", 1);
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "photo.exe" } };
        var wrongType = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/imports", form);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("photo.exe", await wrongType.Content.ReadAsStringAsync());

        var admin = await app.AdminClientAsync();
        var badRole = await admin.PostRawAsync("/api/v1/users", new NewUser("x1", null, null, ["Overlord"]));
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.Contains("Overlord", await badRole.Content.ReadAsStringAsync());
    }
}
