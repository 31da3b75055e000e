using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Synthesis;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.IntegrationTests.Synthesis;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// Issue 17, collect: every path that makes items records where they came from (an <see cref="ItemSource"/>) and gives
/// them their search text; plain .txt files and ZIPs of .txt files import; the sources API lists, corrects and balances.
/// </summary>
public sealed class SourceTests
{
    private static async Task<JobRunInfo> UploadWithSourceAsync(ApiClient client, Guid projectId, string fileName, byte[] content, params (string Name, string Value)[] fields)
    {
        using var response = await PostUploadAsync(client, projectId, fileName, content, fields);
        await ApiClient.EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
    }

    private static async Task<HttpResponseMessage> PostUploadAsync(ApiClient client, Guid projectId, string fileName, byte[] content, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        return await client.Http.PostAsync($"/api/v1/projects/{projectId}/imports", form);
    }

    private static async Task<(ItemSource Source, List<Item> Items)> SourceOfJobAsync(LabelHubApp app, Guid jobId)
    {
        await using var db = app.CreateDbContext();
        var source = await db.ItemSources.AsNoTracking().SingleAsync(s => s.ImportJobRunId == jobId);
        var items = await db.Items.AsNoTracking().Where(i => i.ImportJobRunId == jobId).OrderBy(i => i.Id).ToListAsync();
        return (source, items);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_txt_file_imports_one_item_per_line_under_the_source_the_form_names(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Reviews", overlap: 1)).Id;
        var text = "\uFEFFGreat phone\r\n\r\nBattery died\r\nGreat phone\r\nScreen is sharp";

        var job = await WaitForJobAsync(manager, (await UploadWithSourceAsync(manager, projectId, "reviews.txt", Encoding.UTF8.GetBytes(text),
            ("sourceName", "Shop reviews 2026-11"), ("sourceKind", "Crawl"), ("licence", "CC BY 4.0"), ("collectedOn", "2026-11-30"))).Id);

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal("Imported 3 items from reviews.txt. Skipped 1 exact duplicate (line 4).", job.Message);
        var (source, items) = await SourceOfJobAsync(app, job.Id);
        Assert.Equal(("Shop reviews 2026-11", SourceKind.Crawl, "CC BY 4.0", (DateOnly?)new DateOnly(2026, 11, 30), projectId, manager.UserId),
            (source.Name, source.Kind, source.Licence, source.CollectedOn, source.ProjectId, source.CreatedById));
        Assert.Equal([1, 3, 5], items.Select(i => i.SourceLine ?? 0));
        Assert.Equal(["Great phone", "Battery died", "Screen is sharp"], items.Select(i => i.Data["text"].GetString()));
        Assert.Equal(["Great phone", "Battery died", "Screen is sharp"], items.Select(i => i.SearchText));
        Assert.All(items, i => Assert.Equal(source.Id, i.SourceId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Every_import_path_records_one_source_its_items_carry(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Everything", overlap: 1)).Id;

        // A CSV with no source fields: the file's name, Upload.
        var csv = await WaitForJobAsync(manager, (await UploadAsync(manager, projectId, "batch-1.csv", "text,lang\nhello,en\n")).Id);
        // The API: "API", Api by default, or what the query names.
        var api = await manager.PostRawAsync($"/api/v1/projects/{projectId}/items", new[] { new { text = "from a script" } });
        var apiJob = await WaitForJobAsync(manager, (await api.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id);
        var named = await manager.PostRawAsync($"/api/v1/projects/{projectId}/items?sourceName=Partner%20feed&sourceKind=crowd&licence=proprietary&collectedOn=2026-12-01",
            new[] { new { text = "from a partner" } });
        var namedJob = await WaitForJobAsync(manager, (await named.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id);
        // A single image, a ZIP of images, a ZIP of .txt files, a Label Studio export.
        var image = await WaitForJobAsync(manager, (await UploadWithSourceAsync(manager, projectId, "cat.png", TestImages.Png(8, 8, 1, 2, 3))).Id);
        var images = await WaitForJobAsync(manager, (await UploadWithSourceAsync(manager, projectId, "photos.zip",
            TestImages.Zip(("a.png", TestImages.Png(9, 9, 4, 5, 6)), ("b.png", TestImages.Png(10, 10, 7, 8, 9))), ("sourceKind", "OpenDataset"))).Id);
        var texts = await WaitForJobAsync(manager, (await UploadWithSourceAsync(manager, projectId, "letters.zip",
            TestImages.Zip(("letters/one.txt", "Dear Sir,\nthanks."u8.ToArray()), ("letters/two.txt", "Hello again"u8.ToArray())))).Id);
        var studio = await WaitForJobAsync(manager, (await UploadAsync(manager, projectId, "ls.json",
            """[{"id": 7, "data": {"text": "from Label Studio"}, "annotations": []}]""")).Id);

        Assert.All(new[] { csv, apiJob, namedJob, image, images, texts, studio }, j => Assert.Equal(JobState.Succeeded, j.State));
        var expected = new (JobRunInfo Job, string Name, SourceKind Kind, string Licence, int Items, string? SearchText)[]
        {
            (csv, "batch-1.csv", SourceKind.Upload, "", 1, "hello"),
            (apiJob, "API", SourceKind.Api, "", 1, "from a script"),
            (namedJob, "Partner feed", SourceKind.Crowd, "proprietary", 1, "from a partner"),
            (image, "cat.png", SourceKind.Upload, "", 1, null),
            (images, "photos.zip", SourceKind.OpenDataset, "", 2, null),
            (texts, "letters.zip", SourceKind.Upload, "", 2, "Dear Sir,\nthanks."),
            (studio, "ls.json", SourceKind.Upload, "", 1, "from Label Studio"),
        };
        foreach (var (job, name, kind, licence, count, searchText) in expected)
        {
            var (source, items) = await SourceOfJobAsync(app, job.Id);
            Assert.Equal((name, kind, licence), (source.Name, source.Kind, source.Licence));
            Assert.Equal(count, items.Count);
            Assert.All(items, i => Assert.Equal(source.Id, i.SourceId));
            Assert.All(items, i => Assert.False(string.IsNullOrEmpty(i.SearchText)));
            if (searchText is not null)
            {
                Assert.Equal(searchText, items[0].SearchText);
            }
        }
        var letters = (await SourceOfJobAsync(app, texts.Id)).Items;
        Assert.Equal(["letters/one.txt", "letters/two.txt"], letters.Select(i => i.Data["file"].GetString()));
        Assert.Equal(new DateOnly(2026, 12, 1), (await SourceOfJobAsync(app, namedJob.Id)).Source.CollectedOn);
        // The image items are searched by their file name.
        Assert.Contains("cat.png", (await SourceOfJobAsync(app, image.Id)).Items[0].SearchText, StringComparison.Ordinal);

        // The list: every source once, with its items.
        var listed = await manager.GetAsync<List<SourceInfo>>($"/api/v1/projects/{projectId}/sources");
        Assert.Equal(["batch-1.csv", "API", "Partner feed", "cat.png", "photos.zip", "letters.zip", "ls.json"], listed.Select(s => s.Name));
        Assert.Equal([1, 1, 1, 1, 2, 2, 1], listed.Select(s => s.ItemCount));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_zip_mixing_images_and_txt_files_imports_nothing_and_names_the_entry(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Mixed", overlap: 1)).Id;

        var job = await WaitForJobAsync(manager, (await UploadWithSourceAsync(manager, projectId, "mixed.zip",
            TestImages.Zip(("note.txt", "a note"u8.ToArray()), ("photo.png", TestImages.Png(8, 8, 1, 1, 1))))).Id);

        Assert.Equal(JobState.Failed, job.State);
        var result = JsonSerializer.Deserialize<ImportResult>(job.Result!, LabelHubApp.Json)!;
        Assert.Equal([new ImportRowError(1, "\"note.txt\": it is a .txt file; an archive holds either images or .txt files, not both")], result.Errors);
        await using var db = app.CreateDbContext();
        Assert.False(await db.Items.IgnoreQueryFilters().AnyAsync(i => i.ProjectId == projectId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_rerun_of_an_import_replaces_its_items_under_the_same_source(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Re-run", overlap: 1)).Id;
        var upload = await app.Service<StoredFileService>().SaveAsync(projectId, manager.UserId, "lines.txt", "text/plain", new MemoryStream("one\ntwo\n"u8.ToArray()));
        var run = new JobRun { Id = Guid.CreateVersion7(), Kind = CollectionJobs.Import.Kind, ProjectId = projectId, RequestedById = manager.UserId, CreatedAt = DateTimeOffset.UtcNow };
        var parameters = new ImportParameters(upload.Id, upload.FileName, ItemFileFormat.Text, new ImportSource("Lines", SourceKind.Crawl));
        var importer = app.Service<ItemImporter>();

        // A first attempt killed while its items were still pending, then the re-run, then a re-run after it finished.
        Assert.True((await importer.RunAsync(run, parameters, new NoProgress(), CancellationToken.None)).Succeeded);
        await using (var db = app.CreateDbContext())
        {
            await db.Items.IgnoreQueryFilters().Where(i => i.ImportJobRunId == run.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.TakenSlots, Item.PendingSlots));
        }
        Assert.Equal(2, (await importer.RunAsync(run, parameters, new NoProgress(), CancellationToken.None)).Result!.Imported);
        Assert.Equal(2, (await importer.RunAsync(run, parameters, new NoProgress(), CancellationToken.None)).Result!.Imported);

        await using var check = app.CreateDbContext();
        var source = await check.ItemSources.SingleAsync(s => s.ProjectId == projectId);
        Assert.Equal(("Lines", SourceKind.Crawl, run.Id), (source.Name, source.Kind, source.ImportJobRunId));
        Assert.Equal([source.Id, source.Id], await check.Items.Where(i => i.ProjectId == projectId).Select(i => i.SourceId).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_generator_run_records_one_synthetic_source_for_all_its_items(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var project = await SynthesisTestProject.CreateAsync(app, 0);
        var (generator, _) = await project.AddGeneratorAsync(app, new GeneratorSettings());
        var data = app.Service<SynthesisData>();
        var run = Guid.CreateVersion7();

        await data.AddSyntheticItemsAsync(project.ProjectId, run, generator, [new SyntheticSample("Bag", 1, SynthesisDataTests.Png(1))], CancellationToken.None);
        await data.AddSyntheticItemsAsync(project.ProjectId, run, generator, [new SyntheticSample("Sandal", 2, SynthesisDataTests.Png(2))], CancellationToken.None);

        await using var db = app.CreateDbContext();
        var source = await db.ItemSources.SingleAsync(s => s.ImportJobRunId == run);
        Assert.Equal((SourceKind.Synthetic, $"{generator.Name} v{generator.Version}"), (source.Kind, source.Name));
        var items = await db.Items.IgnoreQueryFilters().Where(i => i.ImportJobRunId == run).ToListAsync();
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal(source.Id, i.SourceId));
        Assert.All(items, i => Assert.Contains("synthetic-v", i.SearchText, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_bad_source_kind_or_date_is_refused_naming_the_field_and_nothing_starts(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Bad", overlap: 1)).Id;

        using var badKind = await PostUploadAsync(manager, projectId, "a.txt", "x"u8.ToArray(), ("sourceKind", "scraped"));
        using var badDate = await manager.PostRawAsync($"/api/v1/projects/{projectId}/items?collectedOn=31.12.2026", new[] { new { text = "x" } });
        using var badApiKind = await manager.PostRawAsync($"/api/v1/projects/{projectId}/items?sourceKind=7", new[] { new { text = "x" } });

        foreach (var (response, field) in new[] { (badKind, "sourceKind"), (badDate, "collectedOn"), (badApiKind, "sourceKind") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        await using var db = app.CreateDbContext();
        Assert.False(await db.JobRuns.AnyAsync(r => r.ProjectId == projectId));
        Assert.False(await db.ItemSources.AnyAsync(s => s.ProjectId == projectId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_manager_corrects_a_source_and_bad_values_are_refused_by_field(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Correct", overlap: 1)).Id;
        var other = (await CreateProjectAsync(manager, "Other", overlap: 1)).Id;
        await WaitForJobAsync(manager, (await UploadAsync(manager, projectId, "a.txt", "one\ntwo\n")).Id);
        var source = (await manager.GetAsync<List<SourceInfo>>($"/api/v1/projects/{projectId}/sources")).Single();

        using var patched = await manager.Http.PatchAsJsonAsync($"/api/v1/projects/{projectId}/sources/{source.Id}",
            new SourceUpdate("Forum crawl", "Crawl", "CC BY-SA 4.0", "2026-10-01"), LabelHubApp.Json);
        await ApiClient.EnsureAsync(patched);
        var updated = (await patched.Content.ReadFromJsonAsync<SourceInfo>(LabelHubApp.Json))!;
        Assert.Equal(("Forum crawl", SourceKind.Crawl, "CC BY-SA 4.0", (DateOnly?)new DateOnly(2026, 10, 1), 2), (updated.Name, updated.Kind, updated.Licence, updated.CollectedOn, updated.ItemCount));
        // Members left out stay; an empty date clears it.
        using var cleared = await manager.Http.PatchAsJsonAsync($"/api/v1/projects/{projectId}/sources/{source.Id}", new SourceUpdate(CollectedOn: ""), LabelHubApp.Json);
        Assert.Equal(("Forum crawl", (DateOnly?)null), ((await cleared.Content.ReadFromJsonAsync<SourceInfo>(LabelHubApp.Json))!.Name, (await manager.GetAsync<List<SourceInfo>>($"/api/v1/projects/{projectId}/sources")).Single().CollectedOn));

        foreach (var (update, field) in new[] { (new SourceUpdate(Name: " "), "name"), (new SourceUpdate(Kind: "spider"), "kind"), (new SourceUpdate(CollectedOn: "2026-13-01"), "collectedOn") })
        {
            using var response = await manager.Http.PatchAsJsonAsync($"/api/v1/projects/{projectId}/sources/{source.Id}", update, LabelHubApp.Json);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        }
        // Another project's address does not reach it.
        using var elsewhere = await manager.Http.PatchAsJsonAsync($"/api/v1/projects/{other}/sources/{source.Id}", new SourceUpdate(Name: "x"), LabelHubApp.Json);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_balance_counts_each_item_once_per_label_of_its_final_answer_per_source_and_flags_a_dominant_source(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var second = await app.CreateUserClientAsync("second", Roles.Annotator);
        var third = await app.CreateUserClientAsync("third", Roles.Annotator);
        var projectId = (await CreateProjectAsync(manager, "Balance", overlap: 3)).Id;
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await UploadAsync(manager, projectId, "news.txt", "n1\nn2\nn3\nn4\nn5\n")).Id)).State);
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await UploadAsync(manager, projectId, "forum.txt", "f1\nf2\n")).Id)).State);

        await using (var db = app.CreateDbContext())
        {
            var items = await db.Items.Where(i => i.ProjectId == projectId).ToDictionaryAsync(i => i.Data["text"].GetString()!, i => i);
            var annotators = new[] { manager.UserId, second.UserId, third.UserId };
            void Answer(string item, params string[] sentiments)
            {
                for (var i = 0; i < sentiments.Length; i++)
                {
                    db.Annotations.Add(new Annotation
                    {
                        ProjectId = projectId,
                        ItemId = items[item].Id,
                        AnnotatorId = annotators[i],
                        AuthorId = annotators[i],
                        Version = 1,
                        IsCurrent = true,
                        Values = Values(("sentiment", sentiments[i])),
                        CreatedAt = DateTimeOffset.UtcNow,
                    });
                }
            }
            // News: 4 positive (two by majority), 1 where annotators disagree (no final answer).
            Answer("n1", "positive");
            Answer("n2", "positive", "positive", "negative");
            Answer("n3", "positive", "negative", "positive");
            Answer("n4", "positive");
            Answer("n5", "positive", "negative");
            // Forum: one negative, and one gold item whose gold answer (positive) wins over its answers.
            Answer("f1", "negative");
            Answer("f2", "negative");
            items["f2"].IsGold = true;
            items["f2"].GoldAnswer = Values(("sentiment", "positive"));
            // A rejected answer does not count.
            db.Annotations.Add(new Annotation
            {
                ProjectId = projectId,
                ItemId = items["n5"].Id,
                AnnotatorId = third.UserId,
                AuthorId = third.UserId,
                Version = 1,
                IsCurrent = true,
                ReviewStatus = ReviewStatus.Rejected,
                Values = Values(("sentiment", "positive")),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var balance = await manager.GetAsync<SourceBalance>($"/api/v1/projects/{projectId}/sources/balance?field=sentiment");

        Assert.Equal(["positive", "negative", "neutral"], balance.Labels);
        Assert.Equal([5, 1, 0], balance.LabelTotals);
        Assert.Equal((7, 0.8), (balance.TotalItems, balance.MaxShare));
        Assert.Equal(["news.txt", "forum.txt"], balance.Sources.Select(s => s.Name));
        Assert.Equal([4, 0, 0], balance.Sources[0].Labels.Select(c => c.Count));
        Assert.Equal([1, 1, 0], balance.Sources[1].Labels.Select(c => c.Count));
        Assert.Equal([0.8, 0, 0], balance.Sources[0].Labels.Select(c => c.Share));
        Assert.Equal([0.2, 1.0, 0], balance.Sources[1].Labels.Select(c => c.Share));
        Assert.Equal(5 / 7.0, balance.Sources[0].ShareOfItems, 6);
        // Exactly 80 % is within the target; forum holds all of 'negative'.
        Assert.Equal([new SourceDominance(balance.Sources[1].SourceId, "forum.txt", "negative", 1.0)], balance.Dominant);
        Assert.True(balance.Sources[1].Labels[1].Dominant);

        // A stricter target flags news' positive and its share of all items too.
        await using (var db = app.CreateDbContext())
        {
            var project = await db.Projects.SingleAsync(p => p.Id == projectId);
            project.Targets = project.Targets with { MaxSourceShare = 0.7 };
            await db.SaveChangesAsync();
        }
        var strict = await manager.GetAsync<SourceBalance>($"/api/v1/projects/{projectId}/sources/balance?field=sentiment");
        Assert.Equal(new (string, string?)[] { ("forum.txt", "negative"), ("news.txt", "positive"), ("news.txt", null) },
            strict.Dominant.Select(d => (d.SourceName, d.Label)));

        // A multiple-choice field nobody answered has no labels yet; a field that is not a choice is refused by name.
        var topics = await manager.GetAsync<SourceBalance>($"/api/v1/projects/{projectId}/sources/balance?field=topics");
        Assert.Equal([0, 0, 0], topics.LabelTotals);
        using var note = await manager.Http.GetAsync($"/api/v1/projects/{projectId}/sources/balance?field=note");
        Assert.Equal(HttpStatusCode.BadRequest, note.StatusCode);
        Assert.True((await note.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("field", out _));
    }

    private sealed class NoProgress : IJobProgress
    {
        public Task ReportAsync(double fraction, string? message, CancellationToken ct) => Task.CompletedTask;
    }
}
