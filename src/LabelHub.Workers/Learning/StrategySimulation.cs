using System.Diagnostics;
using LabelHub.Domain.Learning;

namespace LabelHub.Workers.Learning;

/// <summary>One strategy a simulation compares: how items are scored, and whether each batch is spread out.</summary>
public sealed record SimulatedStrategy(SamplingStrategy Strategy, bool Diversity = false)
{
    public static readonly SimulatedStrategy Random = new(SamplingStrategy.Random);

    public string Name => Strategy == SamplingStrategy.Random || !Diversity ? Strategy.ToString() : $"{Strategy}+diversity";
}

/// <summary>What a simulation runs: every strategy from the same seed labels, once per seed.</summary>
/// <param name="Strategies">The strategies to compare; <see cref="SimulatedStrategy.Random"/> is always run first, as the baseline.</param>
/// <param name="SeedLabels">Labels before the first model (the same items for every strategy of one seed).</param>
/// <param name="BatchSize">Labels added per round.</param>
/// <param name="MaxLabels">The simulation stops once this many items are labeled.</param>
/// <param name="Seeds">One run per strategy and seed: seed labels, validation split, weights and shuffling all follow it.</param>
public sealed record SimulationOptions(
    IReadOnlyList<SimulatedStrategy> Strategies,
    int SeedLabels,
    int BatchSize,
    int MaxLabels,
    IReadOnlyList<int> Seeds,
    ClassifierSpec Spec,
    TrainingOptions Training)
{
    /// <summary>Share of the labeled items held out for early stopping (by <see cref="ValidationSplit"/>, as the product does).</summary>
    public double ValidationShare { get; init; } = 0.2;

    /// <summary>Stochastic passes per scoring round for BALD.</summary>
    public int McSamples { get; init; } = 20;

    /// <summary>With diversity: how many top-scored candidates per batch slot k-center chooses from.</summary>
    public int CandidateFactor { get; init; } = 4;

    /// <summary>Seed labels by k-center over the raw features (<see cref="BatchSelection.ColdStart"/>) instead of at random.</summary>
    public bool ColdStart { get; init; }

    /// <summary>Keep training the previous round's model instead of training a new one from the seed each round.</summary>
    public bool WarmStart { get; init; }
}

/// <param name="Accuracies">Test accuracy of each seed's run at this label count, in seed order.</param>
public sealed record SimulatedPoint(int Labels, double MeanAccuracy, double MinAccuracy, double MaxAccuracy, IReadOnlyList<double> Accuracies);

/// <param name="LabelsToReachRandom">
/// The fewest labels at which this strategy's mean test accuracy reached Random's mean at its largest label count;
/// null if it never did.
/// </param>
/// <param name="Seconds">Wall time of all of this strategy's runs.</param>
public sealed record SimulatedCurve(SimulatedStrategy Strategy, IReadOnlyList<SimulatedPoint> Points, int? LabelsToReachRandom, double Seconds);

/// <param name="RandomFinalAccuracy">Random's mean test accuracy at its largest label count: the bar every curve is measured against.</param>
public sealed record SimulationResult(IReadOnlyList<SimulatedCurve> Curves, double RandomFinalAccuracy);

public sealed record SimulationProgress(SimulatedStrategy Strategy, int Seed, int Labels, double TestAccuracy, TrainingReport Training, int RunsDone, int RunsTotal);

/// <summary>
/// Replays active learning on data that is already fully labeled: for each strategy and seed, start from the same
/// seed labels, then train, measure test accuracy, score the unlabeled rest, let <see cref="BatchSelection"/> pick the
/// next batch and reveal its labels, until <see cref="SimulationOptions.MaxLabels"/>. The test set is only measured,
/// never used to train, stop or choose. Runs synchronously on the calling thread (TorchSharp's dispose scopes).
/// </summary>
public sealed class StrategySimulation
{
    private readonly SimulationOptions options;
    private readonly IReadOnlyList<SimulatedStrategy> strategies;

