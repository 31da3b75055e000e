using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// Release downloads stream straight into the response (no temporary file), on both databases: the same bytes on every
/// download, the file name as before, and a failure found only while writing breaks the transfer instead of ending a
/// 200 with a ZIP that looks whole.
/// </summary>
public sealed class ReleaseDownloadStreamTests
{
    private static readonly string[] Labels = ["positive", "negative", "neutral"];

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Downloads_stream_the_same_bytes_every_time_and_a_failure_midway_breaks_the_transfer(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Streamed reviews", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        const int Items = 30;
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items",
            Enumerable.Range(0, Items).Select(n => new { text = FormattableString.Invariant($"review {n}") }).ToArray());
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        while (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } next)
        {
            var task = (await next.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            var number = int.Parse(task.Data["text"].GetString()!["review ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", Labels[number % 3]))));
        }
        var started = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/releases", new { split = new { seed = "stream" } });
        var cut = ReleaseJobs.Cut.ReadResult(await WaitForJobAsync(manager, started.Id, timeoutSeconds: 120))!;
        Assert.Equal(Items, cut.Items);

        var url = $"/api/v1/projects/{project.Id}/releases/{cut.Number}/download";
        foreach (var (format, file) in new[]
        {
            ("jsonl", JsonlReleaseWriter.FileName), ("csv", CsvReleaseWriter.FileName), ("labelstudio", LabelStudioWriter.TasksPath),
            ("huggingface", HuggingFaceReleaseWriter.CardFileName),
        })
        {
            using var response = await manager.Http.GetAsync($"{url}?format={format}", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal($"Streamed-reviews-release-1-{format}.zip", response.Content.Headers.ContentDisposition?.FileNameStar);
            // Streamed: no length is known before the archive is written.
            Assert.Null(response.Content.Headers.ContentLength);
            var first = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(first, await manager.Http.GetByteArrayAsync($"{url}?format={format}"));
            using var zip = new ZipArchive(new MemoryStream(first));
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith(file, StringComparison.Ordinal));
            using var manifest = new StreamReader(zip.GetEntry("manifest.jsonl")!.Open());
            Assert.Equal(Items, (await manifest.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        // After the cut, sentiment becomes a multiple choice: the stored answers (one label each) no longer read as the
        // field's answers. Label Studio finds that only while writing the tasks, after the archive has started; the
        // client must see the transfer break, not a 200 with a ZIP that ends early but reads as whole.
        var schema = SentimentSchema with
        {
            Fields = [.. SentimentSchema.Fields.Select(f => f.Name == "sentiment" ? f with { Kind = FieldKind.MultiChoice } : f)],
        };
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}",
            new ProjectInput(project.Name, project.Description, schema, project.Overlap, project.LeaseMinutes), LabelHubApp.Json));
        using (var broken = await manager.Http.GetAsync($"{url}?format=labelstudio", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, broken.StatusCode);
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => broken.Content.ReadAsByteArrayAsync());
            Assert.True(failure is IOException or HttpRequestException, failure.ToString());
        }
        // Formats that do not read the answers against the schema still download whole.
        using var jsonl = new ZipArchive(new MemoryStream(await manager.Http.GetByteArrayAsync($"{url}?format=jsonl")));
        Assert.NotNull(jsonl.GetEntry(JsonlReleaseWriter.FileName));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Image_formats_stream_every_stored_image_unchanged(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var schema = new LabelSchema { Fields = [new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"], Required = true }] };
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Street", null, schema, 1));
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        // Stored images looked up a page at a time: each must still come back as its own bytes.
        var originals = Enumerable.Range(0, 12).Select(n => TestImages.Png(10 + n, 8 + n, (byte)(20 * n), 100, 200)).ToArray();
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent(TestImages.Zip([.. originals.Select((bytes, n) => (FormattableString.Invariant($"img{n}.png"), bytes))])), "file", "street.zip");
            using var upload = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/imports", form);
            await ApiClient.EnsureAsync(upload);
            var job = await WaitForJobAsync(manager, (await upload.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id);
            Assert.True(job.State == JobState.Succeeded, $"{job.ResultSummary} {job.Error}");
        }
        while (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } next)
        {
            var task = (await next.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            var box = BoxValue.FromFractions(0.25, 0.25, 0.5, 0.5, "car", task.Data["width"].GetInt32(), task.Data["height"].GetInt32());
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("objects", new[] { box }))));
        }
        var started = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/releases", new { split = new { seed = "street" } });
        var cut = ReleaseJobs.Cut.ReadResult(await WaitForJobAsync(manager, started.Id, timeoutSeconds: 120))!;
        Assert.Equal(originals.Length, cut.Items);
        // The datasheet counts items per split carrying each box label (every image has one car, none a person).
        var release = await manager.GetAsync<ReleaseInfo>($"/api/v1/projects/{project.Id}/releases/{cut.Number}");
        var split = release.Split!.Splits.ToDictionary(x => x.Split, x => x.Items);
        Assert.Contains(FormattableString.Invariant($"| objects | car | {split["train"]} | {split["validation"]} | {split["test"]} |"), release.Datasheet, StringComparison.Ordinal);
        Assert.DoesNotContain("| objects | person |", release.Datasheet, StringComparison.Ordinal);

        var expected = originals.Select(Convert.ToHexString).Order(StringComparer.Ordinal).ToList();
        foreach (var format in new[] { "coco", "yolo", "pascalvoc" })
        {
            var url = $"/api/v1/projects/{project.Id}/releases/{cut.Number}/download?format={format}";
            var first = await manager.Http.GetByteArrayAsync(url);
            Assert.Equal(first, await manager.Http.GetByteArrayAsync(url));
            using var zip = new ZipArchive(new MemoryStream(first));
            var images = new List<string>();
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".png", StringComparison.Ordinal)))
            {
                await using var stream = await entry.OpenAsync();
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                images.Add(Convert.ToHexString(copy.ToArray()));
            }
            Assert.Equal(expected, images.Order(StringComparer.Ordinal));
        }
    }
}
