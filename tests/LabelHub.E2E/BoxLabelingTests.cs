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
/// The bounding-box workbench in a real browser: a model's suggested box is taken into the editor (A), changed and
/// undone (Ctrl+Z), then an uploaded image is labeled with the mouse (draw, move, resize, relabel, undo, delete) and the
/// number keys, and the export holds the boxes in fractions and pixels.
/// </summary>
public sealed class BoxLabelingTests
{
    private const int ImageWidth = 1000;
    private const int ImageHeight = 750;

    /// <summary>Mouse positions are whole screen pixels and the image is scaled, so a box may be off by a pixel or two.</summary>
    private const double PixelTolerance = 2;

    [Fact]
    public async Task Annotator_draws_moves_resizes_relabels_and_deletes_boxes()
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
            page.Console += (_, message) =>
            {
                if (message.Type is "error" or "warning")
                {
                    lock (browserLog)
                    {
                        browserLog.AppendLine(CultureInfo.InvariantCulture, $"[{message.Type}] {message.Text}");
                    }
                }
            };
            page.PageError += (_, error) =>
            {
                lock (browserLog)
                {
                    browserLog.AppendLine(CultureInfo.InvariantCulture, $"[page error] {error}");
                }
            };

            // ---------------------------------------------------------------- Set-up through the API, with a token made in the browser
            await SignInAsync(page, "admin", app.AdminPassword());
            await page.GotoAsync("/account/tokens");
            await WaitForAppAsync(page);
            await page.GetByTestId("token-name").FillAsync("boxes");
            await page.GetByTestId("create-token").ClickAsync();
            await Expect(page.GetByTestId("new-token")).ToHaveTextAsync(new Regex(@"^\s*\S{20,}\s*$"));
            var token = (await page.GetByTestId("new-token").InnerTextAsync()).Trim();
            using var api = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", token);

            var project = await PostAsync(api, "/api/v1/projects", new
            {
                name = "Street scenes",
                description = "Cars and people",
                schema = new { fields = new[] { new { name = "objects", kind = "Boxes", title = "Objects", labels = new[] { "car", "person" }, required = true } } },
                overlap = 1,
                leaseMinutes = 30,
            });
            var projectId = project.GetProperty("id").GetString()!;
            using (var form = new MultipartFormDataContent())
            {
                form.Add(new ByteArrayContent(TestImages.Png(ImageWidth, ImageHeight, 120, 160, 200)), "file", "street.png");
                using var uploaded = await api.PostAsync($"/api/v1/projects/{projectId}/imports", form);
                Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
                var import = await WaitForJobAsync(api, (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
                Assert.Equal("Succeeded", import.GetProperty("state").GetString());
            }
            var items = await api.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{projectId}/items");
            var itemId = items.GetProperty("items")[0].GetProperty("id").GetInt64();
            await PostAsync(api, $"/api/v1/projects/{projectId}/predictions", new[]
            {
                new { itemId, modelVersion = "detector-v3", score = 0.81, values = new { objects = new[] { new { x = 0.6, y = 0.1, width = 0.2, height = 0.2, label = "car" } } } },
            });

            // ---------------------------------------------------------------- The workbench shows the image with its labels
            await page.GotoAsync($"/projects/{projectId}/label");
            await WaitForAppAsync(page);
            var canvas = page.GetByTestId("box-canvas-objects");
            await Expect(canvas).ToHaveAttributeAsync("data-loaded", "true");
            await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._handler && window.labelHub.boxes)");
            var car = page.GetByTestId("box-label-objects-car");
            var person = page.GetByTestId("box-label-objects-person");
            await Expect(car).ToHaveAttributeAsync("data-selected", "true");
            await Expect(car).ToContainTextAsync("1");
            await Expect(person).ToContainTextAsync("2");
            await Expect(page.GetByTestId("box-delete-objects")).ToBeDisabledAsync();
            // Mouse positions are measured once, so the page stays scrolled to the top (the whole image is in view there).
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
            var layer = canvas.Locator(".box-layer");
            var rect = (await layer.BoundingBoxAsync())!;
            Assert.True(rect.Y > 0 && rect.Y + rect.Height <= 900, $"the image should be in view: {rect.Y} + {rect.Height}");
            Assert.True(rect.Width < ImageWidth, $"the image should be scaled down to fit, but is {rect.Width} px wide");
            Assert.Equal((double)ImageWidth / ImageHeight, rect.Width / rect.Height, 2);
            await ShotAsync(page, "30-boxes-empty");

            // Whole screen pixels for an image position, and the image position a screen pixel really stands for.
            (float X, float Y) Screen(double x, double y) =>
                ((float)Math.Round(rect.X + (x * rect.Width / ImageWidth)), (float)Math.Round(rect.Y + (y * rect.Height / ImageHeight)));
            (double X, double Y) Image((float X, float Y) screen) =>
                ((screen.X - rect.X) * ImageWidth / rect.Width, (screen.Y - rect.Y) * ImageHeight / rect.Height);
            async Task DragAsync((float X, float Y) from, (float X, float Y) to)
            {
                await page.Mouse.MoveAsync(from.X, from.Y);
                await page.Mouse.DownAsync();
                await page.Mouse.MoveAsync(to.X, to.Y, new() { Steps = 8 });
                await page.Mouse.UpAsync();
            }
            async Task ClickAtAsync((float X, float Y) at)
            {
                await page.Mouse.MoveAsync(at.X, at.Y);
                await page.Mouse.DownAsync();
                await page.Mouse.UpAsync();
            }
            ILocator Box(int index) => page.GetByTestId($"box-objects-{index}");
            var boxes = canvas.Locator("[data-box-index]");

            // ---------------------------------------------------------------- The model's box: taken with A, editable, undone with Ctrl+Z
            await Expect(page.GetByTestId("suggestion-0")).ToContainTextAsync("detector-v3");
            await page.Keyboard.PressAsync("a");
            await Expect(boxes).ToHaveCountAsync(1);
            await Expect(Box(0)).ToHaveAttributeAsync("data-label", "car");
            await Expect(page.GetByTestId("box-summary-objects")).ToHaveTextAsync("1 boxes on the image: car × 1");
            await ClickAtAsync(Screen(700, 150));
            await Expect(Box(0)).ToHaveAttributeAsync("data-selected", "true");
            await page.Keyboard.PressAsync("2");
            await Expect(Box(0)).ToHaveAttributeAsync("data-label", "person");
            await ShotAsync(page, "30-boxes-suggested-and-relabeled");
            // One Ctrl+Z takes back the relabel, the next one the suggestion itself.
            await page.Keyboard.PressAsync("Control+z");
            await Expect(Box(0)).ToHaveAttributeAsync("data-label", "car");
            await page.Keyboard.PressAsync("Control+z");
            await Expect(boxes).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("box-summary-objects")).ToHaveTextAsync("0 boxes on the image");
            await Expect(page.GetByTestId("undo-change")).ToBeDisabledAsync();

