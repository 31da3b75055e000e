using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The spec sheet in a real browser: two answers of 30 s are submitted through the API; the manager opens the Plan page
/// from the project, fills in the spec sheet, saves it with Enter and reads the estimate with its gaps in red and the
/// sentence, then the pipeline overview, and the project list's stage and health.
/// </summary>
public sealed class PlanPipelineTests
{
    [Fact]
    public Task A_manager_fills_the_spec_sheet_reads_the_estimate_against_the_measured_pace_and_the_pipeline() => AdminScenario.RunAsync("plan", async (page, api) =>
    {
        var project = await PostAsync(api, "/api/v1/projects", new
        {
            name = "Planned reviews",
            description = "Sentiment of product reviews",
            schema = new { fields = new[] { new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative" }, required = true } } },
            overlap = 1,
            leaseMinutes = 30,
        });
        var projectId = project.GetProperty("id").GetString()!;
        var import = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/items",
            new[] { new { text = "Great" }, new { text = "Broken" }, new { text = "Fine" }, new { text = "Late" } }));
        Assert.Equal("Succeeded", import.GetProperty("state").GetString());
        for (var answered = 0; answered < 2; answered++)
        {
            using var next = await api.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null);
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            var task = JsonDocument.Parse(await next.Content.ReadAsStringAsync()).RootElement;
            await PostAsync(api, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit",
                new { values = new Dictionary<string, string> { ["sentiment"] = "positive" }, durationMs = 30_000 });
        }

        // ------------------------------------------------ The Plan page from the project: nothing planned yet
        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-plan").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/plan$"));
        await Expect(page.GetByTestId("plan-missing")).ToContainTextAsync("Target items");
        await Expect(page.GetByTestId("plan-purpose")).ToBeFocusedAsync();

        // ------------------------------------------------ The spec sheet, saved with Enter
        // 4 labels × 10 s = 40 s at 18 s a day (0.005 h), weekends worked: 3 days. Measured: 2 left × 30 s = 60 s: 4 days.
        await page.GetByTestId("plan-purpose").FillAsync("Train a review sentiment classifier");
        await page.GetByTestId("plan-data").FillAsync("Product reviews from the shop, 2026");
        await page.GetByTestId("plan-target-items").FillAsync("4");
        await page.GetByTestId("plan-seconds").FillAsync("10");
        await page.GetByTestId("plan-annotators").FillAsync("1");
        await page.GetByTestId("plan-hours").FillAsync("0.005");
        await page.GetByTestId("plan-cost").FillAsync("36");
        await page.GetByTestId("plan-budget-input").FillAsync("1");
        await page.GetByTestId("plan-weekends").CheckAsync();
        await page.GetByTestId("plan-currency").FillAsync("USD");
        await page.GetByTestId("plan-currency").PressAsync("Enter");

        await Expect(page.GetByTestId("plan-missing")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("gap-hours")).ToHaveAttributeAsync("data-over", "true");
        await Expect(page.GetByTestId("gap-days")).ToHaveAttributeAsync("data-over", "true");
        await Expect(page.GetByTestId("plan-sentence")).ToHaveTextAsync("1 day late at the measured 120 labels/hour/annotator.");
        // 40 s of work at 36 an hour: 0.40, within the budget of 1.
        await Expect(page.GetByTestId("plan-budget")).ToContainTextAsync("Within the budget");
        await ShotAsync(page, "95-plan");

        // ------------------------------------------------ The pipeline overview
        await page.GetByTestId("plan-pipeline-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/pipeline$"));
        await Expect(page.GetByTestId("pipeline-stage")).ToHaveCountAsync(6);
        await Expect(page.Locator("[data-testid=pipeline-stage][data-stage=Plan]")).ToHaveAttributeAsync("data-state", "Done");
        await Expect(page.Locator("[data-testid=pipeline-stage][data-stage=Label]")).ToHaveAttributeAsync("data-state", "InProgress");
        await Expect(page.Locator("[data-testid=pipeline-stage][data-stage=Cleanse] [data-testid=pipeline-next]")).ToHaveTextAsync("Run cleansing →");
        await ShotAsync(page, "95-pipeline");

        // ------------------------------------------------ The project list: stage and health
        await GoToAsync(page, "/projects");
        var row = page.Locator($"[data-testid=project-row][data-project-id='{projectId}']");
        await Expect(row.GetByTestId("project-stage")).ToHaveAttributeAsync("data-stage", "Label");
        await Expect(row.GetByTestId("project-health")).ToHaveAttributeAsync("data-health", "Green");
        await ShotAsync(page, "95-projects-stage");
    });
}
