using System.Diagnostics;
using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Synthesis;
using LabelHub.Workers.Learning;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Synthesis;

/// <summary>
/// Trains a generator (issue 16): decodes the project's real labeled images at the generator's side, resumes from its
/// checkpoint when an earlier attempt of the job stored epochs (else starts afresh), trains epoch by epoch and after each
/// stores the losses, a sample grid (fixed noise, one row per class), the diversity of each class's samples against its
/// real images, the health diagnosis and a checkpoint. An unhealthy run (mode collapse, divergence) stops there and is
/// finished with that health; a healthy one is measured on the held-out real images (CAS, Fréchet distance, augmentation
/// gain). Tensor work runs on the <see cref="TorchThread"/>; data comes and goes through <see cref="SynthesisData"/>.
/// </summary>
public sealed class GeneratorTraining(SynthesisData data, ILearningRuntime runtime, TorchThread torch, ILogger<GeneratorTraining> logger)
{
    /// <summary>Samples per class in each epoch's grid (one row per class).</summary>
    public const int GridColumns = 8;

    /// <summary>
    /// Generated samples per class whose spread is compared with the real images' after each epoch (the grid shows the
    /// first <see cref="GridColumns"/>): enough that a collapsed class stands out from chance likeness.
    /// </summary>
    public const int DiversitySamples = 32;

    /// <summary>Real images per class whose mean pairwise distance is the yardstick (pairs grow with the square).</summary>
    public const int RealDiversitySamples = 128;

    /// <summary>Added to the training seed for the grid's fixed noise, so it is not the noise of any training batch.</summary>
    public const long GridSeedOffset = 7919;

    /// <summary>
    /// Mode collapse stops a run early only after this many generator steps: every generator starts out drawing near-copies
    /// (it has not learned to use its noise yet; 0.01 to 0.06 of the real spread over the first 30 steps on Fashion-MNIST),
    /// so early low diversity is a stage, not a failure. Counted in steps, not epochs: an epoch of a small project is a few steps.
    /// </summary>
    public const int CollapseWarmupSteps = 1000;

    /// <summary>...and only when the last this many epochs all found it: GAN training swings, and one epoch can recover.</summary>
    public const int CollapsePatience = 3;

    /// <summary>Stored for a figure that is not a number (JSON has no NaN): a diverged loss, an unmeasurable ratio.</summary>
    public const double NotANumber = -1;