    public StrategySimulation(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SeedLabels < 1 || options.BatchSize < 1 || options.MaxLabels < options.SeedLabels)
        {
            throw new ArgumentException($"Need 1 ≤ seed labels ≤ max labels and a batch of at least 1; got {options.SeedLabels}, {options.MaxLabels} and {options.BatchSize}.", nameof(options));
        }
        if (options.Seeds.Count == 0)
        {
            throw new ArgumentException("Name at least one seed.", nameof(options));
        }
        if (options.McSamples < 1 || options.CandidateFactor < 1)
        {
            throw new ArgumentException("MC samples and the candidate factor are at least 1.", nameof(options));
        }
        this.options = options;
        strategies = [SimulatedStrategy.Random, .. options.Strategies.Where(s => s != SimulatedStrategy.Random).Distinct()];
    }

    public SimulationResult Run(Dataset pool, Dataset test, Action<SimulationProgress>? onProgress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(test);
        if (pool.Count < options.MaxLabels)
        {
            throw new ArgumentException($"The pool has {pool.Count} items; the simulation labels up to {options.MaxLabels}.", nameof(pool));
        }
        if (pool.Labels.Contains(Dataset.UnknownLabel) || test.Labels.Contains(Dataset.UnknownLabel) || test.Count == 0)
        {
            throw new ArgumentException("A simulation needs every pool and test item labeled, and a test set.");
        }

        var runsTotal = strategies.Count * options.Seeds.Count;
        var runsDone = 0;
        var seedLabels = options.Seeds.ToDictionary(seed => seed, seed => InitialLabels(pool, seed));
        var runs = new List<(SimulatedStrategy Strategy, List<(int Labels, double Accuracy)>[] PerSeed, double Seconds)>();
        foreach (var strategy in strategies)
        {
            var timer = Stopwatch.StartNew();
            var perSeed = new List<(int Labels, double Accuracy)>[options.Seeds.Count];
            for (var s = 0; s < options.Seeds.Count; s++)
            {
                var seed = options.Seeds[s];
                var done = runsDone;
                perSeed[s] = RunOne(strategy, seed, seedLabels[seed], pool, test,
                    (labels, accuracy, report) => onProgress?.Invoke(new SimulationProgress(strategy, seed, labels, accuracy, report, done, runsTotal)), ct);
                runsDone++;
            }
            runs.Add((strategy, perSeed, timer.Elapsed.TotalSeconds));
        }

        var curves = runs.Select(run => (run.Strategy, Points: Curve(run.PerSeed), run.Seconds)).ToList();
        var randomFinal = curves[0].Points[^1].MeanAccuracy;
        return new SimulationResult(
            [.. curves.Select(curve => new SimulatedCurve(curve.Strategy, curve.Points, curve.Points.FirstOrDefault(p => p.MeanAccuracy >= randomFinal)?.Labels, curve.Seconds))],
            randomFinal);
    }

    private int[] InitialLabels(Dataset pool, int seed)
    {
        var rows = Enumerable.Range(0, pool.Count).ToArray();
        var picks = options.ColdStart
            ? BatchSelection.ColdStart(rows, pool.Features, pool.SampleSize, options.SeedLabels, seed)
            : BatchSelection.Select(SamplingStrategy.Random, rows, null, default, 0, [], options.SeedLabels, diversity: false, seed);
        return [.. picks.Select(p => p.Index)];
    }

    private List<(int Labels, double Accuracy)> RunOne(SimulatedStrategy strategy, int seed, int[] initial, Dataset pool, Dataset test,
        Action<int, double, TrainingReport> onRound, CancellationToken ct)
    {
        var labeled = new List<int>(initial);
        var rows = Enumerable.Range(0, pool.Count).ToArray();
        var points = new List<(int, double)>();
        Classifier? classifier = null;
        try
        {
            for (var round = 0; ; round++)
            {
                ct.ThrowIfCancellationRequested();
                if (classifier is null || !options.WarmStart)
                {
                    classifier?.Dispose();
                    classifier = Classifier.Create(options.Spec, seed);
                }
                var (train, validation) = ValidationSplit.Split([.. labeled.Select(row => (long)row)], options.ValidationShare, seed);
                var report = classifier.Train(pool.Subset([.. train.Select(i => labeled[i])]), pool.Subset([.. validation.Select(i => labeled[i])]),
                    options.Training with { Seed = seed }, null, ct);
                var accuracy = Accuracy(classifier.Score(test, ct: ct), test.Labels);
                points.Add((labeled.Count, accuracy));
                onRound(labeled.Count, accuracy, report);
                if (labeled.Count >= options.MaxLabels)
                {
                    return points;
                }
                var batch = Math.Min(options.BatchSize, options.MaxLabels - labeled.Count);
                var picks = strategy.Strategy == SamplingStrategy.Random
                    ? BatchSelection.Select(SamplingStrategy.Random, rows, null, default, 0, labeled, batch, diversity: false, RoundSeed(seed, round))
                    : Informative(classifier, strategy, pool, rows, labeled, batch, ct);
                labeled.AddRange(picks.Select(p => p.Index));
            }
        }
        finally
        {
            classifier?.Dispose();
        }
    }

    private IReadOnlyList<Pick> Informative(Classifier classifier, SimulatedStrategy strategy, Dataset pool, int[] rows, List<int> labeled, int batch, CancellationToken ct)
    {
        var mcSamples = strategy.Strategy == SamplingStrategy.Bald ? options.McSamples : 0;
        var scores = classifier.Score(pool, mcSamples, ct: ct);
        var uncertainty = Uncertainty.Score(strategy.Strategy, scores.Probabilities, scores.ClassCount, scores.McProbabilities, scores.McSamples);
        return BatchSelection.Select(strategy.Strategy, rows, uncertainty, scores.Embeddings, scores.EmbeddingSize, labeled, batch,
            strategy.Diversity, seed: 0, options.CandidateFactor);
    }

    // A different random batch each round, the same for every run of this seed.
    private static int RoundSeed(int seed, int round) => unchecked((seed * 7919) + round + 1);

    private static List<SimulatedPoint> Curve(List<(int Labels, double Accuracy)>[] perSeed) =>
        [.. perSeed[0].Select((point, i) =>
        {
            var accuracies = perSeed.Select(run => run[i].Accuracy).ToList();
            return new SimulatedPoint(point.Labels, accuracies.Average(), accuracies.Min(), accuracies.Max(), accuracies);
        })];

    public static double Accuracy(Scores scores, int[] labels)
    {
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = scores.Probabilities.AsSpan(i * scores.ClassCount, scores.ClassCount);
            var predicted = 0;
            for (var c = 1; c < row.Length; c++)
            {
                if (row[c] > row[predicted])
                {
                    predicted = c;
                }
            }
            correct += predicted == labels[i] ? 1 : 0;
        }
        return (double)correct / labels.Length;
    }
}
