using System.Text.Json;
using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>Confident learning on cases small enough to compute by hand, and its input checks.</summary>
public sealed class ConfidentLearningTests
{
    // Seven examples, three classes. x2 is labeled 0 but looks like a 1; x4 and x6 are confident of nothing.
    private static readonly int[] HandLabels = [0, 0, 0, 1, 1, 2, 2];

    private static readonly double[] HandProbabilities =
    [
        0.8, 0.1, 0.1,
        0.6, 0.3, 0.1,
        0.1, 0.8, 0.1,
        0.2, 0.7, 0.1,
        0.1, 0.6, 0.3,
        0.1, 0.2, 0.7,
        0.3, 0.2, 0.5,
    ];

    [Fact]
    public void Thresholds_are_the_mean_probability_of_each_class_over_the_examples_given_it()
    {
        var thresholds = ConfidentLearning.Thresholds(HandLabels, HandProbabilities, 3);

        // t0 = (0.8 + 0.6 + 0.1) / 3, t1 = (0.7 + 0.6) / 2, t2 = (0.7 + 0.5) / 2.
        Assert.Equal(0.5, thresholds[0], 12);
        Assert.Equal(0.65, thresholds[1], 12);
        Assert.Equal(0.6, thresholds[2], 12);
    }

    [Fact]
    public void The_confident_joint_counts_each_example_under_its_confident_class_and_skips_the_unconfident()
    {
        var (joint, offDiagonal) = ConfidentLearning.ConfidentJoint(HandLabels, HandProbabilities, 3);

        // x0, x1 → (0, 0); x2 → (0, 1); x3 → (1, 1); x4: 0.6 < t1, none; x5 → (2, 2); x6: 0.5 < t2, none.
        Assert.Equal(new int[][] { [2, 1, 0], [0, 1, 0], [0, 0, 1] }, joint);
        Assert.Equal([2], offDiagonal);
    }

    [Fact]
    public void Calibration_scales_each_row_to_its_label_count_and_the_whole_to_n()
    {
        var (joint, _) = ConfidentLearning.ConfidentJoint(HandLabels, HandProbabilities, 3);

        var calibrated = ConfidentLearning.Calibrate(joint, [3, 2, 2]);

        // Row 0 already sums to its 3 examples; rows 1 and 2 count one example each for two labeled.
        Assert.Equal(new int[][] { [2, 1, 0], [0, 2, 0], [0, 0, 2] }, calibrated);
    }

    [Fact]
    public void Calibration_rounds_rows_keeping_their_totals()
    {
        // Row 0: 5·(1, 1, 1)/3 = 1.67 each rounds to 2, 2, 2; one comes down to keep the total 5, the first of the tied
        // (cleanlab moves down in index order). Row 1: 4·(1, 3)/4 → 1, 3. Row 2 has no examples → 0. The whole is 9 = n.
        var calibrated = ConfidentLearning.Calibrate(new int[][] { [1, 1, 1], [1, 3, 0], [0, 0, 1] }, [5, 4, 0]);

        Assert.Equal(new int[][] { [1, 2, 2], [1, 3, 0], [0, 0, 0] }, calibrated);
        Assert.Equal(9, calibrated.Sum(row => row.Sum()));
    }

    [Fact]
    public void Rounding_preserves_the_sum_and_breaks_ties_as_cleanlab_does()
    {
        // Up: residuals .4, .4, .2 — the tied .4s go highest index first.
        Assert.Equal([1, 2, 1], ConfidentLearning.RoundPreservingSum([1.4, 1.4, 1.2]));
        // Down: residuals −.4, −.4, −.2 — the tied −.4s go lowest index first.
        Assert.Equal([0, 1, 1], ConfidentLearning.RoundPreservingSum([0.6, 0.6, 0.8]));
        // Halves round to even before the sum is fixed.
        Assert.Equal([2, 0, 2], ConfidentLearning.RoundPreservingSum([2.5, 0.5, 1.5]));
    }

    [Fact]
    public void Prune_by_noise_rate_finds_the_mislabeled_example_with_its_suggestion()
    {
        var result = ConfidentLearning.FindLabelIssues(HandLabels, HandProbabilities, 3, new(LabelIssueFilter.PruneByNoiseRate));

        var issue = Assert.Single(result.Issues);
        Assert.Equal((2, 0, 1), (issue.Index, issue.GivenLabel, issue.SuggestedLabel));
        Assert.Equal(0.1, issue.SelfConfidence, 12);
        Assert.Equal(-0.7, issue.NormalizedMargin, 12);
        Assert.Equal(1, result.EstimatedIssueCount);
        Assert.Equal(1.0 / 7, result.Joint[0][1], 12);
        // P(given 0 | true 1) = 1 / (1 + 2).
        Assert.Equal(1.0 / 3, result.NoiseMatrix[0][1], 12);
        Assert.Equal(LabelIssueFilter.PruneByNoiseRate, result.Filter);
    }

