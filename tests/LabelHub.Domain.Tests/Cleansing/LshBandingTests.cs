using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>The (b, r) chooser and the S-curve 1 − (1 − s^r)^b.</summary>
public sealed class LshBandingTests
{
    [Theory]
    [InlineData(0.5, 128, 32, 4)]
    [InlineData(0.6, 128, 25, 5)]
    [InlineData(0.7, 128, 21, 6)]
    [InlineData(0.8, 128, 14, 9)]
    [InlineData(0.9, 128, 8, 16)]
    [InlineData(0.5, 64, 21, 3)]
    [InlineData(0.8, 64, 9, 7)]
    [InlineData(0.9, 64, 5, 12)]
    public void Chooser_gives_the_documented_table(double threshold, int budget, int bands, int rows)
    {
        Assert.Equal(new LshBanding(bands, rows), LshBanding.Choose(threshold, budget));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(256)]
    public void The_threshold_sits_on_the_steep_part_of_the_S_curve(int budget)
    {
        for (var threshold = 0.5; threshold <= 0.9001; threshold += 0.05)
        {
            var banding = LshBanding.Choose(threshold, budget);
            Assert.True(banding.HashesUsed <= budget);
            var atThreshold = banding.CandidateProbability(threshold);
            // Stated range: at least the default 0.8 at t, and below 0.995 so the curve still rises there.
            Assert.InRange(atThreshold, LshBanding.DefaultProbabilityAtThreshold, 0.995);
            Assert.True(banding.CandidateProbability(threshold + 0.05) >= 0.9, $"t={threshold}: {banding}");
            Assert.True(banding.HalfwaySimilarity < threshold);
            Assert.True(banding.HalfwaySimilarity > threshold - 0.25, $"t={threshold}: {banding} halfway {banding.HalfwaySimilarity}");
            // The most rows that still keep the probability: one more row falls below it.
            var moreRows = new LshBanding(budget / (banding.Rows + 1), banding.Rows + 1);
            Assert.True(moreRows.CandidateProbability(threshold) < LshBanding.DefaultProbabilityAtThreshold);
        }
    }

    [Fact]
    public void S_curve_matches_its_closed_form_and_is_monotone()
    {
        var banding = new LshBanding(14, 9);
        Assert.Equal(1 - Math.Pow(1 - Math.Pow(0.8, 9), 14), banding.CandidateProbability(0.8), 14);
        Assert.Equal(0, banding.CandidateProbability(0));
        Assert.Equal(1, banding.CandidateProbability(1));
        Assert.Equal(0.5, banding.CandidateProbability(banding.HalfwaySimilarity), 9);
        var previous = 0.0;
        for (var s = 0.0; s <= 1.0; s += 0.01)
        {
            var p = banding.CandidateProbability(s);
            Assert.True(p >= previous);
            previous = p;
        }
    }
}
