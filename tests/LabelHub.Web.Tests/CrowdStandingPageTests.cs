using System.Globalization;
using System.Security.Claims;
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

/// <summary>
/// The standing page a person sees after signing up through an invite link, against the real crowd services on SQLite:
/// waiting, approved, not approved and disabled, in English and Korean. (The join page itself is a static server-rendered
/// form that signs in through HttpContext; the integration tests cover it.)
/// </summary>
public sealed class CrowdStandingPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };

    private readonly WorkbenchDatabase database;

    public CrowdStandingPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ProjectService>();
        Services.AddLogging();
        Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<LabelHubDbContext>>().CreateDbContext());
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

    [Theory]
    [InlineData("en", CrowdMemberState.Pending, "standing-pending", "Your sign-up waits for a manager's approval. Come back to this page later: once you are approved, your tasks start here.")]
    [InlineData("en", CrowdMemberState.Approved, "standing-approved", "You are approved.")]
    [InlineData("en", CrowdMemberState.Rejected, "standing-rejected", "A manager did not approve your sign-up for this project.")]
    [InlineData("en", CrowdMemberState.Disabled, "standing-disabled", "A manager disabled your work in this project. Your unfinished tasks went to others.")]
    [InlineData("ko", CrowdMemberState.Pending, "standing-pending", "가입이 관리자의 승인을 기다리고 있습니다. 나중에 이 페이지로 돌아오세요. 승인되면 여기에서 작업을 시작합니다.")]
    [InlineData("ko", CrowdMemberState.Approved, "standing-approved", "승인되었습니다.")]
    [InlineData("ko", CrowdMemberState.Rejected, "standing-rejected", "관리자가 이 프로젝트 가입을 반려했습니다.")]
    [InlineData("ko", CrowdMemberState.Disabled, "standing-disabled", "관리자가 이 프로젝트에서 회원님의 작업을 비활성화했습니다. 끝내지 않은 작업은 다른 작업자에게 넘어갔습니다.")]
    public async Task A_person_sees_where_their_sign_up_stands(string culture, CrowdMemberState state, string testId, string text)
    {
        var manager = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(manager, Sentiment);
        var auth = AddAuthorization();
        CrowdSignUpResult signedUp;
        await using (var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope())
        {
            var crowd = scope.ServiceProvider.GetRequiredService<CrowdService>();
            var invite = await crowd.CreateInviteAsync(manager, projectId, new NewCrowdInvite("standing", DateTimeOffset.UtcNow.AddDays(3)));
            signedUp = await crowd.SignUpAsync(invite.Secret,
                new CrowdSignUp("standing-" + Guid.NewGuid().ToString("N")[..8], "Standing Worker", null, "standing-password-1"));
            // The manager's decision, made through the same service the crowd page uses.
            var members = scope.ServiceProvider.GetRequiredService<CrowdMemberService>();
            switch (state)
            {
                case CrowdMemberState.Pending:
                    break;
                case CrowdMemberState.Approved:
                    await members.ApproveAsync(manager, projectId, signedUp.MemberId);
                    break;
                case CrowdMemberState.Rejected:
                    await members.RejectAsync(manager, projectId, signedUp.MemberId);
                    break;
                case CrowdMemberState.Disabled:
                    await members.ApproveAsync(manager, projectId, signedUp.MemberId);
                    await members.DisableAsync(manager, projectId, signedUp.MemberId);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(state), state, null);
            }
        }
        auth.SetAuthorized("worker");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, signedUp.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Annotator));
        UseCulture(culture);

        var page = Render<CrowdStandingPage>();
        var alert = await page.WaitForElementAsync($"[data-testid={testId}]", TimeSpan.FromSeconds(20));
        Assert.Equal(text, alert.TextContent.Trim());
        Assert.Single(page.FindAll("[data-testid=standing]"));
        Assert.Contains(signedUp.ProjectName, page.Find("[data-testid=standing] h2").TextContent, StringComparison.Ordinal);
        // Only an approved person gets the way to their tasks.
        var start = page.FindAll("[data-testid=standing-start]");
        if (state == CrowdMemberState.Approved)
        {
            Assert.Equal($"/projects/{projectId}/label", Assert.Single(start).GetAttribute("href"));
            Assert.Equal(culture == "ko" ? "라벨링 시작" : "Start labeling", start[0].TextContent.Trim());
        }
        else
        {
            Assert.Empty(start);
        }
    }

    [Theory]
    [InlineData("en", "You have not signed up through an invite link.")]
    [InlineData("ko", "초대 링크로 가입한 적이 없습니다.")]
    public async Task A_person_without_a_sign_up_hears_so(string culture, string text)
    {
        var someone = await database.CreateUserAsync();
        var auth = AddAuthorization();
        auth.SetAuthorized("someone");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, someone.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Annotator));
        UseCulture(culture);

        var page = Render<CrowdStandingPage>();
        var none = await page.WaitForElementAsync("[data-testid=standing-none]", TimeSpan.FromSeconds(20));
        Assert.Equal(text, none.TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=standing]"));
    }

    private static void UseCulture(string name)
    {
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(name);
    }
}
