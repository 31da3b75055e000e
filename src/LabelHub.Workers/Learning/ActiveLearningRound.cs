using System.Diagnostics;
using System.Text.Json;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Learning;

/// <summary>
/// One active-learning round: trains a model on the project's aggregated answers (or, with too few, picks
/// a diverse seed set), scores the unlabeled pool with the project's strategy, and moves the chosen batch to the
/// front of the annotators' queue. Tensor work runs on the <see cref="TorchThread"/>; data comes and goes through
/// <see cref="LearningData"/>.
/// </summary>
public sealed class ActiveLearningRound(LearningData data, ILearningRuntime runtime, TorchThread torch, ILogger<ActiveLearningRound> logger)
{
    /// <summary>Stochastic passes for BALD (MC dropout).</summary>
    public const int McSamples = 20;

    /// <summary>Share of the labeled items held out to validate each model (chosen with the learning benchmark's --tune runs).</summary>
    public const double ValidationShare = 0.1;

    /// <summary>Pool items scored per step: bounds memory whatever the pool size.</summary>
    public const int ScoreChunk = 4_096;

    /// <summary>A cold start spreads its batch over at most this many pool items (a seeded sample), so it stays fast on a million.</summary>
    public const int ColdStartSample = 20_000;

    /// <summary>k-center greedy measures distance to at most this many labeled items.</summary>
    public const int MaxCenters = 5_000;

    /// <summary>
    /// Chosen with the learning benchmark's --tune runs on held-out Fashion-MNIST training images (bench/results/README.md):
    /// a 10 % validation share, up to 60 epochs with patience 10 (small label sets stop early anyway), and images shifted
    /// by up to one pixel, which lifted both random sampling and margin sampling and widened margin's lead.
    /// </summary>
    public static readonly TrainingOptions Training = new(MaxEpochs: 60, BatchSize: 64, LearningRate: 1e-3, WeightDecay: 1e-4, Patience: 10, ShiftPixels: 1);

    public async Task<RoundJobResult> RunAsync(Guid jobRunId, RoundJobParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        var project = await data.ProjectAsync(parameters.ProjectId, ct);
        var settings = project.Project.Learning;
        var round = await data.BeginRoundAsync(project.Project.Id, jobRunId, parameters.Trigger, settings, ct);
        await progress.ReportAsync(0.02, "Reading the labels", ct);
        var labeled = await data.LabeledAsync(project.Project.Id, project.Field, ct);
        var pool = await data.PoolIdsAsync(project.Project.Id, ct);
        round.LabeledCount = labeled.Count;
        round.PoolSize = pool.Length;
        var batch = Math.Min(settings.BatchSize, pool.Length);
        if (batch == 0)
        {
            await data.FinishRoundAsync(round, [], [], null, ct);
            return new RoundJobResult(round.Number, false, null, null, labeled.Count, 0, 0, clock.Elapsed.TotalSeconds);
        }
        var classes = labeled.Select(l => l.Label).Distinct().Count();
        if (labeled.Count < settings.MinLabelsForModel || classes < 2)
        {
            round.ColdStart = true;
            var seed = await ColdStartAsync(project, pool, batch, round.Number, progress, ct);
            round.ScoringSeconds = clock.Elapsed.TotalSeconds;
            await data.FinishRoundAsync(round, seed, [], null, ct);
            return new RoundJobResult(round.Number, true, null, null, labeled.Count, seed.Count, pool.Length, clock.Elapsed.TotalSeconds);
        }

        var trained = await TrainAsync(project, labeled, jobRunId, round.Number, progress, ct);
        round.ModelVersionId = trained.Model.Id;
        try
        {
            var scoring = Stopwatch.StartNew();
            var (picks, predictions) = await ScorePoolAsync(project, trained, labeled, pool, settings, batch, round.Number, progress, ct);
            round.ScoringSeconds = scoring.Elapsed.TotalSeconds;
            var curve = LearningService.CurveOf(await data.ModelsAsync(project.Project.Id, ct), settings.BatchSize);
            round.ExpectedAccuracy = curve.ExpectedAccuracy;
            round.GainLabels = curve.NextLabels;
            await progress.ReportAsync(0.96, "Moving the chosen items to the front of the queue", ct);
            await data.FinishRoundAsync(round, picks, settings.StoreSuggestions ? predictions : [], trained.Model, ct);
            var result = new RoundJobResult(round.Number, false, trained.Model.Version, trained.Model.ValidationAccuracy, labeled.Count, picks.Count, pool.Length, clock.Elapsed.TotalSeconds);
            logger.LogInformation("Learning round {Round} of project {ProjectId}: {Summary}", round.Number, project.Project.Id, result.Summary());
            return result;
        }
        finally
        {
            trained.Classifier.Dispose();
        }
    }

