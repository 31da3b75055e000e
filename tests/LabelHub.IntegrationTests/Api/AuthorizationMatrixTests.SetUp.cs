using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>The world the matrix calls into: a project with real items, tasks, answers, files and crowd rows, and a caller of each kind.</summary>
public sealed partial class AuthorizationMatrixTests
{
    private static async Task<(World World, List<Caller> Callers)> SetUpAsync(LabelHubApp app)
    {
        var owner = await app.CreateUserClientAsync("owner", Roles.Manager);
        var worker = await app.CreateUserClientAsync("worker", Roles.Annotator);
        var input = new ProjectInput("matrix", "test project", SentimentSchema, 2, 30);
        var project = await owner.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", input);
        var p = $"/api/v1/projects/{project.Id}";
        await AddMemberAsync(owner, project.Id, worker.UserId);
        var import = await UploadAsync(owner, project.Id, "items.csv", "text\n" + string.Concat(Enumerable.Range(1, 30).Select(i => $"item {i}\n")));
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(owner, import.Id)).State);
        await ApiClient.EnsureAsync(await owner.PostRawAsync($"{p}/guideline", new GuidelineRequest("# Rules", "first")));

        // An answer, a task held to draft and submit, and a second one (reserved as the workbench's next) to skip.
        async Task<(long Assignment, long Annotation, long Item, long SkipAssignment)> AnswerAndHoldAsync(ApiClient client, string role)
        {
            await ApiClient.EnsureAsync(await client.PostRawAsync($"{p}/guideline/acknowledge", new AcknowledgeRequest(1)));
            var answered = await client.PostAsync<LabelingTask>($"{p}/tasks/next", null);
            var answer = await client.PostAsync<SubmitResult>($"/api/v1/tasks/{answered.AssignmentId}/submit", new SubmitRequest(Positive));
            var held = await client.PostAsync<LabelingTask>($"{p}/tasks/next", null);
            var next = await app.Service<TaskDistributor>().PrefetchAsync(new Actor(client.UserId, new HashSet<string> { role }), project.Id, held.AssignmentId);
            return (held.AssignmentId, answer.AnnotationId, answered.ItemId, next!.AssignmentId);
        }

        var work = await AnswerAndHoldAsync(worker, Roles.Annotator);
        var callers = new List<Caller> { new("anonymous", null, false) };
        foreach (var role in new[] { Roles.Admin, Roles.Manager, Roles.Reviewer, Roles.Annotator })
        {
            foreach (var member in new[] { true, false })
            {
                var userName = $"{role.ToLowerInvariant()}-{(member ? "member" : "outsider")}";
                var client = await app.CreateUserClientAsync(userName, role);
                // Everyone labels while a member; outsiders are then removed and keep their task and answer (as a removed member does).
                await AddMemberAsync(owner, project.Id, client.UserId);
                var own = await AnswerAndHoldAsync(client, role);
                if (!member)
                {
                    await ApiClient.EnsureAsync(await owner.Http.DeleteAsync($"{p}/members/{client.UserId}"));
                }
                callers.Add(new Caller($"{role} {(member ? "member" : "non-member")}", role, member)
                {
                    UserName = userName,
                    UserId = client.UserId,
                    Token = client.Token,
                    AssignmentId = own.Assignment,
                    SkipAssignmentId = own.SkipAssignment,
                    AnnotationId = own.Annotation,
                });
            }
        }

        var export = await owner.PostAsync<JobRunInfo>($"{p}/exports", new { format = "csv" });
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(owner, export.Id)).State);
        // Release 1, cut while the job server runs, for the routes that read a release.
        var cut = await owner.PostAsync<JobRunInfo>($"{p}/releases", new { });
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(owner, cut.Id)).State);
        var files = app.Service<StoredFileService>();
        var image = await files.SaveAsync(project.Id, owner.UserId, "pixel.png", "image/png", new MemoryStream(TestImages.Png(8, 8, 200, 40, 40)));
        var trainingSet = await files.SaveAsync(project.Id, null, "training-set.jsonl", "application/x-ndjson", new MemoryStream("{}\n"u8.ToArray()));
        var checkpoint = await files.SaveAsync(project.Id, null, "model.bin", "application/octet-stream", new MemoryStream([1, 2, 3]));
        long goldItem;
        long[] findingIds;
        Guid exportFile;
        await using (var db = app.CreateDbContext())
        {
            exportFile = await db.StoredFiles.Where(f => f.JobRunId == export.Id).Select(f => f.Id).SingleAsync();
            goldItem = await db.Items.Where(i => i.ProjectId == project.Id).MaxAsync(i => i.Id);
            // A trained model and its round, written as the learning job would: training one is not what this test is about.
            var model = new ModelVersion
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                Version = 1,
                Kind = ModelKind.TextMlp,
                Field = "sentiment",
                Labels = ["positive", "negative", "neutral"],
                TrainedAt = DateTimeOffset.UtcNow,
                JobRunId = import.Id,
                CheckpointFileId = checkpoint.Id,
                TrainingSetFileId = trainingSet.Id,
            };
            db.ModelVersions.Add(model);
            // Generator v1, as a training job would have created it, for the synthesis rows.
            db.Generators.Add(new LabelHub.Domain.Synthesis.Generator
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                Version = 1,
                State = LabelHub.Domain.Synthesis.GeneratorState.Training,
                Field = "sentiment",
                Labels = ["positive", "negative"],
                ImageSide = 28,
                Channels = 1,
                JobRunId = Guid.CreateVersion7(),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            db.LearningRounds.Add(new LearningRound
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                Number = 1,
                JobRunId = import.Id,
                Trigger = RoundTrigger.Manual,
                Strategy = SamplingStrategy.Random,
                ModelVersionId = model.Id,
                CreatedAt = DateTimeOffset.UtcNow,
                FinishedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();

            // What a cleansing run flags on the worker's answer, for the adjudication rows.
            var run = new CleansingRun { ProjectId = project.Id, Kind = CleansingRunKind.LabelErrors, StartedById = owner.UserId, StartedAt = DateTimeOffset.UtcNow };
            db.CleansingRuns.Add(run);
            await db.SaveChangesAsync();
            var findings = Enumerable.Range(0, 3).Select(i => new CleansingFinding
            {
                ProjectId = project.Id,
                RunId = run.Id,
                ItemId = work.Item,
                AnnotationId = work.Annotation,
                Field = "sentiment",
                Source = FindingSource.LabelError,
                Code = "label-error",
                Reason = $"matrix finding {i}",
                Suggestion = System.Text.Json.JsonSerializer.SerializeToElement("negative"),
                Score = 0.9,
                CreatedAt = DateTimeOffset.UtcNow,
            }).ToList();
            db.CleansingFindings.AddRange(findings);
            await db.SaveChangesAsync();
            findingIds = [.. findings.Select(f => f.Id)];
        }

        var target = await app.CreateUserClientAsync("target", Roles.Annotator);
        var spare = await app.CreateUserClientAsync("spare", Roles.Annotator);
        var scripter = await app.CreateUserClientAsync("scripter", Roles.Annotator);
        const string ScripterPassword = "Matrix-Script-Password-7";
        await SetOwnPasswordAsync(app, scripter.UserId, ScripterPassword);

        var serviceAccount = await app.Service<ServiceAccountService>().CreateAsync(app.Admin, new NewServiceAccount("matrix-bot", null));

        // A finished cleansing run for the report endpoints.
        var runLog = app.Service<LabelHub.Domain.Cleansing.CleansingRunLog>();
        var cleansingRun = await runLog.FinishAsync(await runLog.StartAsync(project.Id, LabelHub.Domain.Cleansing.CleansingRunKind.Rules, null, owner.UserId), 0);

        long sourceId;
        await using (var sources = app.CreateDbContext())
        {
            sourceId = await sources.ItemSources.Where(s => s.ProjectId == project.Id).Select(s => s.Id).FirstAsync();
        }

        var world = new World
        {
            SourceId = sourceId,
            ServiceAccountId = serviceAccount.Id,
            App = app,
            ProjectId = project.Id,
            ProjectInput = input,
            WorkerId = worker.UserId,
            WorkerItemId = work.Item,
            WorkerAnnotationId = work.Annotation,
            GoldItemId = goldItem,
            FindingIds = findingIds,
            JobId = import.Id,
            ExportFileId = exportFile,
            ImageFileId = image.Id,
            TargetUserId = target.UserId,
            SpareUserId = spare.UserId,
            ScripterName = "scripter",
            ScripterPassword = ScripterPassword,
            OtherAnnotatorId = callers.Single(c => c.Role == Roles.Annotator && c.Member).UserId,
            MemberIds = [.. callers.Where(c => c.Member).Select(c => c.UserId)],
            CleansingRunId = cleansingRun.Id,
        };
        (world.DuplicateGroupId, world.DuplicateKeepItemId) = await AddDuplicateGroupAsync(app, project.Id, owner.UserId);
        return (world, callers);
    }

    /// <summary>Two fresh items of the project in one open exact-duplicate group, as the duplicate search stores them.</summary>
    private static async Task<(long GroupId, long KeepItemId)> AddDuplicateGroupAsync(LabelHubApp app, Guid projectId, Guid managerId)
    {
        await using var db = app.CreateDbContext();
        var items = new[] { "matrix duplicate", "Matrix  duplicate" }.Select(text => new Item
        {
            ProjectId = projectId,
            Data = new() { ["text"] = System.Text.Json.JsonSerializer.SerializeToElement(text) },
            ContentHash = text,
            CreatedAt = DateTimeOffset.UtcNow,
        }).ToList();
        db.Items.AddRange(items);
        var run = new CleansingRun { ProjectId = projectId, Kind = CleansingRunKind.ExactDuplicates, StartedById = managerId, StartedAt = DateTimeOffset.UtcNow };
        db.CleansingRuns.Add(run);
        await db.SaveChangesAsync();
        var group = new DuplicateGroup
        {
            ProjectId = projectId,
            RunId = run.Id,
            Kind = DuplicateKind.Exact,
            RepresentativeItemId = items[0].Id,
            CreatedAt = DateTimeOffset.UtcNow,
            Members = [.. items.Select(i => new DuplicateGroupMember { ItemId = i.Id, Similarity = 1 })],
        };
        db.DuplicateGroups.Add(group);
        await db.SaveChangesAsync();
        return (group.Id, items[0].Id);
    }

    private static async Task SetOwnPasswordAsync(LabelHubApp app, Guid userId, string password)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var account = await users.FindByIdAsync(userId.ToString());
        await users.RemovePasswordAsync(account!);
        Assert.True((await users.AddPasswordAsync(account!, password)).Succeeded);
        foreach (var mark in (await users.GetClaimsAsync(account!)).Where(c => c.Type == UserAdminService.MustChangePasswordClaim).ToList())
        {
            await users.RemoveClaimAsync(account!, mark);
        }
    }
}
