using LabelHub.Workers.Learning;
using LabelHub.Workers.Synthesis;

namespace LabelHub.Workers.Tests.Synthesis;

/// <summary>
/// The evaluation judged on two generators whose quality is known: one that returns real held-out images of the asked
/// class (a perfect generator) and one that returns noise whatever the class (a useless one).
/// </summary>
public sealed class SynthesisEvaluationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly SynthesisEvaluationOptions Options = new(PerClass: 30, GainRealPerClass: 10, GainSyntheticPerClass: 30, FrechetSamples: 300, Seed: 2)
    {
        Training = ActiveLearningRound.Training with { MaxEpochs = 6, Patience = 3 },
    };

    [Fact]
    public void Real_images_as_samples_score_like_real_data_and_noise_scores_like_chance()
    {
        var train = FashionMnistImages.Range(0, 1000);
        var test = FashionMnistImages.Range(1000, 1000);
        var pool = FashionMnistImages.Range(2000, 1000);

        var perfect = SynthesisEvaluation.Evaluate(train, test, (labels, seed) => RealImagesOf(pool, labels, seed), Options, CancellationToken.None);
        var noise = SynthesisEvaluation.Evaluate(train, test, Noise, Options, CancellationToken.None);

        output.WriteLine(perfect.ToString());
        output.WriteLine(noise.ToString());
        Assert.Equal(30, perfect.PerClass);
        Assert.Equal(300, perfect.FrechetSamples);
        Assert.InRange(perfect.RealAccuracy, 0.6, 1);
        // Both classifiers train on 30 real images per class: the score is the real one's, give or take seeds.
        Assert.InRange(perfect.CasRatio, 0.85, 1.15);
        Assert.InRange(noise.SyntheticAccuracy, 0, 0.2);
        Assert.Equal(perfect.RealAccuracy, noise.RealAccuracy);
        // Real samples sit near the real-vs-real floor; noise is far beyond it.
        Assert.True(perfect.FrechetDistance < 2 * perfect.RealFrechetDistance + 1, $"FID {perfect.FrechetDistance:F2}, floor {perfect.RealFrechetDistance:F2}");
        Assert.True(noise.FrechetDistance > 5 * perfect.FrechetDistance, $"Noise FID {noise.FrechetDistance:F2}, real-sample FID {perfect.FrechetDistance:F2}");
        // 10 real images per class gain from 30 more real ones; noise added teaches nothing useful.
        Assert.Equal((10, 30), (perfect.Gain.RealPerClass, perfect.Gain.SyntheticPerClass));
        Assert.True(perfect.Gain.Gain > 0.02, $"Real-only {perfect.Gain.RealOnlyAccuracy:P1}, with more real {perfect.Gain.WithSyntheticAccuracy:P1}");
        Assert.True(noise.Gain.WithSyntheticAccuracy < perfect.Gain.WithSyntheticAccuracy, $"Noise added {noise.Gain.WithSyntheticAccuracy:P1}, real added {perfect.Gain.WithSyntheticAccuracy:P1}");
    }

    private static float[] RealImagesOf(Dataset pool, IReadOnlyList<int> labels, long seed)
    {
        var random = new Random((int)seed);
        var byClass = Enumerable.Range(0, 10).Select(c => Enumerable.Range(0, pool.Count).Where(r => pool.Labels[r] == c).ToArray()).ToArray();
        var rows = labels.Select(label => byClass[label][random.Next(byClass[label].Length)]).ToArray();
        return pool.Subset(rows).Features;
    }

    private static float[] Noise(IReadOnlyList<int> labels, long seed)
    {
        var random = new Random((int)seed);
        return [.. Enumerable.Range(0, labels.Count * 28 * 28).Select(_ => random.NextSingle())];
    }
}
