using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The adjudication queue in a real browser: a rules run flags two answers, and the reviewer works both findings with
/// the keyboard alone — A takes the first one's suggestion, D dismisses the second — and the answers change accordingly.
/// </summary>
public sealed class AdjudicationTests
{
    [Fact]
    public Task A_reviewer_works_two_findings_with_the_keyboard_only() => AdminScenario.RunAsync("adjudication", async (page, api) =>
    {
        var project = await PostAsync(api, "/api/v1/projects", new
        {
            name = "Cleansing queue",
            description = "Adjudication end to end",
            schema = new
            {
                fields = new object[]
                {
                    new { name = "sentiment", kind = "Choice", title = "Sentiment", labels = new[] { "positive", "negative" }, required = true },
                    new { name = "note", kind = "Text", title = "Note" },
                },
            },
            overlap = 1,
            leaseMinutes = 30,
        });
        var projectId = project.GetProperty("id").GetGuid();
        var p = $"/api/v1/projects/{projectId}";
        var import = await WaitForJobAsync(api, await PostAsync(api, $"{p}/items", new[] { new { text = "배송이 빨라요" }, new { text = "화면이 좋아요" } }));
        Assert.Equal("Succeeded", import.GetProperty("state").GetString());

        // An annotator types both notes with a full-width input method.
        var annotator = (await ProjectAnnotatorAsync(page, api, projectId, "mina", "adjudication-e2e")).Api;
        foreach (var note in new[] { "ＡＢＣ", "ＸＹＺ" })
        {
            var task = await PostAsync(annotator, $"{p}/tasks/next", new { });
            await PostAsync(annotator, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values = new { sentiment = "positive", note } });
        }
        using (var saved = await api.PutAsJsonAsync($"{p}/cleansing/rules", new
        {
            rules = new[] { new { kind = "full_width_to_half_width", id = "half-width", field = "note", mode = "Flag", message = "Full-width letters in the note" } },
        }, Json))
        {
            Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        }
        var applied = await WaitForJobAsync(api, await PostAsync(api, $"{p}/cleansing/rules/apply", new { }));
        Assert.Equal("Succeeded", applied.GetProperty("state").GetString());

        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-adjudication").ClickAsync();
        await WaitForAppAsync(page);
        await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._adjudicationHandler)");
        await Expect(page.GetByTestId("adjudication-remaining")).ToHaveTextAsync("Items left: 2 · open findings: 2");
        var firstItem = long.Parse((await page.GetByTestId("adjudication-item").GetAttributeAsync("data-item-id"))!, CultureInfo.InvariantCulture);
        var firstCard = page.Locator("[data-finding-id][data-selected=true]");
        await Expect(firstCard).ToContainTextAsync("Full-width letters in the note");
        await Expect(page.GetByTestId("finding-suggestion")).ToContainTextAsync("ABC");
        await Expect(page.Locator("[data-testid^=adjudication-cell-note-][data-flagged=true]")).ToHaveCountAsync(1);
        await ShotAsync(page, "60-adjudication-queue");

        // A: the suggestion becomes the answer; the next item comes with its finding selected, the focus on the findings.
        await page.Keyboard.PressAsync("a");
        await Expect(page.GetByTestId("adjudication-remaining")).ToHaveTextAsync("Items left: 1 · open findings: 1");
        await Expect(page.GetByTestId("adjudication-item")).Not.ToHaveAttributeAsync("data-item-id", firstItem.ToString(CultureInfo.InvariantCulture));
        var secondItem = long.Parse((await page.GetByTestId("adjudication-item").GetAttributeAsync("data-item-id"))!, CultureInfo.InvariantCulture);
        await Expect(page.GetByTestId("adjudication-findings")).ToBeFocusedAsync();
        await Expect(page.GetByTestId("finding-suggestion")).ToContainTextAsync("XYZ");

        // E opens the answer in the editor and Escape closes it again, the focus back on the findings.
        await page.Keyboard.PressAsync("e");
        await Expect(page.GetByTestId("adjudication-editor")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("adjudication-editor")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("adjudication-findings")).ToBeFocusedAsync();

        // D: the finding is dismissed and the answer stays; nothing is left.
        await page.Keyboard.PressAsync("d");
        await Expect(page.GetByTestId("adjudication-empty")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("adjudication-remaining")).ToHaveTextAsync("Items left: 0 · open findings: 0");
        await ShotAsync(page, "61-adjudication-done");

        var accepted = await ItemAsync(api, p, firstItem);
        var answer = accepted.GetProperty("answers").EnumerateArray().Single();
        Assert.Equal("ABC", answer.GetProperty("values").GetProperty("note").GetString());
        Assert.Equal(2, answer.GetProperty("version").GetInt32());
        Assert.Equal("Cleansing", answer.GetProperty("reason").GetString());
        Assert.Equal("admin", answer.GetProperty("authorName").GetString());
        Assert.Equal("Accepted", accepted.GetProperty("decided").EnumerateArray().Single().GetProperty("state").GetString());

        var dismissed = await ItemAsync(api, p, secondItem);
        var kept = dismissed.GetProperty("answers").EnumerateArray().Single();
        Assert.Equal("ＸＹＺ", kept.GetProperty("values").GetProperty("note").GetString());
        Assert.Equal(1, kept.GetProperty("version").GetInt32());
        Assert.Equal("Dismissed", dismissed.GetProperty("decided").EnumerateArray().Single().GetProperty("state").GetString());

        // The accepted item opened by its id: H shows the answer's history, where the original version is restored.
        await GoToAsync(page, $"/projects/{projectId}/cleansing/queue?item={firstItem}");
        await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._adjudicationHandler)");
        await Expect(page.GetByTestId("adjudication-item")).ToHaveAttributeAsync("data-item-id", firstItem.ToString(CultureInfo.InvariantCulture));
        await page.Keyboard.PressAsync("h");
        await Expect(page.GetByTestId("review-history-version-2")).ToHaveAttributeAsync("data-reason", "Cleansing");
        await page.GetByTestId("review-history-restore-1").ClickAsync();
        await Expect(page.GetByTestId("review-history-version-3")).ToContainTextAsync("restored version 1");
        await ShotAsync(page, "62-adjudication-restore");
        var restored = (await ItemAsync(api, p, firstItem)).GetProperty("answers").EnumerateArray().Single();
        Assert.Equal("ＡＢＣ", restored.GetProperty("values").GetProperty("note").GetString());
        Assert.Equal(3, restored.GetProperty("version").GetInt32());
    });

    private static async Task<JsonElement> ItemAsync(HttpClient api, string projectPath, long itemId) =>
        await api.GetFromJsonAsync<JsonElement>($"{projectPath}/cleansing/items/{itemId}");

}
