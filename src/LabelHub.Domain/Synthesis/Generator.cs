using System.Text.Json.Serialization;

namespace LabelHub.Domain.Synthesis;

public enum GeneratorState
{
    /// <summary>Queued or training (the job's progress says which epoch).</summary>
    Training,

    /// <summary>Trained and measured: it can generate (unless its health says otherwise).</summary>
    Ready,

    /// <summary>The training job failed or was cancelled; the epochs it finished stay visible.</summary>
    Failed,
}

/// <summary>What the loss and sample-diversity signals say about a training run.</summary>
public enum GanHealth
{
    Healthy,

    /// <summary>The generator produces (nearly) the same image for one class or more, whatever the noise.</summary>
    ModeCollapse,

    /// <summary>The losses became infinite, or the discriminator won completely and the generator stopped learning.</summary>
    Diverged,
}

/// <summary>
/// One conditional DCGAN of a project (issue 16): what it learned (a single-choice field's labels from the final
/// answers), how (settings), how it went epoch by epoch (losses, diversity, a sample grid per epoch), how healthy and how
/// good it is (CAS, Fréchet distance, augmentation gain), and the weights. Synthetic items name it.
/// </summary>
public class Generator
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>1, 2, 3… per project.</summary>
    public int Version { get; set; }

    [JsonConverter(typeof(JsonStringEnumConverter<GeneratorState>))]
    public GeneratorState State { get; set; }

    /// <summary>The single-choice field whose final answers are the classes.</summary>
    public string Field { get; set; } = "";

    /// <summary>The classes in the order the networks embed them.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>The item key that holds the image.</summary>
    public string ImageKey { get; set; } = "image";

    /// <summary>28, 32 or 64: the side training images are resized to and samples come out at.</summary>
    public int ImageSide { get; set; }

    /// <summary>1 (grayscale) or 3 (RGB).</summary>
    public int Channels { get; set; }

    public GeneratorSettings Settings { get; set; } = new();

    /// <summary>Real images it trained on, and real images held out to measure it (never seen in training).</summary>
    public int TrainCount { get; set; }
    public int HeldOutCount { get; set; }

    public int EpochsDone { get; set; }
    public GeneratorCurve Curve { get; set; } = new();

    /// <summary>Null until the first epoch was assessed.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<GanHealth>))]
    public GanHealth? Health { get; set; }

    /// <summary>Why it is unhealthy, in English (translated where it is read); null when healthy.</summary>
    public string? HealthReason { get; set; }

    public List<string> CollapsedClasses { get; set; } = [];

    /// <summary>Measured after training on the held-out real images.</summary>
    public GeneratorEvaluation Evaluation { get; set; } = new();

    /// <summary>The generator's weights for generating (TorchSharp state dict); null until trained.</summary>
    public Guid? WeightsFileId { get; set; }

    /// <summary>The whole training state after the last finished epoch (both networks, both optimizers): a restarted job resumes from it.</summary>
    public Guid? CheckpointFileId { get; set; }

    /// <summary>The training job.</summary>
    public Guid JobRunId { get; set; }
    public Guid? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? TrainedAt { get; set; }
    public double TrainingSeconds { get; set; }

    /// <summary>The name synthetic items and their suggestions carry: "LabelHub GAN v2".</summary>
    public string Name => NameOf(Version);

    public static string NameOf(int version) => $"LabelHub GAN v{version}";
}

/// <summary>How a generator trains. Defaults follow Radford et al. (Adam 2e-4, β1 0.5, batch 128, z of 100).</summary>
public sealed record GeneratorSettings
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 128;
    public int LatentSize { get; init; } = 100;

    /// <summary>Feature maps at the widest layer of each network.</summary>
    public int Width { get; init; } = 64;
    public double LearningRate { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public int Seed { get; init; }

    /// <summary>Share of the labeled images kept out of training to measure the generator on.</summary>
    public double HeldOutShare { get; init; } = 0.2;
}

public sealed record GeneratorCurve
{
    public List<GeneratorEpoch> Epochs { get; init; } = [];
}

/// <param name="RealScore">Mean D(x) on real images.</param>
/// <param name="FakeScore">Mean D(G(z)) on generated images.</param>
/// <param name="DiversityRatio">Mean pairwise distance of generated samples ÷ that of real images, lowest class; about 1 when healthy.</param>
/// <param name="GridFileId">A PNG with one row of samples per class (fixed noise, so epochs compare).</param>
public sealed record GeneratorEpoch(
    int Epoch, double DiscriminatorLoss, double GeneratorLoss, double RealScore, double FakeScore, double DiversityRatio, double Seconds, Guid GridFileId);

/// <summary>
/// How good the samples are, measured on real images held out of training (Ravuri and Vinyals's classification accuracy
/// score; a Fréchet distance on the project classifier's features). Empty (<see cref="IsMeasured"/> false) until measured.
/// </summary>
public sealed record GeneratorEvaluation
{
    /// <summary>Images per class each classifier trained on.</summary>
    public int PerClass { get; init; }

    /// <summary>Held-out real images the classifiers were tested on.</summary>
    public int TestCount { get; init; }

    /// <summary>The classifier trained on real images, on the held-out real images.</summary>
    public double RealAccuracy { get; init; }

    /// <summary>The same classifier trained on as many synthetic images only (CAS).</summary>
    public double SyntheticAccuracy { get; init; }

    /// <summary>SyntheticAccuracy ÷ RealAccuracy.</summary>
    public double CasRatio { get; init; }

    /// <summary>Between generated and held-out real images' features.</summary>
    public double FrechetDistance { get; init; }

    /// <summary>Between real images the feature network never saw and the held-out ones: about what a perfect generator would reach.</summary>
    public double RealFrechetDistance { get; init; }

    /// <summary>The augmentation experiment: a small real training set alone, then with synthetic images added.</summary>
    public int GainRealPerClass { get; init; }
    public int GainSyntheticPerClass { get; init; }
    public double RealOnlyAccuracy { get; init; }
    public double WithSyntheticAccuracy { get; init; }

    /// <summary>The epoch each of the two reached its best validation accuracy: whether synthetic images make training faster.</summary>
    public int RealOnlyBestEpoch { get; init; }
    public int WithSyntheticBestEpoch { get; init; }
    public double Seconds { get; init; }

    public bool IsMeasured => PerClass > 0;
}
