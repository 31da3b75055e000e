using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

/// <summary>Each score against values worked out by hand, the extremes, and BALD's disagreement term.</summary>
public sealed class UncertaintyTests
{
    private const double FloatInput = 1e-6;

    [Fact]
    public void A_confident_three_class_row_scores_as_worked_out_by_hand()
    {
        float[] row = [0.7f, 0.2f, 0.1f];

        // 1 − 0.7
        Assert.Equal(0.3, Uncertainty.LeastConfidence(row), FloatInput);
        // 1 − (0.7 − 0.2)
        Assert.Equal(0.5, Uncertainty.Margin(row), FloatInput);
        // −(0.7 ln 0.7 + 0.2 ln 0.2 + 0.1 ln 0.1) = 0.249672 + 0.321888 + 0.230259
        Assert.Equal(0.801819, Uncertainty.Entropy(row), FloatInput);
    }

    [Fact]
    public void Margin_takes_the_runner_up_wherever_it_stands_and_a_tie_scores_one()
    {
        // Top 0.4, runner-up 0.35: 1 − 0.05.
        Assert.Equal(0.95, Uncertainty.Margin([0.25f, 0.35f, 0.4f]), FloatInput);
        Assert.Equal(0.95, Uncertainty.Margin([0.4f, 0.25f, 0.35f]), FloatInput);
        Assert.Equal(1, Uncertainty.Margin([0.1f, 0.45f, 0.45f]), FloatInput);
        // One class: no runner-up, 1 − p.
        Assert.Equal(0, Uncertainty.Margin([1f]), FloatInput);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    public void A_uniform_row_has_the_largest_entropy_ln_c_and_a_one_hot_row_none(int classes)
    {
        var uniform = Enumerable.Repeat(1f / classes, classes).ToArray();
        var oneHot = new float[classes];
        oneHot[classes - 1] = 1;

        Assert.Equal(Math.Log(classes), Uncertainty.Entropy(uniform), FloatInput);
        Assert.Equal(1 - 1.0 / classes, Uncertainty.LeastConfidence(uniform), FloatInput);
        Assert.Equal(1, Uncertainty.Margin(uniform), FloatInput);
        Assert.Equal(0, Uncertainty.Entropy(oneHot));
        Assert.Equal(0, Uncertainty.LeastConfidence(oneHot));
        Assert.Equal(0, Uncertainty.Margin(oneHot));
    }

    [Fact]
    public void Score_applies_the_strategy_to_each_row()
    {
        float[] probabilities = [0.7f, 0.2f, 0.1f, 1f / 3, 1f / 3, 1f / 3];

        Assert.Equal([0.3, 2.0 / 3], Uncertainty.Score(SamplingStrategy.LeastConfidence, probabilities, 3), new Close(FloatInput));
        Assert.Equal([0.5, 1], Uncertainty.Score(SamplingStrategy.Margin, probabilities, 3), new Close(FloatInput));
        Assert.Equal([0.801819, Math.Log(3)], Uncertainty.Score(SamplingStrategy.Entropy, probabilities, 3), new Close(FloatInput));
    }

    [Fact]
    public void Bald_is_zero_when_every_pass_agrees_however_unsure_each_pass_is()
    {
        float[] passes = [0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f];

        Assert.Equal(0, Uncertainty.Bald(passes, 3), 1e-6);
    }

    [Fact]
    public void Bald_measures_the_disagreement_between_passes()
    {
        // Mean [0.5, 0.5] has entropy ln 2; each pass is certain (entropy 0): ln 2 − 0.
        Assert.Equal(Math.Log(2), Uncertainty.Bald([1f, 0f, 0f, 1f], 2), FloatInput);
        // Passes [0.8, 0.2] and [0.2, 0.8]: ln 2 − H(0.8, 0.2) = 0.693147 − 0.500402.
        Assert.Equal(0.192745, Uncertainty.Bald([0.8f, 0.2f, 0.2f, 0.8f], 2), FloatInput);
    }

    [Fact]
    public void Bald_scores_read_each_item_from_every_pass()
    {
        // Two passes × two items × two classes, pass-major: item 0 agrees, item 1 flips.
        float[] mc =
        [
            0.6f, 0.4f, 1f, 0f,
            0.6f, 0.4f, 0f, 1f,
        ];

        var scores = Uncertainty.Score(SamplingStrategy.Bald, [], 2, mc, mcSamples: 2);

        Assert.Equal([0, Math.Log(2)], scores, new Close(FloatInput));
        Assert.Equal(scores, Uncertainty.Score(SamplingStrategy.Bald, [0.6f, 0.4f, 0.5f, 0.5f], 2, mc, mcSamples: 2));
    }

    [Fact]
    public void Random_is_no_score_and_malformed_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Uncertainty.Score(SamplingStrategy.Random, [0.5f, 0.5f], 2));
        Assert.Throws<ArgumentException>(() => Uncertainty.Score(SamplingStrategy.Entropy, [0.5f, 0.5f, 1f], 2));
        Assert.Throws<ArgumentException>(() => Uncertainty.Score(SamplingStrategy.Bald, [0.5f, 0.5f], 2));
        // Three items in the passes, one in the probabilities.
        Assert.Throws<ArgumentException>(() => Uncertainty.Score(SamplingStrategy.Bald, [0.5f, 0.5f], 2, new float[12], 2));
    }

    private sealed class Close(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
