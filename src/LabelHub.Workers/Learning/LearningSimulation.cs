using System.Diagnostics;
using LabelHub.Domain;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;

namespace LabelHub.Workers.Learning;

/// <summary>
/// A simulation on a project's own labeled items: a seeded share is held out as the test set, the rest is the pool
/// whose labels are revealed round by round, and <see cref="StrategySimulation"/> replays labeling with every
/// strategy against random sampling — the same model, training and batch selection as the project's rounds.
/// </summary>
public sealed class LearningSimulation(LearningData data, ILearningRuntime runtime, TorchThread torch)
{
    /// <summary>Model input kept in memory at once (floats): items beyond it are left out by a seeded sample.</summary>
    public const long MaxFeatureFloats = 100_000_000;

    public async Task<SimulationJobResult> RunAsync(SimulationJobParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        var project = await data.ProjectAsync(parameters.ProjectId, ct);
        var field = project.Project.Schema.Field(parameters.Field) is { Kind: Domain.Planning.FieldKind.Choice } chosen
            ? chosen
            : throw new ValidationException("field", $"'{parameters.Field}' is no longer a single-choice field of this project.");
        project = project with { Field = field };
        await progress.ReportAsync(0.01, "Reading the labels", ct);
        var labeled = await data.LabeledAsync(project.Project.Id, field, ct);
        var encoder = await FeatureEncoder.FitAsync(project, [.. labeled.Select(l => l.Data)], data, ct);
        var perItem = encoder.Input.Shape.Aggregate(1L, (a, b) => a * b);
        var cap = (int)Math.Min(int.MaxValue, MaxFeatureFloats / perItem);
        var used = labeled.Count <= cap ? labeled : [.. labeled.OrderBy(l => StableHash.Murmur3(l.ItemId, 7u)).Take(cap).OrderBy(l => l.ItemId)];
        await progress.ReportAsync(0.03, $"Preparing {used.Count:N0} labeled items", ct);
        var encoded = await encoder.EncodeAsync(project.Project.Id, [.. used.Select(l => (l.ItemId, l.Data))], [.. used.Select(l => l.Label)], data, ct);
        var (poolRows, testRows) = ValidationSplit.Split(encoded.ItemIds, parameters.TestShare, seed: 1);
        if (poolRows.Length < parameters.MaxLabels)
        {
            throw new ValidationException("maxLabels", $"Only {poolRows.Length:N0} labeled items are outside the test set; simulate up to that many labels.");
        }
        if (testRows.Length == 0)
        {
            throw new ValidationException("testShare", "No labeled item fell into the test set; label more items or hold out a larger share.");
        }
        var pool = encoded.Dataset.Subset(poolRows);
        var test = encoded.Dataset.Subset(testRows);
        var options = new SimulationOptions(
            [.. parameters.Strategies.Select(s => s == SamplingStrategy.Random ? SimulatedStrategy.Random : new SimulatedStrategy(s, parameters.Diversity))],
            parameters.SeedLabels,
            parameters.BatchSize,
            parameters.MaxLabels,
            [.. Enumerable.Range(1, parameters.Seeds)],
            new ClassifierSpec(project.Kind, encoder.Input.Shape, field.Labels.Count, runtime.Availability.Device ?? "cpu"),
            ActiveLearningRound.Training)
        {
            McSamples = ActiveLearningRound.McSamples,
            ValidationShare = ActiveLearningRound.ValidationShare,
        };
        var result = await torch.RunAsync(() => new StrategySimulation(options).Run(pool, test, step =>
        {
            progress.ReportAsync(0.05 + (0.95 * step.RunsDone / Math.Max(1, step.RunsTotal)),
                $"{step.Strategy.Name}, seed {step.Seed}: {step.Labels:N0} labels, test accuracy {step.TestAccuracy:P1}", ct).GetAwaiter().GetResult();
        }, ct), ct);
        var curves = result.Curves.Select(c => new StrategyCurve(
            c.Strategy.Strategy,
            c.Strategy.Diversity,
            [.. c.Points.Select(p => new CurvePoint(p.Labels, p.MeanAccuracy, p.MinAccuracy, p.MaxAccuracy))],
            c.LabelsToReachRandom)).ToList();
        return new SimulationJobResult(pool.Count, test.Count, parameters.Seeds, curves, clock.Elapsed.TotalSeconds);
    }
}
