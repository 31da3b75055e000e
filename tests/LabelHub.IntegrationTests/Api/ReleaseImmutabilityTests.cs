using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// A finished release cannot be changed, whoever tries (ADR 0020): the database itself refuses updates and deletes of a
/// ready release and its items, on both providers; a release being cut can still be finished or cleared; deleting an
/// archived project for good takes its releases with it.
/// </summary>
public sealed class ReleaseImmutabilityTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_database_refuses_to_change_a_finished_release_until_its_project_is_deleted(string provider)
    {
        Assert.Equal(1, (int)ReleaseState.Ready); // the triggers' SQL names the state by this number
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Frozen", overlap: 1);
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "one" }, new { text = "two" } });
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);

        long releaseId;
        long[] itemIds;
        await using (var db = app.CreateDbContext())
        {
            itemIds = await db.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.Id).Select(i => i.Id).ToArrayAsync();
            var release = new Release { ProjectId = project.Id, Number = 1, State = ReleaseState.Cutting, CreatedById = manager.UserId, CreatedAt = DateTimeOffset.UtcNow };
            db.Releases.Add(release);
            await db.SaveChangesAsync();
            releaseId = release.Id;
            db.ReleaseItems.AddRange(itemIds.Select(id => new ReleaseItem { ReleaseId = releaseId, ItemId = id, Split = 0, ContentHash = "h", AnswersJson = "{}" }));
            await db.SaveChangesAsync();
            // While it is being cut its job may clear what it wrote and finish it.
            Assert.Equal(1, await db.ReleaseItems.Where(r => r.ReleaseId == releaseId && r.ItemId == itemIds[1]).ExecuteDeleteAsync());
            Assert.Equal(1, await db.Releases.Where(r => r.Id == releaseId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ReleaseState.Ready).SetProperty(r => r.ItemCount, 1)));
        }

        await using (var db = app.CreateDbContext())
        {
            await AssertRefusedAsync(() => db.ReleaseItems.Where(r => r.ReleaseId == releaseId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Split, (short)2)));
            await AssertRefusedAsync(() => db.ReleaseItems.Where(r => r.ReleaseId == releaseId).ExecuteDeleteAsync());
            await AssertRefusedAsync(() => db.Releases.Where(r => r.Id == releaseId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Datasheet, "rewritten")));
            await AssertRefusedAsync(() => db.Releases.Where(r => r.Id == releaseId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DatasheetKorean, "다시 씀")));
            await AssertRefusedAsync(() => db.Releases.Where(r => r.Id == releaseId).ExecuteDeleteAsync());
            // Nor through raw SQL, the way a script with database access would try.
            await AssertRefusedAsync(() => db.Database.ExecuteSqlAsync($"UPDATE release_items SET answers = '{{}}' WHERE release_id = {releaseId}"));
            // An item a release holds cannot be deleted either.
            await Assert.ThrowsAnyAsync<Exception>(() => db.Items.Where(i => i.Id == itemIds[0]).ExecuteDeleteAsync());
        }
        await using (var db = app.CreateDbContext())
        {
            var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == releaseId);
            Assert.Equal((ReleaseState.Ready, 1, null, null), (release.State, release.ItemCount, release.Datasheet, release.DatasheetKorean));
            Assert.Equal([itemIds[0]], await db.ReleaseItems.Where(r => r.ReleaseId == releaseId).Select(r => r.ItemId).ToListAsync());
            Assert.Equal(2, await db.Items.CountAsync(i => i.ProjectId == project.Id));
        }

        // Deleting the archived project for good takes the release with it.
        await ApiClient.EnsureAsync(await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/archive", null));
        var deletion = await manager.Http.DeleteAsync($"/api/v1/projects/{project.Id}?confirmName=Frozen");
        Assert.Equal(HttpStatusCode.Accepted, deletion.StatusCode);
        var job = await WaitForJobAsync(manager, (await deletion.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id);
        Assert.True(job.State == JobState.Succeeded, $"{job.ResultSummary} {job.Error}");
        await using (var db = app.CreateDbContext())
        {
            Assert.False(await db.Releases.AnyAsync(r => r.ProjectId == project.Id));
            Assert.False(await db.ReleaseItems.AnyAsync(r => r.ReleaseId == releaseId));
            Assert.False(await db.Items.AnyAsync(i => i.ProjectId == project.Id));
        }
    }

    private static async Task AssertRefusedAsync(Func<Task> change)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(change);
        Assert.Contains(ReleaseImmutability.Message, error.ToString(), StringComparison.Ordinal);
    }
}
