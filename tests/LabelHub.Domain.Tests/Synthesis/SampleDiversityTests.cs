using LabelHub.Domain.Synthesis;

namespace LabelHub.Domain.Tests.Synthesis;

public sealed class SampleDiversityTests
{
    [Fact]
    public void Identical_samples_have_no_spread()
    {
        var samples = Enumerable.Repeat(new[] { 0.2f, 0.7f, 0.1f }, 5).SelectMany(s => s).ToArray();

        Assert.Equal(0, SampleDiversity.MeanPairwiseDistance(samples, 5, 3));
    }

    [Fact]
    public void Mean_distance_over_all_pairs()
    {
        // (0,0), (3,4), (0,4): distances 5, 4, 3.
        float[] samples = [0, 0, 3, 4, 0, 4];

        Assert.Equal(4, SampleDiversity.MeanPairwiseDistance(samples, 3, 2), 12);
    }

    [Fact]
    public void Fewer_than_two_samples_or_a_wrong_length_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleDiversity.MeanPairwiseDistance(new float[3], 1, 3));
        Assert.Throws<ArgumentException>(() => SampleDiversity.MeanPairwiseDistance(new float[5], 2, 3));
    }
}
