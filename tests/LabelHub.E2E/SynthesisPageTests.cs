using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LabelHub.IntegrationTests.Infrastructure;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The Synthesis page in a real browser with the real model runtime: 1,000 Fashion-MNIST images answered through the
/// API; the manager opens the page from the project, trains a generator from the form and watches its epochs arrive (counter, loss chart, one sample grid per epoch), reads its health and
/// evaluation, generates two images per class, and an annotator meets one of them flagged synthetic in the workbench.
/// </summary>
public sealed class SynthesisPageTests
{
    private const string Field = "category";
    private const int Images = 1000;

    // The settings the integration tests found healthy on this data (SynthesisJobTests): enough generator steps for varied samples.
    private const int Epochs = 16;
    private const int BatchSize = 64;

    [Fact]
    public Task A_manager_trains_a_generator_watches_its_epochs_and_generates_items_an_annotator_sees_flagged() => AdminScenario.RunAsync("synthesis", async (page, api) =>
    {
        var project = await PostAsync(api, "/api/v1/projects", new
        {
            name = "Synthesis flow",
            schema = new { fields = new object[] { new { name = Field, kind = "Choice", labels = FashionMnistSubset.Labels, required = true } } },
            overlap = 1,
            leaseMinutes = 30,
        });
        var projectId = project.GetProperty("id").GetGuid();
        var (images, classes) = FashionMnistSubset.Load(Images);
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent(FashionMnistSubset.Zip(images)), "file", "clothes.zip");
            using var response = await api.PostAsync($"/api/v1/projects/{projectId}/imports", form);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            var import = await WaitForJobAsync(api, JsonDocument.Parse(body).RootElement);
            Assert.Equal("Succeeded", import.GetProperty("state").GetString());
        }
        while (await api.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } next)
        {
            var task = JsonDocument.Parse(await next.Content.ReadAsStringAsync()).RootElement;
            var index = int.Parse(Path.GetFileNameWithoutExtension(task.GetProperty("data").GetProperty("file_name").GetString()!), CultureInfo.InvariantCulture);
            await PostAsync(api, $"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit",
                new { values = new Dictionary<string, string> { [Field] = FashionMnistSubset.Labels[classes[index]] }, durationMs = 1500 });
        }

        // ------------------------------------------------ The page from the project: nothing blocks training
        await GoToAsync(page, $"/projects/{projectId}");
        await page.GetByTestId("project-synthesis").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/projects/{projectId}/synthesis$"));
        await Expect(page.GetByTestId("synthesis-status")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("synthesis-blocker")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("synthesis-generators-empty")).ToBeVisibleAsync();

        // ------------------------------------------------ The settings, started with Enter
        await page.GetByTestId("synthesis-train-epochs").FillAsync(Epochs.ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("synthesis-train-batch").FillAsync(BatchSize.ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("synthesis-train-seed").FillAsync("1");
        await Expect(page.GetByTestId("synthesis-train-epochs")).ToHaveValueAsync(Epochs.ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("synthesis-train-seed").PressAsync("Enter");

        // ------------------------------------------------ Live: the job, then epochs arriving with their grids
        await Expect(page.GetByTestId("synthesis-job")).ToBeVisibleAsync();
        var generator = page.GetByTestId("synthesis-generator");
        await Expect(generator).ToHaveAttributeAsync("data-version", "1");
        var epochs = page.GetByTestId("synthesis-epochs");
        await Expect(epochs).ToHaveAttributeAsync("data-epochs-done", new Regex("^([2-9]|1[0-6])$"), new() { Timeout = 300_000 });
        await Expect(page.GetByTestId("synthesis-epoch-count")).ToContainTextAsync($"of {Epochs}");
        var grid = page.GetByTestId("synthesis-grid-image");
        await Expect(grid).ToHaveAttributeAsync("src", new Regex($"/api/v1/projects/{projectId}/media/"));
        await ShotAsync(page, "70-synthesis-1-training");
        var gridImage = await page.APIRequest.GetAsync((await grid.GetAttributeAsync("src"))!);
        Assert.Equal(200, gridImage.Status);
        Assert.Equal("image/png", gridImage.Headers["content-type"]);
        await Expect(page.GetByTestId("synthesis-grid-labels")).ToContainTextAsync("Sneaker");

        // ------------------------------------------------ Trained, healthy and measured
        await Expect(generator).ToHaveAttributeAsync("data-state", "Ready", new() { Timeout = 600_000 });
        await Expect(page.GetByTestId("synthesis-job")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("synthesis-job-error")).ToHaveCountAsync(0);
        await Expect(epochs).ToHaveAttributeAsync("data-epochs-done", Epochs.ToString(CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("synthesis-health-alert")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("synthesis-grid-thumb")).ToHaveCountAsync(Epochs);
        var evaluation = page.GetByTestId("synthesis-evaluation");
        await Expect(evaluation).ToBeVisibleAsync();
        await Expect(evaluation.GetByTestId("evaluation-real")).ToContainTextAsync(new Regex(@"\d+(\.\d)?\s?%"));
        await Expect(evaluation.GetByTestId("evaluation-cas")).ToContainTextAsync(new Regex(@"\d+(\.\d)?\s?%"));
        await Expect(evaluation.GetByTestId("evaluation-ratio-value")).ToHaveTextAsync(new Regex(@"^\s*\d\.\d\d\s*$"));
        await Expect(evaluation.GetByTestId("evaluation-fid-value")).ToHaveTextAsync(new Regex(@"^\s*[\d,]+\.\d\s*$"));
        await Expect(page.GetByTestId("synthesis-generator-row")).ToHaveCountAsync(1);
        await ShotAsync(page, "70-synthesis-2-trained");

        // The page's figures are the API's.
        var stored = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/projects/{projectId}/synthesis/generators/1")).RootElement;
        Assert.Equal("Healthy", stored.GetProperty("health").GetString());
        Assert.Equal(Epochs, stored.GetProperty("epochs").GetArrayLength());
        var ratio = stored.GetProperty("evaluation").GetProperty("casRatio").GetDouble();
        await Expect(evaluation.GetByTestId("evaluation-ratio-value")).ToHaveTextAsync(new Regex(Regex.Escape(ratio.ToString("0.00", CultureInfo.InvariantCulture))));

        // ------------------------------------------------ Two images per class, as items annotators validate
        await Expect(page.GetByTestId("synthesis-generate")).ToHaveAttributeAsync("data-disabled", "false");
        await page.GetByTestId("synthesis-generate-mode-count").ClickAsync();
        await page.GetByTestId("synthesis-generate-count").FillAsync("2");
        await page.GetByTestId("synthesis-generate-start").ClickAsync();
        var made = FashionMnistSubset.Labels.Length * 2;
        await Expect(page.GetByTestId("synthesis-items-total")).ToContainTextAsync(made.ToString(CultureInfo.InvariantCulture), new() { Timeout = 120_000 });
        await Expect(page.GetByTestId("synthesis-items-row")).ToHaveCountAsync(FashionMnistSubset.Labels.Length);
        await Expect(page.GetByTestId("synthesis-generator-row")).ToContainTextAsync(made.ToString(CultureInfo.InvariantCulture));
        await ShotAsync(page, "70-synthesis-3-generated");

        // ------------------------------------------------ The annotator's workbench: a synthetic item with its class asked for
        await GoToAsync(page, $"/projects/{projectId}/label");
        var chip = page.GetByTestId("synthetic-item-chip");
        await Expect(chip).ToBeVisibleAsync();
        await Expect(chip).ToContainTextAsync("LabelHub GAN v1");
        var chipText = await chip.InnerTextAsync();
        Assert.Single(FashionMnistSubset.Labels, label => chipText.Contains($"asked for {label}", StringComparison.Ordinal));
        await Expect(page.Locator("[data-label-item] img")).ToHaveAttributeAsync("src", new Regex($"/api/v1/projects/{projectId}/media/"));
        await ShotAsync(page, "70-synthesis-4-workbench");
    });
}
