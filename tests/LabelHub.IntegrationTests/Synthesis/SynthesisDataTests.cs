using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Synthesis;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.IntegrationTests.Synthesis;

/// <summary>
/// The Synthesis stage's data on both databases (issue 16): a generator's real training images and their split, its
/// epochs with grids and one checkpoint, and the synthetic items it makes, hidden until revealed and then handed out to
/// annotators with the class as the suggestion.
/// </summary>
public sealed class SynthesisDataTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_training_set_is_the_same_stratified_split_on_every_call_and_leaves_synthetic_items_out(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var project = await SynthesisTestProject.CreateAsync(app, 60);
        var (generator, _) = await project.AddGeneratorAsync(app, new GeneratorSettings { HeldOutShare = 0.25, Seed = 5 });
        var data = app.Service<SynthesisData>();

        var first = await data.TrainingSetAsync(generator.Id, CancellationToken.None);
        var second = await data.TrainingSetAsync(generator.Id, CancellationToken.None);
        Assert.Equal(first.Train.Select(i => i.ItemId), second.Train.Select(i => i.ItemId));
        Assert.Equal(first.HeldOut.Select(i => i.ItemId), second.HeldOut.Select(i => i.ItemId));
        Assert.Equal(60, first.Train.Count + first.HeldOut.Count);
        Assert.Empty(first.Train.Select(i => i.ItemId).Intersect(first.HeldOut.Select(i => i.ItemId)));
        Assert.Equal(0, first.Unreadable);
        // Stratified: each class keeps its share out, and each image carries its true class and its PNG bytes.
        var all = first.Train.Concat(first.HeldOut).ToList();
        foreach (var group in all.GroupBy(i => i.Label))
        {
            Assert.Equal(SynthesisData.HeldOutCount(group.Count(), 0.25), first.HeldOut.Count(i => i.Label == group.Key));
        }
        await using (var db = app.CreateDbContext())
        {
            var names = await db.Items.AsNoTracking().Where(i => i.ProjectId == project.ProjectId).ToDictionaryAsync(i => i.Id, i => i.Data["file_name"].GetString()!);
            Assert.All(all, image =>
            {
                Assert.Equal(project.Classes[int.Parse(Path.GetFileNameWithoutExtension(names[image.ItemId]), System.Globalization.CultureInfo.InvariantCulture)], image.Label);
                Assert.Equal([0x89, 0x50, 0x4E, 0x47], image.Encoded[..4]);
            });
        }
        // Another seed splits differently: the split follows the seed, not the ids' order.
        var (other, _) = await project.AddGeneratorAsync(app, new GeneratorSettings { HeldOutShare = 0.25, Seed = 6 }, version: 2);
        Assert.NotEqual(first.HeldOut.Select(i => i.ItemId), (await data.TrainingSetAsync(other.Id, CancellationToken.None)).HeldOut.Select(i => i.ItemId));

        // A synthetic item, answered like any item, never becomes training data.
        await ReadyAsync(app, generator.Id);
        var run = Guid.CreateVersion7();
        await data.AddSyntheticItemsAsync(project.ProjectId, run, generator, [new SyntheticSample("Bag", 1, Png(1))], CancellationToken.None);
        await data.RevealSyntheticItemsAsync(run, CancellationToken.None);
        Assert.Equal(1, await project.AnswerAllAsync());
        var after = await data.TrainingSetAsync(generator.Id, CancellationToken.None);
        Assert.Equal(first.Train.Select(i => i.ItemId), after.Train.Select(i => i.ItemId));
        Assert.Equal(first.HeldOut.Select(i => i.ItemId), after.HeldOut.Select(i => i.ItemId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Each_epoch_keeps_its_grid_and_only_the_newest_checkpoint_survives(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var project = await SynthesisTestProject.CreateAsync(app, 0);
        var (generator, run) = await project.AddGeneratorAsync(app, new GeneratorSettings());
        var data = app.Service<SynthesisData>();
        Assert.Null(await data.CheckpointAsync(generator, CancellationToken.None));

        var grids = new List<GeneratorEpoch>();
        for (var epoch = 1; epoch <= 3; epoch++)
        {
            var checkpoint = RandomNumberGenerator.GetBytes(1500 + epoch);
            var health = epoch == 3 ? GanHealth.ModeCollapse : GanHealth.Healthy;
            var reason = epoch == 3 ? "Mode collapse: the generator draws nearly the same image for Bag." : null;
            grids.Add(await data.SaveEpochAsync(generator.Id, new GeneratorEpoch(epoch, 0.7, 1.5 + epoch, 0.6, 0.4, 0.9, 2.5, Guid.Empty), Png(epoch), checkpoint,
                health, reason, epoch == 3 ? ["Bag"] : [], CancellationToken.None));
            Assert.Equal(checkpoint, await data.CheckpointAsync(generator, CancellationToken.None));
        }
        // An epoch out of order would break the curve: refused.
        await Assert.ThrowsAsync<InvalidOperationException>(() => data.SaveEpochAsync(generator.Id,
            new GeneratorEpoch(5, 0.7, 1.5, 0.6, 0.4, 0.9, 2.5, Guid.Empty), Png(5), [1, 2, 3], GanHealth.Healthy, null, [], CancellationToken.None));

        await using (var db = app.CreateDbContext())
        {
            var stored = await db.Generators.AsNoTracking().SingleAsync(g => g.Id == generator.Id);
            Assert.Equal(3, stored.EpochsDone);
            Assert.Equal([1, 2, 3], stored.Curve.Epochs.Select(e => e.Epoch));
            Assert.Equal(grids.Select(g => g.GridFileId), stored.Curve.Epochs.Select(e => e.GridFileId));
            Assert.Equal(GanHealth.ModeCollapse, stored.Health);
            Assert.Equal(["Bag"], stored.CollapsedClasses);
            Assert.StartsWith("Mode collapse", stored.HealthReason, StringComparison.Ordinal);
            var files = await db.StoredFiles.AsNoTracking().Where(f => f.JobRunId == run.Id).ToListAsync();
            Assert.Equal(4, files.Count);
            Assert.Equal(stored.CheckpointFileId, files.Single(f => f.ContentType == "application/octet-stream").Id);
            Assert.All(files, f => Assert.True(f.IsComplete));
        }
        // Every grid is an image of the project the media endpoint serves.
        for (var epoch = 1; epoch <= 3; epoch++)
        {
            using var response = await project.Manager.Http.GetAsync(MediaUrls.For(project.ProjectId, grids[epoch - 1].GridFileId));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(Png(epoch), await response.Content.ReadAsByteArrayAsync());
        }

        // A kill after the files were written but before the epoch was stored leaves them unreferenced: the re-run removes them.
        var files2 = app.Service<StoredFileService>();
        var orphan = await files2.WriteAsync(project.ProjectId, null, run.Id, "generator-v1-checkpoint-4.pt", "application/octet-stream",
            (stream, token) => stream.WriteAsync(new byte[] { 1, 2, 3 }, token).AsTask());
        var reopened = await data.BeginTrainingAsync(generator.Id, CancellationToken.None);
        Assert.Equal(3, reopened.EpochsDone);
        await using (var db = app.CreateDbContext())
        {
            Assert.False(await db.StoredFiles.AnyAsync(f => f.Id == orphan.Id));
            Assert.Equal(4, await db.StoredFiles.CountAsync(f => f.JobRunId == run.Id));
        }

        var finished = await data.FinishTrainingAsync(generator.Id, [9, 9, 9], new GeneratorEvaluation { PerClass = 5, CasRatio = 0.8 }, 40, 10, 12.5,
            new GanDiagnosis(GanHealth.Healthy, null, []), CancellationToken.None);
        Assert.Equal(GeneratorState.Ready, finished.State);
        Assert.Equal((40, 10), (finished.TrainCount, finished.HeldOutCount));
        Assert.NotNull(finished.TrainedAt);
        Assert.Equal(GanHealth.Healthy, finished.Health);
        Assert.Null(finished.HealthReason);
        Assert.Empty(finished.CollapsedClasses);
        Assert.Equal([9, 9, 9], await data.WeightsAsync(finished, CancellationToken.None));
        await data.FailTrainingAsync(generator.Id, "Training was cancelled.", CancellationToken.None);
        Assert.Equal(GeneratorState.Failed, (await data.GeneratorAsync(generator.Id, CancellationToken.None)).State);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Synthetic_items_stay_hidden_until_revealed_then_reach_the_annotator_with_the_class_as_suggestion(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var project = await SynthesisTestProject.CreateAsync(app, 0);
        var (generator, _) = await project.AddGeneratorAsync(app, new GeneratorSettings());
        generator = await ReadyAsync(app, generator.Id);
        var data = app.Service<SynthesisData>();
        var run = Guid.CreateVersion7();
        var samples = Enumerable.Range(0, SynthesisData.ItemBatch + 5).Select(i => new SyntheticSample(i % 2 == 0 ? "Bag" : "Sandal", 1000 + i, Png(i))).ToList();

        Assert.Equal(samples.Count, await data.AddSyntheticItemsAsync(project.ProjectId, run, generator, samples, CancellationToken.None));
        // Pending: no listing, count or queue sees them.
        Assert.Empty((await project.Manager.GetAsync<ItemPage>($"/api/v1/projects/{project.ProjectId}/items?limit=10")).Items);
        Assert.Equal(HttpStatusCode.NoContent, (await project.Annotator.Http.PostAsync($"/api/v1/projects/{project.ProjectId}/tasks/next", null)).StatusCode);
        // A re-run after a kill finds them still pending and removes them (with their images), to make them again.
        Assert.Null(await data.ResumeGenerationAsync(run, CancellationToken.None));
        await using (var db = app.CreateDbContext())
        {
            Assert.False(await db.Items.IgnoreQueryFilters().AnyAsync(i => i.ImportJobRunId == run));
            Assert.False(await db.StoredFiles.AnyAsync(f => f.JobRunId == run));
        }

        await data.AddSyntheticItemsAsync(project.ProjectId, run, generator, samples, CancellationToken.None);
        Assert.Equal(samples.Count, await data.RevealSyntheticItemsAsync(run, CancellationToken.None));
        // Once revealed, a re-run only reports them: nothing is made twice.
        Assert.Equal(samples.Count, await data.ResumeGenerationAsync(run, CancellationToken.None));

        var seen = 0;
        while (await project.Annotator.Http.PostAsync($"/api/v1/projects/{project.ProjectId}/tasks/next", null) is { StatusCode: HttpStatusCode.OK } response)
        {
            var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
            await using var db = app.CreateDbContext();
            var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == task.ItemId);
            Assert.Equal(generator.Id, item.SyntheticGeneratorId);
            Assert.Equal(run, item.ImportJobRunId);
            var sample = samples.Single(s => s.Seed == item.SyntheticSeed);
            Assert.Equal(sample.Label, item.SyntheticLabel);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(sample.Png)), item.ContentHash);
            var suggestion = Assert.Single(task.Suggestions!);
            Assert.Equal("LabelHub GAN v1", suggestion.ModelVersion);
            Assert.Null(suggestion.Score);
            Assert.Equal(sample.Label, suggestion.Values[SynthesisTestProject.Field].GetString());
            Assert.Equal(28, task.Data["width"].GetInt32());
            if (seen < 3)
            {
                // The image is served like an imported one.
                using var image = await project.Annotator.Http.GetAsync(task.Data["image"].GetString());
                Assert.Equal(HttpStatusCode.OK, image.StatusCode);
                Assert.Equal(sample.Png, await image.Content.ReadAsByteArrayAsync());
            }
            await project.Annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(ApiTestValues(sample.Label)));
            seen++;
        }
        Assert.Equal(samples.Count, seen);

        // A class the generator does not know is refused, naming the field.
        var refused = await Assert.ThrowsAsync<LabelHub.Domain.ValidationException>(() =>
            data.AddSyntheticItemsAsync(project.ProjectId, Guid.CreateVersion7(), generator, [new SyntheticSample("Hat", 1, Png(1))], CancellationToken.None));
        Assert.Contains("perClass", refused.EnglishErrors.Keys);
    }

    private static Dictionary<string, System.Text.Json.JsonElement> ApiTestValues(string label) =>
        Api.ApiTestHelpers.Values((SynthesisTestProject.Field, label));

    /// <summary>A distinct small grayscale PNG per number.</summary>
    internal static byte[] Png(int n) => TestImages.GrayPng(28, 28, [.. Enumerable.Range(0, 28 * 28).Select(p => (byte)((p * (n + 1)) % 256))]);

    /// <summary>Marks a generator trained and healthy, as a finished training would.</summary>
    private static async Task<Generator> ReadyAsync(LabelHubApp app, Guid generatorId)
    {
        await using var db = app.CreateDbContext();
        var generator = await db.Generators.SingleAsync(g => g.Id == generatorId);
        generator.State = GeneratorState.Ready;
        generator.Health = GanHealth.Healthy;
        await db.SaveChangesAsync();
        return generator;
    }
}
