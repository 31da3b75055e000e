using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Web.Components;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.IntegrationTests.Infrastructure;

/// <summary>
/// The real web app (API, auth, Hangfire job server in-process) on a real database of either provider.
/// </summary>
public sealed class LabelHubApp : WebApplicationFactory<App>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly DatabaseSettings database;
    private readonly string dataDir;

    private readonly bool runJobServer;

    private LabelHubApp(DatabaseSettings database, string dataDir, bool runJobServer)
    {
        this.database = database;
        this.dataDir = dataDir;
        this.runJobServer = runJobServer;
    }

    public DatabaseSettings Database => database;

    /// <summary>Where the app keeps its data folder (the first admin's password file): embedded mode uses the SQLite file's folder.</summary>
    public string DataDirectory => database.Provider == DatabaseProvider.Postgres
        ? dataDir
        : Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource)!;

    public Actor Admin { get; private set; } = null!;

    public static async Task<LabelHubApp> StartAsync(string provider)
    {
        var database = await TestDatabases.CreateAsync(provider);
        return await StartAsync(database);
    }

    /// <summary>Starts the app on an existing database, e.g. to simulate a restart.</summary>
    public static async Task<LabelHubApp> StartAsync(DatabaseSettings database, bool runJobServer = true)
    {
        var app = new LabelHubApp(database, Directory.CreateTempSubdirectory("labelhub-data-").FullName, runJobServer);
        _ = app.Server; // Builds the host: migrates, creates the first admin, starts the job server.
        await using var db = app.CreateDbContext();
        var admin = await db.Users.Where(u => u.UserName == UserAdminService.FirstAdminUserName).Select(u => u.Id).SingleAsync();
        app.Admin = new Actor(admin, new HashSet<string> { Roles.Admin });
        return app;
    }

    /// <summary>Stops the app and removes its data folder (logs, the first admin's password): runs leave nothing in the temp folder.</summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A log file still held open by a sink closing late: the folder is in the temp folder, left for the system.
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("LabelHub:DataDir", dataDir);
        builder.UseSetting("LabelHub:RunJobServer", runJobServer ? "true" : "false");
        builder.UseSetting("LabelHub:MigrateOnStart", "true");
        if (database.Provider == DatabaseProvider.Postgres)
        {
            builder.UseSetting("ConnectionStrings:LabelHub", database.ConnectionString);
        }
        else
        {
            builder.UseSetting("ConnectionStrings:LabelHub", "");
            // Embedded mode keeps labelhub.db in the data folder: point it at the test database's folder.
            builder.UseSetting("LabelHub:DataDir", Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource)!);
        }
    }

    public LabelHubDbContext CreateDbContext() => Services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>().CreateDbContext();

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Creates a user with the given roles and returns an API client authenticated by a fresh access token.</summary>
    public async Task<ApiClient> CreateUserClientAsync(string userName, params string[] roles)
    {
        using var scope = Services.CreateScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserAdminService>()
            .CreateAsync(Admin, new NewUser(userName, null, null, roles));
        return await ClientForAsync(created.User.Id);
    }

    public async Task<ApiClient> AdminClientAsync() => await ClientForAsync(Admin.UserId);

    public async Task<ApiClient> ClientForAsync(Guid userId)
    {
        var token = await Service<AccessTokenService>().CreateAsync(userId, "tests", null);
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", token.Token);
        return new ApiClient(client, userId, token.Token);
    }

    /// <summary>A client that keeps cookies, as a browser does, and has posted the real login form.</summary>
    public async Task<(HttpClient Browser, HttpResponseMessage Login)> SignInWithFormAsync(string userName, string password, bool keepSignedIn = false, string returnUrl = "/")
    {
        var browser = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var login = await PostLoginFormAsync(browser, userName, password, keepSignedIn, returnUrl);
        return (browser, login);
    }

    public static async Task<HttpResponseMessage> PostLoginFormAsync(HttpClient browser, string userName, string password, bool keepSignedIn = false, string returnUrl = "/")
    {
        var loginPage = await browser.GetStringAsync("/account/login");
        var field = System.Text.RegularExpressions.Regex.Match(loginPage, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*>").Value;
        var antiforgery = System.Text.RegularExpressions.Regex.Match(field, "value=\"([^\"]+)\"").Groups[1].Value;
        var form = new Dictionary<string, string>
        {
            ["userName"] = userName,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = antiforgery,
        };
        if (keepSignedIn)
        {
            form["keepSignedIn"] = "true";
        }
        return await browser.PostAsync("/account/login", new FormUrlEncodedContent(form));
    }

    public ApiClient AnonymousClient() =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), Guid.Empty, "");
}

public sealed record ApiClient(HttpClient Http, Guid UserId, string Token)
{
    public async Task<T> GetAsync<T>(string url)
    {
        var response = await Http.GetAsync(url);
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<T>(LabelHubApp.Json))!;
    }

    public async Task<T> PostAsync<T>(string url, object? body)
    {
        var response = await Http.PostAsJsonAsync(url, body, LabelHubApp.Json);
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<T>(LabelHubApp.Json))!;
    }

    public Task<HttpResponseMessage> PostRawAsync(string url, object? body) => Http.PostAsJsonAsync(url, body, LabelHubApp.Json);

    public static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