    private sealed record Trained(ModelVersion Model, Classifier Classifier, FeatureEncoder Encoder);

    private async Task<Trained> TrainAsync(LearningProject project, IReadOnlyList<LabeledExample> labeled, Guid jobRunId, int seed, IJobProgress progress, CancellationToken ct)
    {
        await progress.ReportAsync(0.05, $"Preparing {labeled.Count:N0} labeled items", ct);
        var encoder = await FeatureEncoder.FitAsync(project, [.. labeled.Select(l => l.Data)], data, ct);
        var encoded = await encoder.EncodeAsync(project.Project.Id, [.. labeled.Select(l => (l.ItemId, l.Data))], [.. labeled.Select(l => l.Label)], data, ct);
        if (encoded.ItemIds.Length < 2)
        {
            throw new InvalidOperationException($"No labeled item could be read as model input. {encoded.FirstProblem}");
        }
        var byId = labeled.ToDictionary(l => l.ItemId);
        var (trainRows, validationRows) = ValidationSplit.Split(encoded.ItemIds, ValidationShare, seed: 0);
        var train = encoded.Dataset.Subset(trainRows);
        var validation = encoded.Dataset.Subset(validationRows);
        var spec = new ClassifierSpec(project.Kind, encoder.Input.Shape, project.Field.Labels.Count, runtime.Availability.Device ?? "cpu");
        var epochs = new List<EpochPoint>();
        var maxEpochs = Training.MaxEpochs;
        var (classifier, report) = await torch.RunAsync(() =>
        {
            var model = Classifier.Create(spec, seed);
            try
            {
                var trainingReport = model.Train(train, validation, Training with { Seed = seed }, epoch =>
                {
                    epochs.Add(new EpochPoint(epoch.Epoch, epoch.TrainLoss, epoch.ValidationLoss, epoch.ValidationAccuracy, epoch.Seconds));
                    // The model thread waits for the row write: progress is written a few times a second at most.
                    progress.ReportAsync(0.1 + 0.5 * epoch.Epoch / maxEpochs,
                        $"Training: epoch {epoch.Epoch}, loss {epoch.TrainLoss:F3}, validation accuracy {epoch.ValidationAccuracy:P1}", ct).GetAwaiter().GetResult();
                }, ct);
                return (model, trainingReport);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }, ct);
        var checkpoint = await torch.RunAsync(() =>
        {
            using var stream = new MemoryStream();
            classifier.Save(stream);
            return stream.ToArray();
        }, ct);
        var validationIds = validationRows.Select(r => encoded.ItemIds[r]).ToHashSet();
        var model = new ModelVersion
        {
            ProjectId = project.Project.Id,
            Kind = project.Kind,
            Field = project.Field.Name,
            Labels = [.. project.Field.Labels],
            Input = encoder.Input,
            TrainCount = report.TrainCount,
            ValidationCount = report.ValidationCount,
            AnswersSeen = encoded.ItemIds.Sum(id => byId[id].Answers),
            ValidationAccuracy = report.ValidationAccuracy,
            ValidationLoss = report.ValidationLoss,
            BestEpoch = report.BestEpoch,
            Curve = new ModelCurve { Epochs = epochs },
            TrainingSeconds = report.Seconds,
            JobRunId = jobRunId,
        };
        model = await data.SaveModelAsync(model, checkpoint, encoded.ItemIds.Select(id => (byId[id], validationIds.Contains(id))), ct);
        await progress.ReportAsync(0.6, $"Model v{model.Version}: validation accuracy {model.ValidationAccuracy:P1}; scoring the unlabeled items", ct);
        return new Trained(model, classifier, encoder);
    }

    private async Task<(IReadOnlyList<RoundPickDraft> Picks, IReadOnlyList<PoolPrediction> Predictions)> ScorePoolAsync(
        LearningProject project, Trained trained, IReadOnlyList<LabeledExample> labeled, long[] pool, LearningSettings settings, int batch, int seed,
        IJobProgress progress, CancellationToken ct)
    {
        var strategy = settings.Strategy;
        var mcSamples = strategy == SamplingStrategy.Bald ? McSamples : 0;
        var keep = strategy == SamplingStrategy.Random ? 0 : settings.Diversity ? batch * 4 : batch;
        var candidates = new PriorityQueue<Candidate, double>();
        var predictions = new List<PoolPrediction>(pool.Length);
        var labels = trained.Model.Labels;
        var embeddingSize = 0;
        for (var start = 0; start < pool.Length; start += ScoreChunk)
        {
            var ids = pool.AsSpan(start, Math.Min(ScoreChunk, pool.Length - start)).ToArray();
            var items = await data.ItemsAsync(ids, ct);
            var encoded = await trained.Encoder.EncodeAsync(project.Project.Id, [.. ids.Where(items.ContainsKey).Select(id => (id, items[id]))], null, data, ct);
            if (encoded.ItemIds.Length == 0)
            {
                continue;
            }
            var scores = await torch.RunAsync(() => trained.Classifier.Score(encoded.Dataset, mcSamples, ct: ct), ct);
            embeddingSize = scores.EmbeddingSize;
            var uncertainty = strategy == SamplingStrategy.Random
                ? null
                : Uncertainty.Score(strategy, scores.Probabilities, scores.ClassCount, scores.McProbabilities, scores.McSamples);
            for (var row = 0; row < encoded.ItemIds.Length; row++)
            {
                var probabilities = scores.Probabilities.AsSpan(row * scores.ClassCount, scores.ClassCount);
                var best = 0;
                for (var c = 1; c < probabilities.Length; c++)
                {
                    if (probabilities[c] > probabilities[best])
                    {
                        best = c;
                    }
                }
                predictions.Add(new PoolPrediction(encoded.ItemIds[row], labels[best], probabilities[best]));
                if (uncertainty is null)
                {
                    continue;
                }
                // Keep the most uncertain `keep` items (a min-heap on score); ties go to the lower item id.
                var score = uncertainty[row];
                var candidate = new Candidate(encoded.ItemIds[row], score, scores.Embeddings.AsSpan(row * scores.EmbeddingSize, scores.EmbeddingSize).ToArray());
                if (candidates.Count < keep)
                {
                    candidates.Enqueue(candidate, score);
                }
                else if (candidates.TryPeek(out _, out var lowest) && score > lowest)
                {
                    candidates.DequeueEnqueue(candidate, score);
                }
            }
            await progress.ReportAsync(0.6 + 0.35 * Math.Min(1, (start + ids.Length) / (double)pool.Length),
                $"Scored {Math.Min(start + ids.Length, pool.Length):N0} of {pool.Length:N0} unlabeled items", ct);
        }
        var predicted = predictions.ToDictionary(p => p.ItemId);
        if (strategy == SamplingStrategy.Random)
        {
            var random = BatchSelection.Select(SamplingStrategy.Random, [.. Enumerable.Range(0, pool.Length)], null, [], 0, [], batch, false, seed);
            return ([.. random.Select(p => Draft(pool[p.Index], p.Score, p.Reason, predicted))], predictions);
        }
        var chosen = candidates.UnorderedItems.Select(c => c.Element).OrderByDescending(c => c.Score).ThenBy(c => c.ItemId).ToList();
        var centers = settings.Diversity ? await LabeledEmbeddingsAsync(project, trained, labeled, seed, ct) : [];
        var embeddings = new float[(chosen.Count + centers.Count) * embeddingSize];
        for (var i = 0; i < chosen.Count; i++)
        {
            chosen[i].Embedding.CopyTo(embeddings, i * embeddingSize);
        }
        for (var i = 0; i < centers.Count; i++)
        {
            centers[i].CopyTo(embeddings, (chosen.Count + i) * embeddingSize);
        }
        var allScores = chosen.Select(c => c.Score).Concat(Enumerable.Repeat(0.0, centers.Count)).ToArray();
        var selected = BatchSelection.Select(strategy, [.. Enumerable.Range(0, chosen.Count)], allScores, embeddings, embeddingSize,
            [.. Enumerable.Range(chosen.Count, centers.Count)], batch, settings.Diversity, seed);
        return ([.. selected.Select(p => Draft(chosen[p.Index].ItemId, p.Score, p.Reason, predicted))], predictions);
    }

    private async Task<List<float[]>> LabeledEmbeddingsAsync(LearningProject project, Trained trained, IReadOnlyList<LabeledExample> labeled, int seed, CancellationToken ct)
    {
        var sample = labeled.Count <= MaxCenters ? labeled : [.. labeled.OrderBy(l => StableOrder(l.ItemId, seed)).Take(MaxCenters)];
        var encoded = await trained.Encoder.EncodeAsync(project.Project.Id, [.. sample.Select(l => (l.ItemId, l.Data))], null, data, ct);
        if (encoded.ItemIds.Length == 0)
        {
            return [];
        }
        var scores = await torch.RunAsync(() => trained.Classifier.Score(encoded.Dataset, 0, ct: ct), ct);
        return [.. Enumerable.Range(0, encoded.ItemIds.Length).Select(i => scores.Embeddings.AsSpan(i * scores.EmbeddingSize, scores.EmbeddingSize).ToArray())];
    }

    /// <summary>Too few labels for a model: a batch spread over the items' own features (k-center greedy), from a seeded sample of the pool.</summary>
    private async Task<IReadOnlyList<RoundPickDraft>> ColdStartAsync(LearningProject project, long[] pool, int batch, int seed, IJobProgress progress, CancellationToken ct)
    {
        await progress.ReportAsync(0.1, "Too few labels for a model: choosing a diverse seed set", ct);
        var sample = pool.Length <= ColdStartSample ? pool : [.. pool.OrderBy(id => StableOrder(id, seed)).Take(ColdStartSample).Order()];
        var items = await data.ItemsAsync(sample, ct);
        var rows = sample.Where(items.ContainsKey).Select(id => (id, items[id])).ToList();
        var encoder = await FeatureEncoder.FitAsync(project, [.. rows.Take(2_000).Select(r => r.Item2)], data, ct);
        var encoded = await encoder.EncodeAsync(project.Project.Id, rows, null, data, ct);
        var picks = BatchSelection.ColdStart([.. Enumerable.Range(0, encoded.ItemIds.Length)], encoded.Dataset.Features, encoded.Dataset.SampleSize, batch, seed);
        return [.. picks.Select(p => new RoundPickDraft(encoded.ItemIds[p.Index], p.Score, p.Reason, null, null))];
    }

    private static RoundPickDraft Draft(long itemId, double score, string reason, Dictionary<long, PoolPrediction> predicted) =>
        predicted.TryGetValue(itemId, out var p)
            ? new RoundPickDraft(itemId, score, reason, p.Label, p.Score)
            : new RoundPickDraft(itemId, score, reason, null, null);

    private static uint StableOrder(long id, int seed) => StableHash.Murmur3(id, unchecked((uint)seed));

    private sealed record Candidate(long ItemId, double Score, float[] Embedding);
}
