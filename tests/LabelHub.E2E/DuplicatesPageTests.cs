using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The Duplicates page in a real browser: the manager opens it from the project, runs an exact-duplicate search, sees the
/// two spellings of one review side by side with their answers, keeps the second with the key 2, undoes with U and marks
/// the group distinct with D.
/// </summary>
public sealed class DuplicatesPageTests
{
    [Fact]
    public Task A_manager_finds_exact_duplicates_and_keeps_one_by_keyboard() => AdminScenario.RunAsync("duplicates", async (page, api) =>
    {
        var projectId = await AdminScenario.CreateProjectAsync(api, "Duplicates flow",
            [new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative" }, required = true }],
            [new { text = "Fast delivery, well packed." }, new { text = "fast delivery,  well packed." }, new { text = "The strap broke after a week." }]);
        for (var i = 0; i < 3; i++)
        {
            var task = await PostAsync(api, $"/api/v1/projects/{projectId}/tasks/next", new { });
            await PostAsync(api, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values = new { sentiment = i == 2 ? "negative" : "positive" } });
        }

        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-duplicates").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/cleansing/duplicates$"));
        await WaitForAppAsync(page);
        await Expect(page.GetByTestId("duplicates-empty")).ToBeVisibleAsync();

        // A text project's page offers the near-duplicate text search first; this manager looks for exact copies.
        await Expect(page.GetByTestId("duplicates-threshold")).ToBeVisibleAsync();
        await page.GetByTestId("duplicates-kind").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Exact duplicates", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("duplicates-threshold")).ToHaveCountAsync(0);
        await page.GetByTestId("duplicates-start").ClickAsync();
        await Expect(page.GetByTestId("duplicates-last")).ToHaveTextAsync("1 duplicate groups among 3 items.");
        await Expect(page.GetByTestId("duplicates-list-item")).ToHaveCountAsync(1);
        var members = page.GetByTestId("duplicate-member");
        await Expect(members).ToHaveCountAsync(2);
        await Expect(members.Nth(1).GetByTestId("duplicate-text")).ToContainTextAsync("fast delivery,");
        await Expect(members.Nth(0).GetByTestId("duplicate-answer")).ToContainTextAsync("sentiment = positive");
        var keptId = long.Parse((await members.Nth(1).GetAttributeAsync("data-item-id"))!, System.Globalization.CultureInfo.InvariantCulture);
        await ShotAsync(page, "duplicates-group");

        // Keys: 2 keeps the second member; U undoes; D marks the group distinct.
        await page.GetByTestId("duplicate-group").Locator("h2").ClickAsync();
        await page.Keyboard.PressAsync("2");
        await Expect(page.GetByTestId("duplicate-decision")).ToHaveTextAsync("One kept");
        await Expect(page.GetByTestId("duplicate-kept")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("duplicate-excluded")).ToHaveTextAsync($"Excluded: duplicate of item {keptId}");
        await Expect(page.GetByTestId("duplicates-decision-note")).ToContainTextAsync($"Kept item {keptId}: 1 excluded");
        await ShotAsync(page, "duplicates-kept");
        using (var decided = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/projects/{projectId}/cleansing/duplicates?decision=decided")))
        {
            Assert.Equal(keptId, decided.RootElement.GetProperty("groups")[0].GetProperty("keptItemId").GetInt64());
        }

        await page.Keyboard.PressAsync("u");
        await Expect(page.GetByTestId("duplicate-decision")).ToHaveTextAsync("Open");
        await Expect(page.GetByTestId("duplicate-excluded")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("d");
        await Expect(page.GetByTestId("duplicate-decision")).ToHaveTextAsync("Distinct");
        await Expect(page.GetByTestId("duplicates-filter-decided")).ToHaveTextAsync("Decided (1)");
    });
}
