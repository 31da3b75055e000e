using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

public sealed class LearningRulesTests
{
    private static readonly Guid Project = Guid.NewGuid();

    [Fact]
    public void A_simulation_always_measures_against_random_sampling()
    {
        var parameters = new SimulationRequest([SamplingStrategy.Margin, SamplingStrategy.Bald]).Validate(Project, "label", labeled: 2_000);
        Assert.Equal([SamplingStrategy.Random, SamplingStrategy.Margin, SamplingStrategy.Bald], parameters.Strategies);
        Assert.Equal(100, parameters.SeedLabels);
        Assert.Equal(1_000, parameters.MaxLabels);
    }

    [Fact]
    public void A_simulation_names_every_bad_setting()
    {
        var invalid = Assert.Throws<ValidationException>(() =>
            new SimulationRequest(SeedLabels: 1, BatchSize: 0, MaxLabels: 1, Seeds: 9, TestShare: 0.9).Validate(Project, "label", labeled: 50));
        Assert.Contains("seedLabels", invalid.Errors.Keys);
        Assert.Contains("batchSize", invalid.Errors.Keys);
        Assert.Contains("maxLabels", invalid.Errors.Keys);
        Assert.Contains("seeds", invalid.Errors.Keys);
        Assert.Contains("testShare", invalid.Errors.Keys);
    }

    [Fact]
    public void A_simulation_cannot_ask_for_more_labels_than_the_project_has_outside_its_test_set()
    {
        // 1,000 labeled, 20 % held out: 800 can be simulated.
        var invalid = Assert.Throws<ValidationException>(() => new SimulationRequest(MaxLabels: 900).Validate(Project, "label", labeled: 1_000));
        Assert.Contains("800", Assert.Single(invalid.Errors["maxLabels"]), StringComparison.Ordinal);
        Assert.Equal(800, new SimulationRequest(MaxLabels: 800).Validate(Project, "label", labeled: 1_000).MaxLabels);
    }

    [Fact]
    public void Too_many_rounds_per_run_are_refused()
    {
        var invalid = Assert.Throws<ValidationException>(() => new SimulationRequest(BatchSize: 1, SeedLabels: 10, MaxLabels: 500).Validate(Project, "label", labeled: 10_000));
        Assert.Contains("batchSize", invalid.Errors.Keys);
    }

    [Fact]
    public void The_learning_curve_takes_one_point_per_training_size_and_estimates_the_gain_of_four_more_batches()
    {
        // Accuracy 0.9 - 2 n^-0.5: 100 → 0.7, 400 → 0.8, 1600 → 0.85; 1600 + 4 × 50 = 1800 → 0.9 - 2/√1800.
        var models = new[] { (100, 0.7), (400, 0.8), (1600, 0.85) }
            .Select((p, i) => new ModelVersion { Version = i + 1, TrainCount = p.Item1 * 4 / 5, ValidationCount = p.Item1 / 5, ValidationAccuracy = p.Item2 })
            .Append(new ModelVersion { Version = 0, TrainCount = 80, ValidationCount = 20, ValidationAccuracy = 0.1 })
            .OrderBy(m => m.Version)
            .ToList();
        var curve = LearningService.CurveOf(models, batchSize: 50);
        Assert.Equal([100, 400, 1600], curve.Points.Select(p => p.Labels));
        // Of two models trained on 100 labels, the newer one counts.
        Assert.Equal(0.7, curve.Points[0].Mean);
        Assert.Equal(200, curve.NextLabels);
        Assert.NotNull(curve.Fit);
        Assert.Equal(0.9 - (2 / Math.Sqrt(1800)), curve.ExpectedAccuracy!.Value, 3);
    }

    [Fact]
    public void Two_models_are_too_few_for_a_curve()
    {
        var models = new List<ModelVersion>
        {
            new() { Version = 1, TrainCount = 80, ValidationCount = 20, ValidationAccuracy = 0.6 },
            new() { Version = 2, TrainCount = 160, ValidationCount = 40, ValidationAccuracy = 0.7 },
        };
        var curve = LearningService.CurveOf(models, 50);
        Assert.Equal(2, curve.Points.Count);
        Assert.Null(curve.Fit);
        Assert.Null(curve.ExpectedAccuracy);
    }
}
