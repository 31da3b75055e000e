using LabelHub.Domain.Learning;

namespace LabelHub.Workers.Learning;

/// <summary>What to build: the kind of network, the shape of one input sample ([C, H, W] or [D]), the classes.</summary>
/// <param name="Device">"cpu", or "cuda" where TorchSharp's CUDA natives are present.</param>
public sealed record ClassifierSpec(ModelKind Kind, int[] InputShape, int ClassCount, string Device = "cpu")
{
    /// <summary>The dropout before the output layer (and before the MLP's second layer); MC dropout samples it for BALD.</summary>
    public double DropoutRate { get; init; } = 0.5;
}

/// <param name="ShiftPixels">Image CNNs only: each training image is moved by up to this many pixels in x and y, drawn
/// afresh every time it is used (<see cref="ImageShift"/>); 0 trains on the images as they are.</param>
public sealed record TrainingOptions(int MaxEpochs = 30, int BatchSize = 64, double LearningRate = 1e-3, double WeightDecay = 1e-4, int Patience = 5, int Seed = 0, int ShiftPixels = 0);

public sealed record EpochMetrics(int Epoch, double TrainLoss, double ValidationLoss, double ValidationAccuracy, double Seconds);

/// <param name="BestEpoch">The epoch whose weights the classifier kept (lowest validation loss; the last epoch without validation data).</param>
public sealed record TrainingReport(IReadOnlyList<EpochMetrics> Epochs, int BestEpoch, double ValidationAccuracy, double ValidationLoss, double Seconds, int TrainCount, int ValidationCount);

/// <summary>A classifier's output for a set of samples, row-major.</summary>
/// <param name="Probabilities">n × ClassCount softmax probabilities (dropout off).</param>
/// <param name="McProbabilities">McSamples × n × ClassCount probabilities with dropout sampled, or null when none were asked for.</param>
/// <param name="Embeddings">n × EmbeddingSize activations of the penultimate layer (dropout off), for diversity.</param>
public sealed record Scores(float[] Probabilities, int ClassCount, float[]? McProbabilities, int McSamples, float[] Embeddings, int EmbeddingSize)
{
    public int Count => Probabilities.Length / ClassCount;
}
