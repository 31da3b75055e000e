using System.Net;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

public sealed class HostTests
{
    /// <summary>A job asked for before a restart (recorded, but its queue lost) completes after it.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_job_recorded_before_a_restart_completes_after_it(string provider)
    {
        var database = await TestDatabases.CreateAsync(provider);
        Guid projectId, jobId;
        await using (var first = await LabelHubApp.StartAsync(database))
        {
            var manager = await first.CreateUserClientAsync("boss", Roles.Manager);
            projectId = (await CreateProjectAsync(manager, "Restart", 1)).Id;
            // Record an import exactly as the web does, but stop before any executor sees it.
            var file = await first.Service<StoredFileService>().SaveAsync(projectId, manager.UserId, "late.jsonl", "application/octet-stream",
                new MemoryStream(Encoding.UTF8.GetBytes("{\"text\": \"survives restarts\"}\n{\"text\": \"me too\"}\n")));
            await using var db = first.CreateDbContext();
            var run = new JobRun
            {
                Id = Guid.CreateVersion7(),
                Kind = CollectionJobs.Import.Kind,
                ProjectId = projectId,
                RequestedById = manager.UserId,
                Parameters = CollectionJobs.Import.SerializeParameters(new ImportParameters(file.Id, file.FileName, ItemFileFormat.Jsonl)),
                State = JobState.Running,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.JobRuns.Add(run);
            await db.SaveChangesAsync();
            jobId = run.Id;
        }

        await using var second = await LabelHubApp.StartAsync(database);
        var admin = await second.AdminClientAsync();
        var job = await WaitForJobAsync(admin, jobId);
        Assert.Equal(JobState.Succeeded, job.State);
        await using var check = second.CreateDbContext();
        Assert.Equal(2, await check.Items.CountAsync(i => i.ProjectId == projectId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Health_reports_database_and_job_server(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var response = await app.AnonymousClient().Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApi_document_describes_the_api_and_pages_speak_korean()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var client = app.AnonymousClient().Http;
        var openApi = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/projects", paths);
        Assert.Contains("/api/v1/projects/{projectId}/tasks/next", paths);
        Assert.Contains("/api/v1/tasks/{assignmentId}/submit", paths);

        using var korean = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        korean.Headers.AcceptLanguage.ParseAdd("ko-KR,ko;q=0.9");
        var page = WebUtility.HtmlDecode(await (await client.SendAsync(korean)).Content.ReadAsStringAsync());
        Assert.Contains("로그인", page);
        var english = await client.GetStringAsync("/account/login");
        Assert.Contains("Sign in", english);
    }

    [Fact]
    public async Task First_start_creates_one_admin_and_writes_its_password_file()
    {
        var database = await TestDatabases.CreateAsync(TestDatabases.Sqlite);
        await using var app = await LabelHubApp.StartAsync(database);
        var dataDir = Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource)!;
        var file = Path.Combine(dataDir, "initial-admin-password.txt");
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal("user: admin", lines[0]);
        var password = lines[1]["password: ".Length..];
        Assert.True(password.Length >= 16);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        // The password signs in through the real login form.
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var loginPage = await client.GetStringAsync("/account/login");
        var token = System.Text.RegularExpressions.Regex.Match(loginPage, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*>").Value;
        token = System.Text.RegularExpressions.Regex.Match(token, "value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var login = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "admin",
            ["password"] = password,
            ["returnUrl"] = "/",
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        // Signed in, but the one-time password must be replaced first (SessionTests).
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Migrations_match_the_model(string provider)
    {
        var database = await TestDatabases.CreateAsync(provider);
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddLabelHubDatabase(database);
        await using var provider2 = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        await DatabaseSetup.MigrateAsync(provider2);
        await using var db = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IDbContextFactory<LabelHubDbContext>>(provider2).CreateDbContextAsync();
        Assert.False(db.Database.HasPendingModelChanges(), $"{provider}: the model has changes no migration covers; add a migration.");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }
}
