using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Archiving a project (reversible) and deleting an archived one for good, as a job — on both databases.</summary>
public sealed class ProjectArchiveTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task An_archived_project_leaves_the_list_hands_out_nothing_and_only_then_can_be_deleted_by_name(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var ann = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Old reviews", overlap: 1);
        var keep = await CreateProjectAsync(manager, "Current", overlap: 1);
        await AddMemberAsync(manager, project.Id, ann.UserId);
        var items = Enumerable.Range(1, 2_500).Select(i => new { text = $"review {i}" }).ToArray();
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", items)).Id)).State);
        var task = (await (await ann.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
        await ann.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", "positive"))));

        // Deleting needs an archived project, and its name typed back.
        Assert.Equal(HttpStatusCode.Conflict, (await manager.Http.DeleteAsync($"/api/v1/projects/{project.Id}?confirmName=Old%20reviews")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ann.Http.PostAsync($"/api/v1/projects/{project.Id}/archive", null)).StatusCode);
        var archived = await (await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/archive", null)).Content.ReadFromJsonAsync<PlanningEndpoints.ProjectDto>(LabelHubApp.Json);
        Assert.NotNull(archived!.ArchivedAt);
        Assert.Equal(["Current"], (await manager.GetAsync<List<ProjectSummary>>("/api/v1/projects")).Select(p => p.Name));
        Assert.Equal(["Current", "Old reviews"], (await manager.GetAsync<List<ProjectSummary>>("/api/v1/projects?archived=true")).Select(p => p.Name));
        Assert.Equal(HttpStatusCode.Conflict, (await ann.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).StatusCode);

        // Restored, it hands out tasks again.
        await ApiClient.EnsureAsync(await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/restore", null));
        Assert.Equal(HttpStatusCode.OK, (await ann.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).StatusCode);

        await ApiClient.EnsureAsync(await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/archive", null));
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.Http.DeleteAsync($"/api/v1/projects/{project.Id}?confirmName=old%20reviews")).StatusCode);
        var deletion = await manager.Http.DeleteAsync($"/api/v1/projects/{project.Id}?confirmName=Old%20reviews");
        Assert.Equal(HttpStatusCode.Accepted, deletion.StatusCode);
        var job = await WaitForJobAsync(manager, (await deletion.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id);
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(2_500, PlanningJobs.Delete.ReadResult(job)!.Items);

        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/api/v1/projects/{project.Id}")).StatusCode);
        await using var db = app.CreateDbContext();
        Assert.Equal(0, await db.Items.CountAsync(i => i.ProjectId == project.Id));
        Assert.Equal(0, await db.Annotations.CountAsync(a => a.ProjectId == project.Id));
        Assert.Equal(0, await db.Assignments.CountAsync(a => a.ProjectId == project.Id));
        Assert.True(await db.Projects.AnyAsync(p => p.Id == keep.Id));
    }
}
