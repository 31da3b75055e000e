using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>A browser scenario run by the first admin against a fresh LabelHub, with an access token for the API.</summary>
public static class AdminScenario
{
    /// <summary>
    /// Starts LabelHub and a browser, signs the admin in and makes an access token for the API, runs the scenario, and
    /// checks nothing broke on the way (no Blazor error bar, no page errors, no errors in LabelHub's log).
    /// </summary>
    public static async Task RunAsync(string name, Func<IPage, HttpClient, Task> scenario)
    {
        SetDefaultExpectTimeout(20_000);
        var app = await AppProcess.StartAsync();
        IPlaywright? playwright = null;
        IBrowser? browser = null;
        IPage? page = null;
        var browserLog = new StringBuilder();
        try
        {
            (playwright, browser) = await Browser.LaunchAsync();
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = app.BaseUrl,
                Locale = "en-US",
                ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
            });
            context.SetDefaultTimeout(20_000);
            context.SetDefaultNavigationTimeout(FirstLoadTimeout);
            page = await context.NewPageAsync();
            page.Console += (_, message) =>
            {
                if (message.Type is "error" or "warning")
                {
                    lock (browserLog)
                    {
                        browserLog.AppendLine(CultureInfo.InvariantCulture, $"[{message.Type}] {message.Text}");
                    }
                }
            };
            page.PageError += (_, error) =>
            {
                lock (browserLog)
                {
                    browserLog.AppendLine(CultureInfo.InvariantCulture, $"[page error] {error}");
                }
            };

            try
            {
                await SignInAsync(page, "admin", app.AdminPassword());
                using var api = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
                api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", await CreateTokenAsync(page, name + "-e2e"));

                await scenario(page, api);

                await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
                lock (browserLog)
                {
                    Assert.DoesNotContain("page error]", browserLog.ToString());
                }
                var serverErrors = app.Output.Split('\n').Where(line => line.Contains(" ERR] ") || line.Contains(" FTL] ")).ToList();
                Assert.True(serverErrors.Count == 0, "LabelHub logged errors:\n" + string.Join("\n", serverErrors));
            }
            catch (Exception ex)
            {
                try
                {
                    await Browser.ScreenshotAsync(page, $"failure-{name}");
                }
                catch (PlaywrightException)
                {
                    // The page may be gone.
                }
                string log;
                lock (browserLog)
                {
                    log = browserLog.ToString();
                }
                throw new Exception($"{ex.Message}\n\nPage: {page.Url}\n\n--- browser console ---\n{log}\n--- LabelHub output ---\n{app.Output}", ex);
            }
        }
        finally
        {
            if (browser is not null)
            {
                await IgnoreErrorsAsync(() => browser.CloseAsync());
                await IgnoreErrorsAsync(async () => await browser.DisposeAsync());
            }
            playwright?.Dispose();
            await app.DisposeAsync();
        }
    }

    /// <summary>Creates a project with the admin as its only annotator and imports the items; returns its id.</summary>
    public static async Task<Guid> CreateProjectAsync(HttpClient api, string name, object[] fields, object[] items)
    {
        var project = await PostAsync(api, "/api/v1/projects", new { name, description = "End-to-end test", schema = new { fields }, overlap = 1, leaseMinutes = 30 });
        var projectId = project.GetProperty("id").GetGuid();
        var import = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/items", items));
        Assert.Equal("Succeeded", import.GetProperty("state").GetString());
        return projectId;
    }

    /// <summary>The project's JSONL export, one element per item.</summary>
    public static async Task<List<JsonElement>> ExportAsync(HttpClient api, Guid projectId)
    {
        var export = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/exports", new { format = "jsonl" }));
        Assert.Equal("Succeeded", export.GetProperty("state").GetString());
        var fileId = JsonDocument.Parse(export.GetProperty("result").GetString()!).RootElement.GetProperty("fileId").GetGuid();
        var jsonl = await api.GetStringAsync($"/api/v1/files/{fileId}");
        return [.. jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }
}
