using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// Reviewing in a real browser: the admin sets up a reviewer, an annotator and a project through the REST API, the
/// annotator answers three items through the API, and the reviewer accepts one (key A), fixes one and rejects one in
/// the review page. The fix is a new version by the reviewer, and the rejected item goes back to the pool.
/// </summary>
public sealed class ReviewTests
{


    [Fact]
    public async Task A_reviewer_accepts_fixes_and_rejects_answers_with_history_and_requeue()
    {
        SetDefaultExpectTimeout(20_000);
        var app = await AppProcess.StartAsync();
        IPlaywright? playwright = null;
        IBrowser? browser = null;
        var pages = new Dictionary<string, IPage>();
        var browserLog = new StringBuilder();
        try
        {
            (playwright, browser) = await Browser.LaunchAsync();
            var launched = browser;

            async Task<IPage> NewPersonAsync(string who)
            {
                var context = await launched.NewContextAsync(new BrowserNewContextOptions
                {
                    BaseURL = app.BaseUrl,
                    Locale = "en-US",
                    ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
                });
                context.SetDefaultTimeout(20_000);
                context.SetDefaultNavigationTimeout(FirstLoadTimeout);
                var page = await context.NewPageAsync();
                page.Console += (_, message) =>
                {
                    if (message.Type is "error" or "warning")
                    {
                        lock (browserLog)
                        {
                            browserLog.AppendLine(CultureInfo.InvariantCulture, $"[{who} {message.Type}] {message.Text}");
                        }
                    }
                };
                page.PageError += (_, error) =>
                {
                    lock (browserLog)
                    {
                        browserLog.AppendLine(CultureInfo.InvariantCulture, $"[{who} page error] {error}");
                    }
                };
                pages[who] = page;
                return page;
            }

            try
            {
                // ------------------------------------------------ Set-up through the API with the admin's token
                var admin = await NewPersonAsync("admin");
                await SignInAsync(admin, "admin", app.AdminPassword());
                using var api = ApiClient(app.BaseUrl, await CreateTokenAsync(admin, "review-e2e"));

                var (reviewerId, reviewerPassword) = await CreateUserAsync(api, "rita", "Reviewer");
                var (annotatorId, annotatorPassword) = await CreateUserAsync(api, "anna", "Annotator");
                var project = await PostAsync(api, "/api/v1/projects", new
                {
                    name = "Review flow",
                    description = "Review end-to-end test",
                    schema = new
                    {
                        fields = new object[]
                        {
                            new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative", "neutral" }, required = true },
                            new { name = "note", kind = "Text" },
                        },
                    },
                    overlap = 1,
                    leaseMinutes = 30,
                });
                var projectId = project.GetProperty("id").GetGuid();
                var import = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/items",
                    new object[] { new { text = "The food was great" }, new { text = "Oh sure, waiting an hour was lovely" }, new { text = "Delivery was on time" } }));
                Assert.Equal("Succeeded", import.GetProperty("state").GetString());
                foreach (var userId in new[] { reviewerId, annotatorId })
                {
                    await PostAsync(api, $"/api/v1/projects/{projectId}/members", new { userId });
                }

                // ------------------------------------------------ The annotator answers all three through the API
                var annotatorPage = await NewPersonAsync("annotator");
                await SignInAsync(annotatorPage, "anna", annotatorPassword);
                using var annotatorApi = ApiClient(app.BaseUrl, await CreateTokenAsync(annotatorPage, "review-e2e"));
                await annotatorPage.Context.CloseAsync();
                pages.Remove("annotator");
                for (var i = 0; i < 3; i++)
                {
                    var task = await PostAsync(annotatorApi, $"/api/v1/projects/{projectId}/tasks/next", new { });
                    await PostAsync(annotatorApi, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit",
                        new { values = new { sentiment = "positive", note = $"answer {i + 1}" }, durationMs = 4200 + i });
                }

                // ------------------------------------------------ The reviewer reviews in the browser
                var reviewer = await NewPersonAsync("reviewer");
                await SignInAsync(reviewer, "rita", reviewerPassword);
                await GoToAsync(reviewer, $"/projects/{projectId}");
                await reviewer.GetByTestId("project-review").ClickAsync();
                await Expect(reviewer).ToHaveURLAsync(new Regex($"/projects/{projectId}/review$"));
                await Expect(reviewer.GetByTestId("review-remaining")).ToHaveTextAsync("3 left to review");
                await Expect(reviewer.GetByTestId("review-annotator")).ToContainTextAsync("anna");
                await Expect(reviewer.GetByTestId("review-answer-sentiment")).ToContainTextAsync("positive");
                await Expect(reviewer.GetByTestId("review-answer-note")).ToContainTextAsync("answer");
                await reviewer.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._reviewHandler)");
                await ShotAsync(reviewer, "40-review-1-first");

