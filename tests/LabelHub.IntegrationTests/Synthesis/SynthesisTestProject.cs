using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Synthesis;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Synthesis;

/// <summary>A Fashion-MNIST project whose images an annotator labeled through the API, and generator rows as the service would create them.</summary>
public sealed record SynthesisTestProject(ApiClient Manager, ApiClient Annotator, Guid ProjectId, int[] Classes)
{
    public const string Field = "category";

    public static readonly LabelSchema ClothesSchema = new()
    {
        Fields = [new LabelField { Name = Field, Kind = FieldKind.Choice, Labels = [.. FashionMnistSubset.Labels], Required = true }],
    };

    /// <summary>The first <paramref name="count"/> test images imported as a ZIP and each answered with its true class (overlap 1).</summary>
    /// <param name="encode">Turns an image's grey pixels into the uploaded file; null: a grey PNG.</param>
    public static async Task<SynthesisTestProject> CreateAsync(LabelHubApp app, int count, Func<byte[], byte[]>? encode = null)
    {
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var annotator = await app.CreateUserClientAsync("ann", Roles.Annotator);
        var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects", new ProjectInput("Clothes", "Fashion-MNIST", ClothesSchema, 1, 30));
        await AddMemberAsync(manager, project.Id, annotator.UserId);
        var (images, classes) = FashionMnistSubset.Load(count);
        if (count > 0)
        {
            using var form = new MultipartFormDataContent();
            var zip = encode is null
                ? FashionMnistSubset.Zip(images)
                : TestImages.Zip([.. images.Select((pixels, i) => ($"{i:D5}.png", encode(pixels)))]);
            form.Add(new ByteArrayContent(zip), "file", "clothes.zip");
            using var response = await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/imports", form);
            await ApiClient.EnsureAsync(response);
            var import = await WaitForJobAsync(manager, (await response.Content.ReadFromJsonAsync<JobRunInfo>(LabelHubApp.Json))!.Id, timeoutSeconds: 300);
            Assert.True(import.State == JobState.Succeeded, $"{import.ResultSummary} {import.Error}");
        }
        var labeled = new SynthesisTestProject(manager, annotator, project.Id, classes);
        await labeled.AnswerAllAsync();
        return labeled;
    }

    /// <summary>The annotator answers every task the queue hands out with the image's true class; synthetic items (no file index) get their suggested class.</summary>
    public async Task<int> AnswerAllAsync()
    {
        var answered = 0;
        while (await Annotator.Http.PostAsync($"/api/v1/projects/{ProjectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            var name = Path.GetFileNameWithoutExtension(task.Data["file_name"].GetString()!);
            var label = int.TryParse(name, System.Globalization.CultureInfo.InvariantCulture, out var index)
                ? FashionMnistSubset.Labels[Classes[index]]
                : task.Suggestions![0].Values[Field].GetString()!;
            await Annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values((Field, label))));
            answered++;
        }
        return answered;
    }

    /// <summary>A generator row with its (running) training job, as starting a training stores them.</summary>
    public async Task<(Generator Generator, JobRun Run)> AddGeneratorAsync(LabelHubApp app, GeneratorSettings settings, int version = 1)
    {
        var run = new JobRun
        {
            Id = Guid.CreateVersion7(),
            Kind = SynthesisJobs.Train.Kind,
            ProjectId = ProjectId,
            RequestedById = Manager.UserId,
            State = JobState.Running,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var generator = new Generator
        {
            Id = Guid.CreateVersion7(),
            ProjectId = ProjectId,
            Version = version,
            State = GeneratorState.Training,
            Field = Field,
            Labels = [.. FashionMnistSubset.Labels],
            ImageKey = "image",
            ImageSide = 28,
            Channels = 1,
            Settings = settings,
            JobRunId = run.Id,
            CreatedById = Manager.UserId,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        run.Parameters = SynthesisJobs.Train.SerializeParameters(new TrainGeneratorParameters(ProjectId, generator.Id));
        await using var db = app.CreateDbContext();
        db.JobRuns.Add(run);
        db.Generators.Add(generator);
        await db.SaveChangesAsync();
        return (generator, run);
    }
}

/// <summary>Progress as the job row would record it, and a way to stop the job at a chosen message (as a host shutting down would).</summary>
public sealed class RecordingProgress(Func<string, bool>? stopAfter = null, CancellationTokenSource? stop = null) : IJobProgress
{
    public List<string> Messages { get; } = [];

    public Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default)
    {
        if (message is not null)
        {
            lock (Messages)
            {
                Messages.Add(message);
            }
            if (stopAfter?.Invoke(message) == true)
            {
                stop?.Cancel();
            }
        }
        return Task.CompletedTask;
    }
}

/// <summary>Progress through which a person cancels the job when it reports a message starting with <paramref name="prefix"/> (as the job row's cancel does).</summary>
public sealed class CancellingProgress(string prefix) : IJobProgress
{
    public Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default) =>
        message is not null && message.StartsWith(prefix, StringComparison.Ordinal) ? throw new JobCancelledException() : Task.CompletedTask;
}
