using System.Net;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>An admin archives an account, finds it with "Show archived" and restores it, and deletes one that never worked.</summary>
public sealed class UserLifecycleTests
{
    [Fact]
    public Task An_account_is_archived_shown_again_restored_and_one_without_work_deleted() => AdminScenario.RunAsync("users", async (page, api) =>
    {
        var (leaverId, _) = await CreateUserAsync(api, "leaver", "Annotator");
        var (mistakeId, _) = await CreateUserAsync(api, "mistake", "Annotator");
        await GoToAsync(page, "/admin/users");

        // Archive, after confirming: the account leaves the list.
        await UserRow(page, "leaver").GetByTestId("archive-user").ClickAsync();
        await Expect(page.GetByTestId("confirm-dialog")).ToContainTextAsync("The account is disabled at once");
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Expect(UserRow(page, "leaver")).ToHaveCountAsync(0);

        // Back with "Show archived", marked as such, and restored.
        await page.GetByTestId("show-archived-users").ClickAsync();
        await Expect(UserRow(page, "leaver").GetByTestId("user-archived")).ToBeVisibleAsync();
        // Restore is the one way back: no "Enable" on an archived account.
        await Expect(UserRow(page, "leaver").GetByTestId("enable-user")).ToHaveCountAsync(0);
        await ShotAsync(page, "44-user-archived");
        await UserRow(page, "leaver").GetByTestId("restore-user").ClickAsync();
        await Expect(UserRow(page, "leaver").GetByTestId("user-active")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/users/{leaverId}")).StatusCode);

        // An account that never did any work is deleted for good, after confirming. (The mouse leaves the row first: the
        // tooltip of the button now under it would cover the next row's buttons.)
        await page.Mouse.MoveAsync(0, 0);
        await UserRow(page, "mistake").GetByTestId("delete-user").ClickAsync();
        await Expect(page.GetByTestId("confirm-dialog")).ToContainTextAsync("Only an account that never did any work can be deleted");
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Expect(UserRow(page, "mistake")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/users/{mistakeId}")).StatusCode);
    });

    private static ILocator UserRow(IPage page, string userName) =>
        page.Locator($"[data-testid=user-row][data-username='{userName}']");
}
