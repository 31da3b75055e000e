using System.Security.Claims;
using Bunit;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Collection;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace LabelHub.Web.Tests;

/// <summary>The data manager page against the real table and bulk-action services on a SQLite database.</summary>
public sealed class DataManagerPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };

    private readonly WorkbenchDatabase database;

    public DataManagerPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ProjectService>();
        Services.AddSingleton<ItemTableService>();
        Services.AddSingleton<ItemBulkActions>();
    }

    [Fact]
    public async Task The_filter_comes_from_the_url_and_the_search_goes_back_into_it()
    {
        var (user, projectId, ids) = await ProjectAsync("alpha one", "beta two", "gamma three");
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            await db.Items.Where(i => i.Id == ids[1] || i.Id == ids[2]).ExecuteUpdateAsync(s => s.SetProperty(i => i.IsGold, true));
        }
        SignIn(user);
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/projects/{projectId}/items?gold=true");

        var page = await OpenAsync(projectId);
        Assert.Equal([ids[1], ids[2]], RowIds(page));

        page.Find("input[data-testid=dm-search]").Input("three");
        page.WaitForAssertion(() => Assert.Equal([ids[2]], RowIds(page)), TimeSpan.FromSeconds(5));
        var uri = Services.GetRequiredService<NavigationManager>().Uri;
        Assert.Contains("gold=true", uri, StringComparison.Ordinal);
        Assert.Contains("q=three", uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checked_rows_get_a_priority_and_delete_waits_for_the_typed_count()
    {
        var (user, projectId, ids) = await ProjectAsync("alpha", "beta", "gamma");
        SignIn(user);
        var dialogs = Render<MudDialogProvider>();
        var page = await OpenAsync(projectId);

        RowCheck(page, 0).Change(true);
        RowCheck(page, 2).Change(true);
        Assert.Equal("2", page.Find("[data-testid=dm-selection-count]").GetAttribute("data-count"));

        page.Find("[data-testid=dm-action-priority]").Click();
        dialogs.WaitForElement("input[data-testid=dm-priority-value]").Input("4");
        dialogs.Find("[data-testid=dm-priority-confirm]").Click();
        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-testid=dm-action-result]").GetAttribute("data-changed")));
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            Assert.Equal([4.0, 0, 4.0], await db.Items.Where(i => i.ProjectId == projectId).OrderBy(i => i.Id).Select(i => i.Priority).ToListAsync());
        }
        // The selection is cleared after an action; select all matching, then delete them.
        Assert.Equal("0", page.Find("[data-testid=dm-selection-count]").GetAttribute("data-count"));
        page.Find("[data-testid=dm-select-all]").Click();
        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=dm-selection-count]").GetAttribute("data-count")));

        page.Find("[data-testid=dm-action-delete]").Click();
        var count = dialogs.WaitForElement("input[data-testid=dm-delete-count]");
        count.Input("2");
        Assert.True(dialogs.Find("[data-testid=dm-delete-confirm]").HasAttribute("disabled"));
        dialogs.Find("input[data-testid=dm-delete-count]").Input("3");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=dm-delete-confirm]").HasAttribute("disabled")));
        dialogs.Find("[data-testid=dm-delete-confirm]").Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=dm-empty]")));
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            Assert.False(await db.Items.AnyAsync(i => i.ProjectId == projectId));
        }
    }

    [Fact]
    public async Task Column_headers_sort_and_the_page_speaks_korean()
    {
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("ko");
        var (user, projectId, _) = await ProjectAsync("alpha");
        SignIn(user);
        var page = await OpenAsync(projectId);

        Assert.Contains("데이터 관리자", page.Markup, StringComparison.Ordinal);
        page.Find("[data-testid=dm-sort-Id]").Click();
        page.WaitForAssertion(() => Assert.Equal("desc", page.Find("[data-testid=dm-sort-Id]").GetAttribute("data-sorted")));
        Assert.Contains("order=desc", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    /// <summary>The row's checkbox input (MudBlazor puts the test id on the input or around it).</summary>
    private static AngleSharp.Dom.IElement RowCheck(IRenderedComponent<DataManagerPage> page, int row)
    {
        var check = page.FindAll("[data-testid=dm-row-check]")[row];
        return check.TagName == "INPUT" ? check : check.QuerySelector("input")!;
    }

    private static List<long> RowIds(IRenderedComponent<DataManagerPage> page) =>
        [.. page.FindAll("[data-testid=dm-row]").Select(r => long.Parse(r.GetAttribute("data-item-id")!, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Before any service is read (bUnit's rule): the user signed in as an admin.</summary>
    private void SignIn(Actor user)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
    }

    private async Task<IRenderedComponent<DataManagerPage>> OpenAsync(Guid projectId)
    {
        var page = Render<DataManagerPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=dm-table]", TimeSpan.FromSeconds(20));
        return page;
    }

    private async Task<(Actor User, Guid ProjectId, long[] Ids)> ProjectAsync(params string[] texts)
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, Sentiment);
        var ids = new List<long>();
        foreach (var text in texts)
        {
            ids.Add(await database.AddItemAsync(projectId, new { text }));
        }
        await using var db = await database.Factory.CreateDbContextAsync();
        // As an import writes it (WorkbenchDatabase stores the data only).
        foreach (var (id, text) in ids.Zip(texts))
        {
            await db.Items.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.SearchText, text));
        }
        return (user, projectId, [.. ids]);
    }
}
