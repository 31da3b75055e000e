using System.Net;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Imports write in short batches; their items are invisible until all are stored, and a killed attempt leaves nothing.</summary>
public sealed class ImportBatchTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task An_import_killed_while_writing_completes_once_after_a_restart_and_its_pending_items_are_never_seen(string provider)
    {
        var database = await TestDatabases.CreateAsync(provider);
        Guid projectId, jobId;
        await using (var first = await LabelHubApp.StartAsync(database))
        {
            var manager = await first.CreateUserClientAsync("boss", Roles.Manager);
            projectId = (await CreateProjectAsync(manager, "Killed import", 1)).Id;
            await AddMemberAsync(manager, projectId, manager.UserId);
            var lines = string.Join('\n', Enumerable.Range(1, 12_345).Select(n => $"{{\"text\": \"review {n}\"}}"));
            var file = await first.Service<StoredFileService>().SaveAsync(projectId, manager.UserId, "reviews.jsonl", "application/octet-stream", new MemoryStream(Encoding.UTF8.GetBytes(lines)));
            await using var db = first.CreateDbContext();
            var run = new JobRun
            {
                Id = Guid.CreateVersion7(),
                Kind = CollectionJobs.Import.Kind,
                ProjectId = projectId,
                RequestedById = manager.UserId,
                Parameters = CollectionJobs.Import.SerializeParameters(new ImportParameters(file.Id, file.FileName, ItemFileFormat.Jsonl)),
                State = JobState.Running,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.JobRuns.Add(run);
            // What the killed attempt had written: 3,000 pending items, some of them the file's own.
            db.Items.AddRange(Enumerable.Range(1, 3000).Select(n => new Item
            {
                ProjectId = projectId,
                Data = new() { ["text"] = JsonSerializer.SerializeToElement($"review {n}") },
                ContentHash = $"killed-{n}",
                ImportJobRunId = run.Id,
                TakenSlots = Item.PendingSlots,
                CreatedAt = DateTimeOffset.UtcNow,
            }));
            await db.SaveChangesAsync();
            jobId = run.Id;

            // Pending items are not there for anyone: not listed, not counted, never handed out.
            var listed = await manager.GetAsync<JsonElement>($"/api/v1/projects/{projectId}/items");
            Assert.Equal(0, listed.GetProperty("items").GetArrayLength());
            Assert.Equal(HttpStatusCode.NoContent, (await manager.Http.PostAsync($"/api/v1/projects/{projectId}/tasks/next", null)).StatusCode);
            Assert.Equal(0, await db.Items.CountAsync(i => i.ProjectId == projectId));
        }

        // After the restart the job runs again from nothing and completes once.
        await using var second = await LabelHubApp.StartAsync(database);
        var admin = await second.AdminClientAsync();
        var job = await WaitForJobAsync(admin, jobId, timeoutSeconds: 120);
        Assert.Equal(JobState.Succeeded, job.State);
        await using var check = second.CreateDbContext();
        Assert.Equal(12_345, await check.Items.CountAsync(i => i.ProjectId == projectId));
        Assert.Equal(12_345, await check.Items.IgnoreQueryFilters().CountAsync(i => i.ProjectId == projectId));
        Assert.Equal(12_345, await check.Items.Select(i => i.ContentHash).Distinct().CountAsync());
        Assert.False(await check.Items.AnyAsync(i => i.ContentHash.StartsWith("killed-")));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task An_import_killed_while_revealing_its_items_finishes_revealing_them(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var projectId = (await CreateProjectAsync(manager, "Half revealed", 1)).Id;
        var runId = Guid.CreateVersion7();
        await using (var db = app.CreateDbContext())
        {
            // Everything stored, 7,000 of 12,000 revealed when the process died.
            db.Items.AddRange(Enumerable.Range(1, 12_000).Select(n => new Item
            {
                ProjectId = projectId,
                Data = new() { ["text"] = JsonSerializer.SerializeToElement($"item {n}") },
                ContentHash = $"h{n}",
                ImportJobRunId = runId,
                TakenSlots = n <= 7000 ? 0 : Item.PendingSlots,
                CreatedAt = DateTimeOffset.UtcNow,
            }));
            await db.SaveChangesAsync();
            Assert.Equal(7000, await db.Items.CountAsync(i => i.ProjectId == projectId));
        }
        var importer = app.Service<ItemImporter>();
        var run = new JobRun { Id = runId, Kind = CollectionJobs.Import.Kind, ProjectId = projectId, CreatedAt = DateTimeOffset.UtcNow };
        var outcome = await importer.RunAsync(run, new ImportParameters(Guid.NewGuid(), "gone.jsonl", ItemFileFormat.Jsonl), new NoProgress(), CancellationToken.None);
        Assert.Equal(12_000, outcome.Result!.Imported);
        await using var check = app.CreateDbContext();
        Assert.Equal(12_000, await check.Items.CountAsync(i => i.ProjectId == projectId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_job_is_cancelled_through_the_api_and_a_cancelled_import_leaves_nothing(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var stranger = await app.CreateUserClientAsync("other", Roles.Annotator);
        var projectId = (await CreateProjectAsync(manager, "Cancel", 1)).Id;

        // A queued run (its queue entry not yet taken) is cancelled at once and never starts; twice is a conflict.
        var queued = new JobRun { Id = Guid.CreateVersion7(), Kind = CollectionJobs.Import.Kind, ProjectId = projectId, RequestedById = manager.UserId, State = JobState.Queued, CreatedAt = DateTimeOffset.UtcNow };
        await using (var db = app.CreateDbContext())
        {
            db.JobRuns.Add(queued);
            await db.SaveChangesAsync();
        }
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostRawAsync($"/api/v1/jobs/{queued.Id}/cancel", null)).StatusCode);
        var cancelled = await manager.PostAsync<JobRunInfo>($"/api/v1/jobs/{queued.Id}/cancel", null);
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostRawAsync($"/api/v1/jobs/{queued.Id}/cancel", null)).StatusCode);

        // A running import told to stop after its second batch: nothing of it stays.
        var lines = string.Join('\n', Enumerable.Range(1, 9_000).Select(n => $"{{\"text\": \"row {n}\"}}"));
        var file = await app.Service<StoredFileService>().SaveAsync(projectId, manager.UserId, "rows.jsonl", "application/octet-stream", new MemoryStream(Encoding.UTF8.GetBytes(lines)));
        var run = new JobRun { Id = Guid.CreateVersion7(), Kind = CollectionJobs.Import.Kind, ProjectId = projectId, CreatedAt = DateTimeOffset.UtcNow };
        await Assert.ThrowsAsync<JobCancelledException>(() => app.Service<ItemImporter>().RunAsync(
            run, new ImportParameters(file.Id, file.FileName, ItemFileFormat.Jsonl), new CancelAfterStored(2), CancellationToken.None));
        await using var check = app.CreateDbContext();
        Assert.Equal(0, await check.Items.IgnoreQueryFilters().CountAsync(i => i.ImportJobRunId == run.Id));
    }

    /// <summary>Reports like the executor's reporter after a cancel: the n-th "Stored" report throws.</summary>
    private sealed class CancelAfterStored(int batches) : IJobProgress
    {
        private int stored;

        public Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default) =>
            message?.StartsWith("Stored ", StringComparison.Ordinal) == true && ++stored == batches ? throw new JobCancelledException() : Task.CompletedTask;
    }

    private sealed class NoProgress : IJobProgress
    {
        public Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default) => Task.CompletedTask;
    }
}
