using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using LabelHub.Domain;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Collection;
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

    // MudBlazor puts the test id on the field's input or on its wrapper, depending on the component.
    private static IElement InputOf(IElement element) =>
        string.Equals(element.TagName, "INPUT", StringComparison.OrdinalIgnoreCase) ? element : element.QuerySelector("input")!;
}
