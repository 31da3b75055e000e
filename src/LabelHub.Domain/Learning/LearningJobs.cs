using System.Globalization;
using System.Text.Json.Serialization;
using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Learning;

/// <summary>The jobs of the Learning stage; they run in Workers (TorchSharp), their data goes through <see cref="LearningService"/>.</summary>
public static class LearningJobs
{
    /// <summary>One active-learning round: train, score the unlabeled pool, move the chosen batch to the front of the queue.</summary>
    public static readonly JobContract<RoundJobParameters, RoundJobResult> Round = new("learning-round");

    /// <summary>Replays labeling on a project's labeled items, round by round, for each strategy against random sampling.</summary>
    public static readonly JobContract<SimulationJobParameters, SimulationJobResult> Simulate = new("learning-simulation");
}

public sealed record RoundJobParameters(
    Guid ProjectId,
    [property: JsonConverter(typeof(JsonStringEnumConverter<RoundTrigger>))] RoundTrigger Trigger);

/// <param name="ModelVersion">Null for a cold start (no model trained).</param>
public sealed record RoundJobResult(int Round, bool ColdStart, int? ModelVersion, double? ValidationAccuracy, int Labeled, int Picked, int PoolSize, double Seconds)
{
    public string Summary()
    {
        var seconds = Seconds.ToString("F1", CultureInfo.InvariantCulture);
        if (ColdStart)
        {
            return $"Round {Round}: {Labeled:N0} labeled items are too few for a model; {Picked:N0} diverse items of {PoolSize:N0} moved to the front ({seconds} s).";
        }
        var accuracy = ValidationAccuracy is { } a ? a.ToString("P1", CultureInfo.InvariantCulture) : "n/a";
        return $"Round {Round}: model v{ModelVersion} trained on {Labeled:N0} labeled items (validation accuracy {accuracy}); {Picked:N0} of {PoolSize:N0} unlabeled items moved to the front ({seconds} s).";
    }
}

/// <param name="TestShare">Share of the labeled items held out to measure test accuracy after every round.</param>
public sealed record SimulationJobParameters(
    Guid ProjectId,
    string Field,
    IReadOnlyList<SamplingStrategy> Strategies,
    bool Diversity,
    int SeedLabels,
    int BatchSize,
    int MaxLabels,
    int Seeds,
    double TestShare)
{
    public const int MaxSeeds = 5;
    public const int MaxRoundsPerRun = 100;
}

/// <summary>One strategy's test accuracy by number of labels, over the seeds.</summary>
/// <param name="LabelsToReachRandom">Labels this strategy needed to reach random sampling's accuracy at its last point; null when it never did.</param>
public sealed record StrategyCurve(
    [property: JsonConverter(typeof(JsonStringEnumConverter<SamplingStrategy>))] SamplingStrategy Strategy,
    bool Diversity,
    IReadOnlyList<CurvePoint> Points,
    int? LabelsToReachRandom);

public sealed record CurvePoint(int Labels, double Mean, double Min, double Max);

public sealed record SimulationJobResult(int PoolSize, int TestSize, int Seeds, IReadOnlyList<StrategyCurve> Curves, double Seconds)
{
    public string Summary()
    {
        var random = Curves.FirstOrDefault(c => c.Strategy == SamplingStrategy.Random);
        var best = Curves.Where(c => c.Strategy != SamplingStrategy.Random && c.LabelsToReachRandom is not null)
            .OrderBy(c => c.LabelsToReachRandom).FirstOrDefault();
        var randomFinal = random?.Points.LastOrDefault();
        if (random is null || randomFinal is null)
        {
            return $"Simulated {Curves.Count} strategies on {PoolSize:N0} items.";
        }
        var randomText = $"random sampling reached {randomFinal.Mean.ToString("P1", CultureInfo.InvariantCulture)} with {randomFinal.Labels:N0} labels";
        return best is null
            ? $"Simulated on {PoolSize:N0} items: {randomText}; no strategy reached it sooner."
            : $"Simulated on {PoolSize:N0} items: {randomText}; {best.Strategy} reached it with {best.LabelsToReachRandom:N0}.";
    }
}
