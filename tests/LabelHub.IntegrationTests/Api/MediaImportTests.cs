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
            e => Assert.Equal((3, true), (e.Line, e.Message.StartsWith("\"notes.txt\":", StringComparison.Ordinal))));
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
