using LabelHub.Domain.Learning;
using LabelHub.Workers.Learning;

namespace LabelHub.Workers.Tests.Learning;

public sealed class StrategySimulationTests
{
    [Fact]
    public void A_small_simulation_runs_every_strategy_and_seed_to_the_label_budget()
    {
        var pool = SyntheticData.Clusters(600, 20, 3, seed: 1, noise: 1.0);
        var test = SyntheticData.Clusters(300, 20, 3, seed: 2, noise: 1.0);
        var options = new SimulationOptions(
            [new(SamplingStrategy.Margin), new(SamplingStrategy.Bald, Diversity: true)],
            SeedLabels: 20, BatchSize: 20, MaxLabels: 70, Seeds: [1, 2],
            new ClassifierSpec(ModelKind.RecordMlp, [20], 3), new TrainingOptions(MaxEpochs: 15, BatchSize: 16))
        {
            McSamples = 5,
        };
        var progress = new List<SimulationProgress>();

        var result = new StrategySimulation(options).Run(pool, test, progress.Add, CancellationToken.None);

        Assert.Equal(["Random", "Margin", "Bald+diversity"], result.Curves.Select(c => c.Strategy.Name));
        Assert.All(result.Curves, curve =>
        {
            // The last batch is cut to the budget: 20, 40, 60, then 10 more.
            Assert.Equal([20, 40, 60, 70], curve.Points.Select(p => p.Labels));
            Assert.All(curve.Points, p =>
            {
                Assert.Equal(2, p.Accuracies.Count);
                Assert.InRange(p.MinAccuracy, 0, p.MeanAccuracy);
                Assert.InRange(p.MaxAccuracy, p.MeanAccuracy, 1);
            });
        });
        // Every strategy starts from the same seed labels and the same first model.
        Assert.All(result.Curves, curve => Assert.Equal(result.Curves[0].Points[0].Accuracies, curve.Points[0].Accuracies));
        Assert.Equal(result.Curves[0].Points[^1].MeanAccuracy, result.RandomFinalAccuracy);
        Assert.NotNull(result.Curves[0].LabelsToReachRandom);
        Assert.Equal(3 * 2 * 4, progress.Count);
        Assert.Equal(5, progress[^1].RunsDone);
        // Separable clusters: even 70 labels give a model far better than chance (1/3).
        Assert.True(result.RandomFinalAccuracy > 0.8, $"Random reached only {result.RandomFinalAccuracy:P1}");
    }

    [Fact]
    public void Cold_start_and_warm_start_run_through_and_cold_start_changes_the_first_model()
    {
        var pool = SyntheticData.Clusters(300, 10, 3, seed: 3, noise: 1.0);
        var test = SyntheticData.Clusters(150, 10, 3, seed: 4, noise: 1.0);
        var random = new SimulationOptions([new(SamplingStrategy.Entropy)], 15, 15, 45, [1], new ClassifierSpec(ModelKind.RecordMlp, [10], 3), new TrainingOptions(MaxEpochs: 5, BatchSize: 8));
        var coldAndWarm = random with { ColdStart = true, WarmStart = true };

        var fromRandom = new StrategySimulation(random).Run(pool, test, null, CancellationToken.None);
        var fromColdStart = new StrategySimulation(coldAndWarm).Run(pool, test, null, CancellationToken.None);

        Assert.All(fromColdStart.Curves, curve => Assert.Equal([15, 30, 45], curve.Points.Select(p => p.Labels)));
        // k-center seeds are other items than the random ones, so the first model differs.
        Assert.NotEqual(fromRandom.Curves[0].Points[0].MeanAccuracy, fromColdStart.Curves[0].Points[0].MeanAccuracy);
    }

    [Fact]
    public void A_simulation_stops_when_cancelled()
    {
        var pool = SyntheticData.Clusters(200, 10, 2, seed: 1);
        var options = new SimulationOptions([], 10, 10, 100, [1], new ClassifierSpec(ModelKind.RecordMlp, [10], 2), new TrainingOptions(MaxEpochs: 2));
        using var cancel = new CancellationTokenSource();

        Assert.ThrowsAny<OperationCanceledException>(() => new StrategySimulation(options).Run(pool, pool, _ => cancel.Cancel(), cancel.Token));
    }
}
