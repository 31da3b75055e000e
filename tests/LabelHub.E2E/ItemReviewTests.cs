using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// Review by item in a real browser: three annotators answer through the API, the admin reviews each item once with all
/// three answers side by side, the majority preselected, filters, a rejection with one note, bulk accept of unanimous
/// items, and a fix of boxes drawn in the editor.
/// </summary>
public sealed class ItemReviewTests
{
    private static readonly object[] ReviewFields =
    [
        new { name = "sentiment", kind = "Choice", title = "Sentiment", labels = new[] { "positive", "neutral", "negative" }, required = true },
        new { name = "entities", kind = "Spans", title = "Entities", labels = new[] { "PER", "ORG", "LOC" } },
    ];

    [Fact]
    public Task A_reviewer_settles_each_item_once_with_all_answers_side_by_side() => AdminScenario.RunAsync("by-item", async (page, api) =>
    {
        var projectId = await CreateProjectAsync(api, "Reviews by item", ReviewFields, overlap: 3,
            [new { text = "삼성 배송이 빨라요" }, new { text = "LG 화면이 좋아요" }]);
        var annotators = new List<(Guid Id, HttpClient Api)>();
        foreach (var name in new[] { "mina", "jun", "hana" })
        {
            annotators.Add(await ProjectAnnotatorAsync(page, api, projectId, name, "review-e2e"));
        }

        // Mina and Jun mark 삼성 as ORG and call the first review positive; Hana says negative and marks nothing. The second is answered alike by all.
        var samsung = new[] { new { start = 0, end = 2, label = "ORG" } };
        for (var who = 0; who < 3; who++)
        {
            for (var i = 0; i < 2; i++)
            {
                var task = await PostAsync(annotators[who].Api, $"/api/v1/projects/{projectId}/tasks/next", new { });
                var first = task.GetProperty("data").GetProperty("text").GetString()!.StartsWith("삼성", StringComparison.Ordinal);
                object values = !first ? new { sentiment = "positive", entities = Array.Empty<object>() }
                    : who < 2 ? new { sentiment = "positive", entities = (object)samsung }
                    : new { sentiment = "negative", entities = Array.Empty<object>() };
                await PostAsync(annotators[who].Api, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values });
            }
        }

        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-review-items").ClickAsync();
        await WaitForAppAsync(page);
        await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._reviewHandler)");
        await Expect(page.GetByTestId("item-review-remaining")).ToHaveTextAsync("Items left to review: 2");
        var item = page.GetByTestId("item-review-item");
        await Expect(item).ToContainTextAsync("삼성 배송이 빨라요");

