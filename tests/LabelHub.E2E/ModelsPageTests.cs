using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The Models page in a real browser with the real model runtime: 60 short reviews, 30 of them answered through the
/// API; the manager opens the page from the project, sets a batch of 10 (a refused 0 first), runs a round that trains
/// a text model, and reads the model, its training curve and the round's picks, which have moved to the front of the
/// queue; once they are answered, a second round trains on 40 labels.
/// </summary>
public sealed class ModelsPageTests
{
    private static readonly string[] Good = ["great", "lovely", "excellent", "friendly", "tasty", "fast", "clean", "perfect"];
    private static readonly string[] Bad = ["awful", "rude", "cold", "slow", "dirty", "broken", "terrible", "late"];

    [Fact]
    public async Task A_manager_runs_a_round_and_reads_its_model_and_picks()
    {
        SetDefaultExpectTimeout(20_000);
        var app = await AppProcess.StartAsync();
        IPlaywright? playwright = null;
        IBrowser? browser = null;
        IPage? page = null;
        var browserLog = new StringBuilder();
        try
        {
            (playwright, browser) = await Browser.LaunchAsync();
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = app.BaseUrl,
                Locale = "en-US",
                ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
            });
            context.SetDefaultTimeout(20_000);
            context.SetDefaultNavigationTimeout(FirstLoadTimeout);
            page = await context.NewPageAsync();
            page.PageError += (_, error) =>
            {
                lock (browserLog)
                {
                    browserLog.AppendLine(CultureInfo.InvariantCulture, $"[page error] {error}");
                }
            };
            await SignInAsync(page, "admin", app.AdminPassword());
            using var api = ApiClient(app.BaseUrl, await CreateTokenAsync(page, "models-e2e"));

