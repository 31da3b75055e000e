using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>The issues' order under each ranking, and their suggested labels.</summary>
public sealed class ConfidentLearningRankingTests
{
    // Class 0's examples 0–5 are clean; 6, 7 and 8 are labeled 0 but look like 1, 2 and 1; classes 1 and 2 are clean
    // with thresholds of 0.6, low enough that 8 is confident of class 1 while a third of its mass sits on class 2.
    private static readonly int[] Labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2];

    private static readonly double[] Probabilities =
    [
        0.90, 0.05, 0.05,
        0.85, 0.10, 0.05,
        0.80, 0.10, 0.10,
        0.90, 0.05, 0.05,
        0.88, 0.06, 0.06,
        0.86, 0.07, 0.07,
        0.05, 0.90, 0.05, // 6: self-confidence .05, margin −.85
        0.30, 0.02, 0.68, // 7: self-confidence .30, margin −.38
        0.02, 0.61, 0.37, // 8: self-confidence .02, margin −.59
        0.20, 0.60, 0.20,
        0.25, 0.55, 0.20,
        0.20, 0.60, 0.20,
        0.15, 0.65, 0.20,
        0.20, 0.60, 0.20,
        0.20, 0.20, 0.60,
        0.20, 0.25, 0.55,
        0.20, 0.20, 0.60,
        0.20, 0.15, 0.65,
        0.20, 0.20, 0.60,
    ];

    [Fact]
    public void Self_confidence_lists_the_lowest_probability_of_the_given_label_first()
    {
        var result = ConfidentLearning.FindLabelIssues(Labels, Probabilities, 3, new(Ranking: LabelIssueRanking.SelfConfidence));

        Assert.Equal([8, 6, 7], result.Issues.Select(i => i.Index));
        Assert.Equal(result.Issues.Select(i => i.SelfConfidence), result.Issues.Select(i => i.Score));
    }

    [Fact]
    public void Normalized_margin_lists_the_most_outvoted_given_label_first()
    {
        var result = ConfidentLearning.FindLabelIssues(Labels, Probabilities, 3, new(Ranking: LabelIssueRanking.NormalizedMargin));

        Assert.Equal([6, 8, 7], result.Issues.Select(i => i.Index));
        Assert.Equal([-0.85, -0.59, -0.38], result.Issues.Select(i => Math.Round(i.Score, 10)));
    }

    [Fact]
    public void Each_issue_suggests_the_most_probable_class()
    {
        var result = ConfidentLearning.FindLabelIssues(Labels, Probabilities, 3);

        Assert.Equal([(6, 1), (7, 2), (8, 1)], result.Issues.Select(i => (i.Index, i.SuggestedLabel)).Order());
        Assert.All(result.Issues, i => Assert.Equal(0, i.GivenLabel));
    }

    [Fact]
    public void Equal_scores_keep_the_input_order()
    {
        // Two identical mislabeled rows: same score, listed by index.
        int[] labels = [0, 0, 0, 0, 1, 1, 1, 1];
        double[] probabilities = [0.9, 0.1, 0.9, 0.1, 0.05, 0.95, 0.05, 0.95, 0.1, 0.9, 0.1, 0.9, 0.2, 0.8, 0.1, 0.9];

        var result = ConfidentLearning.FindLabelIssues(labels, probabilities, 2);

        Assert.Equal([2, 3], result.Issues.Select(i => i.Index));
    }

    [Fact]
    public void A_self_confidence_ceiling_keeps_only_the_issues_whose_given_label_the_model_all_but_rules_out()
    {
        // 6 (.05) and 8 (.02) stay below .1; 7 (.30) is a look-alike the model half believes and goes.
        var result = ConfidentLearning.FindLabelIssues(Labels, Probabilities, 3, new(MaxSelfConfidence: 0.1));

        Assert.Equal([8, 6], result.Issues.Select(i => i.Index));
        Assert.Equal([8, 6, 7], ConfidentLearning.FindLabelIssues(Labels, Probabilities, 3, new(MaxSelfConfidence: 1)).Issues.Select(i => i.Index));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidentLearning.FindLabelIssues(Labels, Probabilities, 3, new(MaxSelfConfidence: 0)));
    }
}
