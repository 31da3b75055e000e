using System.Text.Json.Serialization;

namespace LabelHub.Domain.Learning;

/// <summary>How a project's active-learning rounds train and choose what annotators label next.</summary>
public sealed record LearningSettings
{
    public const int MinBatchSize = 1;
    public const int MaxBatchSize = 5_000;
    public const int MinRoundEvery = 10;
    public const int MinLabelsForModelFloor = 4;

    /// <summary>The single-choice field the model learns; null: the schema's first single-choice field.</summary>
    public string? Field { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<SamplingStrategy>))]
    public SamplingStrategy Strategy { get; init; } = SamplingStrategy.Margin;

    /// <summary>Whether a batch is spread over the most uncertain items (k-center greedy) rather than their top.</summary>
    public bool Diversity { get; init; } = true;

    /// <summary>How many items a round moves to the front of the queue.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>A round starts by itself once this many answers came in since the last one; null: on demand only.</summary>
    public int? RoundEveryAnswers { get; init; }

    /// <summary>Below this many labeled items (or with fewer than two labels seen) a round picks a diverse seed set instead of training.</summary>
    public int MinLabelsForModel { get; init; } = 20;

    /// <summary>Whether the model's predictions for unlabeled items are stored as suggestions annotators can take (key A).</summary>
    public bool StoreSuggestions { get; init; } = true;
}