                // Accept the first with the A key.
                var firstItem = await ItemIdAsync(reviewer);
                await reviewer.Keyboard.PressAsync("a");
                await Expect(reviewer.GetByTestId("review-remaining")).ToHaveTextAsync("2 left to review");
                await Expect(reviewer.GetByTestId("review-item")).Not.ToHaveAttributeAsync("data-item-id", firstItem.ToString(CultureInfo.InvariantCulture));

                // Fix the second: "negative", with a comment.
                var fixedItem = await ItemIdAsync(reviewer);
                await reviewer.GetByTestId("review-fix").ClickAsync();
                await Expect(reviewer.GetByTestId("fix-choice-sentiment-positive")).ToHaveAttributeAsync("data-selected", "true");
                await Expect(reviewer.GetByTestId("fix-text-note")).ToHaveValueAsync(new Regex("^answer \\d$"));
                await reviewer.GetByTestId("fix-choice-sentiment-negative").ClickAsync();
                await Expect(reviewer.GetByTestId("fix-choice-sentiment-negative")).ToHaveAttributeAsync("data-selected", "true");
                await reviewer.GetByTestId("review-fix-comment").FillAsync("Sarcasm reads as negative.");
                await ShotAsync(reviewer, "40-review-2-fix");
                await reviewer.GetByTestId("review-fix-save").ClickAsync();
                await Expect(reviewer.GetByTestId("review-remaining")).ToHaveTextAsync("1 left to review");
                await Expect(reviewer.GetByTestId("review-item")).Not.ToHaveAttributeAsync("data-item-id", fixedItem.ToString(CultureInfo.InvariantCulture));
                // Gold answers are for managers: a reviewer is offered none, not even for the answer just fixed.
                await Expect(reviewer.GetByTestId("review-answer")).ToBeVisibleAsync();
                await Expect(reviewer.GetByTestId("review-gold")).ToHaveCountAsync(0);
                await Expect(reviewer.GetByTestId("review-last")).ToHaveCountAsync(0);

                // The third: its history so far, then reject it with a comment (Ctrl+Enter in the comment box).
                var rejectedItem = await ItemIdAsync(reviewer);
                var drawer = reviewer.GetByTestId("review-history-drawer");
                await reviewer.Keyboard.PressAsync("h");
                await Expect(drawer).ToHaveClassAsync(new Regex(@"\bmud-drawer--open\b"));
                await Expect(reviewer.GetByTestId("review-history-version-1")).ToBeVisibleAsync();
                await Expect(reviewer.GetByTestId("review-history-version-1")).ToHaveAttributeAsync("data-reason", "Submit");
                await Expect(reviewer.GetByTestId("review-history-version-1")).ToContainTextAsync("anna");
                await ShotAsync(reviewer, "40-review-3-history");
                await reviewer.Keyboard.PressAsync("Escape");
                await Expect(drawer).ToHaveClassAsync(new Regex(@"\bmud-drawer--closed\b"));

