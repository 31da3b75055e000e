using LabelHub.Domain.Jobs;
using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Synthesis;

/// <summary>What the Synthesis page and API show for a project.</summary>
/// <param name="Field">The single-choice field a generator would learn (null: the schema has none).</param>
/// <param name="LabeledPerClass">Real image items with a final answer, per class (synthetic items never count).</param>
/// <param name="Blocker">Why training cannot start now, in English (translated where read); null when it can.</param>
/// <param name="ActiveJob">A synthesis job queued or running now.</param>
public sealed record SynthesisStatus(
    LearningAvailability Availability,
    string? Field,
    IReadOnlyList<string> Labels,
    IReadOnlyDictionary<string, int> LabeledPerClass,
    int ImageItems,
    string? Blocker,
    JobRunInfo? ActiveJob,
    GeneratorInfo? Latest,
    SyntheticItemsSummary Synthetic);

public sealed record GeneratorInfo(
    Guid Id,
    int Version,
    string Name,
    GeneratorState State,
    string Field,
    IReadOnlyList<string> Labels,
    int ImageSide,
    int Channels,
    GeneratorSettings Settings,
    int TrainCount,
    int HeldOutCount,
    int EpochsDone,
    IReadOnlyList<GeneratorEpoch> Epochs,
    GanHealth? Health,
    string? HealthReason,
    IReadOnlyList<string> CollapsedClasses,
    GeneratorEvaluation Evaluation,
    Guid JobRunId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? TrainedAt,
    double TrainingSeconds,
    int SyntheticItems)
{
    public static GeneratorInfo Of(Generator g, int syntheticItems) => new(
        g.Id, g.Version, g.Name, g.State, g.Field, g.Labels, g.ImageSide, g.Channels, g.Settings, g.TrainCount, g.HeldOutCount, g.EpochsDone,
        g.Curve.Epochs, g.Health, g.HealthReason, g.CollapsedClasses, g.Evaluation, g.JobRunId, g.CreatedAt, g.TrainedAt, g.TrainingSeconds, syntheticItems);

    /// <summary>A generator makes items only when trained and healthy.</summary>
    public bool CanGenerate => State == GeneratorState.Ready && Health == GanHealth.Healthy;
}

/// <param name="Field">Null: the project's single-choice field (the one learning uses).</param>
/// <param name="ImageSide">Null: 28 for images up to 28 px, else 32; 64 on request.</param>
public sealed record TrainRequest(string? Field = null, int? ImageSide = null, int Epochs = 20, int BatchSize = 128, int Seed = 0);

/// <summary>Exactly one of: <see cref="PerClass"/> (label → count), <see cref="Count"/> (the same for every class) or <see cref="Balance"/> (top every class up to the largest class's labeled count, at most <see cref="MaxPerJob"/> in all).</summary>
public sealed record GenerateRequest(IReadOnlyDictionary<string, int>? PerClass = null, int? Count = null, bool Balance = false, long? Seed = null)
{
    public const int MaxPerJob = 100_000;
}

/// <summary>
/// Synthetic items and what people made of them. Confirmed: the final answer to the generator's field is the class the
/// generator was asked for (a person validated it; only these may enter a release that asks for them). Rejected: the final
/// answer is another class. Awaiting: no final answer yet.
/// </summary>
public sealed record SyntheticItemsSummary(int Items, int Awaiting, int Confirmed, int Rejected, IReadOnlyList<SyntheticClassCount> PerClass)
{
    public static readonly SyntheticItemsSummary Empty = new(0, 0, 0, 0, []);
}

public sealed record SyntheticClassCount(string Label, int Items, int Confirmed, int Rejected);
