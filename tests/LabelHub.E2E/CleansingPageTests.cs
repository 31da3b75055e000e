using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The cleansing page in a real browser: the manager writes a trim rule in the form, dry-runs it (one answer would
/// change), saves and applies it, reads the run's report (one rule correction), downloads its CSV and closes the run.
/// </summary>
public sealed class CleansingPageTests
{
    [Fact]
    public Task A_manager_writes_a_rule_dry_runs_applies_it_and_downloads_the_report() => AdminScenario.RunAsync("cleansing", async (page, api) =>
    {
        var projectId = await AdminScenario.CreateProjectAsync(api, "Cleansing flow",
            [
                new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative" }, required = true },
                new { name = "note", kind = "Text" },
            ],
            [new { text = "first" }, new { text = "second" }, new { text = "third" }]);
        foreach (var note in new[] { "  padded  ", "clean", "fine" })
        {
            var task = await PostAsync(api, $"/api/v1/projects/{projectId}/tasks/next", new { });
            await PostAsync(api, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values = new { sentiment = "positive", note } });
        }

        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-cleansing").ClickAsync();
        await Expect(page.GetByTestId("rules-empty")).ToBeVisibleAsync();

        // A trim rule from the form: it lands on the text field and fixes by default.
        await page.GetByTestId("rules-new-kind").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Trim white space", Exact = true }).ClickAsync();
        await page.GetByTestId("rules-add").ClickAsync();
        var rule = page.GetByTestId("rule-form");
        await Expect(rule).ToHaveAttributeAsync("data-rule-kind", "trim");
        await page.GetByTestId("rule-message").FillAsync("Notes are trimmed");

        // Dry run on the unsaved rule.
        await page.GetByTestId("rules-dry-run").ClickAsync();
        var dryRunRow = page.Locator("[data-testid=dry-run-rule][data-rule-id=trim-note]");
        await Expect(dryRunRow.GetByTestId("dry-run-changed")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("dry-run-example")).ToContainTextAsync("\"padded\"");
        await ShotAsync(page, "cleansing-dry-run");

        await page.GetByTestId("rules-save").ClickAsync();
        await Expect(page.GetByTestId("rules-version")).ToHaveAttributeAsync("data-version", "1");
        await page.GetByTestId("rules-apply").ClickAsync();

        // The apply opens its run's report.
        var report = page.GetByTestId("cleansing-report");
        await Expect(report.GetByTestId("report-corrections-rule")).ToHaveAttributeAsync("data-count", "1");
        await Expect(report.GetByTestId("report-answers-corrected")).ToContainTextAsync("Answers corrected: 1");
        await Expect(page.GetByTestId("cleansing-run-row")).ToHaveCountAsync(1);
        await ShotAsync(page, "cleansing-report");

        var download = await page.RunAndWaitForDownloadAsync(() => report.GetByTestId("report-csv").ClickAsync());
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Select(l => l.TrimStart('\uFEFF')).ToList();
        Assert.Equal("section,field,label,before,after,delta", lines[0]);
        Assert.Contains("corrections,,rule,,1,", lines);
        Assert.Contains("labels,sentiment,positive,3,3,0", lines);

        await report.GetByTestId("report-close").ClickAsync();
        await Expect(report).ToHaveAttributeAsync("data-frozen", "true");
    });
}
