using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>Issue 13, point 15: an admin makes a service account and a token scoped to one project in the browser; a script uses it.</summary>
public sealed class ServiceAccountTests
{
    [Fact]
    public Task Admin_creates_a_service_account_whose_token_reaches_one_project() => AdminScenario.RunAsync("service-accounts", async (page, api) =>
    {
        var fields = new object[] { new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative" }, required = true } };
        var target = await AdminScenario.CreateProjectAsync(api, "Bot target", fields, [new { text = "fine" }]);
        var other = await AdminScenario.CreateProjectAsync(api, "Not for bots", fields, [new { text = "meh" }]);

        await GoToAsync(page, "/admin/service-accounts");
        await Expect(page.GetByTestId("service-accounts-empty")).ToBeVisibleAsync();
        await page.GetByTestId("new-service-account").ClickAsync();
        await page.GetByTestId("service-account-name").FillAsync("ml-backend");
        await page.GetByTestId("service-account-description").FillAsync("Pre-labels with the current model");
        await page.GetByTestId("create-service-account").ClickAsync();
        var account = page.Locator("[data-testid=service-account][data-username=ml-backend]");
        await Expect(account).ToBeVisibleAsync();

        await account.GetByTestId("new-service-token").ClickAsync();
        await page.GetByTestId("service-token-name").FillAsync("pre-labeling");
        await page.GetByTestId("service-token-project").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Bot target" }).ClickAsync();
        await page.GetByTestId("service-token-role").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Annotator" }).ClickAsync();
        await page.GetByTestId("create-service-token").ClickAsync();
        await Expect(page.GetByTestId("new-token-scope")).ToContainTextAsync("Bot target");
        await Expect(page.GetByTestId("new-token")).ToHaveTextAsync(new Regex(@"^\s*lh_\S{20,}\s*$"));
        var token = (await page.GetByTestId("new-token").InnerTextAsync()).Trim();
        await Expect(account.GetByTestId("token-row")).ToHaveCountAsync(1);
        await Expect(account.GetByTestId("token-scope")).ToContainTextAsync("Bot target as Annotator");
        await ShotAsync(page, "service-account-token");

        // The script sees the one project, labels there, and finds the other missing.
        using var bot = ApiClient(api.BaseAddress!.ToString().TrimEnd('/'), token);
        var projects = JsonDocument.Parse(await bot.GetStringAsync("/api/v1/projects")).RootElement;
        Assert.Equal(["Bot target"], projects.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var task = await PostAsync(bot, $"/api/v1/projects/{target}/tasks/next", new { });
        await PostAsync(bot, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values = new { sentiment = "positive" } });
        Assert.Equal(HttpStatusCode.NotFound, (await bot.GetAsync($"/api/v1/projects/{other}")).StatusCode);

        // Revoking in the browser ends it at once.
        await account.GetByTestId("revoke-token").ClickAsync();
        await page.GetByTestId("confirm-revoke").ClickAsync();
        await Expect(account.GetByTestId("token-revoked")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await bot.GetAsync("/api/v1/projects")).StatusCode);
    });
}