            // ---------------------------------------------------------------- Required: refused without boxes; a box drawn takes the error away
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByTestId("field-error-objects")).ToBeVisibleAsync();
            await DragAsync(Screen(100, 100), Screen(300, 250));
            await Expect(boxes).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("field-error-objects")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("action-error")).ToHaveCountAsync(0);
            // The box just drawn is selected: Delete takes it back at once.
            await Expect(Box(0)).ToHaveAttributeAsync("data-selected", "true");
            await page.Keyboard.PressAsync("Delete");
            await Expect(boxes).ToHaveCountAsync(0);

            // ---------------------------------------------------------------- Two boxes: the first as a car, the second as a person (number key 2)
            await car.ClickAsync();
            // The label must be chosen before the drag: a click lost on a busy machine drew the box with the previous label.
            await Expect(car).ToHaveAttributeAsync("data-selected", "true");
            var aFrom = Screen(100, 100);
            var aTo = Screen(300, 250);
            await DragAsync(aFrom, aTo);
            await Expect(boxes).ToHaveCountAsync(1);
            await Expect(Box(0)).ToHaveAttributeAsync("data-label", "car");
            // A new box is selected, but choosing the next label does not change it.
            await Expect(Box(0)).ToHaveAttributeAsync("data-selected", "true");

            await page.Keyboard.PressAsync("2");
            await Expect(person).ToHaveAttributeAsync("data-selected", "true");
            await Expect(car).ToHaveAttributeAsync("data-selected", "false");
            var bFrom = Screen(500, 300);
            var bTo = Screen(700, 600);
            await DragAsync(bFrom, bTo);
            await Expect(boxes).ToHaveCountAsync(2);
            await Expect(Box(0)).ToHaveAttributeAsync("data-label", "car");
            await Expect(Box(1)).ToHaveAttributeAsync("data-label", "person");
            await Expect(page.GetByTestId("box-summary-objects")).ToHaveTextAsync("2 boxes on the image: car × 1, person × 1");
            await ShotAsync(page, "30-boxes-two-drawn");

            // ---------------------------------------------------------------- Move the car box by dragging its middle
            var a = (From: Image(aFrom), To: Image(aTo));
            var grab = Screen((a.From.X + a.To.X) / 2, (a.From.Y + a.To.Y) / 2);
            var drop = (X: grab.X + 40, Y: grab.Y + 30);
            await DragAsync(grab, drop);
            await Expect(Box(0)).ToHaveAttributeAsync("data-selected", "true");
            await Expect(page.GetByTestId("box-delete-objects")).ToBeEnabledAsync();
            var shift = (X: 40 * ImageWidth / rect.Width, Y: 30 * ImageHeight / rect.Height);
            a = ((a.From.X + shift.X, a.From.Y + shift.Y), (a.To.X + shift.X, a.To.Y + shift.Y));

            // ---------------------------------------------------------------- Select the person box and resize it by its bottom-right corner
            var b = (From: Image(bFrom), To: Image(bTo));
            await ClickAtAsync(Screen((b.From.X + b.To.X) / 2, (b.From.Y + b.To.Y) / 2));
            await Expect(Box(1)).ToHaveAttributeAsync("data-selected", "true");
            await Expect(Box(0)).ToHaveAttributeAsync("data-selected", "false");
            var corner = page.GetByTestId("box-handle-objects-1-se");
            await Expect(corner).ToBeVisibleAsync();
            var handle = (await corner.BoundingBoxAsync())!;
            var bCorner = Screen(750, 650);
            await DragAsync(((float)(handle.X + (handle.Width / 2)), (float)(handle.Y + (handle.Height / 2))), bCorner);
            b = (b.From, Image(bCorner));
            await Expect(Box(1)).ToHaveAttributeAsync("data-selected", "true");
            await ShotAsync(page, "30-boxes-moved-and-resized");

            // ---------------------------------------------------------------- Relabel it as a car, undo that, relabel again
            await car.ClickAsync();
            await Expect(Box(1)).ToHaveAttributeAsync("data-label", "car");
            await page.Keyboard.PressAsync("Control+z");
            await Expect(Box(1)).ToHaveAttributeAsync("data-label", "person");
            await car.ClickAsync();
            await Expect(Box(1)).ToHaveAttributeAsync("data-label", "car");
            await Expect(page.GetByTestId("box-summary-objects")).ToHaveTextAsync("2 boxes on the image: car × 2");

            // ---------------------------------------------------------------- Delete the moved box, then draw a person box
            await ClickAtAsync(Screen((a.From.X + a.To.X) / 2, (a.From.Y + a.To.Y) / 2));
            await Expect(Box(0)).ToHaveAttributeAsync("data-selected", "true");
            await page.GetByTestId("box-delete-objects").ClickAsync();
            await Expect(boxes).ToHaveCountAsync(1);
            await Expect(Box(0)).ToHaveAttributeAsync("data-label", "car");
            await Expect(page.GetByTestId("box-delete-objects")).ToBeDisabledAsync();

            await page.Keyboard.PressAsync("2");
            await Expect(person).ToHaveAttributeAsync("data-selected", "true");
            var cFrom = Screen(50, 400);
            var cTo = Screen(250, 700);
            await DragAsync(cFrom, cTo);
            await Expect(boxes).ToHaveCountAsync(2);
            await Expect(Box(0)).ToHaveAttributeAsync("data-label", "car");
            await Expect(Box(1)).ToHaveAttributeAsync("data-label", "person");
            await Expect(page.GetByTestId("box-summary-objects")).ToHaveTextAsync("2 boxes on the image: car × 1, person × 1");
            await ShotAsync(page, "30-boxes-before-submit");
            var c = (From: Image(cFrom), To: Image(cTo));

            // ---------------------------------------------------------------- Leaving and coming back restores the autosaved boxes
            await page.WaitForTimeoutAsync(3_500);
            await GoToAsync(page, page.Url);
            await Expect(boxes).ToHaveCountAsync(2);
            await Expect(Box(0)).ToHaveAttributeAsync("data-label", "car");
            await Expect(Box(1)).ToHaveAttributeAsync("data-label", "person");
            await Expect(page.GetByTestId("box-summary-objects")).ToHaveTextAsync("2 boxes on the image: car × 1, person × 1");

            await page.GetByTestId("submit-task").ClickAsync();
            await Expect(page.GetByTestId("no-more-tasks")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("done-count")).ToHaveTextAsync("Done in this project: 1");
            await ShotAsync(page, "30-boxes-submitted");

            // ---------------------------------------------------------------- The export holds both boxes, in fractions and pixels
            var export = await PostAsync(api, $"/api/v1/projects/{projectId}/exports", new { format = "jsonl" });
            var exported = await WaitForJobAsync(api, export.GetProperty("id").GetString()!);
            Assert.Equal("Succeeded", exported.GetProperty("state").GetString());
            var fileId = JsonDocument.Parse(exported.GetProperty("result").GetString()!).RootElement.GetProperty("fileId").GetString();
            var jsonl = await api.GetStringAsync($"/api/v1/files/{fileId}");
            var row = JsonDocument.Parse(jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()).RootElement;
            Assert.Equal("street.png", row.GetProperty("data").GetProperty("file_name").GetString());
            var answer = row.GetProperty("annotations").EnumerateArray().Single().GetProperty("values").GetProperty("objects").EnumerateArray().ToList();
            Assert.Equal(2, answer.Count);
            AssertBox(answer[0], "car", b.From, b.To);
            AssertBox(answer[1], "person", c.From, c.To);

            // ---------------------------------------------------------------- Without a boxes field the image is simply shown
            var photos = await PostAsync(api, "/api/v1/projects", new
            {
                name = "Photo kinds",
                description = "",
                schema = new { fields = new[] { new { name = "kind", kind = "Choice", labels = new[] { "street", "indoor" }, required = true } } },
                overlap = 1,
                leaseMinutes = 30,
            });
            var photosId = photos.GetProperty("id").GetString()!;
            using (var form = new MultipartFormDataContent())
            {
                form.Add(new ByteArrayContent(TestImages.Png(64, 48, 200, 120, 60)), "file", "kitchen.png");
                using var uploaded = await api.PostAsync($"/api/v1/projects/{photosId}/imports", form);
                Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
                await WaitForJobAsync(api, (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
            }
            await page.GotoAsync($"/projects/{photosId}/label");
            await WaitForAppAsync(page);
            var photo = page.GetByTestId("item-image");
            await Expect(photo).ToHaveAttributeAsync("src", new Regex($"^/api/v1/projects/{photosId}/media/[0-9a-f-]{{36}}$"));
            // Loaded with the session cookie from the media endpoint.
            await page.WaitForFunctionAsync("() => { const img = document.querySelector('[data-testid=item-image]'); return img && img.complete && img.naturalWidth === 64; }");
            await Expect(page.GetByTestId("box-canvas-kind")).ToHaveCountAsync(0);
            await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._handler)");
            await page.Keyboard.PressAsync("2");
            await Expect(page.GetByTestId("choice-kind-indoor")).ToHaveAttributeAsync("data-selected", "true");
            await ShotAsync(page, "30-boxes-plain-image-item");
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByTestId("no-more-tasks")).ToBeVisibleAsync();

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
                await IgnoreErrorsAsync(() => Browser.ScreenshotAsync(page, "failure-boxes"));
            }
            string log;
            lock (browserLog)
            {
                log = browserLog.ToString();
            }
            throw new Exception($"{ex.Message}\n\nPage: {page?.Url}\n\n--- browser console ---\n{log}\n--- LabelHub output ---\n{app.Output}", ex);
        }
        finally
        {
            if (browser is not null)
            {
                await IgnoreErrorsAsync(() => browser.CloseAsync());
            }
            playwright?.Dispose();
            await app.DisposeAsync();
        }
    }

    /// <summary>A box from the export against where the mouse drew it, in image pixels.</summary>
    private static void AssertBox(JsonElement box, string label, (double X, double Y) from, (double X, double Y) to)
    {
        var description = box.GetRawText();
        Assert.Equal(label, box.GetProperty("label").GetString());
        var (xPx, yPx) = (box.GetProperty("x_px").GetInt32(), box.GetProperty("y_px").GetInt32());
        var (widthPx, heightPx) = (box.GetProperty("width_px").GetInt32(), box.GetProperty("height_px").GetInt32());
        Near(from.X, xPx, $"x_px of {description}");
        Near(from.Y, yPx, $"y_px of {description}");
        Near(to.X - from.X, widthPx, $"width_px of {description}");
        Near(to.Y - from.Y, heightPx, $"height_px of {description}");
        // The fractions are the same box: pixels over the natural size.
        Assert.Equal(xPx / (double)ImageWidth, box.GetProperty("x").GetDouble(), 9);
        Assert.Equal(yPx / (double)ImageHeight, box.GetProperty("y").GetDouble(), 9);
        Assert.Equal(widthPx / (double)ImageWidth, box.GetProperty("width").GetDouble(), 9);
        Assert.Equal(heightPx / (double)ImageHeight, box.GetProperty("height").GetDouble(), 9);
    }

    private static void Near(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= PixelTolerance,
            string.Create(CultureInfo.InvariantCulture, $"{what}: expected about {expected:F1}, got {actual}"));

}
