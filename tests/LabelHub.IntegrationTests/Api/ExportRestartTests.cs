using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>An export whose process was killed while it wrote its file runs again after the restart and leaves one whole file.</summary>
public sealed class ExportRestartTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task An_export_killed_while_writing_completes_once_after_a_restart_and_no_partial_file_remains(string provider)
    {
        var database = await TestDatabases.CreateAsync(provider);
        Guid projectId, jobId, partialId;
        await using (var first = await LabelHubApp.StartAsync(database))
        {
            var manager = await first.CreateUserClientAsync("boss", Roles.Manager);
            projectId = (await CreateProjectAsync(manager, "Killed export", 1)).Id;
            await AddMemberAsync(manager, projectId, manager.UserId);
            var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{projectId}/items", Enumerable.Range(1, 2_500).Select(n => new { text = $"리뷰 {n}" }).ToArray());
            Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);

            // What the killed attempt had written: the run, marked running, and two chunks of a file it never finished.
            await using var db = first.CreateDbContext();
            var run = new JobRun
            {
                Id = Guid.CreateVersion7(),
                Kind = ReleaseJobs.Export.Kind,
                ProjectId = projectId,
                RequestedById = manager.UserId,
                Parameters = ReleaseJobs.Export.SerializeParameters(new ExportParameters(ExportFormat.Jsonl)),
                State = JobState.Running,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.JobRuns.Add(run);
            var partial = new StoredFile
            {
                Id = Guid.CreateVersion7(),
                ProjectId = projectId,
                FileName = "partial.jsonl",
                CreatedById = manager.UserId,
                CreatedAt = DateTimeOffset.UtcNow,
                IsComplete = false,
                JobRunId = run.Id,
                Chunks =
                [
                    new StoredFileChunk { Sequence = 0, Bytes = RandomNumberGenerator.GetBytes(StoredFileChunk.Size) },
                    new StoredFileChunk { Sequence = 1, Bytes = RandomNumberGenerator.GetBytes(1000) },
                ],
            };
            db.StoredFiles.Add(partial);
            await db.SaveChangesAsync();
            (jobId, partialId) = (run.Id, partial.Id);
        }

        // After the restart the export runs again from nothing and completes once, with every item.
        await using var second = await LabelHubApp.StartAsync(database);
        var admin = await second.AdminClientAsync();
        var job = await WaitForJobAsync(admin, jobId, timeoutSeconds: 120);
        Assert.Equal(JobState.Succeeded, job.State);
        var fileId = JsonSerializer.Deserialize<JsonElement>(job.Result!).GetProperty("fileId").GetGuid();
        using var response = await admin.Http.GetAsync($"/api/v1/files/{fileId}");
        response.EnsureSuccessStatusCode();
        var lines = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2_500, lines.Length);
        Assert.Equal(2_500, lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("data").GetProperty("text").GetString()).Distinct().Count());

        // The killed attempt's file and chunks are gone; the run owns exactly one file, whole.
        await using var check = second.CreateDbContext();
        Assert.False(await check.StoredFiles.AnyAsync(f => f.Id == partialId));
        Assert.False(await check.StoredFileChunks.AnyAsync(c => c.FileId == partialId));
        var files = await check.StoredFiles.Where(f => f.JobRunId == jobId).ToListAsync();
        var file = Assert.Single(files);
        Assert.True(file.IsComplete);
        Assert.Equal(fileId, file.Id);
        Assert.Equal(await check.StoredFileChunks.Where(c => c.FileId == fileId).SumAsync(c => (long)c.Bytes.Length), file.Length);
    }
}
