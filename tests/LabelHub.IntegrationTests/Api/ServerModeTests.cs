using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Workers.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Server mode: the web process only enqueues; a separate worker host runs the job through Hangfire on PostgreSQL.</summary>
public sealed class ServerModeTests
{
    [Fact]
    public async Task The_web_only_enqueues_and_a_worker_host_runs_the_job()
    {
        var database = await TestDatabases.CreateAsync(TestDatabases.Postgres);
        await using var web = await LabelHubApp.StartAsync(database, runJobServer: false);
        var manager = await web.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Server mode", 1);
        var job = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "a" }, new { text = "b" } });

        // Nobody executes jobs yet: the run waits in the queue.
        await Task.Delay(1500);
        Assert.Equal(JobState.Queued, (await manager.GetAsync<JobRunInfo>($"/api/v1/jobs/{job.Id}")).State);

        // The same wiring as LabelHub.Workers' Program.
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:LabelHub"] = database.ConnectionString,
            ["LabelHub:DataDir"] = Directory.CreateTempSubdirectory("labelhub-worker-").FullName,
        });
        builder.AddLabelHubDomain();
        builder.AddLabelHubJobs(runJobServer: true);
        using var worker = builder.Build();
        await worker.StartAsync();
        try
        {
            var done = await WaitForJobAsync(manager, job.Id);
            Assert.Equal(JobState.Succeeded, done.State);
            Assert.Contains("Imported 2 items", done.ResultSummary);
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}