    public async Task<TrainGeneratorResult> RunAsync(Guid jobRunId, TrainGeneratorParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(progress);
        var generator = await data.GeneratorAsync(parameters.GeneratorId, ct);
        if (generator.ProjectId != parameters.ProjectId || generator.JobRunId != jobRunId)
        {
            throw new InvalidOperationException($"{generator.Name} is not trained by job {jobRunId} of project {parameters.ProjectId}.");
        }
        try
        {
            return await TrainAsync(generator.Id, progress, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping: the job runs again after the restart and resumes from the last stored epoch.
            throw;
        }
        catch (JobCancelledException)
        {
            await data.FailTrainingAsync(generator.Id, "Training was cancelled.", CancellationToken.None);
            throw;
        }
        catch (DomainException refused)
        {
            await data.FailTrainingAsync(generator.Id, refused.EnglishMessage, CancellationToken.None);
            throw;
        }
        catch (Exception)
        {
            await data.FailTrainingAsync(generator.Id, "Training failed unexpectedly; the job's history has the error.", CancellationToken.None);
            throw;
        }
    }

    /// <summary>Images looked at to decide between grey and colour.</summary>
    private const int ColourSample = 200;

    private async Task<TrainGeneratorResult> TrainAsync(Guid generatorId, IJobProgress progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var generator = await data.BeginTrainingAsync(generatorId, ct);
        var settings = generator.Settings;
        await progress.ReportAsync(0.01, "Reading the labeled images", ct);
        var set = await data.TrainingSetAsync(generatorId, ct);
        if (generator.EpochsDone == 0 && set.Train.Count > 0)
        {
            // Colour is a property of the pixels, not of the file format (a grey photo saved as RGB is grey): decided
            // from a sample of the images before the first epoch, as the project's classifier does, and kept for resumes.
            try
            {
                var rgb = ImageTensors.ChooseInput(set.Train.Take(ColourSample).Select(image => image.Encoded)).Rgb;
                generator = await data.SetChannelsAsync(generatorId, rgb ? 3 : 1, ct);
            }
            catch (InvalidDataException unreadable)
            {
                // A broken image in the sample: decoding below leaves it out; the colour stays as it was set.
                logger.LogInformation("{Generator}: colour not checked, an image could not be decoded: {Reason}", generator.Name, unreadable.Message);
            }
        }
        var train = Decode(set.Train, generator.ImageSide, generator.Channels);
        var heldOut = Decode(set.HeldOut, generator.ImageSide, generator.Channels);
        if (train.Count == 0)
        {
            throw new ValidationException("field", $"No labeled image of '{generator.Field}' could be read; a generator learns from labeled images.");
        }
        if (set.Unreadable > 0)
        {
            logger.LogInformation("{Generator}: {Unreadable} labeled items have no image stored in LabelHub and were left out", generator.Name, set.Unreadable);
        }
        var spec = new GanSpec(generator.ImageSide, generator.Channels, generator.Labels.Count, settings.LatentSize, settings.Width, runtime.Availability.Device ?? "cpu");
        var options = new GanOptions(settings.BatchSize, settings.LearningRate, settings.Beta1, settings.Seed);
        var checkpoint = generator.EpochsDone > 0 ? await data.CheckpointAsync(generator, ct) : null;
        var gan = await torch.RunAsync(() =>
        {
            if (checkpoint is null)
            {
                return ConditionalGan.Create(spec, options);
            }
            using var stream = new MemoryStream(checkpoint, writable: false);
            return ConditionalGan.LoadState(spec, options, stream);
        }, ct);
        try
        {
            if (gan.EpochsDone != generator.EpochsDone)
            {
                throw new InvalidOperationException($"{generator.Name} stored {generator.EpochsDone} epochs but its checkpoint has {gan.EpochsDone}.");
            }
            var health = generator.Health ?? GanHealth.Healthy;
            var epochs = new List<GeneratorEpoch>(generator.Curve.Epochs);
            if (health != GanHealth.Diverged && !StoppedForCollapse(generator, train.Count) && gan.EpochsDone < settings.Epochs)
            {
                (health, epochs) = await TrainEpochsAsync(generator, gan, train, epochs, progress, ct);
            }
            var verdict = await FinalVerdictAsync(generator, gan, train, health, ct);
            health = verdict.Health;
            var evaluation = new GeneratorEvaluation();
            if (health == GanHealth.Healthy && CanMeasure(train, heldOut))
            {
                await progress.ReportAsync(0.9, $"Measuring the generator against {heldOut.Count:N0} held-out real images", ct);
                evaluation = await MeasureAsync(gan, train, heldOut, settings, spec.Device, ct);
            }
            var weights = await torch.RunAsync(() =>
            {
                using var stream = new MemoryStream();
                gan.SaveGenerator(stream);
                return stream.ToArray();
            }, ct);
            var seconds = epochs.Sum(e => e.Seconds) + evaluation.Seconds;
            await data.FinishTrainingAsync(generatorId, weights, evaluation, train.Count, heldOut.Count, seconds, verdict, ct);
            var last = epochs.Count > 0 ? epochs[^1] : null;
            var result = new TrainGeneratorResult(generator.Version, epochs.Count, last?.DiscriminatorLoss ?? 0, last?.GeneratorLoss ?? 0, health,
                evaluation.IsMeasured ? evaluation.CasRatio : null, evaluation.IsMeasured ? evaluation.FrechetDistance : null, seconds);
            logger.LogInformation("{Summary} Job took {Seconds:F0} s", result.Summary(), clock.Elapsed.TotalSeconds);
            return result;
        }
        finally
        {
            await torch.RunAsync(() =>
            {
                gan.Dispose();
                return true;
            }, CancellationToken.None);
        }
    }

    /// <summary>Trains the remaining epochs, storing each; stops early on divergence or a lasting collapse. Returns the last epoch's health.</summary>
    private async Task<(GanHealth Health, List<GeneratorEpoch> Epochs)> TrainEpochsAsync(
        Domain.Synthesis.Generator generator, ConditionalGan gan, Dataset train, List<GeneratorEpoch> epochs, IJobProgress progress, CancellationToken ct)
    {
        var settings = generator.Settings;
        var classes = generator.Labels.Count;
        var realSpread = RealSpread(train, classes);
        var gridLabels = Enumerable.Range(0, classes).SelectMany(c => Enumerable.Repeat(c, DiversitySamples)).ToArray();
        var gridSeed = settings.Seed + GridSeedOffset;
        var sampleSize = gan.Spec.SampleSize;
        var health = GanHealth.Healthy;
        var stop = false;
        var stepsPerEpoch = StepsPerEpoch(train.Count, settings.BatchSize);
        var collapsedEpochs = epochs.AsEnumerable().Reverse().TakeWhile(e => e.DiversityRatio >= 0 && e.DiversityRatio < GanDiagnostics.CollapseRatio).Count();
        while (gan.EpochsDone < settings.Epochs && !stop)
        {
            var (metrics, samples, state) = await torch.RunAsync(() =>
            {
                var trained = gan.TrainEpoch(train, ct);
                var generated = gan.Generate(gridLabels, gridSeed);
                using var stream = new MemoryStream();
                gan.SaveState(stream);
                return (trained, generated, stream.ToArray());
            }, ct);
            var ratios = Ratios(samples, realSpread, sampleSize);
            var grid = new float[classes * GridColumns * sampleSize];
            for (var c = 0; c < classes; c++)
            {
                samples.AsSpan(c * DiversitySamples * sampleSize, GridColumns * sampleSize).CopyTo(grid.AsSpan(c * GridColumns * sampleSize));
            }
            var history = epochs.Select(e => (e.DiscriminatorLoss, e.GeneratorLoss, e.RealScore, e.FakeScore))
                .Select(e => (Stored(e.DiscriminatorLoss), Stored(e.GeneratorLoss), e.RealScore, e.FakeScore))
                .Append((metrics.DiscriminatorLoss, metrics.GeneratorLoss, metrics.RealScore, metrics.FakeScore)).ToList();
            var diagnosis = GanDiagnostics.Assess(history, ratios, generator.Labels);
            var finite = ratios.Where(double.IsFinite).ToList();
            var epoch = new GeneratorEpoch(metrics.Epoch, Finite(metrics.DiscriminatorLoss), Finite(metrics.GeneratorLoss), Finite(metrics.RealScore), Finite(metrics.FakeScore),
                finite.Count > 0 ? finite.Min() : NotANumber, metrics.Seconds, Guid.Empty);
            // Small images are drawn at twice their size, so the page shows them without blurring them up.
            var png = SampleGrid.Png(grid, classes * GridColumns, gan.Spec.Channels, gan.Spec.Side, GridColumns, gan.Spec.Side <= 32 ? 2 : 1);
            epochs.Add(await data.SaveEpochAsync(generator.Id, epoch, png, state, diagnosis.Health, diagnosis.Reason, diagnosis.CollapsedClasses, ct));
            collapsedEpochs = diagnosis.Health == GanHealth.ModeCollapse ? collapsedEpochs + 1 : 0;
            // Divergence ends the run at once; a collapse once it has lasted past the warm-up; the last epoch's diagnosis stands either way.
            stop = diagnosis.Health switch
            {
                GanHealth.Healthy => false,
                GanHealth.Diverged => true,
                GanHealth.ModeCollapse => metrics.Epoch * stepsPerEpoch >= CollapseWarmupSteps && collapsedEpochs >= CollapsePatience,
            };
            health = diagnosis.Health;
            var d = Format(metrics.DiscriminatorLoss);
            var g = Format(metrics.GeneratorLoss);
            await progress.ReportAsync(0.02 + (0.86 * metrics.Epoch / settings.Epochs), $"Epoch {metrics.Epoch} of {settings.Epochs}: D {d}, G {g}", ct);
        }
        return (health, epochs);
    }

    /// <summary>
    /// The health the generator is finished with. The diagnosis leaves collapse unjudged during its warm-up, because a
    /// generator early in training still learns to spread its samples; once training has ended there is no later, and
    /// what it draws now is what it would generate: a class whose samples are near-copies is a collapse however short the
    /// run was, so it is reported instead of generating near-identical images.
    /// </summary>
    private async Task<GanDiagnosis> FinalVerdictAsync(Domain.Synthesis.Generator generator, ConditionalGan gan, Dataset train, GanHealth health, CancellationToken ct)
    {
        var stored = await data.GeneratorAsync(generator.Id, ct);
        if (health != GanHealth.Healthy)
        {
            return new GanDiagnosis(health, stored.HealthReason, stored.CollapsedClasses);
        }
        var labels = Enumerable.Range(0, generator.Labels.Count).SelectMany(c => Enumerable.Repeat(c, DiversitySamples)).ToArray();
        var samples = await torch.RunAsync(() => gan.Generate(labels, generator.Settings.Seed + GridSeedOffset), ct);
        var ratios = Ratios(samples, RealSpread(train, generator.Labels.Count), gan.Spec.SampleSize);
        var collapsed = generator.Labels.Where((_, c) => ratios[c] < GanDiagnostics.CollapseRatio).ToList();
        return collapsed.Count == 0
            ? new GanDiagnosis(GanHealth.Healthy, null, [])
            : new GanDiagnosis(GanHealth.ModeCollapse, $"Mode collapse: the generator draws nearly the same image for {string.Join(", ", collapsed)}.", collapsed);
    }

    /// <summary>Each class's generated spread ÷ its real spread, from <see cref="DiversitySamples"/> samples per class in class order.</summary>
    private static double[] Ratios(float[] samples, double[] realSpread, int sampleSize)
    {
        var ratios = new double[realSpread.Length];
        for (var c = 0; c < ratios.Length; c++)
        {
            var classSamples = samples.AsSpan(c * DiversitySamples * sampleSize, DiversitySamples * sampleSize);
            ratios[c] = SampleDiversity.MeanPairwiseDistance(classSamples, DiversitySamples, sampleSize) / realSpread[c];
        }
        return ratios;
    }

    /// <summary>Whether the stored epochs show a collapse that had already ended the run (a restart after it must not train on).</summary>
    private static bool StoppedForCollapse(Domain.Synthesis.Generator generator, int trainCount) =>
        generator.Health == GanHealth.ModeCollapse && generator.EpochsDone * StepsPerEpoch(trainCount, generator.Settings.BatchSize) >= CollapseWarmupSteps
        && generator.Curve.Epochs.TakeLast(CollapsePatience).Count(e => e.DiversityRatio >= 0 && e.DiversityRatio < GanDiagnostics.CollapseRatio) == CollapsePatience;

    /// <summary>Mini-batches per epoch: a trailing batch of one image is left out (<see cref="ConditionalGan.TrainEpoch"/>).</summary>
    private static int StepsPerEpoch(int images, int batchSize)
    {
        var batch = Math.Min(batchSize, images);
        return (images / batch) + (images % batch >= 2 ? 1 : 0);
    }

    /// <summary>Each class's mean pairwise distance among (up to <see cref="RealDiversitySamples"/> of) its real training images; NaN with fewer than two.</summary>
    private static double[] RealSpread(Dataset train, int classes)
    {
        var spread = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            var rows = Enumerable.Range(0, train.Count).Where(r => train.Labels[r] == c).Take(RealDiversitySamples).ToArray();
            if (rows.Length < 2)
            {
                spread[c] = double.NaN;
                continue;
            }
            var pixels = train.Subset(rows).Features;
            spread[c] = SampleDiversity.MeanPairwiseDistance(pixels, rows.Length, train.SampleSize);
        }
        return spread;
    }

