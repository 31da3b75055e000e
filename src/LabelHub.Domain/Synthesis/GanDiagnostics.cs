using System.Globalization;

namespace LabelHub.Domain.Synthesis;

/// <param name="Reason">An English sentence for the training page (ServerMessages translates it); null when healthy.</param>
/// <param name="CollapsedClasses">The classes whose samples look alike, whatever the overall health.</param>
public sealed record GanDiagnosis(GanHealth Health, string? Reason, IReadOnlyList<string> CollapsedClasses);

/// <summary>
/// Tells a GAN that is learning from one that has failed, so the page says so instead of offering noise as samples.
/// Two failures are recognised: divergence (the losses are no longer numbers, or the discriminator has won outright
/// and the generator gets no gradient) and mode collapse (a class's samples are far less varied than its real images,
/// judged from <see cref="MinEpochsForCollapse"/> epochs on).
/// </summary>
public static class GanDiagnostics
{
    /// <summary>
    /// A class whose generated samples are on average less than this fraction as far apart as its real images counts as
    /// collapsed. A generator that draws one image whatever the noise scores about 0.01 (the untrained generator,
    /// measured); a conditional DCGAN learning Fashion-MNIST passed 0.25 after about 150 steps and 0.5 after about 250
    /// (tests/LabelHub.Workers.Tests/Synthesis). One fifth separates the two with room on both sides.
    /// </summary>
    public const double CollapseRatio = 0.2;

    /// <summary>
    /// Collapse is judged from this many epochs on: a generator starts out drawing near-identical grey images and
    /// needs some steps before its samples spread, which is not a collapse.
    /// </summary>
    public const int MinEpochsForCollapse = 5;

    /// <summary>
    /// The discriminator counts as having won when it scores real images above this (mean sigmoid output)...
    /// </summary>
    public const double WinningRealScore = 0.99;

    /// <summary>...and generated ones below this: then the generator's gradient vanishes and it stops improving.</summary>
    public const double WinningFakeScore = 0.01;

    /// <summary>
    /// How many last epochs in a row the discriminator must have won: one epoch can be a swing GAN training recovers
    /// from; three in a row rarely is.
    /// </summary>
    public const int WinningEpochs = 3;

    public static GanDiagnosis Assess(
        IReadOnlyList<(double DLoss, double GLoss, double RealScore, double FakeScore)> epochs,
        IReadOnlyList<double> diversityRatioPerClass,
        IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        ArgumentNullException.ThrowIfNull(diversityRatioPerClass);
        ArgumentNullException.ThrowIfNull(classNames);
        if (diversityRatioPerClass.Count != classNames.Count)
        {
            throw new ArgumentException($"One diversity ratio per class expected: {diversityRatioPerClass.Count} ratios for {classNames.Count} classes.", nameof(diversityRatioPerClass));
        }
        // A NaN ratio (a class with fewer than two real images) says nothing and is not a collapse.
        var collapsed = epochs.Count < MinEpochsForCollapse ? [] : classNames.Where((_, i) => diversityRatioPerClass[i] < CollapseRatio).ToList();
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < epochs.Count; i++)
        {
            var (dLoss, gLoss, _, _) = epochs[i];
            if (!double.IsFinite(dLoss) || !double.IsFinite(gLoss))
            {
                return new GanDiagnosis(GanHealth.Diverged, string.Format(c, "Training diverged: the losses stopped being numbers in epoch {0}.", i + 1), collapsed);
            }
        }
        if (epochs.Count >= WinningEpochs && epochs.TakeLast(WinningEpochs).All(e => e.RealScore > WinningRealScore && e.FakeScore < WinningFakeScore))
        {
            return new GanDiagnosis(GanHealth.Diverged, string.Format(c, "Training diverged: the discriminator rejected every generated image for the last {0} epochs, so the generator no longer learns.", WinningEpochs), collapsed);
        }
        if (collapsed.Count > 0)
        {
            return new GanDiagnosis(GanHealth.ModeCollapse, $"Mode collapse: the generator draws nearly the same image for {string.Join(", ", collapsed)}.", collapsed);
        }
        return new GanDiagnosis(GanHealth.Healthy, null, collapsed);
    }
}
