using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Images and ZIP archives of images as items, and the media endpoint that shows them, on both databases.</summary>
public sealed class MediaImportTests
{
    private static readonly LabelSchema BoxSchema = new()
    {
        Fields = [new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"], Required = true }],
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_zip_of_images_becomes_items_whose_images_only_members_see(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var admin = await app.AdminClientAsync();
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var member = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var outsider = await app.CreateUserClientAsync("eve", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Photos", overlap: 1);
        await AddMemberAsync(manager, project.Id, member.UserId);

        var red = TestImages.Png(40, 30, 220, 30, 30);
        var green = TestImages.Png(20, 10, 30, 200, 30);
        var blue = TestImages.Png(16, 16, 30, 30, 220);
        var zip = TestImages.Zip(
            ("photos/", []),
            ("photos/red.png", red),
            ("__MACOSX/photos/._red.png", [0, 5, 22, 7, 0, 2]),
            ("photos/green.png", green),
            (".DS_Store", [0, 0, 0, 1]),
            ("blue.png", blue),
            ("photos/red-again.png", red));

        var job = await WaitForJobAsync(manager, (await UploadBytesAsync(manager, project.Id, "photos.zip", zip)).Id);

        Assert.True(job.State == JobState.Succeeded, $"{job.ResultSummary} {job.Error}");
        var summary = CollectionJobs.Import.ReadResult(job)!;
        Assert.Equal(3, summary.Imported);
        Assert.Equal([7], summary.DuplicateLines);
        var items = (await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items;
        Assert.Equal(["photos/red.png", "photos/green.png", "blue.png"], items.Select(i => i.Data["file_name"].GetString()));
        Assert.Equal([(40, 30), (20, 10), (16, 16)], items.Select(i => (i.Data["width"].GetInt32(), i.Data["height"].GetInt32())));
        Assert.Equal([2, 4, 6], items.Select(i => i.SourceLine ?? 0));
        var urls = items.Select(i => i.Data["image"].GetString()!).ToList();
        Assert.All(urls, url => Assert.Matches($"^/api/v1/projects/{project.Id}/media/[0-9a-f-]{{36}}$", url));

        // Any member may see the project's images, with caching headers; the bytes are the uploaded ones.
        using var response = await member.Http.GetAsync(urls[0]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(red, await response.Content.ReadAsByteArrayAsync());
        var sha = Convert.ToHexStringLower(SHA256.HashData(red));
        Assert.Equal($"\"{sha}\"", response.Headers.ETag?.Tag);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.True(response.Headers.CacheControl is { Private: true, MaxAge: var maxAge } && maxAge == TimeSpan.FromHours(1), $"Cache-Control: {response.Headers.CacheControl}");

        using var conditional = new HttpRequestMessage(HttpMethod.Get, urls[0]);
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{sha}\""));
        using var notModified = await member.Http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal($"\"{sha}\"", notModified.Headers.ETag?.Tag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, urls[1]);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{sha}\""));
        using var changed = await member.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(green, await changed.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(urls[2])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.GetAsync(urls[0])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().Http.GetAsync(urls[0])).StatusCode);

        // Not an image of this project: the uploaded archive itself, another project's image, an unknown id.
        await using var db = app.CreateDbContext();
        var zipFileId = await db.StoredFiles.Where(f => f.ProjectId == project.Id && f.ContentType == "application/zip").Select(f => f.Id).SingleAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync(MediaUrls.For(project.Id, zipFileId))).StatusCode);
        var other = await CreateProjectAsync(manager, "Other", overlap: 1);
        await AddMemberAsync(manager, other.Id, member.UserId);
        await WaitForJobAsync(manager, (await UploadBytesAsync(manager, other.Id, "cat.png", TestImages.Png(8, 8, 1, 2, 3))).Id);
        var otherFile = (await manager.GetAsync<ItemPage>($"/api/v1/projects/{other.Id}/items")).Items.Single().Data["image"].GetString()!.Split('/')[^1];
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync($"/api/v1/projects/{other.Id}/media/{otherFile}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await member.Http.GetAsync($"/api/v1/projects/{project.Id}/media/{otherFile}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync(MediaUrls.For(project.Id, Guid.CreateVersion7()))).StatusCode);

        // Image files are stored once each, with the project and the right type.
        var stored = await db.StoredFiles.Where(f => f.ProjectId == project.Id && f.ContentType == "image/png").Select(f => f.FileName).ToListAsync();
        Assert.Equal(["blue.png", "green.png", "red.png"], stored.Order());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_zip_with_an_escaping_path_and_a_non_image_stores_nothing(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Hostile", overlap: 1);
        var zip = TestImages.Zip(
            ("good.png", TestImages.Png(10, 10, 100, 100, 100)),
            ("../evil.png", TestImages.Png(10, 10, 1, 1, 1)),
            ("notes.txt", "just text"u8.ToArray()),
            ("also-good.png", TestImages.Png(12, 12, 50, 50, 50)));

        var job = await WaitForJobAsync(manager, (await UploadBytesAsync(manager, project.Id, "mixed.zip", zip)).Id);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("nothing was imported", job.ResultSummary);
        var errors = CollectionJobs.Import.ReadResult(job)!;
        Assert.Equal(2, errors.TotalErrors);
        Assert.Collection(errors.Errors!,
            e => Assert.Equal((2, true), (e.Line, e.Message.StartsWith("\"../evil.png\":", StringComparison.Ordinal))),
            e => Assert.Equal((3, "\"notes.txt\": it is a .txt file; an archive holds either images or .txt files, not both"), (e.Line, e.Message)));
        await using var db = app.CreateDbContext();
        Assert.Equal(0, await db.Items.CountAsync(i => i.ProjectId == project.Id));
        Assert.Equal(0, await db.StoredFiles.CountAsync(f => f.ProjectId == project.Id && f.ContentType.StartsWith("image/")));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_single_image_becomes_an_item_and_its_boxes_are_checked_in_pixels(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Street", null, BoxSchema, 1));
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        var png = TestImages.Png(200, 100, 90, 140, 200);

        var job = await WaitForJobAsync(manager, (await UploadBytesAsync(manager, project.Id, "street.png", png)).Id);

        Assert.True(job.State == JobState.Succeeded, $"{job.ResultSummary} {job.Error}");
        var item = Assert.Single((await manager.GetAsync<ItemPage>($"/api/v1/projects/{project.Id}/items")).Items);
        Assert.Equal("street.png", item.Data["file_name"].GetString());
        Assert.Equal((200, 100), (item.Data["width"].GetInt32(), item.Data["height"].GetInt32()));
        await using (var db = app.CreateDbContext())
        {
            // The upload itself is the item's image: stored once, as a PNG.
            var file = await db.StoredFiles.SingleAsync(f => f.ProjectId == project.Id);
            Assert.Equal(("image/png", MediaUrls.For(project.Id, file.Id)), (file.ContentType, item.Data["image"].GetString()));
        }
        Assert.Equal(png, await annotator.Http.GetByteArrayAsync(item.Data["image"].GetString()));

        // The same image again is an exact duplicate; a text file named .png is refused at once.
        var again = await WaitForJobAsync(manager, (await UploadBytesAsync(manager, project.Id, "copy.png", png)).Id);
        var againSummary = CollectionJobs.Import.ReadResult(again)!;
        Assert.Equal((0, 1), (againSummary.Imported, againSummary.DuplicatesSkipped));
        using var fake = await PostFileAsync(manager, project.Id, "fake.png", "<svg onload=alert(1)>"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, fake.StatusCode);
        Assert.Contains("is not a PNG, JPEG, GIF, WebP or BMP image", await fake.Content.ReadAsStringAsync());

        // Boxes come back in fractions and pixels; pixels that disagree with the recorded size are refused.
        var task = (await (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
        var wrong = BoxValue.FromFractions(0.1, 0.2, 0.3, 0.4, "car", 400, 100);
        using var refused = await annotator.PostRawAsync($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("objects", new[] { wrong }))));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("do not match the fractions for a 200×100 image", await refused.Content.ReadAsStringAsync());
        var right = BoxValue.FromFractions(0.1, 0.2, 0.3, 0.4, "car", 200, 100);
        var result = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("objects", new[] { right }))));
        Assert.False(result.AlreadySubmitted);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Media_json_items_may_link_external_images_but_nothing_else(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Links", overlap: 1);

        var good = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "links.jsonl",
            "{\"image\": \"https://example.com/a.jpg\", \"text\": \"a\"}\n{\"image\": \"http://example.org/b.png\"}\n")).Id);
        Assert.Equal(JobState.Succeeded, good.State);

        var bad = await WaitForJobAsync(manager, (await UploadAsync(manager, project.Id, "bad.csv",
            "image,text\nhttps://example.com/c.jpg,ok\njavascript:alert(1),bad\n\"data:image/svg+xml;base64,PHN2Zz4=\",bad\n")).Id);
        Assert.Equal(JobState.Failed, bad.State);
        var errors = CollectionJobs.Import.ReadResult(bad)!;
        Assert.Equal([3, 4], errors.Errors!.Select(e => e.Line));
        Assert.All(errors.Errors!, e => Assert.Contains("\"image\" must be an http(s) URL", e.Message));
    }

    /// <summary>More images than one stored batch holds (200), so the archive goes in three.</summary>
    private const int ManyImages = 450;

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_zip_of_several_batches_is_stored_a_batch_at_a_time_and_its_items_and_images_appear_only_once_all_are_stored(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Many photos", overlap: 1)).Id;
        var (zip, images) = ManyPngZip(ManyImages);
        var upload = await app.Service<StoredFileService>().SaveAsync(projectId, manager.UserId, "many.zip", "application/zip", new MemoryStream(zip));
        var run = new JobRun { Id = Guid.CreateVersion7(), Kind = CollectionJobs.Import.Kind, ProjectId = projectId, RequestedById = manager.UserId, CreatedAt = DateTimeOffset.UtcNow };

        // After each stored batch: what a reader of the project sees, and what is in the store.
        var seen = new List<(string Message, int Visible, int Pending, int IncompleteFiles, int CompleteFiles, HttpStatusCode Media)>();
        var progress = new OnStored(async message =>
        {
            await using var db = app.CreateDbContext();
            var pending = await db.Items.IgnoreQueryFilters().Where(i => i.ImportJobRunId == run.Id).Select(i => i.Data).FirstAsync();
            using var media = await manager.Http.GetAsync(pending[MediaUrls.ImageKey].GetString());
            seen.Add((message,
                await db.Items.CountAsync(i => i.ProjectId == projectId),
                await db.Items.IgnoreQueryFilters().CountAsync(i => i.ImportJobRunId == run.Id && i.TakenSlots == Item.PendingSlots),
                await db.StoredFiles.CountAsync(f => f.JobRunId == run.Id && !f.IsComplete),
                await db.StoredFiles.CountAsync(f => f.JobRunId == run.Id && f.IsComplete),
                media.StatusCode));
        });

        var outcome = await app.Service<ItemImporter>().RunAsync(run, new ImportParameters(upload.Id, upload.FileName, ItemFileFormat.Zip), progress, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(ManyImages, outcome.Result!.Imported);
        Assert.Equal(
            [
                ("Stored 200 of 450 items", 0, 200, 200, 0, HttpStatusCode.NotFound),
                ("Stored 400 of 450 items", 0, 400, 400, 0, HttpStatusCode.NotFound),
                ("Stored 450 of 450 items", 0, 450, 450, 0, HttpStatusCode.NotFound),
            ],
            seen);
        await using var check = app.CreateDbContext();
        var items = await check.Items.Where(i => i.ProjectId == projectId).OrderBy(i => i.Id).ToListAsync();
        Assert.Equal(Enumerable.Range(1, ManyImages), items.Select(i => i.SourceLine ?? 0));
        Assert.Equal(ManyImages, await check.StoredFiles.CountAsync(f => f.JobRunId == run.Id && f.IsComplete && f.ProjectId == projectId));
        Assert.False(await check.StoredFiles.AnyAsync(f => f.JobRunId == run.Id && !f.IsComplete));
        Assert.Equal(images[^1], await manager.Http.GetByteArrayAsync(items[^1].Data[MediaUrls.ImageKey].GetString()));

        // The same archive again: every image is an exact duplicate, and nothing is stored.
        var again = new JobRun { Id = Guid.CreateVersion7(), Kind = CollectionJobs.Import.Kind, ProjectId = projectId, RequestedById = manager.UserId, CreatedAt = DateTimeOffset.UtcNow };
        var duplicate = await app.Service<ItemImporter>().RunAsync(again, new ImportParameters(upload.Id, upload.FileName, ItemFileFormat.Zip), progress, CancellationToken.None);
        Assert.Equal((0, ManyImages), (duplicate.Result!.Imported, duplicate.Result.DuplicatesSkipped));
        Assert.False(await check.StoredFiles.AnyAsync(f => f.JobRunId == again.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_zip_import_cancelled_after_two_stored_batches_leaves_no_items_and_no_files(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Cancelled photos", overlap: 1)).Id;
        var upload = await app.Service<StoredFileService>().SaveAsync(projectId, manager.UserId, "many.zip", "application/zip", new MemoryStream(ManyPngZip(ManyImages).Zip));
        var run = new JobRun { Id = Guid.CreateVersion7(), Kind = CollectionJobs.Import.Kind, ProjectId = projectId, RequestedById = manager.UserId, CreatedAt = DateTimeOffset.UtcNow };
        var batches = 0;

        // As the executor's reporter does once someone cancelled the run: the report after the second batch throws.
        await Assert.ThrowsAsync<JobCancelledException>(() => app.Service<ItemImporter>().RunAsync(
            run, new ImportParameters(upload.Id, upload.FileName, ItemFileFormat.Zip),
            new OnStored(_ => ++batches == 2 ? throw new JobCancelledException() : Task.CompletedTask), CancellationToken.None));

        await using var check = app.CreateDbContext();
        Assert.Equal(0, await check.Items.IgnoreQueryFilters().CountAsync(i => i.ProjectId == projectId));
        Assert.False(await check.StoredFiles.AnyAsync(f => f.JobRunId == run.Id));
        // Only the upload is left, and no chunk of a removed file.
        Assert.Equal([upload.Id], await check.StoredFiles.Where(f => f.ProjectId == projectId).Select(f => f.Id).ToListAsync());
        Assert.False(await check.StoredFileChunks.AnyAsync(c => !check.StoredFiles.Any(f => f.Id == c.FileId)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_zip_import_killed_while_storing_completes_once_after_a_restart_with_each_image_stored_once(string provider)
    {
        var database = await TestDatabases.CreateAsync(provider);
        var (zip, _) = ManyPngZip(ManyImages);
        Guid projectId, runId;
        List<Guid> killedFiles;
        await using (var first = await LabelHubApp.StartAsync(database))
        {
            var manager = await first.CreateUserClientAsync("boss", Roles.Manager);
            projectId = (await CreateProjectAsync(manager, "Killed photos", overlap: 1)).Id;
            var upload = await first.Service<StoredFileService>().SaveAsync(projectId, manager.UserId, "many.zip", "application/zip", new MemoryStream(zip));
            var run = new JobRun
            {
                Id = Guid.CreateVersion7(),
                Kind = CollectionJobs.Import.Kind,
                ProjectId = projectId,
                RequestedById = manager.UserId,
                Parameters = CollectionJobs.Import.SerializeParameters(new ImportParameters(upload.Id, upload.FileName, ItemFileFormat.Zip)),
                State = JobState.Running,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            await using (var db = first.CreateDbContext())
            {
                db.JobRuns.Add(run);
                await db.SaveChangesAsync();
            }
            runId = run.Id;

            // The attempt stops for good after its second batch, as a killed process would: nothing after runs, no clean-up.
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var batches = 0;
            _ = first.Service<ItemImporter>().RunAsync(run, CollectionJobs.Import.ReadParameters(run), new OnStored(async _ =>
            {
                if (++batches == 2)
                {
                    killed.SetResult();
                    await new TaskCompletionSource().Task;
                }
            }), CancellationToken.None);
            await killed.Task.WaitAsync(TimeSpan.FromSeconds(60));

            await using var check = first.CreateDbContext();
            Assert.Equal(0, await check.Items.CountAsync(i => i.ProjectId == projectId));
            Assert.Equal(400, await check.Items.IgnoreQueryFilters().CountAsync(i => i.ImportJobRunId == runId && i.TakenSlots == Item.PendingSlots));
            killedFiles = await check.StoredFiles.Where(f => f.JobRunId == runId).Select(f => f.Id).ToListAsync();
            Assert.Equal(400, killedFiles.Count);
            Assert.False(await check.StoredFiles.AnyAsync(f => f.JobRunId == runId && f.IsComplete));
        }

        // After the restart the run is recovered, clears what the killed attempt stored, and imports once.
        await using var second = await LabelHubApp.StartAsync(database);
        var admin = await second.AdminClientAsync();
        var job = await WaitForJobAsync(admin, runId, timeoutSeconds: 120);
        Assert.True(job.State == JobState.Succeeded, $"{job.ResultSummary} {job.Error}");
        Assert.Equal(ManyImages, CollectionJobs.Import.ReadResult(job)!.Imported);
        await using var after = second.CreateDbContext();
        Assert.Equal(ManyImages, await after.Items.CountAsync(i => i.ProjectId == projectId));
        Assert.Equal(ManyImages, await after.Items.IgnoreQueryFilters().CountAsync(i => i.ProjectId == projectId));
        var files = await after.StoredFiles.Where(f => f.ProjectId == projectId && f.ContentType == "image/png").ToListAsync();
        Assert.Equal(ManyImages, files.Count);
        Assert.All(files, f => Assert.True(f.IsComplete && f.JobRunId == runId));
        Assert.Equal(ManyImages, files.Select(f => f.Sha256).Distinct().Count());
        Assert.False(await after.StoredFiles.AnyAsync(f => killedFiles.Contains(f.Id)));
        Assert.False(await after.StoredFileChunks.AnyAsync(c => !after.StoredFiles.Any(f => f.Id == c.FileId)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_zip_import_killed_after_revealing_its_items_completes_its_images_when_it_runs_again(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Half done", overlap: 1)).Id;
        var upload = await app.Service<StoredFileService>().SaveAsync(projectId, manager.UserId, "few.zip", "application/zip", new MemoryStream(ManyPngZip(3).Zip));
        var run = new JobRun { Id = Guid.CreateVersion7(), Kind = CollectionJobs.Import.Kind, ProjectId = projectId, RequestedById = manager.UserId, CreatedAt = DateTimeOffset.UtcNow };
        var parameters = new ImportParameters(upload.Id, upload.FileName, ItemFileFormat.Zip);
        Assert.True((await app.Service<ItemImporter>().RunAsync(run, parameters, new OnStored(_ => Task.CompletedTask), CancellationToken.None)).Succeeded);
        await using var db = app.CreateDbContext();
        // The process died after the items were revealed, before their files were completed.
        await db.StoredFiles.Where(f => f.JobRunId == run.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.IsComplete, false));
        var image = (await db.Items.FirstAsync(i => i.ProjectId == projectId)).Data[MediaUrls.ImageKey].GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync(image)).StatusCode);

        var outcome = await app.Service<ItemImporter>().RunAsync(run, parameters, new OnStored(_ => Task.CompletedTask), CancellationToken.None);

        Assert.Equal(3, outcome.Result!.Imported);
        Assert.Equal(3, await db.StoredFiles.CountAsync(f => f.JobRunId == run.Id && f.IsComplete));
        Assert.Equal(HttpStatusCode.OK, (await manager.Http.GetAsync(image)).StatusCode);
    }

    /// <summary>Distinct small PNGs (entries 1…n) in a ZIP.</summary>
    private static (byte[] Zip, byte[][] Images) ManyPngZip(int count)
    {
        var images = Enumerable.Range(0, count).Select(n => TestImages.Png(6, 6, (byte)(n % 256), (byte)(n / 256), 99)).ToArray();
        return (TestImages.Zip([.. images.Select((png, n) => ($"photos/{n + 1:D4}.png", png))]), images);
    }

    /// <summary>A job's progress that hands each "Stored …" report (one per stored batch) to <paramref name="onStored"/>.</summary>
    private sealed class OnStored(Func<string, Task> onStored) : IJobProgress
    {
        public async Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default)
        {
            if (message?.StartsWith("Stored ", StringComparison.Ordinal) == true)
            {
                await onStored(message);
            }
        }
    }

    private static async Task<HttpResponseMessage> PostFileAsync(ApiClient client, Guid projectId, string fileName, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(bytes), "file", fileName);
        return await client.Http.PostAsync($"/api/v1/projects/{projectId}/imports", form);
    }

    private static async Task<JobRunInfo> UploadBytesAsync(ApiClient client, Guid projectId, string fileName, byte[] bytes)
    {
        using var response = await PostFileAsync(client, projectId, fileName, bytes);
        await ApiClient.EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
    }
}
