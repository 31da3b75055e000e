using System.Net;
using LabelHub.Domain.Identity;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Browser sessions and sign-in: what ends a session, what a failed sign-in may and may not do.</summary>
public sealed class SessionTests
{
    private const string Password = "Blue-heron-rides-27";

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Disabling_a_user_ends_their_browser_session_at_once(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();
        var leaver = await CreateUserAsync(app, "leaver");
        var (browser, login) = await app.SignInWithFormAsync("leaver", Password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/v1/users/{leaver}/disable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/me")).StatusCode);
        // Enabling again does not bring the old session back.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/v1/users/{leaver}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/me")).StatusCode);
    }

    private static async Task<Guid> CreateUserAsync(LabelHubApp app, string userName, string role = Roles.Annotator)
    {
        using var scope = app.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<UserAdminService>();
        return (await service.CreateAsync(app.Admin, new NewUser(userName, null, null, [role], Password))).User.Id;
    }
}
