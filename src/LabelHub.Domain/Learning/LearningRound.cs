using System.Text.Json.Serialization;

namespace LabelHub.Domain.Learning;

public enum RoundTrigger
{
    /// <summary>A manager started it.</summary>
    Manual,

    /// <summary>Enough new answers came in (<see cref="LearningSettings.RoundEveryAnswers"/>).</summary>
    Automatic,
}

/// <summary>
/// One active-learning round: train (unless labels are too few: then a diverse seed set), score the unlabeled pool,
/// and move the chosen batch to the front of the annotators' queue. Kept so a manager sees why each item was chosen.
/// </summary>
public class LearningRound
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>1, 2, 3… per project; also the priority band of its picks, so a newer round's picks come first.</summary>
    public int Number { get; set; }

    public Guid JobRunId { get; set; }

    [JsonConverter(typeof(JsonStringEnumConverter<RoundTrigger>))]
    public RoundTrigger Trigger { get; set; }

    [JsonConverter(typeof(JsonStringEnumConverter<SamplingStrategy>))]
    public SamplingStrategy Strategy { get; set; }

    public bool Diversity { get; set; }

    /// <summary>Too few labels for a model: the batch is a diverse seed set chosen from the items' own features.</summary>
    public bool ColdStart { get; set; }

    /// <summary>The model trained in this round; null for a cold start.</summary>
    public Guid? ModelVersionId { get; set; }

    public int LabeledCount { get; set; }
    public int PoolSize { get; set; }

    /// <summary>The answer count at the start, so automatic rounds know how many came in since.</summary>
    public long UpToAnnotationId { get; set; }

    /// <summary>Expected validation accuracy with <see cref="GainLabels"/> more labels, from the learning curve so far.</summary>
    public double? ExpectedAccuracy { get; set; }
    public int? GainLabels { get; set; }

    public double ScoringSeconds { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public List<RoundPick> Picks { get; set; } = [];
}

/// <summary>An item a round chose, with its rank and why.</summary>
public class RoundPick
{
    public Guid RoundId { get; set; }
    public long ItemId { get; set; }
    public int Rank { get; set; }
    public double Score { get; set; }
    public string Reason { get; set; } = "";
    public string? PredictedLabel { get; set; }
    public double? Confidence { get; set; }
}
