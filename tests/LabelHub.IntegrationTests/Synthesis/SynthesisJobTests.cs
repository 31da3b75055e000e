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
    private static readonly GeneratorSettings Tiny = new() { Epochs = 3, BatchSize = 16, LatentSize = 16, Width = 16, HeldOutShare = 0.2, Seed = 1 };

    private const int Images = 100;

    /// <summary>Enough images and steps for samples that vary (about 200 generator steps: the lowest class's spread reached 0.41 of the real one), within a minute on two cores.</summary>
    private static readonly GeneratorSettings Healthy = new() { Epochs = 16, BatchSize = 64, LatentSize = 100, Width = 64, HeldOutShare = 0.2, Seed = 1 };

    private const int HealthyImages = 1000;

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_training_stopped_after_its_first_epoch_resumes_at_the_second_and_a_generator_too_short_to_vary_is_reported_collapsed(string provider)
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
        }
        var interrupted = await GeneratorAsync(app, generator.Id);
        Assert.Equal(GeneratorState.Training, interrupted.State);
        Assert.Equal(1, interrupted.EpochsDone);
        Assert.NotNull(interrupted.CheckpointFileId);
        var firstGrid = Assert.Single(interrupted.Curve.Epochs).GridFileId;

        // The job runs again after the restart: it goes on from the checkpoint.
        var progress = new RecordingProgress();
        var outcome = await handler.RunAsync(run, parameters, progress, CancellationToken.None);
        var trained = await GeneratorAsync(app, generator.Id);
        output.WriteLine($"{outcome.Summary} | {string.Join(" | ", progress.Messages)} | diversity {Diversity(trained)}");
        Assert.True(outcome.Succeeded, outcome.Summary);
        var epochMessages = progress.Messages.Where(m => m.StartsWith("Epoch ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith($"Epoch 2 of {Tiny.Epochs}: D ", epochMessages[0], StringComparison.Ordinal);
        Assert.Equal(Tiny.Epochs - 1, epochMessages.Count);
        Assert.Equal(GeneratorState.Ready, trained.State);
        Assert.Equal(Tiny.Epochs, trained.EpochsDone);
        Assert.Equal(Enumerable.Range(1, Tiny.Epochs), trained.Curve.Epochs.Select(e => e.Epoch));
        Assert.Equal(firstGrid, trained.Curve.Epochs[0].GridFileId);
        Assert.All(trained.Curve.Epochs, e => Assert.True(e.DiscriminatorLoss > 0 && e.GeneratorLoss > 0 && e.DiversityRatio > 0 && e.Seconds > 0, e.ToString()));
        var heldOut = project.Classes.GroupBy(c => c).Sum(g => SynthesisData.HeldOutCount(g.Count(), Tiny.HeldOutShare));
        Assert.Equal((Images - heldOut, heldOut), (trained.TrainCount, trained.HeldOutCount));
        Assert.NotNull(trained.WeightsFileId);
        Assert.NotNull(trained.TrainedAt);

        // Three epochs of a few steps leave every class drawing near-copies: reported as a collapse (not measured), so it cannot generate.
        Assert.Equal(GanHealth.ModeCollapse, trained.Health);
        Assert.Equal(FashionMnistSubset.Labels, trained.CollapsedClasses);
        Assert.StartsWith("Mode collapse: the generator draws nearly the same image for T-shirt/top, Trouser", trained.HealthReason, StringComparison.Ordinal);
        Assert.False(trained.Evaluation.IsMeasured);
        Assert.False(GeneratorInfo.Of(trained, 0).CanGenerate);
        var result = SynthesisJobs.Train.ReadResult(new JobRun { Kind = SynthesisJobs.Train.Kind, Result = SynthesisJobs.Train.SerializeResult(outcome.Result!) })!;
        Assert.Equal((1, Tiny.Epochs, GanHealth.ModeCollapse, (double?)null), (result.Version, result.Epochs, result.Health, result.CasRatio));

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

        // More epochs asked for later continue the same generator from its checkpoint; cancelled by a person, it is Failed with its epochs kept.
        await using (var db = app.CreateDbContext())
        {
            var row = await db.Generators.SingleAsync(g => g.Id == generator.Id);
            row.Settings = row.Settings with { Epochs = Tiny.Epochs + 1 };
            await db.SaveChangesAsync();
        }
        var cancelling = new CancellingProgress($"Epoch {Tiny.Epochs + 1} of {Tiny.Epochs + 1}:");
        await Assert.ThrowsAsync<JobCancelledException>(() => handler.RunAsync(run, parameters, cancelling, CancellationToken.None));
        var cancelled = await GeneratorAsync(app, generator.Id);
        Assert.Equal(GeneratorState.Failed, cancelled.State);
        Assert.Equal("Training was cancelled.", cancelled.HealthReason);
        Assert.Equal(Tiny.Epochs + 1, cancelled.EpochsDone);
        Assert.Equal(trained.Curve.Epochs.Select(e => e.GridFileId), cancelled.Curve.Epochs.Take(Tiny.Epochs).Select(e => e.GridFileId));

        // Asked to generate anyway, the job refuses and stores nothing.
        var generateHandler = app.Services.GetServices<IJobHandler>().OfType<GenerateJobHandler>().Single();
        var refused = await generateHandler.RunAsync(new JobRun { Id = Guid.CreateVersion7() },
            new GenerateParameters(project.ProjectId, generator.Id, new Dictionary<string, int> { ["Bag"] = 1 }, 0), new RecordingProgress(), CancellationToken.None);
        Assert.False(refused.Succeeded);
        Assert.Contains("LabelHub GAN v1 cannot generate: only a trained, healthy generator can.", refused.Summary, StringComparison.Ordinal);
        await using (var db = app.CreateDbContext())
        {
            Assert.False(await db.Items.IgnoreQueryFilters().AnyAsync(i => i.SyntheticGeneratorId == generator.Id));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_healthy_generator_is_measured_and_makes_synthetic_items_annotators_get_with_the_class_as_suggestion(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var project = await SynthesisTestProject.CreateAsync(app, HealthyImages);
        var (generator, run) = await project.AddGeneratorAsync(app, Healthy);
        // Through the job system, as the service starts it.
        app.Service<IJobScheduler>().Enqueue(run.Id);
        var training = await WaitForJobAsync(project.Manager, run.Id, timeoutSeconds: 600);
        var trained = await GeneratorAsync(app, generator.Id);
        output.WriteLine($"{training.ResultSummary} {training.Error} | diversity {Diversity(trained)} | {trained.Evaluation}");
        Assert.True(training.State == JobState.Succeeded, $"{training.ResultSummary} {training.Error}");
        Assert.Equal(GanHealth.Healthy, trained.Health);
        Assert.True(GeneratorInfo.Of(trained, 0).CanGenerate);
        Assert.True(trained.Evaluation.IsMeasured);
        Assert.Equal(trained.HeldOutCount, trained.Evaluation.TestCount);
        Assert.InRange(trained.Evaluation.RealAccuracy, 0.3, 1);
        Assert.InRange(trained.Evaluation.SyntheticAccuracy, 0, 1);
        Assert.True(trained.Evaluation.FrechetDistance > 0 && trained.Evaluation.RealFrechetDistance > 0, trained.Evaluation.ToString());
        Assert.Equal(trained.Evaluation.SyntheticAccuracy / trained.Evaluation.RealAccuracy, trained.Evaluation.CasRatio, 1e-9);
        Assert.Equal(SynthesisJobs.Train.ReadResult(training)!.CasRatio, trained.Evaluation.CasRatio);

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
        var weights = await app.Service<SynthesisData>().WeightsAsync(trained, CancellationToken.None);
        var spec = new GanSpec(28, 1, 10, Healthy.LatentSize, Healthy.Width);
        foreach (var (item, task) in handedOut.Take(2))
        {
            var again = await app.Service<TorchThread>().RunAsync(() =>
            {
                using var stream = new MemoryStream(weights);
                using var gan = ConditionalGan.LoadGenerator(spec, stream);
                var pixels = gan.Generate([Array.IndexOf(FashionMnistSubset.Labels, item.SyntheticLabel)], item.SyntheticSeed!.Value);
                Assert.All(pixels, p => Assert.InRange(p, 0f, 1f));
                return SamplePng.Encode(pixels, 1, 28);
            });
            Assert.Equal(again, await project.Annotator.Http.GetByteArrayAsync(task.Data["image"].GetString()));
        }

        // Cancelled after its first batch was stored, a generation leaves nothing behind.
        var cancelledRun = Guid.CreateVersion7();
        await Assert.ThrowsAsync<JobCancelledException>(() => app.Services.GetServices<IJobHandler>().OfType<GenerateJobHandler>().Single().RunAsync(
            new JobRun { Id = cancelledRun }, new GenerateParameters(project.ProjectId, generator.Id, new Dictionary<string, int> { ["Coat"] = SynthesisData.ItemBatch + 10 }, 7),
            new CancellingProgress($"Generated {SynthesisData.ItemBatch} of"), CancellationToken.None));
        await using (var db = app.CreateDbContext())
        {
            Assert.False(await db.Items.IgnoreQueryFilters().AnyAsync(i => i.ImportJobRunId == cancelledRun));
            Assert.False(await db.StoredFiles.AnyAsync(f => f.JobRunId == cancelledRun));
        }

        // The same job run again (a restart after it had stored everything) makes nothing twice.
        var generateHandler = app.Services.GetServices<IJobHandler>().OfType<GenerateJobHandler>().Single();
        var rerun = await generateHandler.RunAsync(new JobRun { Id = job.Id }, new GenerateParameters(project.ProjectId, generator.Id, perClass, 100), new RecordingProgress(), CancellationToken.None);
        Assert.True(rerun.Succeeded, rerun.Summary);
        Assert.Equal(5, rerun.Result!.Items);
        // A class the generator does not know fails the job with a reason, and stores nothing.
        var unknown = await generateHandler.RunAsync(new JobRun { Id = Guid.CreateVersion7() },
            new GenerateParameters(project.ProjectId, generator.Id, new Dictionary<string, int> { ["Hat"] = 1 }, 0), new RecordingProgress(), CancellationToken.None);
        Assert.False(unknown.Succeeded);
        Assert.Contains("'Hat' is not a class of LabelHub GAN v1.", unknown.Summary, StringComparison.Ordinal);
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(5, await db.Items.IgnoreQueryFilters().CountAsync(i => i.SyntheticGeneratorId == generator.Id));
        }
    }

    private static string Diversity(Generator generator) =>
        string.Join(" ", generator.Curve.Epochs.Select(e => e.DiversityRatio.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_generator_of_colour_images_trains_and_draws_in_colour(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        // The same clothes, tinted: warm where bright, blue where dark, so no pixel is grey.
        var project = await SynthesisTestProject.CreateAsync(app, Images, pixels => TintedPng(pixels));
        var (generator, run) = await project.AddGeneratorAsync(app, Tiny with { Epochs = 1 });
        Assert.Equal(1, generator.Channels);
        var handler = app.Services.GetServices<IJobHandler>().OfType<TrainGeneratorJobHandler>().Single();
        await handler.RunAsync(run, new TrainGeneratorParameters(project.ProjectId, generator.Id), new RecordingProgress(), CancellationToken.None);

        var trained = await GeneratorAsync(app, generator.Id);
        Assert.Equal(3, trained.Channels);
        var grid = await project.Manager.Http.GetByteArrayAsync($"/api/v1/projects/{project.ProjectId}/media/{trained.Curve.Epochs[0].GridFileId}");
        // A PNG's colour type is byte 25 (in its IHDR chunk): 0 is grey, 2 and 6 are colour. After one short epoch the
        // samples themselves are still close to uniform noise, so the file's type is the check, not its pixels.
        Assert.Contains(grid[25], new byte[] { 2, 6 });
    }

    private static byte[] TintedPng(byte[] gray)
    {
        using var bitmap = new SkiaSharp.SKBitmap(FashionMnistSubset.Side, FashionMnistSubset.Side);
        for (var i = 0; i < gray.Length; i++)
        {
            bitmap.SetPixel(i % FashionMnistSubset.Side, i / FashionMnistSubset.Side, new SkiaSharp.SKColor(gray[i], (byte)(gray[i] / 2), (byte)(255 - gray[i])));
        }
        using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static async Task<Generator> GeneratorAsync(LabelHubApp app, Guid id)
    {
        await using var db = app.CreateDbContext();
        return await db.Generators.AsNoTracking().SingleAsync(g => g.Id == id);
    }
}
