using Hangfire;
using Hangfire.Storage;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Jobs;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Workers.Jobs;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.IntegrationTests.Storage;

/// <summary>Incomplete files whose writer was killed (an upload, a finished job's) are swept; files still being written are not.</summary>
public sealed class AbandonedFileTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_hourly_upkeep_removes_old_incomplete_files_that_no_live_job_owns(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var old = DateTimeOffset.UtcNow - StoredFileService.AbandonedAfter - TimeSpan.FromMinutes(5);
        var recent = DateTimeOffset.UtcNow - TimeSpan.FromHours(1);
        // Created just now, so the periodic recovery leaves the live ones alone during the test.
        var runs = new[] { JobState.Queued, JobState.Running, JobState.Succeeded, JobState.Failed, JobState.Cancelled }.ToDictionary(
            state => state,
            state => new JobRun { Id = Guid.CreateVersion7(), Kind = CollectionJobs.Import.Kind, State = state, CreatedAt = DateTimeOffset.UtcNow });
        var kept = new List<Guid>();
        var swept = new List<Guid>();
        await using (var db = app.CreateDbContext())
        {
            db.JobRuns.AddRange(runs.Values);
            Guid File(DateTimeOffset createdAt, bool complete, Guid? jobRunId)
            {
                var file = new StoredFile
                {
                    Id = Guid.CreateVersion7(),
                    FileName = "upload.zip",
                    CreatedAt = createdAt,
                    IsComplete = complete,
                    JobRunId = jobRunId,
                    Chunks = [new StoredFileChunk { Sequence = 0, Bytes = [1, 2, 3] }, new StoredFileChunk { Sequence = 1, Bytes = [4] }],
                };
                db.StoredFiles.Add(file);
                return file.Id;
            }

            // Uploads whose web process died mid-stream: more than two rounds' worth.
            swept.AddRange(Enumerable.Range(0, 120).Select(_ => File(old, complete: false, jobRunId: null)));
            // Files of jobs that are over (or gone) but never completed them.
            swept.Add(File(old, complete: false, runs[JobState.Succeeded].Id));
            swept.Add(File(old, complete: false, runs[JobState.Failed].Id));
            swept.Add(File(old, complete: false, runs[JobState.Cancelled].Id));
            swept.Add(File(old, complete: false, Guid.CreateVersion7()));
            // A queued or running job finishes or removes its own; a recent upload may still be streaming; complete files stay.
            kept.Add(File(old, complete: false, runs[JobState.Queued].Id));
            kept.Add(File(old, complete: false, runs[JobState.Running].Id));
            kept.Add(File(recent, complete: false, jobRunId: null));
            kept.Add(File(old, complete: true, jobRunId: null));
            kept.Add(File(old, complete: true, runs[JobState.Failed].Id));
            await db.SaveChangesAsync();
        }

        await app.Service<MaintenanceJobs>().RemoveAbandonedFilesAsync(CancellationToken.None);

        await using var check = app.CreateDbContext();
        var left = await check.StoredFiles.Select(f => f.Id).ToListAsync();
        Assert.Empty(left.Intersect(swept));
        Assert.Equal(kept.Order(), left.Intersect(kept).Order());
        Assert.False(await check.StoredFileChunks.AnyAsync(c => swept.Contains(c.FileId)));
        Assert.Equal(kept.Count * 2, await check.StoredFileChunks.CountAsync(c => kept.Contains(c.FileId)));
        // Nothing more to sweep the next time round.
        Assert.Equal(0, await app.Service<StoredFileService>().RemoveAbandonedAsync());

        // The job server schedules it.
        using var connection = app.Service<JobStorage>().GetConnection();
        Assert.Contains(connection.GetRecurringJobs(), job => job.Id == "abandoned-files" && job.Cron == Cron.Hourly());
    }
}
