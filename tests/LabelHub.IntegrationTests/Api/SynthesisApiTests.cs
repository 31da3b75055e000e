using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Synthesis;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The Synthesis stage's API (issue 16) on both databases: status and its blockers, starting a generator's training,
/// and starting a generation, with the refusals that name the field or say why. The jobs themselves belong to Workers;
/// these tests stop at the queued job.
/// </summary>
public sealed class SynthesisApiTests
{
    private const string Shirt = "T-shirt/top";
    private const string Trouser = "Trouser";
    private const string Pullover = "Pullover";

    private static readonly LabelSchema ClothesSchema = new()
    {
        Fields =
        [
            new LabelField { Name = "category", Kind = FieldKind.Choice, Labels = [.. FashionMnistSubset.Labels], Required = true },
            new LabelField { Name = "note", Kind = FieldKind.Text, MaxLength = 200 },
        ],
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Status_names_what_blocks_training_and_a_valid_request_creates_a_training_generator_with_its_job(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var world = await ImageProjectAsync(app);
        var synthesis = $"/api/v1/projects/{world.ProjectId}/synthesis";

        // No answers yet: nothing to learn from.
        var before = await world.Manager.GetAsync<SynthesisStatus>(synthesis);
        Assert.Equal("category", before.Field);
        Assert.Equal(50, before.ImageItems);
        Assert.Empty(before.LabeledPerClass);
        Assert.Equal("A generator needs at least 2 classes with 20 labeled images each; 0 classes have that many.", before.Blocker);
        Assert.Null(before.Latest);
        await ExpectStatusAsync(world.Manager, $"{synthesis}/generators", new { epochs = 2 }, HttpStatusCode.Conflict);

        // A text project and a project without a single-choice field are refused with their own reasons.
        var text = await CreateProjectAsync(world.Manager, "Reviews", 1);
        await WaitForJobAsync(world.Manager, (await UploadAsync(world.Manager, text.Id, "items.csv", "text\ngood\nbad\n")).Id);
        var textStatus = await world.Manager.GetAsync<SynthesisStatus>($"/api/v1/projects/{text.Id}/synthesis");
        Assert.Equal("A generator learns from images, and this project's items are not images.", textStatus.Blocker);
        Assert.Equal(0, textStatus.ImageItems);
        var notes = await world.Manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects",
            new ProjectInput("Notes", null, new LabelSchema { Fields = [new LabelField { Name = "note", Kind = FieldKind.Text, MaxLength = 10 }] }, 1, 30));
        var notesStatus = await world.Manager.GetAsync<SynthesisStatus>($"/api/v1/projects/{notes.Id}/synthesis");
        Assert.Null(notesStatus.Field);
        Assert.Equal("This project has no single-choice field; a generator learns one single-choice field.", notesStatus.Blocker);
        await ExpectBadRequestAsync(world.Manager, $"/api/v1/projects/{notes.Id}/synthesis/generators", new { }, "field");

        await LabelAsync(world);
        var status = await world.Manager.GetAsync<SynthesisStatus>(synthesis);
        Assert.True(status.Availability.Available, status.Availability.Reason);
        Assert.Null(status.Blocker);
        Assert.Null(status.ActiveJob);
        Assert.Equal(new Dictionary<string, int> { [Shirt] = 22, [Trouser] = 22, [Pullover] = 6 }, status.LabeledPerClass);
        Assert.Equal(FashionMnistSubset.Labels, status.Labels);
        Assert.Equal(SyntheticItemsSummary.Empty.Items, status.Synthetic.Items);

        // Each bad value is named.
        await ExpectBadRequestAsync(world.Manager, $"{synthesis}/generators", new { field = "note" }, "field");
        await ExpectBadRequestAsync(world.Manager, $"{synthesis}/generators", new { field = "nope" }, "field");
        await ExpectBadRequestAsync(world.Manager, $"{synthesis}/generators", new { imageSide = 30 }, "imageSide");
        await ExpectBadRequestAsync(world.Manager, $"{synthesis}/generators", new { epochs = 0 }, "epochs");
        await ExpectBadRequestAsync(world.Manager, $"{synthesis}/generators", new { epochs = 201 }, "epochs");
        await ExpectBadRequestAsync(world.Manager, $"{synthesis}/generators", new { batchSize = 15 }, "batchSize");
        await ExpectBadRequestAsync(world.Manager, $"{synthesis}/generators", new { batchSize = 513 }, "batchSize");

        using var response = await world.Manager.PostRawAsync($"{synthesis}/generators", new TrainRequest(Epochs: 3, BatchSize: 32, Seed: 5));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = (await response.Content.ReadFromJsonAsync<GeneratorTrainingStarted>(LabelHubApp.Json))!;
        Assert.Equal($"/api/v1/jobs/{started.Job.Id}", response.Headers.Location?.ToString());
        Assert.Equal(1, started.Generator.Version);
        Assert.Equal("LabelHub GAN v1", started.Generator.Name);
        Assert.Equal(GeneratorState.Training, started.Generator.State);
        Assert.Equal([Shirt, Trouser, Pullover], started.Generator.Labels);
        // Fashion-MNIST's images are 28 px: the generator keeps that side.
        Assert.Equal(28, started.Generator.ImageSide);
        Assert.Equal(1, started.Generator.Channels);
        Assert.Equal(new GeneratorSettings { Epochs = 3, BatchSize = 32, Seed = 5 }, started.Generator.Settings);
        Assert.Equal(SynthesisJobs.Train.Kind, started.Job.Kind);
        Assert.False(started.Generator.CanGenerate);

        await using (var db = app.CreateDbContext())
        {
            var row = await db.Generators.AsNoTracking().SingleAsync(g => g.ProjectId == world.ProjectId);
            Assert.Equal(started.Job.Id, row.JobRunId);
            Assert.Equal(GeneratorState.Training, row.State);
            Assert.Equal("image", row.ImageKey);
            Assert.Equal(world.ManagerId, row.CreatedById);
            var job = await db.JobRuns.AsNoTracking().SingleAsync(j => j.Id == started.Job.Id);
            Assert.Equal(new TrainGeneratorParameters(world.ProjectId, row.Id), SynthesisJobs.Train.ReadParameters(job));
        }
        var listed = await world.Manager.GetAsync<List<GeneratorInfo>>($"{synthesis}/generators");
        Assert.Equal([1], listed.Select(g => g.Version));
        Assert.Equal(started.Generator.Id, (await world.Manager.GetAsync<GeneratorInfo>($"{synthesis}/generators/1")).Id);
        Assert.Equal(1, (await world.Manager.GetAsync<SynthesisStatus>(synthesis)).Latest?.Version);

        // Generating with a generator still training is refused with the reason; unknown versions and projects are 404.
        var refused = await ExpectStatusAsync(world.Manager, $"{synthesis}/generators/1/generate", new { count = 5 }, HttpStatusCode.Conflict);
        Assert.Contains("LabelHub GAN v1 is still training", refused, StringComparison.Ordinal);
        using (var missing = await world.Manager.Http.GetAsync($"{synthesis}/generators/9"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        await ExpectStatusAsync(world.Manager, $"{synthesis}/generators/9/generate", new { count = 5 }, HttpStatusCode.NotFound);
        using (var nowhere = await world.Manager.Http.GetAsync($"/api/v1/projects/{Guid.NewGuid()}/synthesis"))
        {
            Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
        }
        // Annotators do not manage synthesis.
        using (var annotator = await world.Annotator.Http.GetAsync(synthesis))
        {
            Assert.Equal(HttpStatusCode.Forbidden, annotator.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Generation_needs_a_ready_healthy_generator_and_exactly_one_valid_request_and_balance_tops_up_short_classes(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var world = await ImageProjectAsync(app);
        await LabelAsync(world);
        var synthesis = $"/api/v1/projects/{world.ProjectId}/synthesis";
        // Generators as the training job leaves them: v1 healthy and ready, v2 collapsed, v3 failed.
        var ready = await AddGeneratorAsync(app, world.ProjectId, 1, GeneratorState.Ready, GanHealth.Healthy, null);
        await AddGeneratorAsync(app, world.ProjectId, 2, GeneratorState.Ready, GanHealth.ModeCollapse, "Mode collapse: it makes nearly the same image whatever the noise.");
        await AddGeneratorAsync(app, world.ProjectId, 3, GeneratorState.Failed, null, null);

        // An epoch's sample grid is a stored PNG of the project, served by the media endpoint the page and API clients use.
        var grid = await app.Service<StoredFileService>().SaveAsync(world.ProjectId, null, "grid-v1-e1.png", "image/png", new MemoryStream(TestImages.GrayPng(4, 4, new byte[16])));
        await using (var db = app.CreateDbContext())
        {
            var row = await db.Generators.SingleAsync(g => g.Id == ready);
            row.Curve = new GeneratorCurve { Epochs = [new GeneratorEpoch(1, 1.1, 0.9, 0.7, 0.3, 0.98, 2.5, grid.Id)] };
            await db.SaveChangesAsync();
        }
        var epoch = Assert.Single((await world.Manager.GetAsync<GeneratorInfo>($"{synthesis}/generators/1")).Epochs);
        using (var image = await world.Manager.Http.GetAsync(SynthesisEndpoints.GridUrl(world.ProjectId, epoch)))
        {
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        }

        var collapsed = await ExpectStatusAsync(world.Manager, $"{synthesis}/generators/2/generate", new { count = 5 }, HttpStatusCode.Conflict);
        Assert.Contains("LabelHub GAN v2 is unhealthy and cannot generate: Mode collapse", collapsed, StringComparison.Ordinal);
        var failed = await ExpectStatusAsync(world.Manager, $"{synthesis}/generators/3/generate", new { count = 5 }, HttpStatusCode.Conflict);
        Assert.Contains("LabelHub GAN v3 failed to train", failed, StringComparison.Ordinal);

        var generate = $"{synthesis}/generators/1/generate";
        await ExpectBadRequestAsync(world.Manager, generate, new { }, "perClass");
        await ExpectBadRequestAsync(world.Manager, generate, new { count = 5, balance = true }, "count");
        await ExpectBadRequestAsync(world.Manager, generate, new { count = 0 }, "count");
        await ExpectBadRequestAsync(world.Manager, generate, new { count = 10_001 }, "count");
        await ExpectBadRequestAsync(world.Manager, generate, new { perClass = new Dictionary<string, int>() }, "perClass");
        await ExpectBadRequestAsync(world.Manager, generate, new { perClass = new Dictionary<string, int> { ["Dress"] = 3 } }, "perClass.Dress");
        await ExpectBadRequestAsync(world.Manager, generate, new { perClass = new Dictionary<string, int> { [Trouser] = 0 } }, $"perClass.{Trouser}");

        // Three synthetic Pullovers reach the annotator like any item; two are confirmed, one is answered Trouser (rejected).
        await AddSyntheticItemsAsync(app, world.ProjectId, ready, Pullover, 3);
        var answers = new Queue<string>([Pullover, Pullover, Trouser]);
        while (await world.Annotator.Http.PostAsync($"/api/v1/projects/{world.ProjectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } next)
        {
            var task = (await next.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            await world.Annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("category", answers.Dequeue()))));
        }
        Assert.Empty(answers);
        var status = await world.Manager.GetAsync<SynthesisStatus>(synthesis);
        Assert.Equal((3, 0, 2, 1), (status.Synthetic.Items, status.Synthetic.Awaiting, status.Synthetic.Confirmed, status.Synthetic.Rejected));
        Assert.Equal([new SyntheticClassCount(Pullover, 3, 2, 1)], status.Synthetic.PerClass);
        // Synthetic items never count as real labeled images.
        Assert.Equal(6, status.LabeledPerClass[Pullover]);
        Assert.Equal(3, (await world.Manager.GetAsync<GeneratorInfo>($"{synthesis}/generators/1")).SyntheticItems);

        // Balance: Pullover is short by 22 − 6 − 2 kept synthetic = 14; the other classes are full.
        using var response = await world.Manager.PostRawAsync(generate, new { balance = true, seed = 7 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!;
        Assert.Equal(SynthesisJobs.Generate.Kind, job.Kind);
        await using (var db = app.CreateDbContext())
        {
            var run = await db.JobRuns.AsNoTracking().SingleAsync(j => j.Id == job.Id);
            var parameters = SynthesisJobs.Generate.ReadParameters(run);
            Assert.Equal(ready, parameters.GeneratorId);
            Assert.Equal(7, parameters.Seed);
            Assert.Equal(new Dictionary<string, int> { [Pullover] = 14 }, parameters.PerClass);
        }
    }

    private sealed record World(ApiClient Manager, Guid ManagerId, ApiClient Annotator, Guid ProjectId, byte[][] Images);

    /// <summary>50 Fashion-MNIST images imported as a ZIP, with one annotator.</summary>
    private static async Task<World> ImageProjectAsync(LabelHubApp app)
    {
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Clothes", "Fashion-MNIST", ClothesSchema, 1, 30));
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        var (images, _) = FashionMnistSubset.Load(50);
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(FashionMnistSubset.Zip(images)), "file", "clothes.zip");
        using var response = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/imports", form);
        await ApiClient.EnsureAsync(response);
        var import = await WaitForJobAsync(manager, (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id, timeoutSeconds: 120);
        Assert.True(import.State == JobState.Succeeded, $"{import.ResultSummary} {import.Error}");
        return new World(manager, manager.UserId, annotator, project.Id, images);
    }

    /// <summary>The annotator labels images 0–21 T-shirt/top, 22–43 Trouser and 44–49 Pullover (what the image shows does not matter here).</summary>
    private static async Task LabelAsync(World world)
    {
        while (await world.Annotator.Http.PostAsync($"/api/v1/projects/{world.ProjectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            var index = int.Parse(Path.GetFileNameWithoutExtension(task.Data["file_name"].GetString()!), System.Globalization.CultureInfo.InvariantCulture);
            var label = index < 22 ? Shirt : index < 44 ? Trouser : Pullover;
            await world.Annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("category", label))));
        }
    }

    private static async Task<Guid> AddGeneratorAsync(LabelHubApp app, Guid projectId, int version, GeneratorState state, GanHealth? health, string? reason)
    {
        await using var db = app.CreateDbContext();
        var generator = new Generator
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            Version = version,
            State = state,
            Field = "category",
            Labels = [Shirt, Trouser, Pullover],
            ImageSide = 28,
            Channels = 1,
            EpochsDone = state == GeneratorState.Ready ? 3 : 0,
            Health = health,
            HealthReason = reason,
            JobRunId = Guid.CreateVersion7(),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Generators.Add(generator);
        await db.SaveChangesAsync();
        return generator.Id;
    }

    /// <summary>Synthetic items as the generation job writes them (the image is one of the project's stored images: its bytes do not matter here).</summary>
    private static async Task AddSyntheticItemsAsync(LabelHubApp app, Guid projectId, Guid generatorId, string label, int count)
    {
        await using var db = app.CreateDbContext();
        var image = await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId).OrderBy(i => i.Id).Select(i => i.Data).FirstAsync();
        for (var n = 0; n < count; n++)
        {
            var data = new Dictionary<string, JsonElement>(image, StringComparer.Ordinal)
            {
                [MediaUrls.FileNameKey] = JsonSerializer.SerializeToElement($"synthetic-{n}.png"),
            };
            db.Items.Add(new Item
            {
                ProjectId = projectId,
                Data = data,
                ContentHash = $"synthetic-{generatorId}-{n}",
                SyntheticGeneratorId = generatorId,
                SyntheticLabel = label,
                SyntheticSeed = 100 + n,
                CreatedAt = DateTimeOffset.UtcNow,
            });
        }
        await db.SaveChangesAsync();
    }

    private static async Task ExpectBadRequestAsync(ApiClient client, string url, object body, string field)
    {
        using var response = await client.PostRawAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} {JsonSerializer.Serialize(body)}: {(int)response.StatusCode} {text}");
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
    }

    private static async Task<string> ExpectStatusAsync(ApiClient client, string url, object body, HttpStatusCode status)
    {
        using var response = await client.PostRawAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{url}: {(int)response.StatusCode} {text}");
        return text;
    }
}
