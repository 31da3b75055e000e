using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

public sealed class ConcurrencyTests
{
    private const int Clients = 50;
    private const int ItemCount = 60;
    private const int Overlap = 3;

    /// <summary>50 annotators race through the API at once; overlap and no-repeat invariants must hold exactly.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Fifty_parallel_annotators_never_break_the_overlap(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Race", Overlap);
        var items = Enumerable.Range(1, ItemCount).Select(i => new { text = $"item {i}" }).ToArray();
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", items)).Id)).State);

        var annotators = new List<ApiClient>();
        for (var i = 0; i < Clients; i++)
        {
            var client = await app.CreateUserClientAsync($"racer{i:00}", Roles.Annotator);
            await AddMemberAsync(manager, project.Id, client.UserId);
            annotators.Add(client);
        }

        var handedOut = new ConcurrentBag<(Guid User, long Item)>();
        using var start = new SemaphoreSlim(0, Clients);
        var racers = annotators.Select(client => Task.Run(async () =>
        {
            await start.WaitAsync();
            var random = new Random(client.UserId.GetHashCode());
            while (true)
            {
                var response = await client.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    return;
                }
                await ApiClient.EnsureAsync(response);
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                handedOut.Add((client.UserId, task.ItemId));
                var submit = new SubmitRequest(Values(("sentiment", "neutral")), random.Next(100, 5000));
                var result = await client.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", submit);
                // Every fourth task is submitted twice, as a flaky network would.
                if (random.Next(4) == 0)
                {
                    var again = await client.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", submit);
                    Assert.True(again.AlreadySubmitted);
                    Assert.Equal(result.AnnotationId, again.AnnotationId);
                }
            }
        })).ToList();
        start.Release(Clients);
        await Task.WhenAll(racers);

        // Never the same item twice to one annotator.
        Assert.Equal(handedOut.Count, handedOut.Distinct().Count());
        await using var db = app.CreateDbContext();
        var annotations = await db.Annotations.Where(a => a.ProjectId == project.Id).Select(a => new { a.ItemId, a.AnnotatorId }).ToListAsync();
        // Exactly overlap distinct annotators per item: never more, and nothing left undone or lost.
        Assert.Equal(ItemCount * Overlap, annotations.Count);
        Assert.All(annotations.GroupBy(a => a.ItemId), g => Assert.Equal(Overlap, g.Select(a => a.AnnotatorId).Distinct().Count()));
        Assert.Equal(ItemCount * Overlap, handedOut.Count);
        var counters = await db.Items.Where(i => i.ProjectId == project.Id).Select(i => new { i.TakenSlots, i.SubmittedCount }).ToListAsync();
        Assert.All(counters, c => Assert.Equal((Overlap, Overlap), (c.TakenSlots, c.SubmittedCount)));
    }
}