        // All three answers side by side, the majority proposed, Hana's differing cells marked, her answer set to be fixed.
        var hanaAnswer = await AnswerIdAsync(page, "hana");
        await Expect(page.GetByTestId("consensus-sentiment")).ToHaveTextAsync("majority, 2 of 3");
        await Expect(page.GetByTestId("proposal-sentiment")).ToContainTextAsync("positive");
        await Expect(page.GetByTestId($"compared-sentiment-{hanaAnswer}")).ToHaveAttributeAsync("data-differs", "true");
        await Expect(page.GetByTestId($"compared-entities-{hanaAnswer}")).ToHaveAttributeAsync("data-differs", "true");
        await Expect(page.Locator($"[data-testid=compared-spans-entities][data-differs=true]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("compared-spans-entities")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId($"verdict-{hanaAnswer}")).ToHaveAttributeAsync("data-verdict", "FixedAndAccepted");
        await Expect(page.Locator("[data-testid^=verdict-][data-verdict=Accepted]")).ToHaveCountAsync(2);
        await ShotAsync(page, "41-review-by-item");

        // Only disagreements: the unanimous item is not in the queue.
        await page.Locator("[data-testid=filter-disagreements] input, input[data-testid=filter-disagreements]").CheckAsync();
        await Expect(item).ToContainTextAsync("삼성 배송이 빨라요");

        // R: the answers that differ are to be rejected, and the one note box asks why.
        await page.Keyboard.PressAsync("r");
        await Expect(page.GetByTestId($"verdict-{hanaAnswer}")).ToHaveAttributeAsync("data-verdict", "Rejected");
        await Expect(page.GetByTestId("item-review-comment")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Control+Enter");
        await Expect(page.GetByTestId("item-review-field-error-comment")).ToBeVisibleAsync();
        await page.Keyboard.TypeAsync("삼성 is a company (ORG); fast delivery is positive.");
        await page.Keyboard.PressAsync("Control+Enter");
        await Expect(page.GetByTestId("item-review-empty")).ToContainTextAsync("matches the filter");
        await Expect(page.GetByTestId("item-review-remaining")).ToHaveTextAsync("Items left to review: 1");

        // Bulk accept: the unanimous item's three answers.
        await page.Locator("[data-testid=filter-disagreements] input, input[data-testid=filter-disagreements]").UncheckAsync();
        await Expect(item).ToContainTextAsync("LG 화면이 좋아요");
        await Expect(page.GetByTestId("consensus-sentiment")).ToHaveTextAsync("all agree");
        await page.GetByTestId("accept-unanimous").ClickAsync();
        await Expect(page.GetByTestId("accept-unanimous-count")).ToContainTextAsync("3 answers on 1 items");
        await ShotAsync(page, "42-review-accept-unanimous");
        await page.GetByTestId("accept-unanimous-confirm").ClickAsync();
        await Expect(page.GetByTestId("item-review-empty")).ToBeVisibleAsync();

        // Hana reads the note on her own page; Mina's answer was accepted as it was.
        var hanaWork = await annotators[2].Api.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{projectId}/my-work");
        Assert.Contains("삼성 is a company (ORG)", hanaWork.GetRawText());
        var queue = await api.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{projectId}/reviews/items");
        Assert.Equal(0, queue.GetProperty("remaining").GetInt32());
    });

    [Fact]
    public Task Boxes_are_drawn_together_and_fixed_in_the_editor() => AdminScenario.RunAsync("by-item-boxes", async (page, api) =>
    {
        var project = await PostAsync(api, "/api/v1/projects", new
        {
            name = "Street review",
            description = "Boxes by item",
            schema = new { fields = new[] { new { name = "objects", kind = "Boxes", title = "Objects", labels = new[] { "car", "person" }, required = true } } },
            overlap = 2,
            leaseMinutes = 30,
        });
        var projectId = project.GetProperty("id").GetGuid();
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent(TestImages.Png(400, 300, 120, 160, 200)), "file", "street.png");
            using var uploaded = await api.PostAsync($"/api/v1/projects/{projectId}/imports", form);
            Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
            var import = await WaitForJobAsync(api, (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
            Assert.Equal("Succeeded", import.GetProperty("state").GetString());
        }
        var boxes = new[]
        {
            new[] { new { x = 0.1, y = 0.1, width = 0.3, height = 0.3, label = "car" } },
            new[] { new { x = 0.12, y = 0.1, width = 0.3, height = 0.3, label = "car" }, new { x = 0.6, y = 0.5, width = 0.2, height = 0.3, label = "person" } },
        };
        for (var who = 0; who < 2; who++)
        {
            var (_, annotator) = await ProjectAnnotatorAsync(page, api, projectId, who == 0 ? "mina" : "jun", "review-e2e");
            var task = await PostAsync(annotator, $"/api/v1/projects/{projectId}/tasks/next", new { });
            await PostAsync(annotator, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values = new { objects = boxes[who] } });
        }

        await GoToAsync(page, $"/projects/{projectId}/review/items");
        await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._reviewHandler)");
        // Both annotators' boxes on one image: three boxes, the differing answer's dashed.
        await Expect(page.GetByTestId("compared-box-objects")).ToHaveCountAsync(3);
        await Expect(page.Locator(".answer-box--differs")).Not.ToHaveCountAsync(0);
        await ShotAsync(page, "43-review-by-item-boxes");

        // F: the editor opens on the proposal; a box drawn there is the fixed answer.
        await page.Keyboard.PressAsync("f");
        var canvas = page.GetByTestId("box-canvas-objects");
        await Expect(canvas).ToHaveAttributeAsync("data-loaded", "true");
        await page.WaitForFunctionAsync("() => !!window.labelHub.boxes");
        // The proposal: no majority between two answers, so the earlier one (Mina's single box).
        const int before = 1;
        await Expect(page.GetByTestId("box-count-objects")).ToContainTextAsync($"{before} boxes");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        var rect = (await canvas.Locator(".box-layer").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(rect.X + (rect.Width * 0.55f), rect.Y + (rect.Height * 0.45f));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(rect.X + (rect.Width * 0.85f), rect.Y + (rect.Height * 0.9f), new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await Expect(page.GetByTestId("box-count-objects")).ToContainTextAsync($"{before + 1} boxes");
        await ShotAsync(page, "44-review-by-item-fix-boxes");
        await page.GetByTestId("item-review-decide").ClickAsync();
        await Expect(page.GetByTestId("item-review-empty")).ToBeVisibleAsync();

        // Both answers now end with the reviewer's boxes, as versions written by the reviewer or accepted as they were.
        var rows = await AdminScenario.ExportAsync(api, projectId);
        var answers = rows.Single().GetProperty("annotations").EnumerateArray().ToList();
        Assert.Equal(2, answers.Count);
        Assert.All(answers, a => Assert.Equal(before + 1, a.GetProperty("values").GetProperty("objects").GetArrayLength()));
    });

    private static async Task<Guid> CreateProjectAsync(HttpClient api, string name, object[] fields, int overlap, object[] items)
    {
        var project = await PostAsync(api, "/api/v1/projects", new { name, description = "End-to-end test", schema = new { fields }, overlap, leaseMinutes = 30 });
        var projectId = project.GetProperty("id").GetGuid();
        var import = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/items", items));
        Assert.Equal("Succeeded", import.GetProperty("state").GetString());
        return projectId;
    }

    /// <summary>The annotation id of an annotator's answer on the item shown, read off the verdict rows.</summary>
    private static async Task<long> AnswerIdAsync(IPage page, string annotator)
    {
        var row = page.GetByTestId("item-review-verdicts").Locator("[data-verdict]").Filter(new() { HasText = annotator });
        var testId = await row.GetAttributeAsync("data-testid");
        return long.Parse(testId!["verdict-".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
