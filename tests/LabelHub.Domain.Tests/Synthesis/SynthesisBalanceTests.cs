using LabelHub.Domain.Synthesis;

namespace LabelHub.Domain.Tests.Synthesis;

public sealed class SynthesisBalanceTests
{
    private static readonly string[] Labels = ["shirt", "shoe", "bag", "hat"];

    [Fact]
    public void Each_class_is_topped_up_to_the_largest_less_the_synthetic_items_not_rejected()
    {
        var labeled = new Dictionary<string, int> { ["shirt"] = 500, ["shoe"] = 120, ["bag"] = 480 };
        // shoe: 100 made, 30 rejected → 70 still count; bag: 40 made, all rejected → none count.
        var synthetic = new SyntheticItemsSummary(140, 60, 10, 70, [new SyntheticClassCount("bag", 40, 0, 40), new SyntheticClassCount("shoe", 100, 10, 30)]);

        var plan = SynthesisBalance.Plan(Labels, labeled, synthetic);

        Assert.Equal(new Dictionary<string, int> { ["shoe"] = 500 - 120 - 70, ["bag"] = 20, ["hat"] = 500 }, plan);
    }

    [Fact]
    public void Nothing_is_short_when_every_class_reaches_the_largest_and_an_empty_project_asks_for_nothing()
    {
        var labeled = new Dictionary<string, int> { ["shirt"] = 50, ["shoe"] = 30 };
        var synthetic = new SyntheticItemsSummary(25, 25, 0, 0, [new SyntheticClassCount("shoe", 25, 0, 0)]);

        Assert.Empty(SynthesisBalance.Plan(["shirt", "shoe"], labeled, synthetic));
        Assert.Empty(SynthesisBalance.Plan(Labels, new Dictionary<string, int>(), SyntheticItemsSummary.Empty));
    }

    [Fact]
    public void A_class_gets_at_most_the_per_class_limit_and_a_job_at_most_its_limit_shared_in_proportion()
    {
        var capped = SynthesisBalance.Plan(["big", "tiny"], new Dictionary<string, int> { ["big"] = 50_000, ["tiny"] = 10 }, SyntheticItemsSummary.Empty);
        Assert.Equal(new Dictionary<string, int> { ["tiny"] = SynthesisService.MaxPerClass }, capped);

        // 1 large class and 12 empty ones: 12 × 10,000 = 120,000 short, scaled to 100,000 in all.
        var labels = Enumerable.Range(0, 13).Select(i => $"c{i}").ToArray();
        var scaled = SynthesisBalance.Plan(labels, new Dictionary<string, int> { ["c0"] = 20_000 }, SyntheticItemsSummary.Empty);
        Assert.Equal(12, scaled.Count);
        Assert.All(scaled.Values, count => Assert.Equal(8_333, count));
        Assert.True(scaled.Values.Sum() <= GenerateRequest.MaxPerJob);
    }
}
