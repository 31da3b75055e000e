using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>What every browser test does: sign in, open pages once they are live, make tokens, call the API, take screenshots.</summary>
public static class Steps
{
    /// <summary>The first page load includes Blazor's start and JIT; later steps are much faster.</summary>
    public const float FirstLoadTimeout = 30_000;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task ShotAsync(IPage page, string name)
    {
        // A full-page shot of a scrolled page draws the fixed app bar in the middle.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Browser.ScreenshotAsync(page, name);
    }

    /// <summary>A full page load; then waits until Blazor's circuit is live, or typing would be lost to the re-render.</summary>
    public static async Task GoToAsync(IPage page, string path, bool waitForApp = true)
    {
        await page.GotoAsync(path);
        if (waitForApp)
        {
            await WaitForAppAsync(page);
        }
    }

    /// <summary>
    /// Selects a tab and waits until it is selected, clicking again if a re-render swallowed the click (a tab click is
    /// idempotent; CI once saw the click right after navigating to another tab go nowhere).
    /// </summary>
    public static async Task SelectTabAsync(IPage page, string name)
    {
        var tab = page.GetByRole(AriaRole.Tab, new() { Name = name });
        for (var attempt = 1; ; attempt++)
        {
            await tab.ClickAsync();
            try
            {
                await Expect(tab).ToHaveAttributeAsync("aria-selected", "true", new() { Timeout = 3000 });
                return;
            }
            catch (Exception) when (attempt < 3)
            {
            }
        }
    }

    public static Task WaitForAppAsync(IPage page) =>
        page.GetByTestId("app-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = FirstLoadTimeout });

    // A generated password (the first admin's, one an admin chose) is replaced at the first sign-in; later sign-ins
    // in the same run with that generated password use the replacement.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> OwnPasswords = new();

    /// <summary>
    /// Signs in through the plain login form and waits for the interactive page behind it. When the app asks for a
    /// new password first (a generated one), sets one, as the user would.
    /// </summary>
    public static async Task SignInAsync(IPage page, string userName, string password)
    {
        var current = OwnPasswords.GetValueOrDefault($"{userName}\n{password}", password);
        await page.GotoAsync("/account/login");
        await page.Locator("#userName").FillAsync(userName);
        await page.Locator("#password").FillAsync(current);
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("/account/login"), new() { Timeout = FirstLoadTimeout });
        if (new Uri(page.Url).AbsolutePath == "/account/password")
        {
            await SetOwnPasswordAsync(page, userName, password, current);
        }
        await WaitForAppAsync(page);
    }

    private static async Task SetOwnPasswordAsync(IPage page, string userName, string generated, string current)
    {
        await WaitForAppAsync(page);
        await Expect(page.GetByTestId("password-change-required")).ToBeVisibleAsync();
        var own = $"{current}-own";
        await PasswordField(page, "current-password").FillAsync(current);
        await PasswordField(page, "new-password").FillAsync(own);
        await PasswordField(page, "confirm-password").FillAsync(own);
        await page.GetByTestId("change-password").ClickAsync();
        await Expect(page.GetByTestId("password-changed")).ToBeVisibleAsync(new() { Timeout = FirstLoadTimeout });
        OwnPasswords[$"{userName}\n{generated}"] = own;
        // On to the page the sign-in would have shown.
        await page.GotoAsync("/");
    }

    private static ILocator PasswordField(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    /// <summary>Creates a personal access token on the tokens page, as a user would, and returns it.</summary>
    public static async Task<string> CreateTokenAsync(IPage page, string name)
    {
        await GoToAsync(page, "/account/tokens");
        // The list loads after the first interactive render; typing during that re-render could be lost.
        await page.Locator("[data-testid=tokens-empty], [data-testid=tokens-table]").First.WaitForAsync();
        await page.GetByTestId("token-name").FillAsync(name);
        await page.GetByTestId("create-token").ClickAsync();
        await Expect(page.GetByTestId("new-token")).ToHaveTextAsync(new Regex(@"^\s*\S{20,}\s*$"));
        return (await page.GetByTestId("new-token").InnerTextAsync()).Trim();
    }

    /// <summary>POSTs JSON and returns the response body (default when empty); fails the test on an error status.</summary>
    /// <summary>An API client authenticated with a personal access token.</summary>
    public static HttpClient ApiClient(string baseUrl, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", token);
        return client;
    }

    /// <summary>A new annotator on the project, with an API client made from a token they create in a browser of their own.</summary>
    public static async Task<(Guid Id, HttpClient Api)> ProjectAnnotatorAsync(IPage page, HttpClient api, Guid projectId, string name, string tokenName)
    {
        var (id, password) = await CreateUserAsync(api, name, "Annotator");
        await PostAsync(api, $"/api/v1/projects/{projectId}/members", new { userId = id });
        var baseUrl = new Uri(page.Url).GetLeftPart(UriPartial.Authority);
        var context = await page.Context.Browser!.NewContextAsync(new() { BaseURL = baseUrl, Locale = "en-US" });
        try
        {
            var own = await context.NewPageAsync();
            await SignInAsync(own, name, password);
            return (id, ApiClient(baseUrl, await CreateTokenAsync(own, tokenName)));
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Creates a user with one role and a generated password; returns the id and that password.</summary>
    public static async Task<(Guid Id, string Password)> CreateUserAsync(HttpClient api, string userName, string role)
    {
        var created = await PostAsync(api, "/api/v1/users", new { userName, displayName = userName, roles = new[] { role } });
        return (created.GetProperty("user").GetProperty("id").GetGuid(), created.GetProperty("generatedPassword").GetString()!);
    }

    public static async Task<JsonElement> PostAsync(HttpClient api, string path, object body)
    {
        using var response = await api.PostAsJsonAsync(path, body, Json);
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {content}");
        return string.IsNullOrWhiteSpace(content) ? default : JsonDocument.Parse(content).RootElement.Clone();
    }

    public static Task<JsonElement> WaitForJobAsync(HttpClient api, JsonElement job) =>
        WaitForJobAsync(api, job.GetProperty("id").GetString()!);

    /// <summary>Polls a background job until it has succeeded or failed (at most a minute).</summary>
    public static async Task<JsonElement> WaitForJobAsync(HttpClient api, string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var current = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/jobs/{jobId}")).RootElement.Clone();
            if (current.GetProperty("state").GetString() is "Succeeded" or "Failed")
            {
                return current;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Job {jobId} did not finish: {current}");
            await Task.Delay(200);
        }
    }

    /// <summary>Cleaning up after a failure must not hide the failure.</summary>
    public static async Task IgnoreErrorsAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception)
        {
            // The original failure is the one to report.
        }
    }
}
