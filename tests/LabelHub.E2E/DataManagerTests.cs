using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The data manager in a real browser: a manager opens a filtered view by its URL, checks two rows with the keyboard,
/// sets their priority, then selects every item the filter matches and deletes them after typing their number.
/// </summary>
public sealed class DataManagerTests
{
    [Fact]
    public Task A_manager_filters_selects_sets_priority_and_deletes_with_confirmation() => AdminScenario.RunAsync("data-manager", async (page, api) =>
    {
        var fields = new object[] { new { name = "sentiment", kind = "Choice", title = "Sentiment", labels = new[] { "positive", "negative" } } };
        var items = Enumerable.Range(1, 4).Select(i => new { text = $"apple review {i}" })
            .Concat(Enumerable.Range(1, 3).Select(i => new { text = $"banana review {i}" })).ToArray<object>();
        var projectId = await AdminScenario.CreateProjectAsync(api, "Data manager flow", fields, items);

        // The banana items become gold (through the API), so a filter has something to find.
        var listing = await api.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{projectId}/items");
        foreach (var item in listing.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("data").GetProperty("text").GetString()!.StartsWith("banana", StringComparison.Ordinal)))
        {
            var gold = await api.PutAsJsonAsync($"/api/v1/projects/{projectId}/items/{item.GetProperty("id").GetInt64()}/gold",
                new { answer = new { sentiment = "negative" } }, Json);
            gold.EnsureSuccessStatusCode();
        }

        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-items").ClickAsync();
        await Expect(page.GetByTestId("dm-row")).ToHaveCountAsync(7);
        await ShotAsync(page, "dm-01-all-items");
        // "/" jumps to the search box.
        await page.GetByTestId("dm-table").ClickAsync(new LocatorClickOptions { Position = new Position { X = 5, Y = 5 } });
        await page.Keyboard.PressAsync("/");
        await Expect(page.Locator("input[data-testid=dm-search]")).ToBeFocusedAsync();

        // The filter lives in the URL: a shared link opens the same view.
        await GoToAsync(page, $"/projects/{projectId}/items?gold=true");
        await Expect(page.GetByTestId("dm-row")).ToHaveCountAsync(3);

        // J moves down a row, X checks it: the second and third rows.
        await page.GetByTestId("dm-table").ClickAsync(new LocatorClickOptions { Position = new Position { X = 5, Y = 5 } });
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("x");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("x");
        await Expect(page.GetByTestId("dm-selection-count")).ToHaveAttributeAsync("data-count", "2");
        await ShotAsync(page, "dm-02-two-checked");

        await page.GetByTestId("dm-action-priority").ClickAsync();
        await page.Locator("input[data-testid=dm-priority-value]").FillAsync("9");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("dm-action-result")).ToHaveAttributeAsync("data-changed", "2");
        await Expect(page.GetByTestId("dm-priority").Filter(new LocatorFilterOptions { HasText = "9" })).ToHaveCountAsync(2);
        await ShotAsync(page, "dm-03-priority-set");

        // Every gold (banana) item: the delete waits for "3" typed.
        await page.GetByTestId("dm-select-all").ClickAsync();
        await Expect(page.GetByTestId("dm-selection-count")).ToHaveAttributeAsync("data-count", "3");
        await page.GetByTestId("dm-action-delete").ClickAsync();
        var count = page.Locator("input[data-testid=dm-delete-count]");
        await count.FillAsync("2");
        await Expect(page.GetByTestId("dm-delete-confirm")).ToBeDisabledAsync();
        await count.FillAsync("3");
        await ShotAsync(page, "dm-04-delete-confirm");
        await page.GetByTestId("dm-delete-confirm").ClickAsync();
        await Expect(page.GetByTestId("dm-action-result")).ToHaveAttributeAsync("data-changed", "3");
        await Expect(page.GetByTestId("dm-empty")).ToBeVisibleAsync();

        await page.GetByTestId("dm-clear-filters").ClickAsync();
        await Expect(page.GetByTestId("dm-row")).ToHaveCountAsync(4);
        await ShotAsync(page, "dm-05-after-delete");
        var left = (await AdminScenario.ExportAsync(api, projectId)).Select(i => i.GetProperty("data").GetProperty("text").GetString()).ToList();
        Assert.All(left, text => Assert.StartsWith("apple", text, StringComparison.Ordinal));
        Assert.Equal(4, left.Count);
    });
}
