namespace LabelHub.Domain.Synthesis;

/// <summary>How different a set of samples are from each other: the signal that shows a generator's mode collapse.</summary>
public static class SampleDiversity
{
    /// <summary>
    /// The mean Euclidean distance over all pairs of <paramref name="count"/> samples of <paramref name="size"/> values.
    /// Compared with the same figure for real samples of the class, it says whether the generator still covers the class
    /// (about 1) or draws one image whatever the noise (near 0).
    /// </summary>
    public static double MeanPairwiseDistance(ReadOnlySpan<float> samples, int count, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (samples.Length != (long)count * size)
        {
            throw new ArgumentException($"{count} samples of {size} values need {(long)count * size} floats; got {samples.Length}.", nameof(samples));
        }
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            var first = samples.Slice(i * size, size);
            for (var j = i + 1; j < count; j++)
            {
                var second = samples.Slice(j * size, size);
                var squared = 0.0;
                for (var k = 0; k < size; k++)
                {
                    var difference = first[k] - second[k];
                    squared += difference * difference;
                }
                sum += Math.Sqrt(squared);
            }
        }
        return sum / (count * (count - 1) / 2.0);
    }
}
