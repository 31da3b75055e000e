using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Synthesis;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;
using static LabelHub.IntegrationTests.Api.ReleaseTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// Synthetic items (issue 16) on both databases: annotators get them flagged with the generator and the class asked for;
/// a release leaves them out unless asked, and then keeps exactly those whose final answer is the class asked for,
/// saying why the others were left out, which generators made them, and where each came from in every row.
/// </summary>
public sealed class ReleaseSyntheticTests
{
    // Text → the class the generator was asked for (null: a collected item) and the annotator's answer (null: skipped).
    private static readonly Dictionary<string, (string? AskedFor, string? Answer)> Items = new(StringComparer.Ordinal)
    {
        ["real one"] = (null, "positive"),
        ["real two"] = (null, "negative"),
        ["synthetic confirmed positive"] = ("positive", "positive"),
        ["synthetic confirmed negative"] = ("negative", "negative"),
        ["synthetic rejected"] = ("positive", "negative"),
        ["synthetic unanswered"] = ("neutral", null),
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Synthetic_items_reach_annotators_flagged_and_releases_keep_only_the_confirmed_ones_when_asked(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var actor = new Actor(manager.UserId, new HashSet<string> { Roles.Manager });
        var project = await CreateProjectAsync(manager, "Shoes", overlap: 1);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        await ImportTextsAsync(manager, project.Id, Items.Keys);

        // A generator row as the synthesis stage leaves it, and its items pointing at it (with the suggestion it adds).
        var generatorId = Guid.NewGuid();
        Dictionary<string, long> ids;
        await using (var db = app.CreateDbContext())
        {
            db.Generators.Add(new Generator
            {
                Id = generatorId,
                ProjectId = project.Id,
                Version = 2,
                State = GeneratorState.Ready,
                Field = "sentiment",
                Labels = ["positive", "negative", "neutral"],
                ImageSide = 28,
                Channels = 1,
                JobRunId = Guid.NewGuid(),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
            var items = await db.Items.Where(i => i.ProjectId == project.Id).ToListAsync();
            ids = items.ToDictionary(i => i.Data["text"].GetString()!, i => i.Id, StringComparer.Ordinal);
            var seed = 100;
            foreach (var item in items.OrderBy(i => i.Id))
            {
                if (Items[item.Data["text"].GetString()!].AskedFor is { } askedFor)
                {
                    (item.SyntheticGeneratorId, item.SyntheticLabel, item.SyntheticSeed) = (generatorId, askedFor, seed++);
                }
            }
            db.Predictions.Add(new Prediction
            {
                ProjectId = project.Id,
                ItemId = ids["synthetic rejected"],
                ModelVersion = "LabelHub GAN v2",
                CreatedAt = DateTimeOffset.UtcNow,
                Values = Values(("sentiment", "positive")),
            });
            await db.SaveChangesAsync();
        }

        // tasks/next: the synthetic object for a synthetic item, null for a collected one; the class asked for is also a suggestion.
        var seen = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        while (await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(LabelHubApp.Json);
            var text = body.GetProperty("data").GetProperty("text").GetString()!;
            seen[text] = body.GetProperty("synthetic").Clone();
            var task = body.Deserialize<LabelingTask>(LabelHubApp.Json)!;
            if (text == "synthetic rejected")
            {
                var suggestion = Assert.Single(task.Suggestions!);
                Assert.Equal(("LabelHub GAN v2", "positive"), (suggestion.ModelVersion, suggestion.Values["sentiment"].GetString()));
            }
            if (Items[text].Answer is { } answer)
            {
                await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", answer))));
            }
            else
            {
                await ApiClient.EnsureAsync(await annotator.Http.PostAsync($"/api/v1/tasks/{task.AssignmentId}/skip", null));
            }
        }
        Assert.Equal(Items.Keys.Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
        foreach (var (text, (askedFor, _)) in Items)
        {
            if (askedFor is null)
            {
                Assert.Equal(JsonValueKind.Null, seen[text].ValueKind);
            }
            else
            {
                Assert.Equal(("LabelHub GAN v2", askedFor), (seen[text].GetProperty("generator").GetString(), seen[text].GetProperty("class").GetString()));
            }
        }

        // Reviewers see the same origin on the answers they review.
        var queue = await app.Service<ReviewService>().QueueAsync(actor, project.Id);
        Assert.Equal(5, queue.Entries.Count);
        Assert.All(queue.Entries, e => Assert.Equal(Items[e.ItemData["text"].GetString()!].AskedFor, e.Synthetic?.Class));
        Assert.All(queue.Entries.Where(e => e.Synthetic is not null), e => Assert.Equal("LabelHub GAN v2", e.Synthetic!.Generator));

        // The annotator's own recent answers, which they can revise, say so too.
        var mine = await annotator.GetAsync<MyWork>($"/api/v1/projects/{project.Id}/my-work");
        Assert.Equal(5, mine.Recent.Count);
        Assert.All(mine.Recent, a => Assert.Equal(Items[a.ItemData["text"].GetString()!].AskedFor, a.Synthetic?.Class));

        // The preview says how many synthetic items were left out and why, with and without asking for them (the API's request too).
        var service = app.Service<ReleaseService>();
        var without = await service.PreviewAsync(actor, project.Id, new ReleaseRequest());
        Assert.Equal((2, 4, 4, 0), (without.Items, without.Left, without.LeftSyntheticNotAskedFor, without.LeftSyntheticNotConfirmed));
        var with = await manager.PostAsync<ReleasePreview>($"/api/v1/projects/{project.Id}/releases/preview", new { filter = new { includeSynthetic = true } });
        Assert.Equal((4, 2, 0, 2, true), (with.Items, with.Left, with.LeftSyntheticNotAskedFor, with.LeftSyntheticNotConfirmed, with.Settings.Filter.IncludeSynthetic));

        // By default a release holds no synthetic item, and says nothing about them.
        var plain = await CutReleaseAsync(app, manager, actor, project.Id, new ReleaseRequest());
        Assert.Equal((2, 4), (plain.Items, plain.Left));
        await using (var db = app.CreateDbContext())
        {
            var released = await db.ReleaseItems.Where(r => r.ReleaseId == plain.ReleaseId).Select(r => r.ItemId).OrderBy(id => id).ToListAsync();
            Assert.Equal(new[] { ids["real one"], ids["real two"] }.Order(), released);
            var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == plain.ReleaseId);
            Assert.DoesNotContain("synthetic", release.Datasheet, StringComparison.Ordinal);
        }
        var plainZip = await manager.Http.GetByteArrayAsync($"/api/v1/projects/{project.Id}/releases/{plain.Number}/download?format=jsonl");
        Assert.All(Lines(plainZip, "manifest.jsonl").Concat(Lines(plainZip, "release.jsonl")), l => Assert.False(l.TryGetProperty("synthetic", out _)));

        // Asked for, it holds exactly the synthetic items whose final answer is the class asked for.
        var confirmed = await CutReleaseAsync(app, manager, actor, project.Id, new ReleaseRequest(new ReleaseFilter(IncludeSynthetic: true)));
        Assert.Equal((4, 2), (confirmed.Items, confirmed.Left));
        await using (var db = app.CreateDbContext())
        {
            var released = await db.ReleaseItems.Where(r => r.ReleaseId == confirmed.ReleaseId).Select(r => r.ItemId).OrderBy(id => id).ToListAsync();
            Assert.Equal(new[] { "real one", "real two", "synthetic confirmed positive", "synthetic confirmed negative" }.Select(t => ids[t]).Order(), released);
            var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == confirmed.ReleaseId);
            Assert.Contains("- Filter: items with a final answer to every required field; synthetic items people confirmed included", release.Datasheet, StringComparison.Ordinal);
            Assert.Contains("- 2 items are synthetic, not collected. Made by LabelHub GAN v2 (2); annotators confirmed that each shows the class it was generated for.",
                release.Datasheet, StringComparison.Ordinal);
            Assert.Contains("- 항목 2개는 수집하지 않고 생성한 합성 항목입니다. 생성기: LabelHub GAN v2 (2).", release.DatasheetKorean, StringComparison.Ordinal);
        }
        Assert.True((await service.GetAsync(actor, project.Id, confirmed.Number)).Settings!.Filter.IncludeSynthetic);

        // The manifest and the JSONL rows carry {generator, class, seed} for the synthetic items only.
        var zip = await manager.Http.GetByteArrayAsync($"/api/v1/projects/{project.Id}/releases/{confirmed.Number}/download?format=jsonl");
        foreach (var file in new[] { "manifest.jsonl", "release.jsonl" })
        {
            var lines = Lines(zip, file);
            Assert.Equal(4, lines.Count);
            foreach (var line in lines)
            {
                var id = line.GetProperty("item_id").GetInt64();
                var text = ids.Single(p => p.Value == id).Key;
                if (Items[text].AskedFor is { } askedFor)
                {
                    var origin = line.GetProperty("synthetic");
                    Assert.Equal(("LabelHub GAN v2", askedFor), (origin.GetProperty("generator").GetString(), origin.GetProperty("class").GetString()));
                    Assert.InRange(origin.GetProperty("seed").GetInt64(), 100, 103);
                }
                else
                {
                    Assert.False(line.TryGetProperty("synthetic", out _));
                }
            }
        }
        // CSV gets the three columns (blank for collected items) only because this release holds synthetic items.
        var csv = Encoding.UTF8.GetString(Entry(await manager.Http.GetByteArrayAsync($"/api/v1/projects/{project.Id}/releases/{confirmed.Number}/download?format=csv"), "release.csv"));
        Assert.EndsWith("synthetic.generator,synthetic.class,synthetic.seed", csv.Split('\n')[0].TrimEnd(), StringComparison.Ordinal);
        Assert.Contains(",LabelHub GAN v2,negative,", csv, StringComparison.Ordinal);
        var plainCsv = Encoding.UTF8.GetString(Entry(await manager.Http.GetByteArrayAsync($"/api/v1/projects/{project.Id}/releases/{plain.Number}/download?format=csv"), "release.csv"));
        Assert.DoesNotContain("synthetic", plainCsv, StringComparison.Ordinal);
    }

    private static byte[] Entry(byte[] archive, string path)
    {
        using var zip = new ZipArchive(new MemoryStream(archive));
        using var entry = zip.GetEntry(path)!.Open();
        using var bytes = new MemoryStream();
        entry.CopyTo(bytes);
        return bytes.ToArray();
    }

    private static List<JsonElement> Lines(byte[] archive, string path) =>
        [.. Encoding.UTF8.GetString(Entry(archive, path)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
}
