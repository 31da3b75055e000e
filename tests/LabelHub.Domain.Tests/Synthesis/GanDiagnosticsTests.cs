using System.Globalization;
using LabelHub.Domain.Synthesis;

namespace LabelHub.Domain.Tests.Synthesis;

public sealed class GanDiagnosticsTests
{
    private static readonly string[] Classes = ["T-shirt", "Trouser", "Bag"];

    // Losses and scores of a GAN that is learning: D a little ahead, neither side winning.
    private static readonly (double, double, double, double)[] Balanced =
        [(1.2, 0.9, 0.62, 0.38), (1.1, 1.1, 0.6, 0.4), (1.25, 0.95, 0.58, 0.41), (1.18, 1.02, 0.61, 0.39), (1.2, 1.0, 0.6, 0.4)];

    [Fact]
    public void Balanced_losses_and_varied_samples_are_healthy()
    {
        var diagnosis = GanDiagnostics.Assess(Balanced, [0.95, 1.02, 0.81], Classes);

        Assert.Equal(GanHealth.Healthy, diagnosis.Health);
        Assert.Null(diagnosis.Reason);
        Assert.Empty(diagnosis.CollapsedClasses);
    }

    [Fact]
    public void Identical_samples_of_a_class_are_mode_collapse_naming_the_class()
    {
        var identical = Enumerable.Repeat(new[] { 0.1f, 0.9f, 0.4f, 0.4f }, 8).SelectMany(s => s).ToArray();
        var varied = Enumerable.Range(0, 32).Select(i => (float)((i * 37 % 11) / 10.0)).ToArray();
        var realSpread = SampleDiversity.MeanPairwiseDistance(varied, 8, 4);
        double[] ratios = [1.0, SampleDiversity.MeanPairwiseDistance(identical, 8, 4) / realSpread, 0.9];

        var diagnosis = GanDiagnostics.Assess(Balanced, ratios, Classes);

        Assert.Equal(GanHealth.ModeCollapse, diagnosis.Health);
        Assert.Equal(["Trouser"], diagnosis.CollapsedClasses);
        Assert.Contains("Trouser", diagnosis.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Bag", diagnosis.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_NaN_loss_is_divergence_naming_the_epoch()
    {
        (double, double, double, double)[] epochs = [.. Balanced, (double.NaN, double.NaN, double.NaN, double.NaN)];

        var diagnosis = GanDiagnostics.Assess(epochs, [1, 1, 1], Classes);

        Assert.Equal(GanHealth.Diverged, diagnosis.Health);
        Assert.Contains("epoch 6", diagnosis.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_discriminator_winning_for_the_last_epochs_is_divergence()
    {
        var won = Enumerable.Repeat((0.001, 9.5, 0.999, 0.0005), GanDiagnostics.WinningEpochs);
        (double, double, double, double)[] epochs = [.. Balanced, .. won];

        var diagnosis = GanDiagnostics.Assess(epochs, [0.9, 0.1, 1], Classes);

        Assert.Equal(GanHealth.Diverged, diagnosis.Health);
        // Collapsed classes are still reported alongside.
        Assert.Equal(["Trouser"], diagnosis.CollapsedClasses);
    }

    [Fact]
    public void Winning_for_fewer_epochs_than_the_threshold_is_only_a_swing()
    {
        var won = Enumerable.Repeat((0.001, 9.5, 0.999, 0.0005), GanDiagnostics.WinningEpochs - 1);
        (double, double, double, double)[] epochs = [.. won, .. Balanced.Take(1), .. won];

        Assert.Equal(GanHealth.Healthy, GanDiagnostics.Assess(epochs, [1, 1, 1], Classes).Health);
    }

    [Fact]
    public void The_first_epochs_are_not_judged_for_collapse()
    {
        var early = Balanced.Take(GanDiagnostics.MinEpochsForCollapse - 1).ToArray();

        var diagnosis = GanDiagnostics.Assess(early, [0.01, 0.01, 0.01], Classes);

        Assert.Equal(GanHealth.Healthy, diagnosis.Health);
        Assert.Empty(diagnosis.CollapsedClasses);
    }

    [Fact]
    public void A_class_without_a_ratio_is_not_collapsed()
    {
        Assert.Equal(GanHealth.Healthy, GanDiagnostics.Assess(Balanced, [1, double.NaN, 1], Classes).Health);
    }

    [Fact]
    public void Every_reason_has_its_Korean()
    {
        var reasons = new[]
        {
            GanDiagnostics.Assess([(double.NaN, 1, 0.5, 0.5)], [1, 1, 1], Classes).Reason,
            GanDiagnostics.Assess([.. Enumerable.Repeat((0.0, 9.0, 1.0, 0.0), GanDiagnostics.WinningEpochs)], [1, 1, 1], Classes).Reason,
            GanDiagnostics.Assess(Balanced, [0.1, 0.1, 1], Classes).Reason,
        };
        var korean = CultureInfo.GetCultureInfo("ko-KR");

        foreach (var reason in reasons)
        {
            Assert.NotNull(ServerMessages.CodeOf(reason));
            Assert.NotEqual(reason, ServerMessages.Localize(reason, korean));
        }
    }

    [Fact]
    public void Ratios_must_match_the_classes()
    {
        Assert.Throws<ArgumentException>(() => GanDiagnostics.Assess(Balanced, [1, 1], Classes));
    }
}
