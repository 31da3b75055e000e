using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Collection;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>The crowd page against the real crowd and identity services on a SQLite database.</summary>
public sealed class CrowdPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };

    private readonly WorkbenchDatabase database;

    public CrowdPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ProjectService>();
        Services.AddLogging();
        Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<LabelHubDbContext>>().CreateDbContext());
        // The password rules of WebSetup: length, no character classes.
        Services.AddIdentityCore<AppUser>(options =>
            {
                options.Password.RequiredLength = 10;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
            })
            .AddRoles<AppRole>()
            .AddEntityFrameworkStores<LabelHubDbContext>();
        Services.AddSingleton<AccessTokenCache>();
        Services.AddSingleton<AccessTokenService>();
        Services.AddOptions<LabelHubOptions>();
        Services.AddScoped<UserAdminService>();
        Services.AddScoped<CrowdService>();
        Services.AddScoped<CrowdMemberService>();
    }

    [Fact]
    public async Task A_manager_makes_a_link_seen_once_and_approves_a_sign_up_from_the_page()
    {
        var manager = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(manager, Sentiment);
        // Authorization first: the container takes no registrations once a service was taken from it.
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, manager.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        await using (var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope())
        {
            var crowd = scope.ServiceProvider.GetRequiredService<CrowdService>();
            var invite = await crowd.CreateInviteAsync(manager, projectId, new NewCrowdInvite("first batch", DateTimeOffset.UtcNow.AddDays(3)));
            await crowd.SignUpAsync(invite.Secret, new CrowdSignUp("page-worker-" + Guid.NewGuid().ToString("N")[..6], "Page Worker", null, "page-worker-password-1"));
        }

        var page = Render<CrowdPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=member-row]", TimeSpan.FromSeconds(20));
        Assert.Equal("Waiting for approval", page.Find("[data-testid=member-state]").TextContent.Trim());
        Assert.Equal("Open", page.Find("[data-testid=invite-state]").TextContent.Trim());

        await page.Find("[data-testid=member-approve]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("Approved", page.Find("[data-testid=member-state]").TextContent.Trim()), TimeSpan.FromSeconds(20));
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            var member = await db.CrowdMembers.SingleAsync(m => m.ProjectId == projectId);
            Assert.True(await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.UserId == member.UserId));
        }

        // The form: the link shows once, with the whole secret, and the new invite joins the table.
        InputOf(page.Find("[data-testid=invite-name]")).Change("second batch");
        page.Find("form[data-testid=invite-form]").Submit();
        var link = await page.WaitForElementAsync("[data-testid=invite-link]", TimeSpan.FromSeconds(20));
        Assert.Matches("/join/[A-Za-z0-9_-]{43}$", link.TextContent);
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=invite-row]").Count), TimeSpan.FromSeconds(20));

        // A qualification the project has no gold for is refused, naming why.
        InputOf(page.Find("[data-testid=invite-name]")).Change("quiz");
        InputOf(page.Find("[data-testid=invite-qualification]")).Change("3");
        page.Find("form[data-testid=invite-form]").Submit();
        page.WaitForAssertion(() => Assert.Contains("gold items", page.Find("[data-testid=crowd-page-error]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task An_invites_sign_ups_open_from_its_row_filtered_by_the_URL_with_a_chip_that_clears_it()
    {
        var manager = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(manager, Sentiment);
        var auth = AddAuthorization();
        auth.SetAuthorized("manager");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, manager.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        Guid spring;
        await using (var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope())
        {
            var crowd = scope.ServiceProvider.GetRequiredService<CrowdService>();
            var first = await crowd.CreateInviteAsync(manager, projectId, new NewCrowdInvite("spring", DateTimeOffset.UtcNow.AddDays(3)));
            var second = await crowd.CreateInviteAsync(manager, projectId, new NewCrowdInvite("autumn", DateTimeOffset.UtcNow.AddDays(3)));
            spring = first.Invite.Id;
            var suffix = Guid.NewGuid().ToString("N")[..6];
            await crowd.SignUpAsync(first.Secret, new CrowdSignUp("spring-a-" + suffix, "Spring A", null, "spring-worker-password-1"));
            await crowd.SignUpAsync(first.Secret, new CrowdSignUp("spring-b-" + suffix, "Spring B", null, "spring-worker-password-2"));
            await crowd.SignUpAsync(second.Secret, new CrowdSignUp("autumn-a-" + suffix, "Autumn A", null, "autumn-worker-password-1"));
        }

        // Unfiltered: everyone, and each invite row links to its own sign-ups.
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/projects/{projectId}/crowd");
        var page = Render<CrowdPage>(p => p.Add(c => c.ProjectId, projectId));
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=member-row]").Count), TimeSpan.FromSeconds(20));
        Assert.Empty(page.FindAll("[data-testid=members-invite-filter]"));
        var springRow = page.FindAll("[data-testid=invite-row]").Single(r => r.TextContent.Contains("spring", StringComparison.Ordinal));
        var signUps = springRow.QuerySelector("[data-testid=invite-signups]")!;
        Assert.Equal($"/projects/{projectId}/crowd?invite={spring}", signUps.GetAttribute("href"));
        Assert.Contains("Sign-ups (2)", signUps.TextContent, StringComparison.Ordinal);

        // Following the link: only that invite's sign-ups, its row marked, a chip naming it.
        navigation.NavigateTo($"/projects/{projectId}/crowd?invite={spring}");
        var filtered = Render<CrowdPage>(p => p.Add(c => c.ProjectId, projectId));
        filtered.WaitForAssertion(() => Assert.Equal(["Spring A", "Spring B"],
            filtered.FindAll("[data-testid=member-row]").Select(r => r.QuerySelector("td")!.TextContent.Trim())), TimeSpan.FromSeconds(20));
        Assert.Contains("Signed up through spring", filtered.Find("[data-testid=members-invite-filter]").TextContent, StringComparison.Ordinal);
        Assert.Equal("true", filtered.FindAll("[data-testid=invite-row]").Single(r => r.TextContent.Contains("spring", StringComparison.Ordinal)).GetAttribute("data-selected"));

        // Closing the chip goes back to the unfiltered page.
        await filtered.Find("[data-testid=members-invite-filter] .mud-chip-close-button").ClickAsync(new());
        Assert.EndsWith($"/projects/{projectId}/crowd", navigation.Uri, StringComparison.Ordinal);
    }

    // MudBlazor puts the test id on the field's input or on its wrapper, depending on the component.
    private static IElement InputOf(IElement element) =>
        string.Equals(element.TagName, "INPUT", StringComparison.OrdinalIgnoreCase) ? element : element.QuerySelector("input")!;
}
