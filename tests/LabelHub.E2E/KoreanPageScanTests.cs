using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// A manager whose browser asks for Korean walks through every page of a Korean project (all its data is Korean) and
/// the pages around it; any run of three or more English words on a page is an English sentence with no Korean
/// resource, and fails the test with the page and the text.
/// </summary>
public sealed partial class KoreanPageScanTests
{
    private static readonly object[] Fields =
    [
        new { name = "sentiment", kind = "Choice", title = "감정", labels = new[] { "긍정", "부정", "중립" }, required = true },
        new { name = "entities", kind = "Spans", title = "개체", labels = new[] { "인물", "기관" } },
        new { name = "stars", kind = "Rating", title = "별점", max = 5 },
        new { name = "comment", kind = "Text", title = "의견" },
    ];

    // Names that stay as they are in Korean text: products, formats, keys and statistics.
    private static readonly string[] Allowed =
    [
        "LabelHub", "OpenAPI", "Hangfire", "JSONL", "CSV", "JSON", "UTF-8", "BOM", "API", "Ctrl", "Shift", "Enter", "Esc", "Tab", "Space", "Delete",
        "Krippendorff", "Fleiss", "Gwet", "Cohen", "Randolph", "AC1", "F1", "IoU", "BALD", "Markdown", "TorchSharp", "PNG", "JPEG", "ZIP", "URL",
    ];

