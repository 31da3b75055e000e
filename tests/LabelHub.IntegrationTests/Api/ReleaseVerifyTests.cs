using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The "reproducible releases" check on both databases: a cut records a matching check; a release row or an item changed
/// behind the application's back (raw SQL past the immutability trigger) makes "verify again" fail naming what differs;
/// the finalize KPI and stage follow the newest check.
/// </summary>
public sealed class ReleaseVerifyTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_cut_release_verifies_and_a_tampered_row_or_item_is_named_by_the_check_the_KPI_and_the_stage(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var actor = new Actor(manager.UserId, new HashSet<string> { Roles.Manager });
        var project = await CreateProjectAsync(manager, "Checked", overlap: 1);
        var ids = await SeedAnsweredItemsAsync(app, project.Id, manager.UserId, 30);

        // The cut checks the rows it wrote and records the check with the release.
        var cut = await ReleaseTestHelpers.CutReleaseAsync(app, manager, actor, project.Id, new ReleaseRequest(Split: new SplitSettings { Seed = "v" }));
        Assert.Equal(30, cut.Items);
        await using (var db = app.CreateDbContext())
        {
            var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == cut.ReleaseId);
            Assert.NotNull(release.VerifiedAt);
            Assert.Equal((release.ManifestSha256, (string?)null), (release.VerifiedSha256, release.VerificationProblem));
        }
        var info = await manager.GetAsync<ReleaseInfo>($"/api/v1/projects/{project.Id}/releases/1");
        Assert.Equal((true, (Guid?)null), (info.Check!.Matches, info.Check.JobRunId));
        await AssertFinalizeAsync(manager, project.Id, 1.0, StageState.Done);

        // Verify again: still matching, now the job's check.
        var again = await VerifyAsync(manager, project.Id);
        Assert.Equal((true, cut.ManifestSha256, (string?)null), (again.Matches, again.VerifiedSha256, again.Problem));

        // An item's content changed since the cut: the release can no longer be rebuilt from the project.
        var changed = ids[4];
        string hash;
        await using (var db = app.CreateDbContext())
        {
            hash = await db.Items.Where(i => i.Id == changed).Select(i => i.ContentHash).SingleAsync();
            await db.Items.Where(i => i.Id == changed).ExecuteUpdateAsync(s => s.SetProperty(i => i.ContentHash, new string('a', 64)));
        }
        var itemChanged = await VerifyAsync(manager, project.Id);
        Assert.False(itemChanged.Matches);
        Assert.Equal(cut.ManifestSha256, itemChanged.VerifiedSha256); // the rows themselves are as cut
        Assert.Equal($"Item {changed} changed since release 1 was cut: the release holds content hash {hash[..12]}, the item now has aaaaaaaaaaaa.", itemChanged.Problem);
        info = await manager.GetAsync<ReleaseInfo>($"/api/v1/projects/{project.Id}/releases/1");
        Assert.Equal((false, itemChanged.Problem), (info.Check!.Matches, info.Check.Problem));
        var finalize = await AssertFinalizeAsync(manager, project.Id, 0.0, StageState.NeedsAttention);
        Assert.Equal(new NextAction("See why release 1 does not reproduce", $"/projects/{project.Id}/releases/1"), finalize.Next);
        var list = await manager.GetAsync<List<ProjectSummary>>("/api/v1/projects");
        Assert.Equal(ProjectHealth.Red, list.Single(p => p.Id == project.Id).Health);
        await using (var db = app.CreateDbContext())
        {
            await db.Items.Where(i => i.Id == changed).ExecuteUpdateAsync(s => s.SetProperty(i => i.ContentHash, hash));
        }
        Assert.True((await VerifyAsync(manager, project.Id)).Matches);
        await AssertFinalizeAsync(manager, project.Id, 1.0, StageState.Done);

        // A release row rewritten past the trigger, the way someone with the database's owner rights could.
        await using (var db = app.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync(provider == "postgres"
                ? "ALTER TABLE release_items DISABLE TRIGGER release_items_guard"
                : "DROP TRIGGER release_items_no_update");
            var rowChanged = ids[17];
            await db.Database.ExecuteSqlAsync($"UPDATE release_items SET content_hash = {new string('b', 64)} WHERE release_id = {cut.ReleaseId} AND item_id = {rowChanged}");
            var rowCheck = await VerifyAsync(manager, project.Id);
            Assert.False(rowCheck.Matches);
            Assert.NotEqual(cut.ManifestSha256, rowCheck.VerifiedSha256);
            Assert.StartsWith($"Item {rowChanged} changed since release 1 was cut: the release holds content hash bbbbbbbbbbbb,", rowCheck.Problem, StringComparison.Ordinal);
            await db.Database.ExecuteSqlAsync($"UPDATE release_items SET content_hash = {hash} WHERE release_id = {cut.ReleaseId} AND item_id = {ids[4]}");
            await db.Database.ExecuteSqlAsync($"UPDATE release_items SET content_hash = (SELECT i.content_hash FROM items i WHERE i.id = {rowChanged}) WHERE release_id = {cut.ReleaseId} AND item_id = {rowChanged}");
            Assert.True((await VerifyAsync(manager, project.Id)).Matches);

            // A row moved to another split: the hash says the manifest differs, the cut's summary says which split moved.
            var moved = await db.ReleaseItems.AsNoTracking().Where(r => r.ReleaseId == cut.ReleaseId && r.Split == 0).OrderBy(r => r.ItemId).Select(r => r.ItemId).FirstAsync();
            var train = cut.Split.Splits.Single(s => s.Split == SplitNames.Train).Items;
            await db.Database.ExecuteSqlAsync($"UPDATE release_items SET split = 2 WHERE release_id = {cut.ReleaseId} AND item_id = {moved}");
            var splitCheck = await VerifyAsync(manager, project.Id);
            Assert.False(splitCheck.Matches);
            Assert.Equal($"Release 1's manifest rebuilt from its rows differs from the one recorded at the cut: its train split holds {train - 1} items, {train} when cut.", splitCheck.Problem);

            // Rows gone are counted.
            await db.Database.ExecuteSqlAsync($"UPDATE release_items SET split = 0 WHERE release_id = {cut.ReleaseId} AND item_id = {moved}");
            if (provider == "postgres")
            {
                await db.Database.ExecuteSqlAsync($"DELETE FROM release_items WHERE release_id = {cut.ReleaseId} AND item_id = {ids[29]}");
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("DROP TRIGGER release_items_no_delete");
                await db.Database.ExecuteSqlAsync($"DELETE FROM release_items WHERE release_id = {cut.ReleaseId} AND item_id = {ids[29]}");
            }
        }
        var missing = await VerifyAsync(manager, project.Id);
        Assert.Equal((false, "Release 1 holds 29 rows; it was cut with 30."), (missing.Matches, missing.Problem));
        await AssertFinalizeAsync(manager, project.Id, 0.0, StageState.NeedsAttention);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Verifying_a_release_that_does_not_exist_is_404_and_one_being_cut_is_409(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Unchecked", overlap: 1);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/releases/1/verify", null)).StatusCode);
        await using (var db = app.CreateDbContext())
        {
            db.Releases.Add(new Release { ProjectId = project.Id, Number = 1, State = ReleaseState.Cutting, CreatedById = manager.UserId, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        var cutting = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/releases/1/verify", null);
        Assert.Equal(HttpStatusCode.Conflict, cutting.StatusCode);
        Assert.Contains("Only a finished release can be verified.", await cutting.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Not checked: the KPI is not measured.
        var pipeline = await manager.GetAsync<PipelineOverview>($"/api/v1/projects/{project.Id}/pipeline");
        Assert.Null(pipeline[PipelineStage.Finalize].Kpis.Single(k => k.Key == "finalize.reproducible").Value);
    }

    private static async Task<VerifyReleaseResult> VerifyAsync(ApiClient manager, Guid projectId)
    {
        var response = await manager.Http.PostAsync($"/api/v1/projects/{projectId}/releases/1/verify", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        var done = await WaitForJobAsync(manager, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.ResultSummary} {done.Error}");
        return ReleaseJobs.Verify.ReadResult(done)!;
    }

    private static async Task<StageOverview> AssertFinalizeAsync(ApiClient manager, Guid projectId, double reproducible, StageState state)
    {
        var pipeline = await manager.GetAsync<PipelineOverview>($"/api/v1/projects/{projectId}/pipeline");
        var finalize = pipeline[PipelineStage.Finalize];
        var kpi = finalize.Kpis.Single(k => k.Key == "finalize.reproducible");
        Assert.Equal((reproducible, 1.0, state), (kpi.Value, kpi.Target, finalize.State));
        return finalize;
    }

    /// <summary>Items each with one current answer (overlap 1), written directly: the check is about what a cut stores.</summary>
    private static async Task<long[]> SeedAnsweredItemsAsync(LabelHubApp app, Guid projectId, Guid annotatorId, int count)
    {
        await using var db = app.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var items = Enumerable.Range(0, count).Select(n => new Item
        {
            ProjectId = projectId,
            Data = new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement($"review {n}") },
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"review {n}"))),
            CreatedAt = now,
        }).ToList();
        db.Items.AddRange(items);
        await db.SaveChangesAsync();
        db.Annotations.AddRange(items.Select((item, n) => new Annotation
        {
            ProjectId = projectId,
            ItemId = item.Id,
            AnnotatorId = annotatorId,
            AuthorId = annotatorId,
            Version = 1,
            IsCurrent = true,
            Reason = AnnotationReason.Submit,
            Values = new Dictionary<string, JsonElement> { ["sentiment"] = JsonSerializer.SerializeToElement(n % 2 == 0 ? "positive" : "negative") },
            ReviewStatus = ReviewStatus.Unreviewed,
            CreatedAt = now,
        }));
        await db.SaveChangesAsync();
        return [.. items.OrderBy(i => i.Id).Select(i => i.Id)];
    }
}
