using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LabelHub.Domain;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;
using static LabelHub.IntegrationTests.Api.ReleaseTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// Cutting a release (ADR 0020) on both databases: final answers by majority with ties left out, splits planned from a
/// seed, the manifest's hash, the next release keeping every earlier item in its split, and a cut that is reproducible.
/// </summary>
public sealed class ReleaseCutTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_release_holds_the_majority_answers_in_seeded_splits_and_the_next_one_keeps_them(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var actor = new Actor(manager.UserId, new HashSet<string> { Roles.Manager });
        var project = await CreateProjectAsync(manager, "Reviews", overlap: 2);
        var annotators = new List<ApiClient>();
        foreach (var name in new[] { "ann", "bob" })
        {
            var annotator = await app.CreateUserClientAsync(name, Roles.Annotator);
            await AddMemberAsync(manager, project.Id, annotator.UserId);
            annotators.Add(annotator);
        }
        // 40 texts; the two annotators agree except on texts whose number ends in 7 (a 1–1 tie: no final answer).
        await ImportTextsAsync(manager, project.Id, Enumerable.Range(0, 40).Select(n => $"review {n}"));
        await AnswerAllAsync(project.Id, annotators, (text, a) => Number(text) % 10 == 7 && a == 1 ? "neutral" : (Number(text) % 3 == 0 ? "negative" : "positive"));

        var service = app.Service<ReleaseService>();
        var first = await CutReleaseAsync(app, manager, actor, project.Id, new ReleaseRequest(Split: new SplitSettings { Seed = "s1" }));
        Assert.Equal((1, 36, 4), (first.Number, first.Items, first.Left));
        await using (var db = app.CreateDbContext())
        {
            var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == first.ReleaseId);
            Assert.Equal(ReleaseState.Ready, release.State);
            // The four tied items are left out, and the datasheet says they await adjudication.
            Assert.Contains("- Tied fields left without a final answer: sentiment (4)", release.Datasheet, StringComparison.Ordinal);
            var rows = await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == release.Id).OrderBy(i => i.ItemId).ToListAsync();
            var items = await db.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).ToDictionaryAsync(i => i.Id);
            Assert.Equal(36, rows.Count);
            Assert.DoesNotContain(rows, r => Number(items[r.ItemId].Data["text"].GetString()!) % 10 == 7);
            foreach (var row in rows)
            {
                var answers = JsonSerializer.Deserialize<Dictionary<string, FinalAnswer>>(row.AnswersJson, LabelHubApp.Json)!;
                var sentiment = answers["sentiment"];
                Assert.Equal(Number(items[row.ItemId].Data["text"].GetString()!) % 3 == 0 ? "negative" : "positive", sentiment.Value.GetString());
                Assert.Equal((FinalAnswerSource.Majority, 1.0, 2), (sentiment.Source, sentiment.Confidence, sentiment.FromAnnotationIds.Count));
                Assert.Equal(items[row.ItemId].ContentHash, row.ContentHash);
            }
            // The manifest: every item's id, split and content hash, a line each in item order.
            var manifest = string.Concat(rows.Select(r => FormattableString.Invariant($"{r.ItemId}\t{SplitNames.All[r.Split]}\t{r.ContentHash}\n")));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest))), release.ManifestSha256);
            Assert.Equal(first.ManifestSha256, release.ManifestSha256);
            Assert.Equal(36, first.Split.Splits.Sum(s => s.Items));
        }

        // The same settings on the same data cut the same release.
        var again = await CutReleaseAsync(app, manager, actor, project.Id, new ReleaseRequest(Split: new SplitSettings { Seed = "s1" }));
        Assert.Equal((2, first.ManifestSha256), (again.Number, again.ManifestSha256));

        // The project grows: release 3 keeps every item of release 2 in its split; a new seed would only place new items.
        await ImportTextsAsync(manager, project.Id, Enumerable.Range(40, 20).Select(n => $"review {n}"));
        await AnswerAllAsync(project.Id, annotators, (text, _) => "neutral");
        // The preview (through the API) shows what the cut then gives: the same sizes and label balance, writing nothing.
        var preview = await manager.PostAsync<ReleasePreview>($"/api/v1/projects/{project.Id}/releases/preview", new { split = new { seed = "another seed" } });
        var third = await CutReleaseAsync(app, manager, actor, project.Id, new ReleaseRequest(Split: new SplitSettings { Seed = "another seed" }));
        Assert.Equal((3, 56, 36, 20), (third.Number, third.Items, third.Split.KeptItems, third.Split.NewItems));
        Assert.Equal((third.Items, third.Left, "sentiment"), (preview.Items, preview.Left, preview.Settings.Split.LabelField));
        Assert.Equal(JsonSerializer.Serialize(third.Split, LabelHubApp.Json), JsonSerializer.Serialize(preview.Split, LabelHubApp.Json));
        Assert.Equal(JsonSerializer.Serialize(third.Split, LabelHubApp.Json), JsonSerializer.Serialize((await service.GetAsync(actor, project.Id, 3)).Split, LabelHubApp.Json));
        await using (var db = app.CreateDbContext())
        {
            var before = await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == again.ReleaseId).ToDictionaryAsync(i => i.ItemId, i => i.Split);
            var after = await db.ReleaseItems.AsNoTracking().Where(i => i.ReleaseId == third.ReleaseId).ToDictionaryAsync(i => i.ItemId, i => i.Split);
            Assert.All(before, p => Assert.Equal(p.Value, after[p.Key]));
            Assert.Equal(again.ReleaseId, (await db.Releases.AsNoTracking().SingleAsync(r => r.Id == third.ReleaseId)).PreviousReleaseId);
        }
        Assert.Equal([3, 2, 1], (await service.ListAsync(actor, project.Id)).Select(r => r.Number));
        Assert.Equal("another seed", (await service.GetAsync(actor, project.Id, 3)).Settings!.Split.Seed);

        // Bad settings name their field; nothing is numbered for them.
        var bad = await Assert.ThrowsAsync<ValidationException>(() => service.StartAsync(actor, project.Id, new ReleaseRequest(new ReleaseFilter(MinConfidence: 2))));
        Assert.Contains("filter.minConfidence", bad.Errors.Keys);
        bad = await Assert.ThrowsAsync<ValidationException>(() => service.StartAsync(actor, project.Id,
            new ReleaseRequest(Split: new SplitSettings { Seed = "x", Mode = SplitMode.Stratified, LabelField = "note" })));
        Assert.Contains("split.labelField", bad.Errors.Keys);
        Assert.Equal(3, (await service.ListAsync(actor, project.Id)).Count);

        // The same through the API: a 400 naming the field, the list, one release, 404 for a number never cut.
        using var refused = await manager.PostRawAsync($"/api/v1/projects/{project.Id}/releases", new { split = new { seed = "" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("split.seed", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var listed = await manager.GetAsync<List<ReleaseInfo>>($"/api/v1/projects/{project.Id}/releases");
        Assert.Equal([3, 2, 1], listed.Select(r => r.Number));
        Assert.All(listed, r => Assert.Equal(ReleaseState.Ready, r.State));
        var one = await manager.GetAsync<ReleaseInfo>($"/api/v1/projects/{project.Id}/releases/1");
        Assert.Equal((first.ManifestSha256, 36), (one.ManifestSha256, one.ItemCount));
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/releases/9")).StatusCode);
        var started = await manager.Http.PostAsJsonAsync($"/api/v1/projects/{project.Id}/releases", new { }, LabelHubApp.Json);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var cut = await WaitForJobAsync(manager, (await started.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id, timeoutSeconds: 120);
        Assert.Equal(4, ReleaseJobs.Cut.ReadResult(cut)!.Number);

        // Downloads: the same bytes every time, the format's files and the manifest; formats the schema cannot hold say why.
        var url = $"/api/v1/projects/{project.Id}/releases/1/download";
        var jsonl = await manager.Http.GetByteArrayAsync($"{url}?format=jsonl");
        Assert.Equal(jsonl, await manager.Http.GetByteArrayAsync($"{url}?format=JSONL"));
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(jsonl)))
        {
            Assert.Equal(["release.jsonl", "datasheet.md", "datasheet.ko.md", "manifest.jsonl"], zip.Entries.Select(e => e.FullName));
            var lines = ReadLines(zip, "release.jsonl");
            Assert.Equal(36, lines.Count);
            Assert.All(lines, l => Assert.Contains(l.GetProperty("answers").GetProperty("sentiment").GetString(), new[] { "positive", "negative" }));
            var manifest = ReadLines(zip, "manifest.jsonl");
            Assert.Equal(first.ManifestSha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(manifest.Select(m =>
                FormattableString.Invariant($"{m.GetProperty("item_id").GetInt64()}\t{m.GetProperty("split").GetString()}\t{m.GetProperty("content_hash").GetString()}\n")))))));
        }
        // Release 2 was cut again from the same data with the same settings: its data files are the same bytes as release 1's.
        var againJsonl = await manager.Http.GetByteArrayAsync($"/api/v1/projects/{project.Id}/releases/2/download?format=jsonl");
        Assert.Equal(Entry(jsonl, "release.jsonl"), Entry(againJsonl, "release.jsonl"));
        Assert.Equal(Entry(jsonl, "manifest.jsonl"), Entry(againJsonl, "manifest.jsonl"));
        Assert.Equal(HttpStatusCode.OK, (await manager.Http.GetAsync($"{url}?format=labelstudio")).StatusCode);
        foreach (var (format, status) in new[] { ("coco", HttpStatusCode.BadRequest), ("parquet", HttpStatusCode.BadRequest), ("", HttpStatusCode.BadRequest) })
        {
            using var response = await manager.Http.GetAsync($"{url}?format={format}");
            Assert.Equal(status, response.StatusCode);
            Assert.Contains("\"format\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/releases/9/download?format=jsonl")).StatusCode);
    }

    private static byte[] Entry(byte[] archive, string path)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(archive));
        using var entry = zip.GetEntry(path)!.Open();
        using var bytes = new MemoryStream();
        entry.CopyTo(bytes);
        return bytes.ToArray();
    }

    private static List<JsonElement> ReadLines(System.IO.Compression.ZipArchive zip, string path)
    {
        using var reader = new StreamReader(zip.GetEntry(path)!.Open());
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static int Number(string text) => int.Parse(text["review ".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task AnswerAllAsync(Guid projectId, List<ApiClient> annotators, Func<string, int, string> label)
    {
        for (var a = 0; a < annotators.Count; a++)
        {
            while (await annotators[a].Http.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
            {
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                await annotators[a].PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                    new SubmitRequest(Values(("sentiment", label(task.Data["text"].GetString()!, a)))));
            }
        }
    }
}