                await reviewer.Keyboard.PressAsync("r");
                var comment = reviewer.GetByTestId("review-reject-comment");
                await Expect(comment).ToBeVisibleAsync();
                // A rejection needs a reason.
                await reviewer.GetByTestId("review-reject-confirm").ClickAsync();
                await Expect(reviewer.GetByTestId("review-field-error-comment")).ToBeVisibleAsync();
                await comment.FillAsync("Read the guideline on tone.");
                await ShotAsync(reviewer, "40-review-4-reject");
                await comment.PressAsync("Control+Enter");
                await Expect(reviewer.GetByTestId("review-empty")).ToBeVisibleAsync();
                await Expect(reviewer.GetByTestId("review-empty")).ToContainTextAsync("Nothing to review");
                await Expect(reviewer.GetByTestId("review-remaining")).ToHaveTextAsync("0 left to review");
                await ShotAsync(reviewer, "40-review-5-empty");

                // ------------------------------------------------ Checked through the API
                var history = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/items/{fixedItem}/annotations/{annotatorId}/history")).RootElement;
                var versions = history.GetProperty("versions").EnumerateArray()
                    .Select(v => (v.GetProperty("version").GetInt32(), v.GetProperty("reason").GetString(), v.GetProperty("authorName").GetString()))
                    .ToList();
                Assert.Equal([(1, "Submit", "anna"), (2, "ReviewFix", "rita")], versions);
                Assert.Equal("negative", history.GetProperty("versions")[1].GetProperty("values").GetProperty("sentiment").GetString());
                var review = Assert.Single(history.GetProperty("reviews").EnumerateArray());
                Assert.Equal("FixedAndAccepted", review.GetProperty("decision").GetString());
                Assert.Equal("Sarcasm reads as negative.", review.GetProperty("comment").GetString());

                var firstHistory = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/items/{firstItem}/annotations/{annotatorId}/history")).RootElement;
                Assert.Equal("Accepted", Assert.Single(firstHistory.GetProperty("reviews").EnumerateArray()).GetProperty("decision").GetString());

                // The rejected item is back in the pool: the admin (a member who never labeled it) is handed it.
                var retry = await PostAsync(api, $"/api/v1/projects/{projectId}/tasks/next", new { });
                Assert.Equal(rejectedItem, retry.GetProperty("itemId").GetInt64());
                using var annotatorNext = await annotatorApi.PostAsJsonAsync($"/api/v1/projects/{projectId}/tasks/next", new { }, Json);
                Assert.Equal(HttpStatusCode.NoContent, annotatorNext.StatusCode);

                await Expect(reviewer.Locator("#blazor-error-ui")).ToBeHiddenAsync();
                lock (browserLog)
                {
                    Assert.DoesNotContain("page error]", browserLog.ToString());
                }
                var serverErrors = app.Output.Split('\n').Where(line => line.Contains(" ERR] ") || line.Contains(" FTL] ")).ToList();
                Assert.True(serverErrors.Count == 0, "LabelHub logged errors:\n" + string.Join("\n", serverErrors));
            }
            catch (Exception ex)
            {
                foreach (var (who, page) in pages)
                {
                    await IgnoreErrorsAsync(() => Browser.ScreenshotAsync(page, $"failure-review-{who}"));
                }
                string log;
                lock (browserLog)
                {
                    log = browserLog.ToString();
                }
                throw new Exception($"{ex.Message}\n\n--- browser console ---\n{log}\n--- LabelHub output ---\n{app.Output}", ex);
            }
        }
        finally
        {
            if (browser is not null)
            {
                await IgnoreErrorsAsync(() => browser.CloseAsync());
                await IgnoreErrorsAsync(async () => await browser.DisposeAsync());
            }
            playwright?.Dispose();
            await app.DisposeAsync();
        }
    }

    private static async Task<long> ItemIdAsync(IPage page) =>
        long.Parse((await page.GetByTestId("review-item").GetAttributeAsync("data-item-id"))!, CultureInfo.InvariantCulture);

}