    [Fact]
    public void By_default_both_prunings_must_agree_and_they_do_on_the_mislabeled_example()
    {
        // Prune by class takes the 3 − 2 = 1 lowest P[x, 0] among the examples labeled 0: x2 again.
        var result = ConfidentLearning.FindLabelIssues(HandLabels, HandProbabilities, 3);

        Assert.Equal(LabelIssueFilter.Both, result.Filter);
        Assert.Equal([2], result.Issues.Select(i => i.Index));
    }

    [Fact]
    public void A_class_nobody_labeled_has_no_threshold_and_no_example_is_confident_of_it()
    {
        int[] labels = [0, 0, 1, 1];
        double[] probabilities = [0.5, 0.2, 0.3, 0.6, 0.1, 0.3, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5];

        var result = ConfidentLearning.FindLabelIssues(labels, probabilities, 3);

        Assert.Null(result.Thresholds[2]);
        Assert.Equal(0, result.ConfidentJoint[0][2] + result.ConfidentJoint[1][2]);
        // The diagonal is raised to 1 even for the empty class, and calibration scales its empty row to 0.
        Assert.Equal(1, result.ConfidentJoint[2][2]);
        Assert.Equal(0, result.CalibratedJoint[2][2]);
    }

    [Fact]
    public void An_example_whose_given_label_is_the_most_probable_is_never_an_issue()
    {
        // Every example's label is its argmax: whatever the joint says, nothing is pruned.
        int[] labels = [0, 0, 0, 1, 1, 1];
        double[] probabilities = [0.9, 0.1, 0.55, 0.45, 0.51, 0.49, 0.1, 0.9, 0.4, 0.6, 0.45, 0.55];

        foreach (var filter in Enum.GetValues<LabelIssueFilter>())
        {
            Assert.Empty(ConfidentLearning.FindLabelIssues(labels, probabilities, 2, new(filter)).Issues);
        }
    }

    [Fact]
    public void Single_precision_probabilities_give_the_same_result_as_double()
    {
        var single = HandProbabilities.Select(p => (float)p).ToArray();

        var fromSingle = ConfidentLearning.FindLabelIssues(HandLabels, single, 3);

        Assert.Equal([2], fromSingle.Issues.Select(i => i.Index));
    }

    [Fact]
    public void Inputs_of_the_wrong_shape_or_values_are_refused_with_the_reason()
    {
        Assert.Contains("need 21 values", Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues(HandLabels, HandProbabilities.AsSpan(1), 3)).Message, StringComparison.Ordinal);
        Assert.Contains("Label 3 of example 0", Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues([3, 0, 0, 1, 1, 2, 2], HandProbabilities, 3)).Message, StringComparison.Ordinal);
        var negative = (double[])HandProbabilities.Clone();
        negative[0] = -0.1;
        negative[1] = 0.2;
        negative[2] = 0.9;
        Assert.Contains("[0, 0] = -0.1", Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues(HandLabels, negative, 3)).Message, StringComparison.Ordinal);
        var unnormalised = (double[])HandProbabilities.Clone();
        unnormalised[3] = 0.7;
        Assert.Contains("example 1 sum to 1.1", Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues(HandLabels, unnormalised, 3)).Message, StringComparison.Ordinal);
        var missing = (double[])HandProbabilities.Clone();
        missing[4] = double.NaN;
        Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues(HandLabels, missing, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidentLearning.FindLabelIssues([0], [1.0], 1));
        Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues([], Array.Empty<double>(), 3));
        Assert.Contains("it needs K rows of K", Assert.Throws<ArgumentException>(() => ConfidentLearning.Calibrate([[1, 0], [0]], [1, 1])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_result_round_trips_through_json_for_a_job_result()
    {
        var result = ConfidentLearning.FindLabelIssues([0, 0, 1, 1, 0], [0.5, 0.2, 0.3, 0.6, 0.1, 0.3, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5, 0.1, 0.9, 0], 3);
        Assert.Null(result.Thresholds[2]);
        Assert.NotEmpty(result.Issues);

        var copy = JsonSerializer.Deserialize<ConfidentLearningResult>(JsonSerializer.Serialize(result))!;

        Assert.Equal(result.Thresholds, copy.Thresholds);
        Assert.Equal(result.CalibratedJoint, copy.CalibratedJoint);
        Assert.Equal(result.NoiseMatrix, copy.NoiseMatrix);
        Assert.Equal(result.Issues, copy.Issues);
    }
}
