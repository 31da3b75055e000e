using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// Gold items in a real browser: two annotators answer an image item and an image-with-caption item (choice, spans,
/// boxes) through the API; a manager reviews them — spans marked on the text, boxes drawn on the image — makes the
/// fixed answer the gold answer, sees it on the review page and on the Gold items page with the annotators' accuracy,
/// adds a second gold item by id with a JSON answer (after a refused one) and removes it again.
/// </summary>
public sealed class GoldTests
{
    private const int ImageWidth = 1000;
    private const int ImageHeight = 750;

    [Fact]
    public async Task A_manager_makes_a_reviewed_answer_gold_and_manages_gold_items()
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

            // Everyone signs in in a browser context of their own.
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
            using var api = ApiClient(app.BaseUrl, await CreateTokenAsync(admin, "gold-e2e"));
            var (managerId, managerPassword) = await CreateUserAsync(api, "mona", "Manager");
            var annotators = new[] { await CreateUserAsync(api, "anna", "Annotator"), await CreateUserAsync(api, "ben", "Annotator") };
            var project = await PostAsync(api, "/api/v1/projects", new
            {
                name = "Gold flow",
                description = "Gold end-to-end test",
                schema = new
                {
                    fields = new object[]
                    {
                        new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative", "neutral" }, required = true },
                        new { name = "entities", kind = "Spans", title = "Entities", labels = new[] { "PER", "ORG" } },
                        new { name = "objects", kind = "Boxes", title = "Objects", labels = new[] { "car", "person" } },
                    },
                },
                overlap = 2,
                leaseMinutes = 30,
            });
            var projectId = project.GetProperty("id").GetGuid();
            using (var form = new MultipartFormDataContent())
            {
                form.Add(new ByteArrayContent(TestImages.Png(ImageWidth, ImageHeight, 120, 160, 200)), "file", "street.png");
                using var uploaded = await api.PostAsync($"/api/v1/projects/{projectId}/imports", form);
                Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
                var upload = await WaitForJobAsync(api, (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
                Assert.Equal("Succeeded", upload.GetProperty("state").GetString());
            }
            var imageItem = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/projects/{projectId}/items")).RootElement.GetProperty("items")[0];
            var imageItemId = imageItem.GetProperty("id").GetInt64();
            var imageUrl = imageItem.GetProperty("data").GetProperty("image").GetString()!;
            // The same picture with a caption: spans on the text, boxes on the image.
            var captioned = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/items",
                new object[] { new { text = "Kim works at Naver", image = imageUrl } }));
            Assert.Equal("Succeeded", captioned.GetProperty("state").GetString());
            var captionedItemId = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/projects/{projectId}/items?after={imageItemId}"))
                .RootElement.GetProperty("items")[0].GetProperty("id").GetInt64();
            foreach (var userId in annotators.Select(a => a.Id).Append(managerId))
            {
                await PostAsync(api, $"/api/v1/projects/{projectId}/members", new { userId });
            }

            // ------------------------------------------------ Both annotators answer both items through the API
            var car = new { x = 0.1, y = 0.2, width = 0.4, height = 0.3, label = "car" };
            var annotatorAnswers = new Dictionary<string, Func<bool, object>>
            {
                // Anna marks Kim and Naver and the car; Ben only Kim, and no box on the captioned item.
                ["anna"] = captionedItem => captionedItem
                    ? new { sentiment = "positive", entities = new[] { new { start = 0, end = 3, label = "PER" }, new { start = 13, end = 18, label = "ORG" } }, objects = new[] { car } }
                    : new { sentiment = "neutral", objects = new[] { car } },
                ["ben"] = captionedItem => captionedItem
                    ? new { sentiment = "negative", entities = new[] { new { start = 0, end = 3, label = "PER" } } }
                    : new { sentiment = "neutral" },
            };
            foreach (var ((_, password), name) in annotators.Zip(annotatorAnswers.Keys))
            {
                var annotatorPage = await SignedInAsync(name, password);
                using var annotatorApi = ApiClient(app.BaseUrl, await CreateTokenAsync(annotatorPage, "gold-e2e"));
                await annotatorPage.Context.CloseAsync();
                pages.Remove(name);
                for (var i = 0; i < 2; i++)
                {
                    var task = await PostAsync(annotatorApi, $"/api/v1/projects/{projectId}/tasks/next", new { });
                    await PostAsync(annotatorApi, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit",
                        new { values = annotatorAnswers[name](task.GetProperty("itemId").GetInt64() != imageItemId), durationMs = 3000 });
                }
            }

