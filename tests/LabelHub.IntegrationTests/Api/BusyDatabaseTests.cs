using System.Diagnostics;
using System.Net;
using System.Text.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>A database that stays locked answers 503 with Retry-After in seconds, never a 500 after 30 s; nothing is lost.</summary>
public sealed class BusyDatabaseTests
{
    [Fact]
    public async Task A_write_lock_held_elsewhere_gives_a_503_with_retry_after_and_the_answer_goes_through_afterwards()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Manager);
        var project = await CreateProjectAsync(annotator, "Busy", overlap: 1);
        await AddMemberAsync(annotator, project.Id, annotator.UserId);
        await WaitForJobAsync(annotator, (await annotator.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "one" } })).Id);
        var task = await annotator.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        // The embedded connection string has Pooling, so the test's own connection must not share the pool's.
        var connection = new SqliteConnectionStringBuilder(app.Database.ConnectionString) { Pooling = false, DefaultTimeout = 1 }.ToString();

        var submit = new SubmitRequest(Values(("sentiment", "positive")));
        await using (var holder = new SqliteConnection(connection))
        {
            await holder.OpenAsync();
            // An IMMEDIATE transaction takes the write lock at once, as a long job's transaction would.
            await using var lockTransaction = holder.BeginTransaction(deferred: false);
            var clock = Stopwatch.StartNew();
            using var busy = await annotator.PostRawAsync($"/api/v1/tasks/{task.AssignmentId}/submit", submit);
            clock.Stop();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), busy.Headers.RetryAfter?.Delta);
            var problem = JsonDocument.Parse(await busy.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("database_busy", problem.GetProperty("code").GetString());
            // The driver's own retries gave up after its 5 s timeout, far from the 30 s of before.
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15));
            lockTransaction.Rollback();
        }

        // Once the lock is gone the same answer is saved, once.
        var saved = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", submit);
        Assert.False(saved.AlreadySubmitted);
        await using var db = app.CreateDbContext();
        Assert.Equal(1, db.Annotations.Count(a => a.ProjectId == project.Id));
    }
}