    [Fact]
    public Task Every_page_a_korean_manager_opens_is_korean() => AdminScenario.RunAsync("korean-scan", async (page, api) =>
    {
        var project = await PostAsync(api, "/api/v1/projects", new { name = "상품 리뷰", description = "쇼핑몰 상품 리뷰 감정 분류", schema = new { fields = Fields }, overlap = 2, leaseMinutes = 30 });
        var projectId = project.GetProperty("id").GetGuid();
        var import = await WaitForJobAsync(api, await PostAsync(api, $"/api/v1/projects/{projectId}/items",
            new object[] { new { text = "삼성 갤럭시 배송이 빨라요" }, new { text = "화면이 어두워서 아쉬워요" }, new { text = "그냥 그래요" } }));
        Assert.Equal("Succeeded", import.GetProperty("state").GetString());
        await PostAsync(api, $"/api/v1/projects/{projectId}/guideline", new { markdown = "# 규칙\n\n전체적인 감정을 고르세요.", changeNote = "첫 판" });
        var (managerId, password) = await CreateUserAsync(api, "minji", "Manager");
        await PostAsync(api, $"/api/v1/projects/{projectId}/members", new { userId = managerId });

        var context = await page.Context.Browser!.NewContextAsync(new()
        {
            BaseURL = new Uri(page.Url).GetLeftPart(UriPartial.Authority),
            Locale = "ko-KR",
            ViewportSize = new() { Width = 1400, Height = 900 },
        });
        var korean = await context.NewPageAsync();
        await SignInAsync(korean, "minji", password);
        var problems = new List<string>();

        async Task ScanAsync(string path, string shot, Func<Task>? ready = null)
        {
            await GoToAsync(korean, path);
            if (ready is not null)
            {
                await ready();
            }
            // Let the page finish loading its data (progress bars gone).
            await Expect(korean.Locator(".mud-progress-linear-indeterminate")).ToHaveCountAsync(0);
            await ShotAsync(korean, shot);
            problems.AddRange(await EnglishOnPageAsync(korean, path));
        }

        await ScanAsync("/", "90-ko-projects");
        await ScanAsync($"/projects/{projectId}", "90-ko-project");
        await ScanAsync($"/projects/{projectId}/guideline", "90-ko-guideline");
        await ScanAsync($"/projects/{projectId}/label", "90-ko-label", async () =>
        {
            // The new guideline is read first, in Korean too; then the workbench.
            await ProblemsOfAsync(korean, $"/projects/{projectId}/label (guideline)", problems);
            await korean.GetByTestId("guideline-ack-confirm").ClickAsync();
            await Expect(korean.Locator("[data-label-item]")).ToBeVisibleAsync();
            await korean.GetByTestId("submit-task").ClickAsync();
            // A required field left empty: the server's message comes back in Korean.
            await Expect(korean.GetByTestId("field-error-sentiment")).ToBeVisibleAsync();
            await korean.Keyboard.PressAsync("?");
            await Expect(korean.GetByTestId("shortcut-help")).ToBeVisibleAsync();
            await ProblemsOfAsync(korean, $"/projects/{projectId}/label (help)", problems);
            await korean.Keyboard.PressAsync("Escape");
        });
        await ScanAsync($"/projects/{projectId}/my-work", "90-ko-my-work");
        await ScanAsync($"/projects/{projectId}/review", "90-ko-review");
        await ScanAsync($"/projects/{projectId}/review/items", "90-ko-review-items");
        await ScanAsync($"/projects/{projectId}/quality", "90-ko-quality");
        await ScanAsync($"/projects/{projectId}/cleansing", "90-ko-cleansing");
        await ScanAsync($"/projects/{projectId}/releases", "90-ko-releases");
        await ScanAsync($"/projects/{projectId}/models", "90-ko-models");
        await ScanAsync($"/projects/{projectId}/synthesis", "90-ko-synthesis");
        await ScanAsync($"/projects/{projectId}/gold", "90-ko-gold");
        await ScanAsync($"/projects/{projectId}/items", "90-ko-items");
        await ScanAsync($"/projects/{projectId}/import", "90-ko-import");
        await ScanAsync($"/projects/{projectId}/sources", "90-ko-sources");
        await ScanAsync($"/projects/{projectId}/settings", "90-ko-settings");
        await ScanAsync($"/projects/{projectId}/plan", "90-ko-plan");
        await ScanAsync($"/projects/{projectId}/pipeline", "90-ko-pipeline");
        await ScanAsync("/background-jobs", "90-ko-jobs");
        await ScanAsync("/account/tokens", "90-ko-tokens");
        await ScanAsync("/account/password", "90-ko-password");
        await ScanAsync($"/projects/{Guid.NewGuid()}", "90-ko-project-not-found");
        await ScanAsync("/no/such/page", "90-ko-not-found");

        // The API answers a Korean caller in Korean, with the stable code beside the text.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/projects/{Guid.NewGuid()}");
        request.Headers.AcceptLanguage.ParseAdd("ko-KR");
        using var response = await api.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("프로젝트를 찾을 수 없습니다.", problem.GetProperty("detail").GetString());
        Assert.Equal("not_found.project", problem.GetProperty("code").GetString());

        await context.CloseAsync();
        Assert.True(problems.Count == 0, "English on Korean pages (a Korean resource or catalog entry is missing):\n" + string.Join("\n", problems.Distinct()));
    });

    private static async Task ProblemsOfAsync(IPage page, string where, List<string> problems) => problems.AddRange(await EnglishOnPageAsync(page, where));

    /// <summary>Runs of three or more English words in the page's visible text, minus the names that stay in English.</summary>
    internal static async Task<IEnumerable<string>> EnglishOnPageAsync(IPage page, string where)
    {
        var text = await page.EvaluateAsync<string>("() => document.body.innerText");
        var found = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var cleaned = Allowed.Aggregate(line, (current, name) => current.Replace(name, " ", StringComparison.Ordinal));
            foreach (Match run in EnglishRun().Matches(cleaned))
            {
                found.Add($"{where}: \"{run.Value.Trim()}\" in \"{line.Trim()}\"");
            }
        }
        return found;
    }

    // Three or more words of Latin letters in a row (apostrophes and hyphens inside words allowed).
    [GeneratedRegex(@"\b[A-Za-z][A-Za-z'’-]+(?:[ ,]+[A-Za-z][A-Za-z'’-]*){2,}")]
    private static partial Regex EnglishRun();
}
