using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// Crowd invites in a real browser: the manager makes an invite link with a qualification of two gold items on the
/// crowd page; a stranger (a browser without cookies) opens the link, signs up and waits; the manager approves; the new
/// annotator answers the two gold items right and then gets a real item.
/// </summary>
public sealed class CrowdTests
{
    private static readonly object[] Fields =
    [
        new { name = "sentiment", kind = "Choice", title = "Sentiment", labels = new[] { "positive", "neutral", "negative" }, required = true },
    ];

    [Fact]
    public Task A_stranger_joins_through_an_invite_link_passes_the_qualification_and_gets_real_tasks() => AdminScenario.RunAsync("crowd", async (page, api) =>
    {
        // ------------------------------------------------ Items and two gold items through the API
        var projectId = await AdminScenario.CreateProjectAsync(api, "Crowd flow", Fields,
        [
            new { text = "Gold: what a wonderful day" },
            new { text = "Gold: the worst service ever" },
            new { text = "Real: the parcel came on Tuesday" },
            new { text = "Real: the film was long" },
        ]);
        var items = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/projects/{projectId}/items")).RootElement.GetProperty("items")
            .EnumerateArray().ToDictionary(i => i.GetProperty("data").GetProperty("text").GetString()!, i => i.GetProperty("id").GetInt64());
        var goldAnswers = new Dictionary<long, string>
        {
            [items["Gold: what a wonderful day"]] = "positive",
            [items["Gold: the worst service ever"]] = "negative",
        };
        foreach (var (itemId, answer) in goldAnswers)
        {
            using var response = await api.PutAsJsonAsync($"/api/v1/projects/{projectId}/items/{itemId}/gold",
                new { answer = new Dictionary<string, string> { ["sentiment"] = answer } }, Json);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        // ------------------------------------------------ The manager makes the link: shown once
        await GoToAsync(page, $"/projects/{projectId}/crowd");
        await Expect(page.GetByTestId("members-table")).ToBeVisibleAsync();
        await Field(page, "invite-name").FillAsync("Spring crowd");
        await Field(page, "invite-qualification").FillAsync("2");
        await Field(page, "invite-pass").FillAsync("50");
        await Expect(Field(page, "invite-pass")).ToHaveValueAsync("50");
        await page.GetByTestId("invite-create").ClickAsync();
        var link = page.GetByTestId("invite-link");
        await Expect(link).ToHaveTextAsync(new Regex("/join/[A-Za-z0-9_-]{43}$"));
        await Expect(page.GetByTestId("invite-row")).ToContainTextAsync("2 gold items, pass at 50 %");
        await ShotAsync(page, "47-crowd-1-invite-link");
        var joinUrl = (await link.InnerTextAsync()).Trim();

        // ------------------------------------------------ A stranger, in a browser without cookies, signs up
        var stranger = await page.Context.Browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = new Uri(page.Url).GetLeftPart(UriPartial.Authority),
            Locale = "en-US",
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        try
        {
            stranger.SetDefaultTimeout(20_000);
            stranger.SetDefaultNavigationTimeout(FirstLoadTimeout);
            var worker = await stranger.NewPageAsync();
            var workerErrors = new List<string>();
            worker.PageError += (_, error) => workerErrors.Add(error);
            await worker.GotoAsync(joinUrl);
            await Expect(worker.GetByTestId("join-project")).ToHaveTextAsync("Join “Crowd flow”");
            await Expect(worker.GetByTestId("join-qualification")).ToContainTextAsync("your first 2 tasks are a qualification");
            await worker.Locator("#displayName").FillAsync("Jiwoo Park");
            await worker.Locator("#userName").FillAsync("jiwoo");
            await worker.Locator("#password").FillAsync("short");
            await worker.GetByTestId("join-submit").ClickAsync();
            await Expect(worker.GetByTestId("join-error")).ToHaveTextAsync("Passwords must be at least 10 characters.");
            // The values typed stay in the form, except the password.
            await Expect(worker.Locator("#userName")).ToHaveValueAsync("jiwoo");
            await ShotAsync(worker, "47-crowd-2-join-refused");
            await worker.Locator("#displayName").FillAsync("Jiwoo Park");
            await worker.Locator("#userName").FillAsync("jiwoo");
            await worker.Locator("#password").FillAsync("jiwoo-crowd-password");
            await worker.GetByTestId("join-submit").ClickAsync();
            await Expect(worker).ToHaveURLAsync(new Regex("/crowd/standing$"), new() { Timeout = FirstLoadTimeout });
            await WaitForAppAsync(worker);
            await Expect(worker.GetByTestId("standing-pending")).ToBeVisibleAsync();
            await Expect(worker.GetByTestId("standing")).ToContainTextAsync("Crowd flow");
            await ShotAsync(worker, "47-crowd-3-waiting-for-approval");

            // ------------------------------------------------ The manager approves on the crowd page
            await GoToAsync(page, $"/projects/{projectId}/crowd");
            var row = page.GetByTestId("member-row");
            await Expect(row.GetByTestId("member-user-name")).ToHaveTextAsync("jiwoo");
            await Expect(row.GetByTestId("member-state")).ToHaveTextAsync("Waiting for approval");
            await ShotAsync(page, "47-crowd-4-sign-up-to-approve");
            await row.GetByTestId("member-approve").ClickAsync();
            await Expect(row.GetByTestId("member-state")).ToHaveTextAsync("Approved");
            await Expect(row.GetByTestId("member-qualification")).ToHaveTextAsync("0 of 2 answered");
            // The link counts one use.
            await Expect(page.GetByTestId("invite-row").Locator("td").Nth(2)).ToHaveTextAsync("1");
            // The invite's own sign-ups: the filter is in the URL, and its chip clears it.
            await page.GetByTestId("invite-signups").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/crowd\\?invite=[0-9a-f-]{{36}}$"));
            await Expect(page.GetByTestId("members-invite-filter")).ToContainTextAsync("Signed up through Spring crowd");
            await Expect(page.GetByTestId("member-row").GetByTestId("member-user-name")).ToHaveTextAsync("jiwoo");
            await page.GetByTestId("members-invite-filter").Locator(".mud-chip-close-button").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/crowd$"));
            await Expect(page.GetByTestId("members-invite-filter")).ToHaveCountAsync(0);

            // ------------------------------------------------ The annotator: the qualification first, then real tasks
            await GoToAsync(worker, "/crowd/standing");
            await Expect(worker.GetByTestId("standing-approved")).ToHaveTextAsync("You are approved. Your first tasks are a qualification on items with a known answer.");
            await ShotAsync(worker, "47-crowd-5-approved");
            await worker.GetByTestId("standing-start").ClickAsync();
            await Expect(worker).ToHaveURLAsync(new Regex($"/projects/{projectId}/label$"));
            await WaitForAppAsync(worker);
            var item = worker.Locator("[data-label-item]");
            var seenGold = new List<long>();
            for (var i = 0; i < 2; i++)
            {
                // The next item differs from the one just answered.
                await Expect(item).ToHaveAttributeAsync("data-item-id", new Regex("^[0-9]+$"));
                if (seenGold.Count > 0)
                {
                    await Expect(item).Not.ToHaveAttributeAsync("data-item-id", seenGold[^1].ToString(CultureInfo.InvariantCulture));
                }
                var itemId = long.Parse((await item.GetAttributeAsync("data-item-id"))!, CultureInfo.InvariantCulture);
                Assert.True(goldAnswers.ContainsKey(itemId), $"qualification task {i + 1} should be a gold item, but is item {itemId}");
                seenGold.Add(itemId);
                var choice = worker.GetByTestId($"choice-sentiment-{goldAnswers[itemId]}");
                await choice.ClickAsync();
                await Expect(choice).ToHaveAttributeAsync("data-selected", "true");
                await ShotAsync(worker, $"47-crowd-{6 + i}-qualification-item-{i + 1}");
                await worker.GetByTestId("submit-task").ClickAsync();
            }
            Assert.Equal(goldAnswers.Keys.Order(), seenGold.Order());

            // Passed: a real item now.
            await Expect(item).Not.ToHaveAttributeAsync("data-item-id", seenGold[^1].ToString(CultureInfo.InvariantCulture));
            await Expect(item).ToHaveAttributeAsync("data-item-id", new Regex("^[0-9]+$"));
            var realId = long.Parse((await item.GetAttributeAsync("data-item-id"))!, CultureInfo.InvariantCulture);
            Assert.Contains(realId, new[] { items["Real: the parcel came on Tuesday"], items["Real: the film was long"] });
            await Expect(item).ToContainTextAsync("Real: ");
            // Nothing is picked yet on the real item (the pointer is moved off the buttons so the shot shows no hover).
            await worker.Mouse.MoveAsync(0, 0);
            foreach (var label in new[] { "positive", "neutral", "negative" })
            {
                await Expect(worker.GetByTestId($"choice-sentiment-{label}")).ToHaveAttributeAsync("data-selected", "false");
            }
            await ShotAsync(worker, "47-crowd-8-real-task");
            Assert.Empty(workerErrors);

            // The manager sees the qualification passed.
            await GoToAsync(page, $"/projects/{projectId}/crowd");
            await Expect(page.GetByTestId("member-qualification")).ToHaveTextAsync("Passed (2 of 2 right)");
            await ShotAsync(page, "47-crowd-9-qualification-passed");
        }
        finally
        {
            await IgnoreErrorsAsync(() => stranger.CloseAsync());
        }
    });

    [Fact]
    public Task Korean_managers_and_strangers_see_the_crowd_pages_in_korean() => AdminScenario.RunAsync("crowd-ko", async (page, api) =>
    {
        var projectId = await AdminScenario.CreateProjectAsync(api, "상품 리뷰", Fields, [new { text = "배송이 빨라요" }]);
        var (managerId, password) = await CreateUserAsync(api, "minji", "Manager");
        await PostAsync(api, $"/api/v1/projects/{projectId}/members", new { userId = managerId });
        var origin = new Uri(page.Url).GetLeftPart(UriPartial.Authority);
        var problems = new List<string>();
        var managerContext = await page.Context.Browser!.NewContextAsync(new() { BaseURL = origin, Locale = "ko-KR", ViewportSize = new() { Width = 1400, Height = 900 } });
        var strangerContext = await page.Context.Browser!.NewContextAsync(new() { BaseURL = origin, Locale = "ko-KR", ViewportSize = new() { Width = 1400, Height = 900 } });
        try
        {
            // The crowd page and its link, in Korean.
            var manager = await managerContext.NewPageAsync();
            await SignInAsync(manager, "minji", password);
            await GoToAsync(manager, $"/projects/{projectId}/crowd");
            await Expect(manager.Locator("h1")).ToHaveTextAsync("크라우드");
            await Field(manager, "invite-name").FillAsync("봄 모집");
            await manager.GetByTestId("invite-create").ClickAsync();
            await Expect(manager.GetByTestId("invite-link-panel")).ToContainTextAsync("지금 링크를 복사하세요. 이번 한 번만 보여 줍니다.");
            problems.AddRange(await KoreanPageScanTests.EnglishOnPageAsync(manager, "/projects/{id}/crowd"));
            await ShotAsync(manager, "91-ko-crowd");
            var joinUrl = (await manager.GetByTestId("invite-link").InnerTextAsync()).Trim();

            // The join page, its refusal and the standing page, in Korean.
            var stranger = await strangerContext.NewPageAsync();
            await stranger.GotoAsync(joinUrl);
            await Expect(stranger.GetByTestId("join-project")).ToHaveTextAsync("“상품 리뷰” 프로젝트 참여");
            await stranger.Locator("#userName").FillAsync("sora");
            await stranger.Locator("#password").FillAsync("short");
            await stranger.GetByTestId("join-submit").ClickAsync();
            await Expect(stranger.GetByTestId("join-error")).ToHaveTextAsync("비밀번호는 10자 이상이어야 합니다.");
            problems.AddRange(await KoreanPageScanTests.EnglishOnPageAsync(stranger, "/join/{secret}"));
            await ShotAsync(stranger, "91-ko-join-refused");
            await stranger.Locator("#userName").FillAsync("sora");
            await stranger.Locator("#password").FillAsync("sora-crowd-password");
            await stranger.GetByTestId("join-submit").ClickAsync();
            await Expect(stranger).ToHaveURLAsync(new Regex("/crowd/standing$"), new() { Timeout = FirstLoadTimeout });
            await WaitForAppAsync(stranger);
            await Expect(stranger.GetByTestId("standing-pending")).ToHaveTextAsync(
                "가입이 관리자의 승인을 기다리고 있습니다. 나중에 이 페이지로 돌아오세요. 승인되면 여기에서 작업을 시작합니다.");
            problems.AddRange(await KoreanPageScanTests.EnglishOnPageAsync(stranger, "/crowd/standing"));
            await ShotAsync(stranger, "91-ko-crowd-standing");

            // The manager's table names the sign-up's state in Korean too.
            await GoToAsync(manager, $"/projects/{projectId}/crowd");
            await Expect(manager.GetByTestId("member-user-name")).ToHaveTextAsync("sora");
            problems.AddRange(await KoreanPageScanTests.EnglishOnPageAsync(manager, "/projects/{id}/crowd (sign-up)"));
        }
        finally
        {
            await IgnoreErrorsAsync(() => managerContext.CloseAsync());
            await IgnoreErrorsAsync(() => strangerContext.CloseAsync());
        }
        Assert.True(problems.Count == 0, "English on Korean crowd pages:\n" + string.Join("\n", problems.Distinct()));
    });

    // MudBlazor puts the test id on the input or on its wrapper, depending on the component.
    private static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;
}