            // ------------------------------------------------ 60 reviews, the first 30 answered by their words
            var project = await PostAsync(api, "/api/v1/projects", new
            {
                name = "Models flow",
                schema = new { fields = new object[] { new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative" }, required = true } } },
                overlap = 1,
                leaseMinutes = 30,
            });
            var projectId = project.GetProperty("id").GetGuid();
            var texts = Enumerable.Range(0, 60).Select(i =>
            {
                var words = i % 2 == 0 ? Good : Bad;
                return $"The food was {words[i % words.Length]} and the staff {words[(i / 2 + 3) % words.Length]}, table {i}";
            }).ToArray();
            var import = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/items", texts.Select(t => new { text = t }).ToArray()));
            Assert.Equal("Succeeded", import.GetProperty("state").GetString());
            for (var i = 0; i < 30; i++)
            {
                var task = await PostAsync(api, $"/api/v1/projects/{projectId}/tasks/next", new { });
                var text = task.GetProperty("data").GetProperty("text").GetString()!;
                var answer = Good.Any(w => text.Contains($" {w} ", StringComparison.Ordinal)) ? "positive" : "negative";
                await PostAsync(api, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values = new { sentiment = answer }, durationMs = 2000 });
            }

            // ------------------------------------------------ The page from the project: what a round would work with
            await GoToAsync(page, $"/projects/{projectId}");
            await page.GetByTestId("project-models").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/models$"));
            await Expect(page.GetByTestId("learning-disabled")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("learning-device").GetByTestId("figure-value")).ToHaveTextAsync("CPU");
            await Expect(page.GetByTestId("learning-field").GetByTestId("figure-value")).ToHaveTextAsync("sentiment");
            await Expect(page.GetByTestId("learning-kind").GetByTestId("figure-value")).ToHaveTextAsync("Text MLP");
            await Expect(page.GetByTestId("learning-labeled").GetByTestId("figure-value")).ToHaveTextAsync("30");
            await Expect(page.GetByTestId("learning-pool").GetByTestId("figure-value")).ToHaveTextAsync("30");
            await Expect(page.GetByTestId("models-empty")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("rounds-empty")).ToBeVisibleAsync();

            // ------------------------------------------------ Settings: a refused batch size, then 10
            await page.GetByTestId("learning-batch-size").FillAsync("0");
            await page.GetByTestId("learning-settings-save").ClickAsync();
            await Expect(page.GetByTestId("learning-settings")).ToContainTextAsync("A batch holds 1 to 5,000 items.");
            await page.GetByTestId("learning-batch-size").FillAsync("10");
            await page.GetByTestId("learning-settings-save").ClickAsync();
            await Expect(page.GetByTestId("learning-settings")).Not.ToContainTextAsync("A batch holds");
            await Expect(page.GetByTestId("learning-since").GetByTestId("figure-value")).ToHaveTextAsync("30");

            // ------------------------------------------------ A round: its progress, then a model and the round's picks
            await page.GetByTestId("models-run-round").ClickAsync();
            await Expect(page.GetByTestId("models-job")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("models-run-round")).ToBeDisabledAsync();
            await Expect(page.GetByTestId("model-row")).ToHaveCountAsync(1, new() { Timeout = 300_000 });
            await Expect(page.GetByTestId("models-job")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("models-job-error")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("models-run-round")).ToBeEnabledAsync();
            await Expect(page.GetByTestId("learning-since").GetByTestId("figure-value")).ToHaveTextAsync("0");
            await Expect(page.GetByTestId("learning-curve")).ToHaveAttributeAsync("data-points", "1");
            await Expect(page.GetByTestId("learning-expected-unknown")).ToContainTextAsync("there are 1 so far");
            var accuracy = await page.GetByTestId("model-row").GetByTestId("model-accuracy").InnerTextAsync();
            Assert.Matches(@"^\d{1,3}\.\d%$", accuracy.Trim());

            await page.GetByTestId("model-row").ClickAsync();
            await Expect(page.GetByTestId("model-detail")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("model-loss-line")).ToHaveCountAsync(2);
            var download = page.GetByTestId("model-training-set");
            await Expect(download).ToHaveAttributeAsync("href", $"/api/v1/projects/{projectId}/models/1/training-set");
            var trainingSet = await page.APIRequest.GetAsync($"/api/v1/projects/{projectId}/models/1/training-set");
            Assert.Equal(200, trainingSet.Status);
            Assert.Equal(30, (await trainingSet.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            await ShotAsync(page, "60-models-1-model");

            var round = page.GetByTestId("round-row");
            await Expect(round).ToHaveCountAsync(1);
            await Expect(round.GetByTestId("round-model")).ToContainTextAsync("v1");
            await round.ClickAsync();
            var picks = page.GetByTestId("round-picks").GetByTestId("round-pick");
            await Expect(picks).ToHaveCountAsync(10);
            await Expect(picks.First.GetByTestId("round-pick-preview")).ToContainTextAsync("The food was");
            await Expect(picks.First.GetByTestId("round-pick-guess")).ToContainTextAsync(new Regex("positive|negative"));
            await Expect(picks.First.GetByTestId("round-pick-answered")).ToHaveAttributeAsync("data-answered", "false");
            await ShotAsync(page, "60-models-2-round-picks");

            // ------------------------------------------------ The picks come first in the queue; once answered, a second round
            var picked = new List<string>();
            for (var i = 0; i < 10; i++)
            {
                picked.Add((await picks.Nth(i).GetAttributeAsync("data-item-id"))!);
            }
            var answered = new List<string>();
            for (var i = 0; i < 10; i++)
            {
                var task = await PostAsync(api, $"/api/v1/projects/{projectId}/tasks/next", new { });
                answered.Add(task.GetProperty("itemId").GetInt64().ToString(CultureInfo.InvariantCulture));
                var text = task.GetProperty("data").GetProperty("text").GetString()!;
                var answer = Good.Any(w => text.Contains($" {w} ", StringComparison.Ordinal)) ? "positive" : "negative";
                await PostAsync(api, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values = new { sentiment = answer }, durationMs = 2000 });
            }
            Assert.Equal(picked, answered);

            await page.GetByTestId("round-picks-close").ClickAsync();
            await page.GetByTestId("models-run-round").ClickAsync();
            await Expect(page.GetByTestId("model-row")).ToHaveCountAsync(2, new() { Timeout = 300_000 });
            await Expect(page.GetByTestId("models-job")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("learning-labeled").GetByTestId("figure-value")).ToHaveTextAsync("40");
            await Expect(page.GetByTestId("learning-curve")).ToHaveAttributeAsync("data-points", "2");
            await Expect(page.GetByTestId("learning-curve-line")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("round-row")).ToHaveCountAsync(2);
            await page.Locator("[data-testid=round-row][data-number='1']").ClickAsync();
            await Expect(page.GetByTestId("round-picks")).ToHaveAttributeAsync("data-number", "1");
            await Expect(page.GetByTestId("round-picks").Locator("[data-testid=round-pick-answered][data-answered=true]")).ToHaveCountAsync(10);
            await ShotAsync(page, "60-models-3-second-round");

            // ------------------------------------------------ A simulation on the 40 labeled items: every strategy against random
            await page.GetByTestId("simulation-seed-labels").FillAsync("10");
            await page.GetByTestId("simulation-batch-size").FillAsync("10");
            await page.GetByTestId("simulation-max-labels").FillAsync("30");
            await page.GetByTestId("simulation-seeds").FillAsync("1");
            await page.GetByTestId("simulation-start").ClickAsync();
            var run = page.GetByTestId("simulation-run");
            // The run is listed once it has finished; the machine may be busy (tests run in parallel with other work).
            await Expect(run).ToHaveCountAsync(1, new() { Timeout = 300_000 });
            await Expect(run).ToHaveAttributeAsync("data-job-state", "Succeeded", new() { Timeout = 300_000 });
            await run.ClickAsync();
            var results = page.GetByTestId("simulation-results");
            await Expect(results).ToBeVisibleAsync();
            // Random, least confidence, margin and entropy (the form's default choice).
            await Expect(results).ToHaveAttributeAsync("data-curves", "4");
            await Expect(page.GetByTestId("simulation-row")).ToHaveCountAsync(4);
            await Expect(page.Locator("[data-testid=simulation-row][data-strategy=Random]")).ToHaveCountAsync(1);
            await ShotAsync(page, "60-models-4-simulation");

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
            if (page is not null)
            {
                await IgnoreErrorsAsync(() => Browser.ScreenshotAsync(page, "failure-models"));
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
