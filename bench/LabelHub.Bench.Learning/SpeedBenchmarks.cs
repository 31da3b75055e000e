using LabelHub.Domain.Learning;
using LabelHub.Workers.Learning;

namespace LabelHub.Bench.Learning;

public sealed record RoundResult(int Threads, int Seed, TrainingReport Report, Timing Timing, double TestAccuracy, long ResidentMb);

public sealed record ScoringResult(int Threads, int Items, int McSamples, IReadOnlyList<Timing> Runs, long ResidentMb);

/// <param name="StepMs">Each timed step after the warm-up.</param>
/// <param name="CheckLosses">With dropout off: the loss at the initial weights, then after each Adam step.</param>
public sealed record StepResult(double[] StepMs, double[] CheckLosses);

/// <summary>The product's own calls, timed: Classifier.Train and Classifier.Score exactly as the learning jobs make them.</summary>
public static class SpeedBenchmarks
{
    public static readonly ClassifierSpec Spec = new(ModelKind.ImageCnn, [1, FashionMnist.Side, FashionMnist.Side], FashionMnist.ClassCount);

    public static readonly Dataset NoValidation = new([], [1, FashionMnist.Side, FashionMnist.Side], []);

    /// <summary>
    /// A round as the product trains it: the labeled items split by <see cref="ValidationSplit"/>, a new classifier,
    /// the default <see cref="TrainingOptions"/>. The first run's classifier is returned for the scoring timings.
    /// </summary>
    public static (IReadOnlyList<RoundResult> Rounds, Classifier FirstModel) TrainingRounds(int threads, Dataset train, Dataset test, int labels, int runs, double validationShare)
    {
        var rounds = new List<RoundResult>();
        Classifier? first = null;
        for (var seed = 1; seed <= runs; seed++)
        {
            var labeled = FashionMnist.Sample(train, labels, seed, train.Count);
            var (trainRows, validationRows) = ValidationSplit.Split([.. Enumerable.Range(0, labels).Select(i => (long)i)], validationShare, seed);
            var measurement = Measurement.Start();
            var classifier = Classifier.Create(Spec, seed);
            var report = classifier.Train(labeled.Subset(trainRows), labeled.Subset(validationRows), ActiveLearningRound.Training with { Seed = seed }, null, CancellationToken.None);
            var timing = measurement.Stop();
            var accuracy = StrategySimulation.Accuracy(classifier.Score(test), test.Labels);
            rounds.Add(new RoundResult(threads, seed, report, timing, accuracy, Machine.ResidentMb()));
            Console.WriteLine($"  {threads} thread(s), round {seed}: {timing.Seconds:F1} s, {report.Epochs.Count} epochs (best {report.BestEpoch}), validation {report.ValidationAccuracy:P1}, test {accuracy:P1}");
            if (first is null)
            {
                first = classifier;
            }
            else
            {
                classifier.Dispose();
            }
        }
        return (rounds, first!);
    }

    public static ScoringResult Scoring(int threads, Classifier classifier, Dataset pool, int mcSamples, int runs)
    {
        // The first call pays for JIT and first-touch allocations; the product scores after training, warm.
        classifier.Score(pool.Subset([.. Enumerable.Range(0, 2048)]), mcSamples);
        var timings = new List<Timing>();
        for (var run = 0; run < runs; run++)
        {
            var measurement = Measurement.Start();
            var scores = classifier.Score(pool, mcSamples);
            timings.Add(measurement.Stop());
            GC.KeepAlive(scores);
            Console.WriteLine($"  {threads} thread(s), {pool.Count:N0} items, {mcSamples} MC passes: {timings[^1].Seconds:F2} s (CPU {timings[^1].CpuSeconds:F2} s, other load {timings[^1].OtherCores:F2} cores)");
        }
        return new ScoringResult(threads, pool.Count, mcSamples, timings, Machine.ResidentMb());
    }

    /// <summary>
    /// Training steps through Classifier.Train on one batch: each epoch is one shuffled mini-batch of all of it, so the
    /// epoch times are step times (shuffle, batch copy, dropout masks, forward, backward, Adam, loss read back).
    /// </summary>
    public static double[] StepMs(Dataset batch, int warmup, int steps, int seed)
    {
        using var classifier = Classifier.Create(Spec, seed);
        var report = classifier.Train(batch, NoValidation, new TrainingOptions(MaxEpochs: warmup + steps, BatchSize: batch.Count, Seed: seed), null, CancellationToken.None);
        return [.. report.Epochs.Skip(warmup).Select(epoch => epoch.Seconds * 1000)];
    }

    /// <summary>Saves the initial weights of a dropout-free classifier, then returns its loss before and after each of <paramref name="steps"/> steps.</summary>
    public static double[] CheckLosses(Dataset batch, int steps, int seed, string weightsPath)
    {
        using var classifier = Classifier.Create(Spec with { DropoutRate = 0 }, seed);
        using (var file = File.Create(weightsPath))
        {
            classifier.Save(file);
        }
        // Epoch k's train loss is the loss of its one step's forward pass: the weights after k − 1 Adam steps.
        var report = classifier.Train(batch, NoValidation, new TrainingOptions(MaxEpochs: steps + 1, BatchSize: batch.Count, Seed: seed), null, CancellationToken.None);
        return [.. report.Epochs.Select(epoch => epoch.TrainLoss)];
    }
}
