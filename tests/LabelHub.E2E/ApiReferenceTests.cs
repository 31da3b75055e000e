using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>The API reference page (Scalar) opens from the menu, draws the API's operations, and needs nothing from elsewhere.</summary>
public sealed class ApiReferenceTests
{
    [Fact]
    public Task The_api_reference_opens_from_the_menu_lists_the_operations_and_breaks_no_content_security_rule() => AdminScenario.RunAsync("api-reference", async (page, api) =>
    {
        var origin = api.BaseAddress!.GetLeftPart(UriPartial.Authority);
        var violations = new List<string>();
        var elsewhere = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Content-Security-Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };
        // Everything the page loads comes from LabelHub itself: it must work on a machine without internet access.
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal) && !request.Url.StartsWith("blob:", StringComparison.Ordinal))
            {
                lock (elsewhere)
                {
                    elsewhere.Add(request.Url);
                }
            }
        };

        await page.GetByTestId("nav-api-reference").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/api/reference/?$"));
        await Expect(page).ToHaveTitleAsync("LabelHub API");
        // Scalar fetched /openapi/v1.json and drew it: the hand-out operation is listed, and opening it shows its answers,
        // the 409 that asks to acknowledge a new guideline among them.
        var sidebar = page.GetByRole(AriaRole.Complementary);
        var labeling = sidebar.GetByRole(AriaRole.Button, new() { Name = "Open Group - Labeling" });
        await Expect(labeling).ToBeVisibleAsync(new() { Timeout = FirstLoadTimeout });
        await labeling.ClickAsync();
        var nextTask = sidebar.GetByRole(AriaRole.Link, new() { Name = "/api/v1/projects/{projectId}/tasks/next HTTP Method: POST", Exact = true });
        await nextTask.ClickAsync();
        await Expect(page.GetByText("guideline_acknowledgement_required").First).ToBeVisibleAsync();
        // The reference is one long page: the window at the operation shows what a reader sees.
        await Browser.ScreenshotAsync(page, "44-api-reference", fullPage: false);

        lock (violations)
        {
            Assert.True(violations.Count == 0, "Content security policy violations:\n" + string.Join("\n", violations));
        }
        lock (elsewhere)
        {
            Assert.True(elsewhere.Count == 0, "The page loaded from elsewhere:\n" + string.Join("\n", elsewhere));
        }
    });
}
