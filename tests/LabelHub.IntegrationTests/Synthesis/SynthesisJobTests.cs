using System.Net;
using System.Net.Http.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Synthesis;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Workers.Learning;
using LabelHub.Workers.Synthesis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Synthesis;

/// <summary>
/// The Synthesis jobs on both databases (issue 16): a tiny generator trains through its job handler, stops after its
/// first epoch as a host shutting down would, resumes at the second instead of starting over, and is measured; then a
/// generation job makes synthetic items an annotator gets from the queue with the class as the suggestion, each image
/// reproducible from its generator, class and seed.
/// </summary>
public sealed class SynthesisJobTests(ITestOutputHelper output)
{
    /// <summary>Narrow networks and few images, so each epoch takes a second or two on two cores; the architecture is the full one.</summary>
    private static readonly GeneratorSettings Tiny = new() { Epochs = 10, BatchSize = 64, LatentSize = 100, Width = 64, HeldOutShare = 0.2, Seed = 1 };

    private const int Images = 1000;

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_training_stopped_after_its_first_epoch_resumes_at_the_second_and_its_generator_makes_synthetic_items_for_annotators(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var project = await SynthesisTestProject.CreateAsync(app, Images);
        var (generator, run) = await project.AddGeneratorAsync(app, Tiny);
        var handler = app.Services.GetServices<IJobHandler>().OfType<TrainGeneratorJobHandler>().Single();
        var parameters = new TrainGeneratorParameters(project.ProjectId, generator.Id);

        // The host stops right after epoch 1 was stored.
        using (var stop = new CancellationTokenSource())
        {
            var stopping = new RecordingProgress(m => m.StartsWith($"Epoch 1 of {Tiny.Epochs}:", StringComparison.Ordinal), stop);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handler.RunAsync(run, parameters, stopping, stop.Token));
            output.WriteLine(string.Join(" | ", stopping.Messages));
        }
        var interrupted = await GeneratorAsync(app, generator.Id);
        Assert.Equal(GeneratorState.Training, interrupted.State);
        Assert.Equal(1, interrupted.EpochsDone);
        Assert.NotNull(interrupted.CheckpointFileId);
        var firstGrid = Assert.Single(interrupted.Curve.Epochs).GridFileId;

