using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// A cut longer than the cutter's page (ADR 0020): items are read and rows bulk-written page by page, so every page
/// boundary — items without answers, ties left out, answers of one item never split from it — must give each kept item
/// exactly one row, with its own answer, on both databases; the next release keeps all of them in their splits.
/// </summary>
public sealed class ReleaseCutPagingTests
{
    private static readonly ReleaseRequest Request = new(Split: new SplitSettings { Seed = "pages", Mode = SplitMode.Stratified });

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_cut_of_more_than_two_pages_writes_every_kept_item_exactly_once(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var actor = new Actor(manager.UserId, new HashSet<string> { Roles.Manager });
        var project = await CreateProjectAsync(manager, "Many", overlap: 2);
        var ann = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var bob = await app.CreateUserClientAsync("bob", Roles.Annotator);
        const int count = (3 * ReleaseCutter.PageSize) + 123;
        string[] labels = ["positive", "negative", "neutral"];
        // Item n: no answers when n % 13 == 0; a 1–1 tie when n % 10 == 7; else both annotators give labels[n % 3].
        static bool Kept(int n) => n % 13 != 0 && n % 10 != 7;

        long[] ids;
        await using (var db = app.CreateDbContext())
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var now = DateTimeOffset.UtcNow;
            var items = Enumerable.Range(0, count).Select(n => new Item
            {
                ProjectId = project.Id,
                Data = new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement($"review {n}") },
                ContentHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"review {n}"))),
                CreatedAt = now,
            }).ToList();
            db.Items.AddRange(items);
            await db.SaveChangesAsync();
            ids = [.. items.Select(i => i.Id)];
            Annotation AnswerOf(int n, Guid annotator, string label) => new()
            {
                ProjectId = project.Id,
                ItemId = ids[n],
                AnnotatorId = annotator,
                AuthorId = annotator,
                Version = 1,
                IsCurrent = true,
                Reason = AnnotationReason.Submit,
                Values = new Dictionary<string, JsonElement> { ["sentiment"] = JsonSerializer.SerializeToElement(label) },
                ReviewStatus = ReviewStatus.Unreviewed,
                CreatedAt = now,
            };
            db.Annotations.AddRange(Enumerable.Range(0, count).Where(n => n % 13 != 0).SelectMany(n => new[]
            {
                AnswerOf(n, ann.UserId, labels[n % 3]),
                AnswerOf(n, bob.UserId, n % 10 == 7 ? labels[(n + 1) % 3] : labels[n % 3]),
            }));
            await db.SaveChangesAsync();
        }

        var first = await ReleaseTestHelpers.CutReleaseAsync(app, manager, actor, project.Id, Request);
        var expected = Enumerable.Range(0, count).Where(Kept).ToList();
        Assert.True(expected.Count > 2 * ReleaseCutter.PageSize);
        Assert.Equal((expected.Count, count - expected.Count), (first.Items, first.Left));
        await using (var db = app.CreateDbContext())
        {
            var rows = await db.ReleaseItems.AsNoTracking().Where(r => r.ReleaseId == first.ReleaseId).OrderBy(r => r.ItemId).ToListAsync();
            Assert.Equal(expected.Select(n => ids[n]), rows.Select(r => r.ItemId));
            var numberOf = ids.Select((id, n) => (id, n)).ToDictionary(p => p.id, p => p.n);
            foreach (var row in rows)
            {
                var answer = JsonSerializer.Deserialize<Dictionary<string, FinalAnswer>>(row.AnswersJson, LabelHubApp.Json)!["sentiment"];
                Assert.Equal(labels[numberOf[row.ItemId] % 3], answer.Value.GetString());
                Assert.Equal(2, answer.FromAnnotationIds.Count);
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"review {numberOf[row.ItemId]}"))), row.ContentHash);
            }
            var manifest = string.Concat(rows.Select(r => FormattableString.Invariant($"{r.ItemId}\t{SplitNames.All[r.Split]}\t{r.ContentHash}\n")));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest))), first.ManifestSha256);
            Assert.Equal(expected.Count, (await db.Releases.AsNoTracking().SingleAsync(r => r.Id == first.ReleaseId)).ItemCount);
        }

        // The next release reads the previous one's splits across all its pages: nobody moves.
        var second = await ReleaseTestHelpers.CutReleaseAsync(app, manager, actor, project.Id, Request);
        Assert.Equal((expected.Count, expected.Count, 0, first.ManifestSha256), (second.Items, second.Split.KeptItems, second.Split.NewItems, second.ManifestSha256));
    }
}