    /// <summary>CAS needs a classifier trained on at least two classes and a few held-out images to test it on.</summary>
    private static bool CanMeasure(Dataset train, Dataset heldOut) => heldOut.Count >= 2 && train.Labels.Distinct().Count() >= 2;

    private async Task<GeneratorEvaluation> MeasureAsync(ConditionalGan gan, Dataset train, Dataset heldOut, Domain.Synthesis.GeneratorSettings settings, string device, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        var classes = train.Labels.Distinct().Count();
        // As many images per class as the real training set has on average (up to 1,000): synthetic and real classifiers see the same number.
        var perClass = Math.Clamp(train.Count / classes, 2, 1000);
        var options = new SynthesisEvaluationOptions(perClass, Math.Min(100, perClass), perClass, 2000, settings.Seed) { Device = device };
        var metrics = await torch.RunAsync(() => SynthesisEvaluation.Evaluate(train, heldOut, gan.Generate, options, ct), ct);
        return new GeneratorEvaluation
        {
            PerClass = metrics.PerClass,
            TestCount = heldOut.Count,
            RealAccuracy = Finite(metrics.RealAccuracy),
            SyntheticAccuracy = Finite(metrics.SyntheticAccuracy),
            CasRatio = Finite(metrics.CasRatio),
            FrechetDistance = Finite(metrics.FrechetDistance),
            RealFrechetDistance = Finite(metrics.RealFrechetDistance),
            GainRealPerClass = metrics.Gain.RealPerClass,
            GainSyntheticPerClass = metrics.Gain.SyntheticPerClass,
            RealOnlyAccuracy = Finite(metrics.Gain.RealOnlyAccuracy),
            WithSyntheticAccuracy = Finite(metrics.Gain.WithSyntheticAccuracy),
            RealOnlyBestEpoch = metrics.Gain.RealOnlyBestEpoch,
            WithSyntheticBestEpoch = metrics.Gain.WithSyntheticBestEpoch,
            Seconds = timer.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Decodes images at the generator's side into a dataset; an image that cannot be decoded is left out.</summary>
    private Dataset Decode(IReadOnlyList<TrainingImage> images, int side, int channels)
    {
        var size = channels * side * side;
        var features = new float[images.Count * size];
        var labels = new List<int>(images.Count);
        foreach (var image in images)
        {
            try
            {
                ImageTensors.Decode(image.Encoded, side, channels == 3, features.AsSpan(labels.Count * size, size));
                labels.Add(image.Label);
            }
            catch (InvalidDataException ex)
            {
                logger.LogInformation("Item {ItemId}: its image cannot be decoded and is left out ({Problem})", image.ItemId, ex.Message);
            }
        }
        return new Dataset(features[..(labels.Count * size)], [channels, side, side], [.. labels]);
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : NotANumber;

    /// <summary>A stored loss back as the diagnosis reads it: <see cref="NotANumber"/> was a NaN.</summary>
    private static double Stored(double loss) => loss < 0 ? double.NaN : loss;

    private static string Format(double loss) => double.IsFinite(loss) ? loss.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "NaN";
}
