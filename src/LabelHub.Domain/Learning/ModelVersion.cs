using System.Text.Json.Serialization;

namespace LabelHub.Domain.Learning;

/// <summary>
/// One trained model of a project, kept for good: what it learned (field, labels, input), from what (the items and
/// answers it saw, in <see cref="TrainingSetFileId"/>), how well (validation metrics, the curve per epoch) and how long.
/// </summary>
public class ModelVersion
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>1, 2, 3… per project.</summary>
    public int Version { get; set; }

    [JsonConverter(typeof(JsonStringEnumConverter<ModelKind>))]
    public ModelKind Kind { get; set; }

    public string Field { get; set; } = "";

    /// <summary>The class labels in output order.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>How items become model input: kept with the model so it scores new items the way it was trained.</summary>
    public ModelInput Input { get; set; } = new();

    public int TrainCount { get; set; }
    public int ValidationCount { get; set; }

    /// <summary>Submitted answers behind the labels (several per item with overlap).</summary>
    public int AnswersSeen { get; set; }

    public double ValidationAccuracy { get; set; }
    public double ValidationLoss { get; set; }
    public int BestEpoch { get; set; }
    public ModelCurve Curve { get; set; } = new();
    public double TrainingSeconds { get; set; }
    public DateTimeOffset TrainedAt { get; set; }

    /// <summary>The job that trained it.</summary>
    public Guid JobRunId { get; set; }

    /// <summary>The weights (TorchSharp state dict).</summary>
    public Guid CheckpointFileId { get; set; }

    /// <summary>JSON lines of {itemId, label, answers} for every item it trained or validated on.</summary>
    public Guid TrainingSetFileId { get; set; }

    /// <summary>The name predictions carry: "LabelHub v3".</summary>
    public string Name => NameOf(Version);

    public static string NameOf(int version) => $"LabelHub v{version}";
}

/// <summary>Epoch by epoch: the learning curve of one training run.</summary>
public sealed record ModelCurve
{
    public List<EpochPoint> Epochs { get; init; } = [];
}

public sealed record EpochPoint(int Epoch, double TrainLoss, double ValidationLoss, double ValidationAccuracy, double Seconds);

/// <summary>How an item becomes model input (per <see cref="ModelKind"/>).</summary>
public sealed record ModelInput
{
    /// <summary>Images: the side the image is resized to, and whether colour is kept.</summary>
    public int ImageSide { get; init; }
    public bool Rgb { get; init; }

    /// <summary>The item key holding the image or the text.</summary>
    public string? SourceKey { get; init; }

    /// <summary>Text: the hashing dimension.</summary>
    public int TextDimension { get; init; }

    /// <summary>Records: the fitted encoder (RecordFeatures as JSON).</summary>
    public string? RecordEncoder { get; init; }

    /// <summary>The input shape the network takes: [C, H, W] or [D].</summary>
    public int[] Shape { get; init; } = [];
}
