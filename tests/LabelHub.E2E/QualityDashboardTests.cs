using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The quality dashboard in a real browser: three annotators answer six items (overlap 3) through the API, one of
/// them differently on one item; the manager sets a too-small recompute interval (refused next to the box), opens the
/// dashboard from the project page, sees the empty state, recomputes, and checks the KPI cards against the project's
/// targets, the field table with per-label rows, the annotator table, and the heatmap cell that lists the two
/// annotators' answers side by side with the disagreement first.
/// </summary>
public sealed class QualityDashboardTests
{
    [Fact]
    public async Task A_manager_recomputes_and_reads_the_quality_dashboard()
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

            async Task<IPage> SignedInAsync(string who, string password)
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
                await SignInAsync(page, who, password);
                return page;
            }

            // ------------------------------------------------ Set-up through the API with the admin's token
            var admin = await SignedInAsync("admin", app.AdminPassword());
            using var api = ApiClient(app.BaseUrl, await CreateTokenAsync(admin, "quality-e2e"));
            await admin.Context.CloseAsync();
            pages.Remove("admin");
            var (managerId, managerPassword) = await CreateUserAsync(api, "mona", "Manager");
            var annotators = new Dictionary<string, (Guid Id, string Password)>
            {
                ["anna"] = await CreateUserAsync(api, "anna", "Annotator"),
                ["ben"] = await CreateUserAsync(api, "ben", "Annotator"),
                ["cleo"] = await CreateUserAsync(api, "cleo", "Annotator"),
            };
            var project = await PostAsync(api, "/api/v1/projects", new
            {
                name = "Quality flow",
                description = "Quality dashboard end-to-end test",
                schema = new
                {
                    fields = new object[]
                    {
                        new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative", "neutral" }, required = true },
                    },
                },
                overlap = 3,
                leaseMinutes = 30,
                // 18 answers of 3 s each in the last day: 0.75 labels per hour (met), median 3 s (missed).
                quality = new { agreementTarget = 0.8, goldAccuracyTarget = 0.95, labelsPerHourTarget = 0.5, medianSecondsPerTaskTarget = 2.0, recomputeEveryAnnotations = 500 },
            });
            var projectId = project.GetProperty("id").GetGuid();
            var texts = new[] { "Loved it", "Great service", "Cold food", "Rude staff", "It was fine", "Nothing special" };
            var truth = new[] { "positive", "positive", "negative", "negative", "neutral", "neutral" };
            var import = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/items", texts.Select(t => new { text = t }).ToArray()));
            Assert.Equal("Succeeded", import.GetProperty("state").GetString());
            var items = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/projects/{projectId}/items")).RootElement.GetProperty("items")
                .EnumerateArray().ToDictionary(i => i.GetProperty("id").GetInt64(), i => Array.IndexOf(texts, i.GetProperty("data").GetProperty("text").GetString()));
            var disputedItemId = items.Single(i => i.Value == 2).Key;
            foreach (var userId in annotators.Values.Select(a => a.Id).Append(managerId))
            {
                await PostAsync(api, $"/api/v1/projects/{projectId}/members", new { userId });
            }

            // ------------------------------------------------ Every annotator answers every item; Cleo calls "Cold food" positive
            foreach (var (name, (_, password)) in annotators)
            {
                var annotatorPage = await SignedInAsync(name, password);
                using var annotatorApi = ApiClient(app.BaseUrl, await CreateTokenAsync(annotatorPage, "quality-e2e"));
                await annotatorPage.Context.CloseAsync();
                pages.Remove(name);
                for (var i = 0; i < texts.Length; i++)
                {
                    var task = await PostAsync(annotatorApi, $"/api/v1/projects/{projectId}/tasks/next", new { });
                    var itemId = task.GetProperty("itemId").GetInt64();
                    var answer = name == "cleo" && itemId == disputedItemId ? "positive" : truth[items[itemId]];
                    await PostAsync(annotatorApi, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit",
                        new { values = new { sentiment = answer }, durationMs = 3000 });
                }
            }

            // ------------------------------------------------ Settings: the targets, and a refused recompute interval
            var page = await SignedInAsync("mona", managerPassword);
            await GoToAsync(page, $"/projects/{projectId}/settings");
            await Expect(page.GetByTestId("quality-agreement-target")).ToHaveValueAsync("0.8");
            await Expect(page.GetByTestId("quality-median-target")).ToHaveValueAsync("2");
            await page.GetByTestId("quality-recompute-every").FillAsync("5");
            await page.GetByTestId("save-project").ClickAsync();
            await Expect(page.GetByTestId("validation-summary")).ToContainTextAsync("Recompute every N answers");
            await Expect(page.GetByTestId("quality-settings")).ToContainTextAsync("Recompute after at least 10 new answers.");
            await ShotAsync(page, "50-quality-1-settings-error");
            await page.GetByTestId("quality-recompute-every").FillAsync("500");
            await page.GetByTestId("save-project").ClickAsync();
            await Expect(page.GetByTestId("validation-summary")).ToHaveCountAsync(0);

            // ------------------------------------------------ The dashboard from the project page: empty, then recomputed
            await GoToAsync(page, $"/projects/{projectId}");
            await page.GetByTestId("project-quality").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/quality$"));
            await Expect(page.GetByTestId("quality-empty")).ToBeVisibleAsync();
            await ShotAsync(page, "50-quality-2-empty");
            await page.GetByTestId("quality-recompute").ClickAsync();
            await Expect(page.GetByTestId("kpi-cards")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("quality-job")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("quality-recompute")).ToBeEnabledAsync();
            await Expect(page.GetByTestId("quality-computed")).ToContainTextAsync("from 18 answers");
            await Expect(page.GetByTestId("quality-new-since")).ToHaveAttributeAsync("data-count", "0");

            // α (nominal) over 6 items × 3 answers with one dissent: 1 - (2/18) / (214/306) = 0.841, target 0.8.
            var agreement = page.GetByTestId("kpi-agreement");
            await Expect(agreement).ToHaveAttributeAsync("data-state", "met");
            await Expect(agreement.GetByTestId("kpi-value")).ToHaveTextAsync("0.841");
            await Expect(agreement.GetByTestId("kpi-caption")).ToHaveTextAsync("sentiment: target ≥ 0.800");
            await Expect(agreement.GetByTestId("kpi-details")).ToHaveTextAsync("1 of 1 fields meet their target");
            // No gold items: grey, with the reason.
            await Expect(page.GetByTestId("kpi-gold")).ToHaveAttributeAsync("data-state", "none");
            await Expect(page.GetByTestId("kpi-gold").GetByTestId("kpi-value")).ToHaveTextAsync("–");
            await Expect(page.GetByTestId("kpi-gold")).ToHaveAttributeAsync("title", new Regex(".+"));
            await Expect(page.GetByTestId("kpi-progress")).ToHaveAttributeAsync("data-state", "none");
            await Expect(page.GetByTestId("kpi-progress").GetByTestId("kpi-value")).ToHaveTextAsync(new Regex(@"^100\s?%$"));
            await Expect(page.GetByTestId("kpi-throughput")).ToHaveAttributeAsync("data-state", "met");
            await Expect(page.GetByTestId("kpi-throughput").GetByTestId("kpi-value")).ToHaveTextAsync(new Regex(@"^0\.[78] labels/hour$"));
            await Expect(page.GetByTestId("kpi-median-time")).ToHaveAttributeAsync("data-state", "missed");
            await Expect(page.GetByTestId("kpi-median-time").GetByTestId("kpi-value")).ToHaveTextAsync("3.0 s");

            // The field table: the headline statistic in bold, per-label rows on demand.
            var row = page.Locator("[data-testid=field-row][data-field=sentiment]");
            await Expect(row.Locator("td[data-metric=krippendorff_alpha_nominal]")).ToHaveTextAsync("0.841");
            await Expect(row.Locator("td[data-metric=krippendorff_alpha_nominal]")).ToHaveClassAsync(new Regex("quality-headline"));
            await Expect(row.GetByTestId("field-items")).ToHaveTextAsync("6");
            await Expect(row).ToHaveAttributeAsync("data-state", "met");
            await row.GetByTestId("field-row-toggle").ClickAsync();
            await Expect(page.GetByTestId("label-row")).ToHaveCountAsync(3);
            // Every statistic of the field behind the expander, the free-marginal κ and AC1 over the field's whole label list.
            await Expect(page.Locator("[data-testid=metric-row][data-metric=randolph_kappa]")).ToHaveCountAsync(1);
            await Expect(page.Locator("[data-testid=metric-row][data-metric=gwet_ac1]")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("csv-fields")).ToHaveAttributeAsync("href", $"/api/v1/projects/{projectId}/quality/fields.csv");
            await Expect(page.GetByTestId("quality-annotator-row")).ToHaveCountAsync(3);
            await Expect(page.GetByTestId("trend-needs-two")).ToBeVisibleAsync();
            await ShotAsync(page, "50-quality-3-dashboard");

            // The CSV link works with the browser's sign-in.
            var csv = await page.APIRequest.GetAsync($"/api/v1/projects/{projectId}/quality/fields.csv");
            Assert.Equal(200, csv.Status);
            Assert.Contains("sentiment,Choice,krippendorff_alpha_nominal,yes", await csv.TextAsync());

            // ------------------------------------------------ The heatmap: Anna and Ben agree on everything, Anna and Cleo once not
            var (anna, cleo) = (annotators["anna"].Id, annotators["cleo"].Id);
            var annaBen = page.Locator($"[data-testid=heatmap-cell][data-a='{anna}'][data-b='{annotators["ben"].Id}']");
            await Expect(annaBen).ToHaveTextAsync("1.000");
            await Expect(annaBen).ToHaveAttributeAsync("style", new Regex("background-color"));
            await Expect(page.GetByTestId("heatmap-cell")).ToHaveCountAsync(6);
            await page.Locator($"[data-testid=heatmap-cell][data-a='{anna}'][data-b='{cleo}']").ClickAsync();
            var panel = page.GetByTestId("pair-panel");
            await Expect(panel).ToBeVisibleAsync();
            await Expect(panel.GetByTestId("pair-summary")).ToHaveTextAsync("6 items in common, 1 with different answers.");
            var pairRows = panel.GetByTestId("pair-row");
            await Expect(pairRows).ToHaveCountAsync(6);
            await Expect(pairRows.First).ToHaveAttributeAsync("data-agree", "false");
            await Expect(pairRows.First).ToHaveAttributeAsync("data-item-id", disputedItemId.ToString(CultureInfo.InvariantCulture));
            await Expect(pairRows.First.GetByTestId("pair-preview")).ToHaveTextAsync("Cold food");
            await Expect(pairRows.First.GetByTestId("pair-answer-a")).ToHaveTextAsync("negative");
            await Expect(pairRows.First.GetByTestId("pair-answer-b")).ToHaveTextAsync("positive");
            await Expect(pairRows.Nth(1)).ToHaveAttributeAsync("data-agree", "true");
            await ShotAsync(page, "50-quality-4-pair-items");

            // A second report draws the trend: the KPI line and the field's line, two points each.
            await page.GetByTestId("quality-recompute").ClickAsync();
            await Expect(page.GetByTestId("trend-chart")).ToHaveAttributeAsync("data-points", "2", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("trend-line")).ToHaveCountAsync(2);
            await Expect(page.GetByTestId("kpi-agreement").GetByTestId("kpi-value")).ToHaveTextAsync("0.841");
            await ShotAsync(page, "50-quality-5-trend");

            await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
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
                await IgnoreErrorsAsync(() => Browser.ScreenshotAsync(page, $"failure-quality-{who}"));
            }
            string log;
            lock (browserLog)
            {
                log = browserLog.ToString();
            }
            throw new Exception($"{ex.Message}\n\n--- browser console ---\n{log}\n--- LabelHub output ---\n{app.Output}", ex);
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
}
