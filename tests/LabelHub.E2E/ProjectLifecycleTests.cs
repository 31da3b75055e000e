using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>A manager archives a project, finds it again, and deletes it for good after typing its name.</summary>
public sealed class ProjectLifecycleTests
{
    [Fact]
    public Task A_project_is_archived_restored_from_view_and_deleted_by_name() => AdminScenario.RunAsync("lifecycle", async (page, api) =>
    {
        var projectId = await AdminScenario.CreateProjectAsync(api, "Old survey",
            [new { name = "answer", kind = "Choice", labels = new[] { "yes", "no" }, required = true }], [new { text = "one" }, new { text = "two" }]);

        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-archive").ClickAsync();
        await page.GetByTestId("archive-confirm").ClickAsync();
        await Expect(page.GetByTestId("project-archived-banner")).ToBeVisibleAsync();
        await ShotAsync(page, "42-project-archived");

        // Gone from the list, back with "Show archived", marked as such.
        await GoToAsync(page, "/projects");
        await Expect(page.Locator($"[data-testid=project-row][data-project-id='{projectId}']")).ToHaveCountAsync(0);
        await page.GetByTestId("show-archived").ClickAsync();
        var row = page.Locator($"[data-testid=project-row][data-project-id='{projectId}']");
        await Expect(row.GetByTestId("project-archived")).ToBeVisibleAsync();
        await row.GetByTestId("project-link").ClickAsync();

        // Deleting needs the name typed back.
        await page.GetByTestId("project-delete").ClickAsync();
        await Expect(page.GetByTestId("delete-confirm")).ToBeDisabledAsync();
        await page.GetByTestId("delete-confirm-name").FillAsync("Old survey");
        await Expect(page.GetByTestId("delete-confirm")).ToBeEnabledAsync();
        await ShotAsync(page, "42-project-delete-dialog");
        await page.GetByTestId("delete-confirm").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/projects$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();
        // The deletion runs as a job: the project is gone once it finished.
        var status = System.Net.HttpStatusCode.OK;
        for (var waited = 0; waited < 60_000 && status != System.Net.HttpStatusCode.NotFound; waited += 500)
        {
            await Task.Delay(500);
            status = (await api.GetAsync($"/api/v1/projects/{projectId}")).StatusCode;
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, status);
        await Expect(page.Locator($"[data-testid=project-row][data-project-id='{projectId}']")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task A_mistyped_address_shows_a_page_with_a_way_back_while_the_api_keeps_its_problem_json() => AdminScenario.RunAsync("not-found", async (page, api) =>
    {
        var response = await page.GotoAsync("/projectz/123");
        Assert.Equal(404, response!.Status);
        await WaitForAppAsync(page);
        await Expect(page.GetByTestId("not-found")).ToContainTextAsync("/projectz/123");
        await ShotAsync(page, "43-not-found");
        await page.GetByTestId("not-found-back").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();

        var apiResponse = await api.GetAsync("/api/v1/no-such-thing");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, apiResponse.StatusCode);
        Assert.Equal("application/problem+json", apiResponse.Content.Headers.ContentType?.MediaType);
    });
}
