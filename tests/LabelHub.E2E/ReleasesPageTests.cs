using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// Releases in a real browser: two annotators label a small text project through the API; the manager previews and cuts
/// release 1 from the dialog, the annotators change some labels, release 2 is cut with the keyboard; its page shows the
/// diff and the datasheet, and every format the schema allows downloads from the page's links and reads back.
/// </summary>
public sealed class ReleasesPageTests
{
    private const int Positive = 6;
    private const int Negative = 4;

    [Fact]
    public Task A_manager_cuts_two_releases_reads_the_diff_and_datasheet_and_downloads_every_format() => AdminScenario.RunAsync("releases", async (page, api) =>
    {
        var project = await PostAsync(api, "/api/v1/projects", new
        {
            name = "Release flow",
            description = "Releases end to end",
            schema = new { fields = new object[] { new { name = "sentiment", kind = "Choice", title = "Sentiment", labels = new[] { "positive", "negative" }, required = true } } },
            overlap = 2,
            leaseMinutes = 30,
        });
        var projectId = project.GetProperty("id").GetGuid();
        var p = $"/api/v1/projects/{projectId}";
        var items = Enumerable.Range(1, Positive).Select(i => new { text = $"good {i}" }).Concat(Enumerable.Range(1, Negative).Select(i => new { text = $"bad {i}" })).ToArray();
        Assert.Equal("Succeeded", (await WaitForJobAsync(api, await PostAsync(api, $"{p}/items", items))).GetProperty("state").GetString());

        // Both annotators label every item alike ("good" texts positive, "bad" ones negative), except that joon calls "bad 1" positive.
        var annotators = new[] { (await ProjectAnnotatorAsync(page, api, projectId, "rina", "releases-e2e")).Api, (await ProjectAnnotatorAsync(page, api, projectId, "joon", "releases-e2e")).Api };
        var answers = new Dictionary<string, List<(HttpClient Client, long AnnotationId)>>(StringComparer.Ordinal);
        var itemIds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var annotator in annotators)
        {
            for (var i = 0; i < items.Length; i++)
            {
                var task = await PostAsync(annotator, $"{p}/tasks/next", new { });
                var text = task.GetProperty("data").GetProperty("text").GetString()!;
                var label = text.StartsWith("good", StringComparison.Ordinal) || (text == "bad 1" && annotator == annotators[1]) ? "positive" : "negative";
                var submitted = await PostAsync(annotator, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit", new { values = new { sentiment = label } });
                itemIds[text] = task.GetProperty("itemId").GetInt64();
                (answers.TryGetValue(text, out var list) ? list : answers[text] = []).Add((annotator, submitted.GetProperty("annotationId").GetInt64()));
            }
        }

        // Cleanse: the disagreement detector flags the split vote on "bad 1", and a reviewer corrects joon's answer to negative.
        var detector = await WaitForJobAsync(api, await PostAsync(api, $"{p}/cleansing/disagreement", new { field = "sentiment" }));
        Assert.Equal("Succeeded", detector.GetProperty("state").GetString());
        var findings = await api.GetFromJsonAsync<JsonElement>($"{p}/cleansing/findings?state=Open&source=Disagreement");
        var finding = findings.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("itemId").GetInt64() == itemIds["bad 1"]);
        await PostAsync(api, $"{p}/cleansing/findings/{finding.GetProperty("id").GetInt64()}/correct",
            new { annotationId = answers["bad 1"].Single(a => a.Client == annotators[1]).AnnotationId, values = new { sentiment = "negative" } });

        // Release 1 from the dialog, after a preview.
        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-releases").ClickAsync();
        await Expect(page.GetByTestId("releases-empty")).ToBeVisibleAsync();
        await page.GetByTestId("release-cut-open").ClickAsync();
        await Expect(page.GetByTestId("release-min-confidence")).ToBeFocusedAsync();
        await page.GetByTestId("release-preview").ClickAsync();
        await Expect(page.GetByTestId("release-preview-counts")).ToContainTextAsync($"{Positive + Negative} items would be released: 0 kept from the last release, {Positive + Negative} new.");
        await Expect(page.Locator("[data-testid=split-label-row]")).ToHaveCountAsync(2);
        await ShotAsync(page, "release-preview");
        await page.GetByTestId("release-cut").ClickAsync();
        await Expect(page.Locator("[data-testid=release-row][data-number='1']")).ToHaveAttributeAsync("data-state", "Ready", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=release-row][data-number='1'] [data-testid=release-items]")).ToHaveTextAsync((Positive + Negative).ToString(CultureInfo.InvariantCulture));

        // Both annotators change their minds on two "good" items: the majority flips to negative.
        foreach (var text in new[] { "good 1", "good 2" })
        {
            foreach (var (client, annotationId) in answers[text])
            {
                await PostAsync(client, $"/api/v1/annotations/{annotationId}/revise", new { values = new { sentiment = "negative" } });
            }
        }

        // Release 2 with the keyboard: Enter in the seed previews, Ctrl+Enter cuts.
        await page.GetByTestId("release-cut-open").ClickAsync();
        // The dialog puts the focus on its first field once it has rendered; only then move to the seed.
        await Expect(page.GetByTestId("release-min-confidence")).ToBeFocusedAsync();
        await page.GetByTestId("release-seed").FocusAsync();
        await Expect(page.GetByTestId("release-seed")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("release-preview-counts")).ToContainTextAsync($"{Positive + Negative} kept from the last release, 0 new.");
        await page.Keyboard.PressAsync("Control+Enter");
        await Expect(page.Locator("[data-testid=release-row][data-number='2']")).ToHaveAttributeAsync("data-state", "Ready", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=release-row]").First).ToHaveAttributeAsync("data-number", "2");

        await page.Locator("[data-testid=release-row][data-number='2'] [data-testid=release-open]").ClickAsync();
        await Expect(page.GetByTestId("release-manifest-sha")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{64}$"));
        await Expect(page.GetByTestId("release-settings-seed")).ToHaveTextAsync("labelhub");
        // The cut checked that the release reproduces; "Verify again" runs the check as a job and shows its result.
        await Expect(page.GetByTestId("release-check")).ToHaveAttributeAsync("data-state", "matches");
        await Expect(page.GetByTestId("release-check")).ToHaveAttributeAsync("data-made-by", "cut");
        await page.GetByTestId("release-verify").ClickAsync();
        await Expect(page.GetByTestId("release-check")).ToHaveAttributeAsync("data-made-by", "verify", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("release-check-at")).ToContainTextAsync("Verified again");
        await Expect(page.GetByTestId("release-check")).ToHaveAttributeAsync("data-state", "matches");
        await Expect(page.GetByTestId("release-check-sha")).ToHaveTextAsync(await page.GetByTestId("release-manifest-sha").InnerTextAsync());

        // Every format the schema allows, from the page's links (the sign-in cookie), read back.
        var downloads = page.GetByTestId("release-downloads");
        foreach (var disabled in new[] { "coco", "yolo", "pascalvoc", "conll" })
        {
            await Expect(downloads.Locator($"[data-testid=release-download][data-format={disabled}]")).ToBeDisabledAsync();
        }
        foreach (var format in new[] { "jsonl", "csv", "labelstudio", "huggingface" })
        {
            var download = await page.RunAndWaitForDownloadAsync(() => downloads.Locator($"[data-testid=release-download][data-format={format}]").ClickAsync());
            Assert.EndsWith($"-release-2-{format}.zip", download.SuggestedFilename, StringComparison.Ordinal);
            using var zip = ZipFile.OpenRead((await download.PathAsync())!);
            Assert.Equal(Positive + Negative, Lines(zip, "manifest.jsonl").Count);
            Assert.StartsWith("# Datasheet: ", Text(zip, "datasheet.md"), StringComparison.Ordinal);
            Assert.StartsWith("# 데이터시트: ", Text(zip, "datasheet.ko.md"), StringComparison.Ordinal);
            var records = format switch
            {
                "jsonl" => Lines(zip, "release.jsonl").Count,
                "csv" => Lines(zip, "release.csv").Count - 1,
                "labelstudio" => JsonDocument.Parse(Text(zip, "labelstudio.json")).RootElement.GetArrayLength(),
                _ => zip.Entries.Where(e => e.FullName.StartsWith("data/", StringComparison.Ordinal) && e.FullName.EndsWith(".jsonl", StringComparison.Ordinal))
                    .Sum(e => Lines(zip, e.FullName).Count),
            };
            Assert.True(records == Positive + Negative, $"{format}: {records} records");
        }

        // The diff against release 1 and the datasheet (both written when the cut finishes).
        await Expect(page.GetByTestId("release-diff")).ToBeVisibleAsync();
        var relabeled = int.Parse((await page.GetByTestId("release-diff-relabeled").InnerTextAsync()).Trim(), CultureInfo.InvariantCulture);
        Assert.True(relabeled > 0, "Two items were relabeled.");
        await Expect(page.Locator("[data-testid=release-diff-label-row][data-label=negative] [data-testid=release-diff-delta]")).ToHaveTextAsync("+2");
        await Expect(page.GetByTestId("release-datasheet")).ToContainTextAsync("corrections: disagreements 1.");
        await Expect(page.Locator("[data-testid=release-datasheet] h1")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Datasheet: .*, release 2$"));
        await ShotAsync(page, "release-page");
    });

    private static string Text(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(path);
        Assert.True(entry is not null, $"{path} is not in the archive: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static List<string> Lines(ZipArchive zip, string path) => [.. Text(zip, path).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

}
