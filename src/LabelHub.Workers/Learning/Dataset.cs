namespace LabelHub.Workers.Learning;

/// <summary>
/// Samples held in memory for training and scoring: one row-major feature block (Count × SampleSize floats) and a
/// class index per sample. A label of -1 means the class is unknown; such samples can be scored but not trained on.
/// </summary>
public sealed class Dataset
{
    public const int UnknownLabel = -1;

    /// <param name="features">Count × SampleSize floats, sample after sample.</param>
    /// <param name="sampleShape">[C, H, W] for images, [D] for feature vectors.</param>
    /// <param name="labels">One class index per sample, or <see cref="UnknownLabel"/>.</param>
    public Dataset(float[] features, int[] sampleShape, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(labels);
        if (sampleShape.Length == 0 || sampleShape.Any(size => size <= 0))
        {
            throw new ArgumentException($"A sample shape has positive sizes; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        }
        var sampleSize = sampleShape.Aggregate(1L, (product, size) => product * size);
        if (sampleSize > int.MaxValue || (long)labels.Length * sampleSize != features.Length)
        {
            throw new ArgumentException($"{labels.Length} samples of shape [{string.Join(", ", sampleShape)}] need {labels.Length * sampleSize} features; got {features.Length}.", nameof(features));
        }
        if (labels.Any(label => label < UnknownLabel))
        {
            throw new ArgumentException("A label is a class index or -1 (unknown).", nameof(labels));
        }
        Features = features;
        SampleShape = sampleShape;
        Labels = labels;
        SampleSize = (int)sampleSize;
    }

    public int Count => Labels.Length;

    public int SampleSize { get; }

    public int[] SampleShape { get; }

    public float[] Features { get; }

    public int[] Labels { get; }

    public ReadOnlySpan<float> Sample(int index) => Features.AsSpan(index * SampleSize, SampleSize);

    /// <summary>A copy of the samples at these indices, in this order.</summary>
    public Dataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var features = new float[(long)indices.Count * SampleSize];
        var labels = new int[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            var index = indices[i];
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {index} is outside the {Count} samples.");
            }
            Sample(index).CopyTo(features.AsSpan(i * SampleSize, SampleSize));
            labels[i] = Labels[index];
        }
        return new Dataset(features, (int[])SampleShape.Clone(), labels);
    }
}
