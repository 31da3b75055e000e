using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>What an outside tester found open (issue 13) and the web app now closes, on both databases.</summary>
public sealed class TrustTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_projects_job_history_is_for_its_managers_and_whoever_started_the_job(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var reviewer = await app.CreateUserClientAsync("rev", Roles.Reviewer);
        var project = await CreateProjectAsync(manager, "jobs", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        await AddMemberAsync(manager, project.Id, reviewer.UserId);
        var import = await UploadAsync(manager, project.Id, "bad.csv", "text,source\nfine,web\nno source here\n");
        Assert.Equal(JobState.Failed, (await WaitForJobAsync(manager, import.Id)).State);

        // Import errors, export files and quality summaries: members who are not managers see none of it.
        foreach (var member in new[] { annotator, reviewer })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await member.Http.GetAsync($"/api/v1/projects/{project.Id}/jobs")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await member.Http.GetAsync($"/api/v1/jobs/{import.Id}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await manager.Http.GetAsync($"/api/v1/jobs/{import.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.AdminClientAsync()).Http.GetAsync($"/api/v1/jobs/{import.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_return_url_with_a_control_character_is_not_local_on_sign_in_and_on_the_culture_switch(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var user = await app.CreateUserClientAsync("eve", Roles.Annotator);
        const string Password = "Correct-Horse-Battery-9";
        await SetOwnPasswordAsync(app, user.UserId, Password);
        foreach (var evil in new[] { "/\t/evil.example", "/\r\n/evil.example", "/\u000b/evil.example" })
        {
            // A new browser for each try: the form's antiforgery token belongs to the signed-out visitor.
            var (browser, signIn) = await app.SignInWithFormAsync("eve", Password, returnUrl: evil);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.DoesNotContain("evil", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);

            var culture = await browser.GetAsync($"/account/culture?culture=ko&returnUrl={Uri.EscapeDataString(evil)}");
            Assert.Equal(HttpStatusCode.Redirect, culture.StatusCode);
            Assert.Equal("/", culture.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task The_data_folder_its_database_and_its_logs_are_readable_by_the_account_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var database = await TestDatabases.CreateAsync(TestDatabases.Sqlite);
        var databaseFile = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
        // A folder an older version left world-readable is tightened on start.
        File.SetUnixFileMode(Path.GetDirectoryName(databaseFile)!, (UnixFileMode)0b111_101_101);
        await using var app = await LabelHubApp.StartAsync(database);
        var admin = await app.AdminClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/api/v1/me")).StatusCode);

        const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        // On SQLite the data folder is the database's (LabelHubApp points LabelHub:DataDir there).
        var dataFolder = Path.GetDirectoryName(databaseFile)!;
        Assert.Equal(Folder, File.GetUnixFileMode(dataFolder));
        Assert.Equal(Private, File.GetUnixFileMode(databaseFile));
        Assert.Equal(Private, File.GetUnixFileMode(databaseFile + "-wal"));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(dataFolder, "initial-admin-password.txt")));
        var logs = Path.Combine(dataFolder, "logs");
        Assert.Equal(Folder, File.GetUnixFileMode(logs));
        var logFiles = Directory.GetFiles(logs);
        Assert.NotEmpty(logFiles);
        foreach (var logFile in logFiles)
        {
            Assert.Equal(Private, File.GetUnixFileMode(logFile));
        }
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers_and_https_adds_hsts_and_secure_cookies()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        // Not Development (the test host runs as "Testing"), over HTTPS, on a host that is not localhost (HSTS leaves it out).
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://labelhub.example"), AllowAutoRedirect = false });
        foreach (var path in new[] { "/account/login", "/api/v1/me", "/no-such-page", "/health" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
            Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        }
        // The sign-in page has no inline script for the policy to block.
        var page = await browser.GetStringAsync("/account/login");
        Assert.DoesNotMatch(new Regex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase), page);
        var newVisitor = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://labelhub.example"), HandleCookies = false });
        var cookies = (await newVisitor.GetAsync("/account/login")).Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, cookie => Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task An_item_over_the_size_limit_fails_the_import_with_its_line_and_korean_text_counts_as_stored(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "sizes", overlap: 1);
        var huge = new string('x', (1 << 20) + 10);
        var bad = await UploadAsync(manager, project.Id, "huge.csv", $"text\nshort\n{huge}\nshort too\n");
        var failed = await WaitForJobAsync(manager, bad.Id);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains("line 3: the item is 1,048,5", failed.ResultSummary, StringComparison.Ordinal);
        Assert.Contains("at most 1,048,576 bytes are allowed per item", failed.ResultSummary, StringComparison.Ordinal);
        Assert.Matches("\"line\":\\s*3\\b", failed.Result);
        Assert.Equal(0, (await manager.GetAsync<LabelHub.Domain.Quality.ProjectProgress>($"/api/v1/projects/{project.Id}/progress")).TotalItems);

        // 300,000 Hangul syllables are 900,000 bytes of UTF-8 as stored (twice that if escaped as \\uXXXX): accepted.
        var korean = new string('가', 300_000);
        var good = await UploadAsync(manager, project.Id, "korean.csv", $"text\n{korean}\n");
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, good.Id)).State);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_second_recompute_joins_the_one_already_waiting(string provider)
    {
        // No job server: the first recompute stays queued, as behind a long one.
        await using var app = await LabelHubApp.StartAsync(await TestDatabases.CreateAsync(provider), runJobServer: false);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "quality", overlap: 2);
        var first = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/quality/recompute", new { });
        var second = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/quality/recompute", new { });
        Assert.Equal(first.Id, second.Id);
        var jobs = await manager.GetAsync<List<JobRunInfo>>($"/api/v1/projects/{project.Id}/jobs");
        Assert.Single(jobs, j => j.Kind == "quality");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Changes_made_with_the_cookie_must_come_from_this_site_and_tokens_are_unaffected(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var victim = await app.CreateUserClientAsync("victim", Roles.Annotator);
        var admin = await app.AdminClientAsync();
        const string Password = "Correct-Horse-Battery-9";
        await SetOwnPasswordAsync(app, app.Admin.UserId, Password);
        var (browser, signIn) = await app.SignInWithFormAsync("admin", Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        async Task<HttpStatusCode> DisableAsync(string? origin, string? referer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/users/{victim.UserId}/disable");
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
            if (referer is not null)
            {
                request.Headers.Referrer = new Uri(referer);
            }
            return (await browser.SendAsync(request)).StatusCode;
        }

        // Another site's form, or a request that says nothing of where it comes from: refused, nothing changed.
        Assert.Equal(HttpStatusCode.Forbidden, await DisableAsync("https://evil.example", null));
        Assert.Equal(HttpStatusCode.Forbidden, await DisableAsync(null, "https://evil.example/page"));
        Assert.Equal(HttpStatusCode.Forbidden, await DisableAsync(null, null));
        Assert.Equal(HttpStatusCode.Forbidden, await DisableAsync("null", null));
        Assert.Equal(HttpStatusCode.OK, (await victim.Http.GetAsync("/api/v1/me")).StatusCode);
        var upload = new MultipartFormDataContent { { new ByteArrayContent("text\nhi\n"u8.ToArray()), "file", "x.csv" } };
        using (var crossSiteUpload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/projects/" + Guid.NewGuid() + "/imports") { Content = upload })
        {
            crossSiteUpload.Headers.Add("Origin", "https://evil.example");
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(crossSiteUpload)).StatusCode);
        }
        using (var signOut = new HttpRequestMessage(HttpMethod.Post, "/account/logout"))
        {
            signOut.Headers.Add("Origin", "https://evil.example");
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(signOut)).StatusCode);
        }

        // A page of this site (the Origin a browser sends): done. Reads need no Origin.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);
        Assert.True((await DisableAsync("http://localhost", null)) is HttpStatusCode.OK or HttpStatusCode.NoContent);
        // Tokens are header-only: a script needs no Origin.
        Assert.True((await admin.PostRawAsync($"/api/v1/users/{victim.UserId}/enable", new { })).IsSuccessStatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_403_for_the_callers_role_names_the_roles_that_may_do_it(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var refused = await annotator.Http.GetAsync("/api/v1/users");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = System.Text.Json.JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["Admin"], problem.GetProperty("requiredRoles").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("This needs one of these roles: Admin.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var project = await annotator.Http.PostAsJsonAsync("/api/v1/projects", new { name = "mine" });
        Assert.Equal(HttpStatusCode.Forbidden, project.StatusCode);
        Assert.Contains("Admin, Manager", await project.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        annotator.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ko");
        var korean = await annotator.Http.GetAsync("/api/v1/users");
        Assert.Contains("다음 역할 중 하나가 필요합니다: Admin.", await korean.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The user's own password, as if they had set it (no "must change" mark left from a generated one).</summary>
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
