using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Identity;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
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

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Wrong_passwords_from_strangers_slow_down_sign_in_but_do_not_lock_out_the_owner_or_their_tokens(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var owner = await CreateUserAsync(app, "owner");
        var ownerApi = await app.ClientForAsync(owner);
        var stranger = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var guess = await LabelHubApp.PostLoginFormAsync(stranger, "owner", $"guess-number-{attempt}");
            Assert.StartsWith("/account/login?error=", guess.Headers.Location?.OriginalString);
        }

        // The owner's tokens keep working and the account is not locked.
        Assert.Equal(HttpStatusCode.OK, (await ownerApi.Http.GetAsync("/api/v1/me")).StatusCode);
        await using (var db = app.CreateDbContext())
        {
            var row = await db.Users.SingleAsync(u => u.Id == owner);
            Assert.Null(row.LockoutEnd);
        }
        // The guesser is slowed: right now not even the right password is checked (and the waiting guesses did not count).
        var throttled = await LabelHubApp.PostLoginFormAsync(stranger, "owner", Password);
        Assert.StartsWith("/account/login?error=", throttled.Headers.Location?.OriginalString);
        var throttle = app.Service<LabelHub.Web.Identity.SignInThrottle>();
        var wait = throttle.WaitBefore("owner", null);
        Assert.InRange(wait, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        // Each further failure doubles the wait, up to a minute for one account.
        throttle.RecordFailure("owner", null);
        Assert.True(throttle.WaitBefore("owner", null) > wait);

        // A disabled user's tokens do fail.
        var admin = await app.AdminClientAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/v1/users/{owner}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ownerApi.Http.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_password_someone_else_chose_must_be_replaced_before_anything_else(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var file = Path.Combine(app.DataDirectory, UserAdminService.InitialAdminPasswordFile);
        var oneTime = (await File.ReadAllLinesAsync(file))[1]["password: ".Length..];

        var (browser, login) = await app.SignInWithFormAsync("admin", oneTime);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        // The API refuses with a message; pages send the user to the password page, which itself opens.
        var api = await browser.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("Set your own password first", await api.Content.ReadAsStringAsync());
        var home = await browser.GetAsync("/projects");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/account/password", home.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password")).StatusCode);

        using (var scope = app.Services.CreateScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<UserAdminService>();
            Assert.False((await accounts.ChangeOwnPasswordAsync(app.Admin.UserId, oneTime, oneTime)).Succeeded);
            Assert.True(File.Exists(file));
            Assert.True((await accounts.ChangeOwnPasswordAsync(app.Admin.UserId, oneTime, Password)).Succeeded);
        }
        Assert.False(File.Exists(file));
        // The old cookie carried the old stamp; a new sign-in reaches the API.
        var (fresh, _) = await app.SignInWithFormAsync("admin", Password);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/me")).StatusCode);

        // A user an admin created with a generated password, or whose password an admin reset, is held the same way.
        var admin = await app.AdminClientAsync();
        var created = await admin.PostAsync<CreatedUser>("/api/v1/users", new NewUser("newcomer", null, null, [Roles.Annotator]));
        var (newcomer, _) = await app.SignInWithFormAsync("newcomer", created.GeneratedPassword!);
        Assert.Equal(HttpStatusCode.Forbidden, (await newcomer.GetAsync("/api/v1/me")).StatusCode);
        var withOwnPassword = await CreateUserAsync(app, "chooser");
        var reset = await admin.PostAsync<LabelHub.Web.Api.PasswordResponse>($"/api/v1/users/{withOwnPassword}/password-reset", null);
        var (chooser, _) = await app.SignInWithFormAsync("chooser", reset.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await chooser.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sign_out_ends_the_cookie_and_password_resets_and_changes_revoke_tokens(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();
        var userId = await CreateUserAsync(app, "worker");

        // Only "keep me signed in" makes the cookie outlive the browser session.
        var (_, brief) = await app.SignInWithFormAsync("worker", Password);
        Assert.DoesNotContain("expires=", AuthCookie(brief), StringComparison.OrdinalIgnoreCase);
        var (browser, kept) = await app.SignInWithFormAsync("worker", Password, keepSignedIn: true);
        Assert.Contains("expires=", AuthCookie(kept), StringComparison.OrdinalIgnoreCase);

        // A copy of the cookie taken before sign-out is useless after it.
        var copy = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        copy.DefaultRequestHeaders.Add("Cookie", AuthCookie(kept).Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/v1/me")).StatusCode);
        // Signed out from a page of this site (a browser sends the Origin; without it the write is refused as cross-site).
        using (var signOut = new HttpRequestMessage(HttpMethod.Post, "/account/logout"))
        {
            signOut.Headers.Add("Origin", "http://localhost");
            Assert.Equal(HttpStatusCode.Redirect, (await browser.SendAsync(signOut)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/v1/me")).StatusCode);

        // An admin's password reset revokes the user's tokens.
        var beforeReset = await app.ClientForAsync(userId);
        var reset = await admin.PostAsync<LabelHub.Web.Api.PasswordResponse>($"/api/v1/users/{userId}/password-reset", null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await beforeReset.Http.GetAsync("/api/v1/me")).StatusCode);

        // So does the user's own change.
        var beforeChange = await app.ClientForAsync(userId);
        using (var scope = app.Services.CreateScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<UserAdminService>().ChangeOwnPasswordAsync(userId, reset.Password, Password + "!")).Succeeded);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await beforeChange.Http.GetAsync("/api/v1/me")).StatusCode);

        // And an admin can revoke them directly; other users cannot.
        var leaked = await app.ClientForAsync(userId);
        Assert.Equal(HttpStatusCode.Forbidden, (await leaked.Http.PostAsync($"/api/v1/users/{app.Admin.UserId}/tokens/revoke", null)).StatusCode);
        var revoked = await admin.PostAsync<LabelHub.Web.Api.RevokedTokensResponse>($"/api/v1/users/{userId}/tokens/revoke", null);
        Assert.Equal(1, revoked.Revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, (await leaked.Http.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sign_in_failures_all_look_alike_and_guessable_passwords_are_refused(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();
        var disabled = await CreateUserAsync(app, "gone");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/v1/users/{disabled}/disable", null)).StatusCode);
        await CreateUserAsync(app, "present");

        // Unknown name, known name with a wrong password, disabled account with the right one: the same answer.
        var answers = new List<string?>();
        foreach (var (userName, password) in new[] { ("nobody", Password), ("present", "Wrong-horse-battery"), ("gone", Password) })
        {
            var (_, login) = await app.SignInWithFormAsync(userName, password);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            answers.Add(login.Headers.Location?.OriginalString);
        }
        Assert.Single(answers.Distinct());
        Assert.StartsWith("/account/login?error=", answers[0]);

        var weakUsers = 0;
        foreach (var guessable in new[] { "aaaaaaaaaa", "1234567890", "password12", "Sunshine2024!", "qwertyuiop", "abababab12", "9876543210" })
        {
            var refused = await admin.PostRawAsync("/api/v1/users", new NewUser($"weak{weakUsers++}", null, null, [Roles.Annotator], guessable));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(body.Contains("common passwords", StringComparison.Ordinal) || body.Contains("repeated or sequential", StringComparison.Ordinal), $"{guessable}: {body}");
        }
        var korean = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users") { Content = System.Net.Http.Json.JsonContent.Create(new NewUser("weak-ko", null, null, [Roles.Annotator], "password12"), options: LabelHubApp.Json) };
        korean.Headers.AcceptLanguage.ParseAdd("ko");
        Assert.Contains("흔히 쓰이는 비밀번호", await (await admin.Http.SendAsync(korean)).Content.ReadAsStringAsync());
        // A phrase of unrelated words passes, and so do generated passwords.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostRawAsync("/api/v1/users", new NewUser("strong", null, null, [Roles.Annotator], "Quiet-otter-maps-41"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostRawAsync("/api/v1/users", new NewUser("generated", null, null, [Roles.Annotator]))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Any_user_gets_an_access_token_for_their_password_and_guessing_is_throttled(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        await CreateUserAsync(app, "scripter", Roles.Annotator);
        var anonymous = app.AnonymousClient();

        var issued = await anonymous.PostAsync<CreatedAccessToken>("/api/v1/auth/token", new AuthTokenRequest("scripter", Password, "nightly export"));
        Assert.Equal("nightly export", issued.Info.Name);
        Assert.NotNull(issued.Info.ExpiresAt);
        using var withToken = app.CreateClient();
        withToken.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", issued.Token);
        var me = await withToken.GetFromJsonAsync<UserInfo>("/api/v1/me", LabelHubApp.Json);
        Assert.Equal("scripter", me!.UserName);

        // Wrong password and unknown user: the same 401; then the throttle answers 429 with Retry-After.
        var wrong = await anonymous.PostRawAsync("/api/v1/auth/token", new AuthTokenRequest("scripter", "Not-my-password-9"));
        var unknown = await anonymous.PostRawAsync("/api/v1/auth/token", new AuthTokenRequest("no-such-user", Password));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(await DetailAsync(wrong), await DetailAsync(unknown));
        HttpResponseMessage last;
        var attempts = 0;
        do
        {
            last = await anonymous.PostRawAsync("/api/v1/auth/token", new AuthTokenRequest("scripter", $"Not-my-password-{attempts}"));
        }
        while (last.StatusCode == HttpStatusCode.Unauthorized && ++attempts < 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await anonymous.PostRawAsync("/api/v1/auth/token", new AuthTokenRequest("scripter", Password))).StatusCode);

        // A user who must still replace a generated password gets no token that way.
        var admin = await app.AdminClientAsync();
        var created = await admin.PostAsync<CreatedUser>("/api/v1/users", new NewUser("fresh", null, null, [Roles.Annotator]));
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.PostRawAsync("/api/v1/auth/token", new AuthTokenRequest("fresh", created.GeneratedPassword!))).StatusCode);
    }

    private static async Task<string?> DetailAsync(HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();

    private static string AuthCookie(HttpResponseMessage login) =>
        login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("labelhub.auth=", StringComparison.Ordinal));

    private static async Task<Guid> CreateUserAsync(LabelHubApp app, string userName, string role = Roles.Annotator)
    {
        using var scope = app.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<UserAdminService>();
        return (await service.CreateAsync(app.Admin, new NewUser(userName, null, null, [role], Password))).User.Id;
    }
}
