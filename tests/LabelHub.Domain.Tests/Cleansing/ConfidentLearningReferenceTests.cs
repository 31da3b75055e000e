using System.Text.Json;
using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>
/// TestData/confident-learning-reference.json: an independent numpy implementation of cleanlab's published algorithm
/// (TestData/confident-learning-reference.py) on a fixed random case of 200 examples, 4 classes and 20 flipped labels.
/// </summary>
public sealed class ConfidentLearningReferenceTests
{
    private static readonly Lazy<Reference> Case = new(Reference.Load);

    [Fact]
    public void Thresholds_match_the_reference()
    {
        var thresholds = ConfidentLearning.Thresholds(Case.Value.Labels, Case.Value.Probabilities, Case.Value.Classes);

        Assert.Equal(Case.Value.Doubles("thresholds").Length, thresholds.Length);
        foreach (var (expected, actual) in Case.Value.Doubles("thresholds").Zip(thresholds))
        {
            Assert.Equal(expected, actual, 12);
        }
    }

    [Fact]
    public void The_confident_joint_and_its_calibration_match_the_reference_exactly()
    {
        var result = ConfidentLearning.FindLabelIssues(Case.Value.Labels, Case.Value.Probabilities, Case.Value.Classes);

        Assert.Equal(Case.Value.Matrix("confident_joint"), result.ConfidentJoint);
        Assert.Equal(Case.Value.Matrix("calibrated_joint"), result.CalibratedJoint);
        Assert.Equal(Case.Value.Ints("confident_joint_off_diagonal"), ConfidentLearning.ConfidentJoint(Case.Value.Labels, Case.Value.Probabilities, Case.Value.Classes).OffDiagonal);
    }

    [Theory]
    [InlineData(LabelIssueFilter.PruneByNoiseRate, "prune_by_noise_rate")]
    [InlineData(LabelIssueFilter.PruneByClass, "prune_by_class")]
    [InlineData(LabelIssueFilter.Both, "both")]
    [InlineData(LabelIssueFilter.ConfidentJointOffDiagonal, "confident_joint_off_diagonal")]
    public void The_issue_set_matches_the_reference_exactly(LabelIssueFilter filter, string name)
    {
        var result = ConfidentLearning.FindLabelIssues(Case.Value.Labels, Case.Value.Probabilities, Case.Value.Classes, new(filter));

        var expected = Case.Value.Root.GetProperty("issues").GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(expected, result.Issues.Select(i => i.Index).Order());
    }

    [Theory]
    [InlineData(LabelIssueRanking.SelfConfidence, "self_confidence")]
    [InlineData(LabelIssueRanking.NormalizedMargin, "normalized_margin")]
    public void The_ranking_and_suggested_labels_match_the_reference(LabelIssueRanking ranking, string name)
    {
        var result = ConfidentLearning.FindLabelIssues(Case.Value.Labels, Case.Value.Probabilities, Case.Value.Classes, new(LabelIssueFilter.PruneByNoiseRate, ranking));

        var expected = Case.Value.Root.GetProperty("prune_by_noise_rate_ranked").GetProperty(name).EnumerateArray().Select(e => e.GetInt32());
        Assert.Equal(expected, result.Issues.Select(i => i.Index));
        var suggested = Case.Value.Root.GetProperty("suggested_labels");
        Assert.All(result.Issues, i => Assert.Equal(suggested.GetProperty(i.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetInt32(), i.SuggestedLabel));
    }

    private sealed record Reference(JsonElement Root, int Classes, int[] Labels, double[] Probabilities)
    {
        public static Reference Load()
        {
            var path = Path.Combine(AppContext.BaseDirectory, "TestData", "confident-learning-reference.json");
            var root = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
            var labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var probabilities = root.GetProperty("probabilities").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(e => e.GetDouble())).ToArray();
            return new Reference(root, root.GetProperty("classes").GetInt32(), labels, probabilities);
        }

        public double[] Doubles(string name) => [.. Root.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];

        public int[] Ints(string name) => [.. Root.GetProperty(name).EnumerateArray().Select(e => e.GetInt32())];

        public int[][] Matrix(string name) =>
            [.. Root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetInt32()).ToArray())];
    }
}