            // ------------------------------------------------ The manager reviews: answers drawn on the item
            var page = await SignedInAsync("mona", managerPassword);
            await GoToAsync(page, $"/projects/{projectId}/review");
            await Expect(page.GetByTestId("review-remaining")).ToHaveTextAsync("4 left to review");
            await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._reviewHandler)");

            // Anna's image item: the box is drawn where its fractions put it on the image as displayed.
            await Expect(page.GetByTestId("review-item")).ToHaveAttributeAsync("data-item-id", imageItemId.ToString(CultureInfo.InvariantCulture));
            await Expect(page.GetByTestId("review-annotator")).ToContainTextAsync("anna");
            var stage = page.GetByTestId("answer-boxes-objects");
            await Expect(stage).ToHaveAttributeAsync("data-box-count", "1");
            await Expect(page.GetByTestId("answer-box-objects-0")).ToHaveAttributeAsync("data-label", "car");
            await page.WaitForFunctionAsync("() => { const img = document.querySelector('[data-testid=answer-boxes-objects] img'); return img && img.complete && img.naturalWidth > 0; }");
            var image = (await stage.Locator("img").BoundingBoxAsync())!;
            var drawn = (await page.GetByTestId("answer-box-objects-0").BoundingBoxAsync())!;
            Assert.True(image.Width > 200, $"the image should be shown, but is {image.Width} px wide");
            Assert.Equal((double)ImageWidth / ImageHeight, image.Width / image.Height, 2);
            Assert.Equal(0.1, (drawn.X - image.X) / image.Width, 2);
            Assert.Equal(0.2, (drawn.Y - image.Y) / image.Height, 2);
            Assert.Equal(0.4, drawn.Width / image.Width, 2);
            Assert.Equal(0.3, drawn.Height / image.Height, 2);
            await Expect(page.GetByTestId("answer-summary-objects")).ToHaveTextAsync("Boxes: car × 1");
            await Expect(page.GetByTestId("review-gold")).ToHaveAttributeAsync("data-gold", "false");
            await Expect(page.GetByTestId("review-gold-use")).ToBeVisibleAsync();
            await page.Keyboard.PressAsync("a");
            await Expect(page.GetByTestId("review-remaining")).ToHaveTextAsync("3 left to review");
            await Expect(page.GetByTestId("review-last")).ToHaveAttributeAsync("data-item-id", imageItemId.ToString(CultureInfo.InvariantCulture));
            await Expect(page.GetByTestId("review-last-gold-use")).ToHaveTextAsync("Use as gold answer");

            // Anna's captioned item: the spans marked on the caption, the box on the image. Fixed to "negative".
            await Expect(page.GetByTestId("review-item")).ToHaveAttributeAsync("data-item-id", captionedItemId.ToString(CultureInfo.InvariantCulture));
            var caption = page.GetByTestId("answer-spans-entities");
            await Expect(caption).ToHaveTextAsync("Kim works at Naver");
            await Expect(caption).ToHaveAttributeAsync("data-span-count", "2");
            await Expect(page.GetByTestId("answer-span-entities-0")).ToHaveAttributeAsync("data-label", "PER");
            await Expect(page.GetByTestId("answer-span-entities-1")).ToHaveAttributeAsync("data-label", "ORG");
            await Expect(caption.Locator(".seg--marked")).ToHaveTextAsync(["Kim", "Naver"]);
            await Expect(page.GetByTestId("answer-boxes-objects")).ToHaveAttributeAsync("data-box-count", "1");
            await Expect(page.GetByTestId("review-answer-entities")).ToContainTextAsync("Naver");
            await ShotAsync(page, "45-gold-1-review-spans-boxes");
            await page.GetByTestId("review-fix").ClickAsync();
            // The fix is made in the labeling editor: the spans on the caption and the box on the image, all editable.
            await Expect(page.GetByTestId("span-text-entities")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("span-entities-1")).ToHaveAttributeAsync("data-label", "ORG");
            await Expect(page.GetByTestId("box-canvas-objects")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("fix-box-summary-objects")).ToContainTextAsync("1 boxes on the image: car × 1");
            await ShotAsync(page, "45-gold-1b-review-fix-in-the-editor");
            await page.GetByTestId("fix-choice-sentiment-negative").ClickAsync();
            await Expect(page.GetByTestId("fix-choice-sentiment-negative")).ToHaveAttributeAsync("data-selected", "true");
            await page.GetByTestId("review-fix-save").ClickAsync();
            await Expect(page.GetByTestId("review-remaining")).ToHaveTextAsync("2 left to review");

            // After the fix, its answer becomes the item's gold answer.
            var last = page.GetByTestId("review-last");
            await Expect(last).ToHaveAttributeAsync("data-item-id", captionedItemId.ToString(CultureInfo.InvariantCulture));
            await Expect(last).ToContainTextAsync("Just fixed and accepted");
            await page.GetByTestId("review-last-gold-use").ClickAsync();
            await Expect(page.GetByTestId("review-last-gold-chip")).ToHaveTextAsync("Gold");
            await Expect(page.GetByTestId("review-last-gold-use")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("review-last-gold-remove")).ToBeVisibleAsync();
            await ShotAsync(page, "45-gold-2-fixed-answer-is-gold");

            // Ben's image item, then his captioned one: now a gold item, and his answer is not the gold answer.
            await Expect(page.GetByTestId("review-annotator")).ToContainTextAsync("ben");
            await Expect(page.GetByTestId("review-item")).ToHaveAttributeAsync("data-item-id", imageItemId.ToString(CultureInfo.InvariantCulture));
            await Expect(page.GetByTestId("review-gold")).ToHaveAttributeAsync("data-gold", "false");
            await page.GetByTestId("review-accept").ClickAsync();
            await Expect(page.GetByTestId("review-item")).ToHaveAttributeAsync("data-item-id", captionedItemId.ToString(CultureInfo.InvariantCulture));
            await Expect(page.GetByTestId("review-gold-chip")).ToHaveTextAsync("Gold");
            await Expect(page.GetByTestId("review-gold-match")).ToHaveAttributeAsync("data-match", "false");
            await Expect(page.GetByTestId("review-gold-answer")).ToContainTextAsync("negative");
            await Expect(page.GetByTestId("answer-spans-entities")).ToHaveAttributeAsync("data-span-count", "1");
            await Expect(page.GetByTestId("answer-boxes-objects")).ToHaveAttributeAsync("data-box-count", "0");
            await ShotAsync(page, "45-gold-3-review-gold-item");
            await page.GetByTestId("review-accept").ClickAsync();
            await Expect(page.GetByTestId("review-empty")).ToBeVisibleAsync();

            // ------------------------------------------------ The Gold items page, from the project page
            await GoToAsync(page, $"/projects/{projectId}");
            await page.GetByTestId("project-gold").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/gold$"));
            await Expect(page.GetByTestId("gold-total")).ToHaveTextAsync("Gold items: 1");
            // This project hands out no gold yet: the page says so.
            await Expect(page.GetByTestId("gold-rate-zero")).ToBeVisibleAsync();
            var row = page.GetByTestId("gold-row");
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row).ToHaveAttributeAsync("data-item-id", captionedItemId.ToString(CultureInfo.InvariantCulture));
            await Expect(row.GetByTestId("gold-preview")).ToHaveTextAsync("Kim works at Naver");
            await Expect(row.GetByTestId("gold-answer")).ToContainTextAsync("negative");
            await Expect(row.GetByTestId("gold-answer")).ToContainTextAsync("Boxes: car × 1");
            // Gold scores each annotator's first answer: Anna's was "positive" (the reviewer's fix that became the gold answer
            // is a later version and does not count for her), and Ben's differs.
            await Expect(row.GetByTestId("gold-annotators")).ToHaveTextAsync("2");
            await Expect(row.GetByTestId("gold-accuracy")).ToHaveTextAsync(new Regex(@"^\s*0\s?%\s*$"));
            await ShotAsync(page, "45-gold-4-gold-items");

            // Adding the image item by id: opened, it shows in the answer editor; written as JSON, the answer is checked
            // against the schema, the field named next to the box.
            await page.GetByTestId("gold-add-item-id").FillAsync(imageItemId.ToString(CultureInfo.InvariantCulture));
            await page.GetByTestId("gold-add-open").ClickAsync();
            await Expect(page.GetByTestId("gold-item")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("gold-box-summary-objects")).ToContainTextAsync("0 boxes on the image");
            await page.GetByTestId("gold-add-json").ClickAsync();
            await page.GetByTestId("gold-add-answer").FillAsync("""{"sentiment": "furious"}""");
            await page.GetByTestId("gold-add-save").ClickAsync();
            await Expect(page.GetByTestId("gold-add-answer-error")).ToContainTextAsync("sentiment");
            await Expect(page.GetByTestId("gold-add-answer-error")).ToContainTextAsync("furious");
            await ShotAsync(page, "45-gold-5-invalid-answer");
            await page.GetByTestId("gold-add-answer").FillAsync(
                """{"sentiment": "neutral", "objects": [{"x": 0.1, "y": 0.2, "width": 0.4, "height": 0.3, "label": "car"}]}""");
            await page.GetByTestId("gold-add-save").ClickAsync();
            await Expect(page.GetByTestId("gold-total")).ToHaveTextAsync("Gold items: 2");
            await Expect(page.GetByTestId("gold-add-answer-error")).ToHaveCountAsync(0);
            var imageRow = page.Locator($"[data-testid=gold-row][data-item-id='{imageItemId}']");
            await Expect(imageRow.GetByTestId("gold-preview")).ToHaveTextAsync("street.png");
            await Expect(imageRow.GetByTestId("gold-accuracy")).ToHaveTextAsync(new Regex(@"^\s*50\s?%\s*$"));

            // Changing it in the answer editor: the gold answer is there to edit, box and all.
            await page.GetByTestId("gold-add-json").ClickAsync();
            await imageRow.GetByTestId("gold-edit").ClickAsync();
            await Expect(page.GetByTestId("gold-choice-sentiment-neutral")).ToHaveAttributeAsync("data-selected", "true");
            await Expect(page.GetByTestId("gold-box-summary-objects")).ToContainTextAsync("1 boxes on the image: car × 1");
            await page.GetByTestId("gold-choice-sentiment-positive").ClickAsync();
            await ShotAsync(page, "45-gold-6-edit-in-editor");
            await page.GetByTestId("gold-add-save").ClickAsync();
            await Expect(imageRow.GetByTestId("gold-answer")).ToContainTextAsync("positive");
            await Expect(imageRow.GetByTestId("gold-answer")).ToContainTextAsync("Boxes: car × 1");
            await Expect(imageRow.GetByTestId("gold-accuracy")).ToHaveTextAsync(new Regex(@"^\s*0\s?%\s*$"));

            // Removing it asks first.
            await imageRow.GetByTestId("gold-remove").ClickAsync();
            await Expect(page.GetByTestId("gold-remove-confirm")).ToBeVisibleAsync();
            await ShotAsync(page, "45-gold-7-remove-confirm");
            await page.GetByTestId("gold-remove-confirm").ClickAsync();
            await Expect(page.GetByTestId("gold-total")).ToHaveTextAsync("Gold items: 1");
            await Expect(imageRow).ToHaveCountAsync(0);

            // ------------------------------------------------ Checked through the API
            var listed = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/projects/{projectId}/gold")).RootElement;
            Assert.Equal(1, listed.GetProperty("total").GetInt32());
            var gold = listed.GetProperty("items")[0];
            Assert.Equal(captionedItemId, gold.GetProperty("itemId").GetInt64());
            // First answers are scored: neither Anna's nor Ben's matched (the fix is the reviewer's later version).
            Assert.Equal((2, 0), (gold.GetProperty("annotators").GetInt32(), gold.GetProperty("correct").GetInt32()));
            Assert.Equal("negative", gold.GetProperty("answer").GetProperty("sentiment").GetString());
            Assert.Equal(2, gold.GetProperty("answer").GetProperty("entities").GetArrayLength());

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
                await IgnoreErrorsAsync(() => Browser.ScreenshotAsync(page, $"failure-gold-{who}"));
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
