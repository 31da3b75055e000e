using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using SkiaSharp;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Duplicate search and decisions over the API (ADR 0019, 4), on both databases.</summary>
public sealed class DuplicateTests
{
    // Three spellings of one text (case, spacing, another key beside it): one exact group.
    private const string Delivery = "The delivery was fast and the package arrived intact, well wrapped and on the promised day.";

    // Two texts one letter apart, long enough that their 5-gram Jaccard is far above 0.8.
    private const string Jacket = "I loved the quality of this winter jacket: warm, light, well stitched, and the zipper runs smoothly. Would buy again from this shop without thinking twice.";
    private const string JacketTypo = "I loved the quality of this winter jacket: warm, light, well stitched, and the zipper runs smoothly. Would buy again from this shop without thinking twice!";

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Exact_and_near_duplicate_texts_are_grouped_and_a_decided_group_is_not_raised_again(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var otherManager = await app.CreateUserClientAsync("other-boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "dups", overlap: 1);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        var ids = await ImportAsync(manager, project.Id,
        [
            new { text = Delivery },
            new { text = "the delivery was  fast and the package arrived intact, well wrapped and on the promised day." },
            new { text = Delivery, source = "shop-b" },
            new { text = Jacket },
            new { text = JacketTypo },
            new { text = "Terrible support: nobody answered my three emails about the broken strap." },
            new { text = "Sizes run small, order one size up; colours match the photos." },
        ]);
        var url = $"/api/v1/projects/{project.Id}/cleansing/duplicates";

        var exact = await SearchAsync(manager, url, new { kind = "Exact" });
        Assert.Equal((7, 1, 3, 0), (exact.Items, exact.Groups, exact.ItemsInGroups, exact.AlreadyDecided));
        var exactGroup = (await manager.GetAsync<DuplicateGroupPage>(url)).Groups.Single();
        Assert.Equal(DuplicateKind.Exact, exactGroup.Kind);
        Assert.Equal(ids[..3], exactGroup.Members.Select(m => m.ItemId));
        Assert.All(exactGroup.Members, m => Assert.Equal(1, m.Similarity));
        Assert.Equal("3 items with the same content.", exactGroup.Reason);
        await using (var db = app.CreateDbContext())
        {
            var finding = await db.CleansingFindings.SingleAsync(f => f.ProjectId == project.Id);
            Assert.Equal((FindingSource.Duplicate, ids[0], DuplicateSearch.FindingCode(exactGroup.Id), FindingState.Open), (finding.Source, finding.ItemId, finding.Code, finding.State));
            Assert.Equal(CleansingRunKind.ExactDuplicates, (await db.CleansingRuns.SingleAsync(r => r.Id == exact.RunId)).Kind);
        }

        var text = await SearchAsync(manager, url, new { kind = "Text", threshold = 0.8 });
        Assert.Equal((2, 5), (text.Groups, text.ItemsInGroups));
        var textGroups = (await manager.GetAsync<DuplicateGroupPage>($"{url}?kind=text")).Groups;
        Assert.Equal(new[] { ids[..3], ids[3..5] }, textGroups.Select(g => g.Members.Select(m => m.ItemId).Order().ToArray()));
        var pair = textGroups[1].Members;
        Assert.InRange(pair[1].Similarity, 0.8, 0.999);
        Assert.DoesNotContain(textGroups.SelectMany(g => g.Members), m => m.ItemId == ids[5] || m.ItemId == ids[6]);

        // Marked distinct, the exact trio is not raised again by either search; the open text pair is replaced, not doubled.
        var distinct = await manager.PostAsync<DuplicateDecisionResult>($"{url}/{exactGroup.Id}/distinct", new { });
        Assert.Equal(DuplicateDecision.Distinct, distinct.Group.Decision);
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostRawAsync($"{url}/{exactGroup.Id}/distinct", new { })).StatusCode);
        var again = await SearchAsync(manager, url, new { kind = "Exact" });
        Assert.Equal((0, 1), (again.Groups, again.AlreadyDecided));
        var textAgain = await SearchAsync(manager, url, new { kind = "Text" });
        Assert.Equal((1, 1), (textAgain.Groups, textAgain.AlreadyDecided));
        var open = await manager.GetAsync<DuplicateGroupPage>(url);
        Assert.Equal(ids[3..5], open.Groups.Single().Members.Select(m => m.ItemId).Order());
        Assert.Equal((1, 1), (open.Open, open.Decided));
        Assert.Equal(exactGroup.Id, (await manager.GetAsync<DuplicateGroupPage>($"{url}?decision=decided")).Groups.Single().Id);
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(FindingState.Dismissed, (await db.CleansingFindings.SingleAsync(f => f.Code == DuplicateSearch.FindingCode(exactGroup.Id))).State);
            Assert.Equal(1, await db.CleansingFindings.CountAsync(f => f.ProjectId == project.Id && f.State == FindingState.Open));
        }
        var groupsOfItems = await app.Service<DuplicateService>().GroupsOfItemsAsync(project.Id);
        Assert.Equal([ids[3], ids[4]], groupsOfItems.Keys.Order());
        // The page offers the search the data calls for: near-duplicate texts here.
        Assert.Equal(DuplicateKind.Text, await app.Service<DuplicateService>().SuggestedKindAsync(new Actor(manager.UserId, new HashSet<string> { Roles.Manager }), project.Id));

        // Bad settings are 400s naming the field; only the project's managers search and see groups.
        await AssertBadRequestAsync(manager.PostRawAsync(url, new { kind = "Audio" }), "kind");
        await AssertBadRequestAsync(manager.PostRawAsync(url, new { kind = "Text", threshold = 0.2 }), "threshold");
        await AssertBadRequestAsync(manager.PostRawAsync(url, new { kind = "Image", maxDistance = 99 }), "maxDistance");
        await AssertBadRequestAsync(manager.PostRawAsync(url, new { kind = "Image", hash = "md5" }), "hash");
        await AssertBadRequestAsync(manager.Http.GetAsync($"{url}?decision=maybe"), "decision");
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.PostRawAsync(url, new { kind = "Exact" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherManager.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherManager.PostRawAsync($"{url}/{exactGroup.Id}/undo", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"{url}/999999")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Keep_one_excludes_the_others_from_labeling_carries_answers_over_and_undo_restores_them(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var first = await app.CreateUserClientAsync("first", Roles.Annotator);
        var second = await app.CreateUserClientAsync("second", Roles.Annotator);
        var late = await app.CreateUserClientAsync("late", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "keep", overlap: 2);
        foreach (var user in new[] { first, second, late })
        {
            await AddMemberAsync(manager, project.Id, user.UserId);
        }
        var ids = await ImportAsync(manager, project.Id,
            [new { text = "Same words." }, new { text = "same  words." }, new { text = "SAME WORDS." }, new { text = "Something else entirely." }]);
        var url = $"/api/v1/projects/{project.Id}/cleansing/duplicates";

        // "first" answers everything; "second" answers the first item and is labeling the second when the decision comes.
        while (await NextAsync(first, project.Id) is { } task)
        {
            await first.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive"))));
        }
        var secondsFirst = (await NextAsync(second, project.Id))!;
        Assert.Equal(ids[0], secondsFirst.ItemId);
        var secondsAnswer = await second.PostAsync<SubmitResult>($"/api/v1/tasks/{secondsFirst.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "negative"))));
        var held = (await NextAsync(second, project.Id))!;
        Assert.Equal(ids[1], held.ItemId);

        await SearchAsync(manager, url, new { kind = "Exact" });
        var group = (await manager.GetAsync<DuplicateGroupPage>(url)).Groups.Single();
        Assert.Equal(ids[..3], group.Members.Select(m => m.ItemId));
        Assert.Equal(["negative", "positive"], group.Members[0].Answers.Select(a => a.Values["sentiment"].GetString()).Order());
        await AssertBadRequestAsync(manager.PostRawAsync($"{url}/{group.Id}/keep", new { itemId = ids[3] }), "itemId");
        await AssertBadRequestAsync(manager.PostRawAsync($"{url}/{group.Id}/keep", new { }), "itemId");

        // Keep the third: "second"'s answer on the first comes over ("first" answered the third already), and the lease ends.
        var kept = await manager.PostAsync<DuplicateDecisionResult>($"{url}/{group.Id}/keep", new { itemId = ids[2] });
        Assert.Equal((2, 1, 2, 1), (kept.Excluded, kept.Carried, kept.NotCarried, kept.LeasesEnded));
        Assert.Equal((DuplicateDecision.KeepOne, ids[2]), (kept.Group.Decision, kept.Group.KeptItemId));
        Assert.Equal([null, ids[2], ids[2]], kept.Group.Members.OrderBy(m => m.ItemId == ids[2] ? 0 : 1).Select(m => m.DuplicateOfItemId));
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostRawAsync($"{url}/{group.Id}/keep", new { itemId = ids[2] })).StatusCode);
        Annotation carried;
        await using (var db = app.CreateDbContext())
        {
            carried = await db.Annotations.AsNoTracking().SingleAsync(a => a.ItemId == ids[2] && a.AnnotatorId == second.UserId);
            Assert.True(carried.IsCurrent);
            Assert.Equal((AnnotationReason.Cleansing, manager.UserId, "negative"), (carried.Reason, carried.AuthorId, carried.Values["sentiment"].GetString()));
            Assert.StartsWith(DuplicateService.CarryMarker(group.Id), carried.Comment);
            var original = await db.Annotations.AsNoTracking().SingleAsync(a => a.Id == secondsAnswer.AnnotationId);
            Assert.True(original.IsCurrent);
            Assert.Equal(AssignmentState.Expired, (await db.Assignments.SingleAsync(a => a.Id == held.AssignmentId)).State);
            Assert.All(await db.Items.Where(i => i.Id == ids[0] || i.Id == ids[1]).ToListAsync(), i => Assert.True(i.TakenSlots >= DuplicateService.ExcludedSlots));
            Assert.Equal(FindingState.Accepted, (await db.CleansingFindings.SingleAsync(f => f.Code == DuplicateSearch.FindingCode(group.Id))).State);
        }

        // "second" is not handed the kept item to answer twice, nor the excluded one; the excluded second item has a free
        // slot ("first" alone answered it), but nobody gets it.
        var secondsNext = (await NextAsync(second, project.Id))!;
        Assert.Equal(ids[3], secondsNext.ItemId);
        await second.PostAsync<SubmitResult>($"/api/v1/tasks/{secondsNext.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "neutral"))));
        Assert.Null(await NextAsync(late, project.Id));

        // Undo: the excluded items come back, the carried answer is withdrawn (kept in the history), the finding reopens.
        var undone = await manager.PostAsync<DuplicateDecisionResult>($"{url}/{group.Id}/undo", new { });
        Assert.Equal((2, 1), (undone.Excluded, undone.Carried));
        Assert.Equal(DuplicateDecision.Open, undone.Group.Decision);
        Assert.All(undone.Group.Members, m => Assert.Null(m.DuplicateOfItemId));
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostRawAsync($"{url}/{group.Id}/undo", new { })).StatusCode);
        await using (var db = app.CreateDbContext())
        {
            Assert.False((await db.Annotations.AsNoTracking().SingleAsync(a => a.Id == carried.Id)).IsCurrent);
            Assert.Equal(FindingState.Open, (await db.CleansingFindings.SingleAsync(f => f.Code == DuplicateSearch.FindingCode(group.Id))).State);
            Assert.Equal([2, 1, 1], await db.Items.Where(i => ids.Take(3).Contains(i.Id)).OrderBy(i => i.Id).Select(i => i.TakenSlots).ToListAsync());
        }
        Assert.Equal(ids[1], (await NextAsync(late, project.Id))?.ItemId);

        // Kept again, then "second" revises the carried answer: undo would throw that work away, so it is refused.
        var keptAgain = await manager.PostAsync<DuplicateDecisionResult>($"{url}/{group.Id}/keep", new { itemId = ids[2] });
        Assert.Equal(1, keptAgain.Carried);
        long carriedAgain;
        await using (var db = app.CreateDbContext())
        {
            carriedAgain = await db.Annotations.Where(a => a.ItemId == ids[2] && a.AnnotatorId == second.UserId && a.IsCurrent).Select(a => a.Id).SingleAsync();
        }
        await ApiClient.EnsureAsync(await second.PostRawAsync($"/api/v1/annotations/{carriedAgain}/revise", new ReviseRequest(Values(("sentiment", "neutral")))));
        var refused = await manager.PostRawAsync($"{url}/{group.Id}/undo", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("can no longer be undone", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(DuplicateDecision.KeepOne, (await manager.GetAsync<DuplicateGroupView>($"{url}/{group.Id}")).Decision);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Resized_and_recompressed_copies_of_an_image_are_grouped_and_different_images_are_not(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "images", overlap: 1);
        var boot = FashionMnist("boot-0.png");
        var trouser = FashionMnist("trouser-2.png");
        var zip = TestImages.Zip(
            ("boot.png", boot),
            ("trouser.png", trouser),
            ("dress.png", FashionMnist("dress-13.png")),
            ("bag.png", FashionMnist("bag-18.png")),
            ("boot-x2.png", Resized(boot, 2.0, SKEncodedImageFormat.Png, 100)),
            ("boot-q75.jpg", Resized(boot, 1.0, SKEncodedImageFormat.Jpeg, 75)),
            ("trouser-small.jpg", Resized(trouser, 0.75, SKEncodedImageFormat.Jpeg, 90)));
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent(zip), "file", "fashion.zip");
            var response = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/imports", form);
            await ApiClient.EnsureAsync(response);
            var import = (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
            Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        }
        Dictionary<string, long> idOf;
        await using (var db = app.CreateDbContext())
        {
            idOf = (await db.Items.Where(i => i.ProjectId == project.Id).ToListAsync()).ToDictionary(i => i.Data["file_name"].GetString()!, i => i.Id);
        }
        var url = $"/api/v1/projects/{project.Id}/cleansing/duplicates";
        Assert.Equal(DuplicateKind.Image, await app.Service<DuplicateService>().SuggestedKindAsync(new Actor(manager.UserId, new HashSet<string> { Roles.Manager }), project.Id));

        var result = await SearchAsync(manager, url, new { kind = "Image", hash = "PHash", maxDistance = 8 });
        Assert.Equal((7, 0, 2, 5), (result.Items, result.Skipped, result.Groups, result.ItemsInGroups));
        var groups = (await manager.GetAsync<DuplicateGroupPage>($"{url}?kind=image")).Groups;
        Assert.Equal(
            new[] { new[] { idOf["boot.png"], idOf["boot-x2.png"], idOf["boot-q75.jpg"] }.Order().ToArray(), new[] { idOf["trouser.png"], idOf["trouser-small.jpg"] }.Order().ToArray() },
            groups.Select(g => g.Members.Select(m => m.ItemId).Order().ToArray()));
        Assert.All(groups, g => Assert.All(g.Members, m => Assert.InRange(m.Similarity, 1 - (8 / 64.0), 1)));
        Assert.All(groups.SelectMany(g => g.Members), m => Assert.StartsWith($"/api/v1/projects/{project.Id}/media/", m.ImageUrl));
        Assert.Contains("within 8 bits of PHash", groups[0].Reason, StringComparison.Ordinal);
    }

    private static async Task<long[]> ImportAsync(ApiClient manager, Guid projectId, object[] items)
    {
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{projectId}/items", items);
        var done = await WaitForJobAsync(manager, import.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        var page = await manager.GetAsync<LabelHub.Web.Api.ItemPage>($"/api/v1/projects/{projectId}/items?limit=100");
        Assert.Equal(items.Length, page.Items.Count);
        return [.. page.Items.Select(i => i.Id).Order()];
    }

    private static async Task<DuplicateSearchResult> SearchAsync(ApiClient manager, string url, object body)
    {
        var response = await manager.PostRawAsync(url, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        var done = await WaitForJobAsync(manager, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        return CleansingJobs.Duplicates.ReadResult(done)!;
    }

    private static async Task<LabelingTask?> NextAsync(ApiClient annotator, Guid projectId)
    {
        var response = await annotator.Http.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json) : null;
    }

    private static async Task AssertBadRequestAsync(Task<HttpResponseMessage> call, string field)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        using var problem = JsonDocument.Parse(body);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), body);
    }

    private static byte[] FashionMnist(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LabelHub.sln")))
        {
            directory = directory.Parent;
        }
        return File.ReadAllBytes(Path.Combine(directory!.FullName, "tests", "LabelHub.Workers.Tests", "TestData", "fashion-mnist", name));
    }

    private static byte[] Resized(byte[] png, double scale, SKEncodedImageFormat format, int quality)
    {
        using var source = SKBitmap.Decode(png);
        var info = new SKImageInfo((int)Math.Round(source.Width * scale), (int)Math.Round(source.Height * scale), SKColorType.Rgba8888, SKAlphaType.Premul);
        using var resized = source.Resize(info, SKFilterQuality.High);
        using var image = SKImage.FromBitmap(resized);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }
}