        // The job runs again after the restart: it goes on from the checkpoint.
        var progress = new RecordingProgress();
        var outcome = await handler.RunAsync(run, parameters, progress, CancellationToken.None);
        output.WriteLine(string.Join(" | ", progress.Messages));
        var trained = await GeneratorAsync(app, generator.Id);
        output.WriteLine($"{outcome.Summary} health {trained.Health} {trained.HealthReason}; diversity {string.Join(" ", trained.Curve.Epochs.Select(e => e.DiversityRatio.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}; {trained.Evaluation}");
        Assert.True(outcome.Succeeded, outcome.Summary);
        var epochMessages = progress.Messages.Where(m => m.StartsWith("Epoch ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith($"Epoch 2 of {Tiny.Epochs}: D ", epochMessages[0], StringComparison.Ordinal);
        Assert.Equal(Tiny.Epochs - 1, epochMessages.Count);

        Assert.Equal(GeneratorState.Ready, trained.State);
        Assert.Equal(Tiny.Epochs, trained.EpochsDone);
        Assert.Equal(Enumerable.Range(1, Tiny.Epochs), trained.Curve.Epochs.Select(e => e.Epoch));
        Assert.Equal(firstGrid, trained.Curve.Epochs[0].GridFileId);
        Assert.All(trained.Curve.Epochs, e => Assert.True(e.DiscriminatorLoss > 0 && e.GeneratorLoss > 0 && e.DiversityRatio > 0 && e.Seconds > 0, e.ToString()));
        Assert.Equal(GanHealth.Healthy, trained.Health);
        Assert.Equal(Images, trained.TrainCount + trained.HeldOutCount);
        Assert.Equal(Images / 5, trained.HeldOutCount);
        Assert.NotNull(trained.WeightsFileId);
        Assert.NotNull(trained.TrainedAt);
        Assert.True(trained.Evaluation.IsMeasured);
        Assert.Equal(Images / 5, trained.Evaluation.TestCount);
        Assert.InRange(trained.Evaluation.RealAccuracy, 0, 1);
        Assert.InRange(trained.Evaluation.SyntheticAccuracy, 0, 1);
        Assert.True(trained.Evaluation.FrechetDistance >= 0);
        var result = SynthesisJobs.Train.ReadResult(new JobRun { Kind = SynthesisJobs.Train.Kind, Result = SynthesisJobs.Train.SerializeResult(outcome.Result!) })!;
        Assert.Equal((1, Tiny.Epochs, GanHealth.Healthy), (result.Version, result.Epochs, result.Health));

        await using (var db = app.CreateDbContext())
        {
            // One checkpoint (the last epoch's), the weights and a grid per epoch: nothing else of the job's files is left.
            var files = await db.StoredFiles.AsNoTracking().Where(f => f.JobRunId == run.Id).Select(f => f.Id).ToListAsync();
            Assert.Equal(new[] { trained.CheckpointFileId!.Value, trained.WeightsFileId!.Value }.Concat(trained.Curve.Epochs.Select(e => e.GridFileId)).Order(), files.Order());
        }
        foreach (var epoch in trained.Curve.Epochs)
        {
            // Ten classes, one row of eight samples each, drawn at twice their size.
            using var grid = await project.Manager.Http.GetAsync(MediaUrls.For(project.ProjectId, epoch.GridFileId));
            Assert.Equal(HttpStatusCode.OK, grid.StatusCode);
            Assert.Equal("image/png", grid.Content.Headers.ContentType!.MediaType);
            Assert.True(ImageInfo.TryRead(await grid.Content.ReadAsByteArrayAsync(), out _, out var width, out var height));
            Assert.True(height > 10 * 56 && width > 8 * 56 && width < height, $"{width} × {height}");
        }

        // Generation through the job system: 3 trousers and 2 bags, seeds 100 to 104 in the generator's class order.
        var perClass = new Dictionary<string, int> { ["Bag"] = 2, ["Trouser"] = 3 };
        var job = await app.Service<JobRunService>().StartAsync(SynthesisJobs.Generate, project.ProjectId, project.Manager.UserId,
            new GenerateParameters(project.ProjectId, generator.Id, perClass, 100));
        var generated = await WaitForJobAsync(project.Manager, job.Id, timeoutSeconds: 120);
        Assert.True(generated.State == JobState.Succeeded, $"{generated.ResultSummary} {generated.Error}");
        Assert.Equal(5, SynthesisJobs.Generate.ReadResult(generated)!.Items);

        var handedOut = new List<(Item Item, LabelingTask Task)>();
        while (await project.Annotator.Http.PostAsync($"/api/v1/projects/{project.ProjectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            await using (var db = app.CreateDbContext())
            {
                handedOut.Add((await db.Items.AsNoTracking().SingleAsync(i => i.Id == task.ItemId), task));
            }
            await project.Annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                new SubmitRequest(Values((SynthesisTestProject.Field, task.Suggestions![0].Values[SynthesisTestProject.Field].GetString()!))));
        }
        Assert.Equal([100L, 101, 102, 103, 104], handedOut.Select(h => h.Item.SyntheticSeed!.Value).Order());
        Assert.All(handedOut, h =>
        {
            Assert.Equal(generator.Id, h.Item.SyntheticGeneratorId);
            Assert.Equal(job.Id, h.Item.ImportJobRunId);
            Assert.Equal(h.Item.SyntheticSeed < 103 ? "Trouser" : "Bag", h.Item.SyntheticLabel);
            var suggestion = Assert.Single(h.Task.Suggestions!);
            Assert.Equal("LabelHub GAN v1", suggestion.ModelVersion);
            Assert.Equal(h.Item.SyntheticLabel, suggestion.Values[SynthesisTestProject.Field].GetString());
        });

        // Each image comes back from the stored weights, its class and its seed alone.
        var data = app.Service<SynthesisData>();
        var weights = await data.WeightsAsync(trained, CancellationToken.None);
        var spec = new GanSpec(28, 1, 10, Tiny.LatentSize, Tiny.Width);
        var (seed, label, url) = handedOut.Select(h => (h.Item.SyntheticSeed!.Value, h.Item.SyntheticLabel!, h.Task.Data["image"].GetString()!)).First();
        var again = await app.Service<TorchThread>().RunAsync(() =>
        {
            using var stream = new MemoryStream(weights);
            using var gan = ConditionalGan.LoadGenerator(spec, stream);
            var pixels = gan.Generate([Array.IndexOf(FashionMnistSubset.Labels, label)], seed);
            Assert.All(pixels, p => Assert.InRange(p, 0f, 1f));
            return SamplePng.Encode(pixels, 1, 28);
        });
        Assert.Equal(again, await project.Annotator.Http.GetByteArrayAsync(url));

        // The same job run again (a restart after it had stored everything) makes nothing twice.
        var generateHandler = app.Services.GetServices<IJobHandler>().OfType<GenerateJobHandler>().Single();
        var rerun = await generateHandler.RunAsync(new JobRun { Id = job.Id }, new GenerateParameters(project.ProjectId, generator.Id, perClass, 100), new RecordingProgress(), CancellationToken.None);
        Assert.True(rerun.Succeeded, rerun.Summary);
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(5, await db.Items.CountAsync(i => i.SyntheticGeneratorId == generator.Id));
        }
        // A class the generator does not know fails the job with a reason, and stores nothing.
        var unknown = await generateHandler.RunAsync(new JobRun { Id = Guid.CreateVersion7() },
            new GenerateParameters(project.ProjectId, generator.Id, new Dictionary<string, int> { ["Hat"] = 1 }, 0), new RecordingProgress(), CancellationToken.None);
        Assert.False(unknown.Succeeded);
        Assert.Contains("'Hat' is not a class of LabelHub GAN v1.", unknown.Summary, StringComparison.Ordinal);
    }

    private static async Task<Generator> GeneratorAsync(LabelHubApp app, Guid id)
    {
        await using var db = app.CreateDbContext();
        return await db.Generators.AsNoTracking().SingleAsync(g => g.Id == id);
    }
}
