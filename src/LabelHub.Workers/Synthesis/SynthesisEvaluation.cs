using LabelHub.Domain.Learning;
using LabelHub.Domain.Synthesis;
using LabelHub.Workers.Learning;

namespace LabelHub.Workers.Synthesis;

/// <summary>How a generator is measured.</summary>
/// <param name="PerClass">Images per class for the accuracy comparison: the synthetic classifier trains on this many generated
/// images of each class, the real one on this many real images (fewer when a class has fewer).</param>
/// <param name="GainRealPerClass">The small real training set of the augmentation measurement, per class.</param>
/// <param name="GainSyntheticPerClass">Generated images per class added to it.</param>
/// <param name="FrechetSamples">At most this many images on each side of a Fréchet distance (the same count on every side: the
/// distance is biased upwards by small samples, so only equal counts compare).</param>
/// <param name="Seed">Subsets, generation noise, splits and classifier weights follow from it.</param>
public sealed record SynthesisEvaluationOptions(int PerClass = 1000, int GainRealPerClass = 100, int GainSyntheticPerClass = 500, int FrechetSamples = 2000, int Seed = 0)
{
    /// <summary>How each classifier trains: the project's own settings by default.</summary>
    public TrainingOptions Training { get; init; } = ActiveLearningRound.Training;

    public string Device { get; init; } = "cpu";
}

/// <param name="RealAccuracy">Test accuracy of the project's classifier trained on PerClass real images per class.</param>
/// <param name="SyntheticAccuracy">The classification accuracy score (CAS): the same classifier trained on generated images only.</param>
/// <param name="CasRatio">SyntheticAccuracy ÷ RealAccuracy.</param>
/// <param name="FrechetDistance">Generated vs real test images, on the real classifier's embedding.</param>
/// <param name="RealFrechetDistance">Real images the feature network never saw (unused training images, else half of the test images) vs the test images, on the same features and at the same count: about what a perfect generator would score.</param>
public sealed record SynthesisMetrics(int PerClass, double RealAccuracy, double SyntheticAccuracy, double CasRatio, double FrechetDistance, double RealFrechetDistance, AugmentationGain Gain)
{
    /// <summary>Images on each side of the Fréchet distances.</summary>
    public int FrechetSamples { get; init; }
}

/// <param name="RealOnlyBestEpoch">The epoch whose weights each classifier kept (early stopping on its validation share).</param>
public sealed record AugmentationGain(int RealPerClass, int SyntheticPerClass, double RealOnlyAccuracy, double WithSyntheticAccuracy, int RealOnlyBestEpoch, int WithSyntheticBestEpoch)
{
    public double Gain => WithSyntheticAccuracy - RealOnlyAccuracy;
}

/// <summary>
/// Whether generated images are worth having, measured with the project's own image classifier (Classifier, image CNN):
/// the classification accuracy score of Ravuri &amp; Vinyals (2019) against the same classifier on as many real images, a
/// Fréchet distance on that classifier's embedding (FID's recipe with the project's network in place of Inception,
/// which suits 28 × 28 grayscale and ships nothing extra), and the gain from adding generated images to a small real set.
/// Every classifier holds out 10 % of its own training images for early stopping, as the learning rounds do; real test
/// images are used only for measuring.
/// </summary>
public static class SynthesisEvaluation
{
    public static SynthesisMetrics Evaluate(Dataset realTrain, Dataset realTest, Func<IReadOnlyList<int>, long, float[]> generate, SynthesisEvaluationOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(realTrain);
        ArgumentNullException.ThrowIfNull(realTest);
        ArgumentNullException.ThrowIfNull(generate);
        ArgumentNullException.ThrowIfNull(options);
        if (options.PerClass < 2 || options.GainRealPerClass < 1 || options.GainSyntheticPerClass < 0 || options.FrechetSamples < 2)
        {
            throw new ArgumentException($"Evaluation options out of range: {options}.", nameof(options));
        }
        if (!realTrain.SampleShape.SequenceEqual(realTest.SampleShape) || realTrain.SampleShape.Length != 3)
        {
            throw new ArgumentException($"Training and test images must share one [C, H, W] shape; got [{string.Join(", ", realTrain.SampleShape)}] and [{string.Join(", ", realTest.SampleShape)}].", nameof(realTest));
        }
        if (realTrain.Labels.Any(label => label < 0) || realTest.Labels.Any(label => label < 0) || realTest.Count < 2)
        {
            throw new ArgumentException("Every training and test image needs its class, and the test set at least two images.", nameof(realTest));
        }
        var classCount = Math.Max(realTrain.Labels.Max(), realTest.Labels.Max()) + 1;
        var spec = new ClassifierSpec(ModelKind.ImageCnn, realTrain.SampleShape, classCount, options.Device);

        var realRows = PerClassRows(realTrain, options.PerClass, options.Seed);
        var real = realTrain.Subset(realRows);
        var synthetic = Generated(generate, realTrain.SampleShape, classCount, options.PerClass, options.Seed);

        using var realClassifier = Train(spec, real, options, ct).Classifier;
        var realAccuracy = Accuracy(realClassifier, realTest, ct);
        double syntheticAccuracy;
        using (var syntheticClassifier = Train(spec, synthetic, options, ct).Classifier)
        {
            syntheticAccuracy = Accuracy(syntheticClassifier, realTest, ct);
        }

        // The floor compares real images the feature network did not train on with the test images. Images it trained on
        // sit closer to its own features than new ones do, so when too few training images are left unseen (a small
        // project, where the classifier trained on all of them) the held-out images are halved instead: the generated
        // images and the second half are each compared with the first half, at the same count.
        var used = realRows.ToHashSet();
        var unseen = Enumerable.Range(0, realTrain.Count).Where(row => !used.Contains(row)).ToList();
        var testRows = Enumerable.Range(0, realTest.Count).ToList();
        var wanted = new[] { options.FrechetSamples, realTest.Count, synthetic.Count }.Min();
        int samples;
        (double[] Mean, double[] Cov) testFeatures, floorFeatures;
        if (unseen.Count >= wanted)
        {
            samples = wanted;
            testFeatures = Moments(realClassifier, Shuffled(realTest, testRows, samples, options.Seed), ct);
            floorFeatures = Moments(realClassifier, Shuffled(realTrain, unseen, samples, options.Seed), ct);
        }
        else
        {
            samples = Math.Min(wanted, realTest.Count / 2);
            var order = testRows.ToArray();
            new Random(options.Seed ^ 0x5EED).Shuffle(order);
            testFeatures = Moments(realClassifier, realTest.Subset(order[..samples]), ct);
            floorFeatures = Moments(realClassifier, realTest.Subset(order[(realTest.Count - samples)..]), ct);
        }
        var generatedFeatures = Moments(realClassifier, Shuffled(synthetic, Enumerable.Range(0, synthetic.Count).ToList(), samples, options.Seed), ct);
        var dim = realClassifier.EmbeddingSize;
        var frechet = Domain.Synthesis.FrechetDistance.Between(generatedFeatures.Mean, generatedFeatures.Cov, testFeatures.Mean, testFeatures.Cov, dim);
        var floor = Domain.Synthesis.FrechetDistance.Between(floorFeatures.Mean, floorFeatures.Cov, testFeatures.Mean, testFeatures.Cov, dim);

        var gain = Gain(spec, realTrain, realTest, generate, classCount, options, ct);
        return new SynthesisMetrics(options.PerClass, realAccuracy, syntheticAccuracy, realAccuracy > 0 ? syntheticAccuracy / realAccuracy : double.NaN, frechet, floor, gain)
        {
            FrechetSamples = samples,
        };
    }

    private static AugmentationGain Gain(ClassifierSpec spec, Dataset realTrain, Dataset realTest, Func<IReadOnlyList<int>, long, float[]> generate, int classCount, SynthesisEvaluationOptions options, CancellationToken ct)
    {
        // Its own seeds: the small real set and these generated images are not the ones the accuracy comparison used.
        var small = realTrain.Subset(PerClassRows(realTrain, options.GainRealPerClass, options.Seed + 1));
        var (realOnly, realOnlyReport) = Train(spec, small, options, ct);
        double realOnlyAccuracy;
        using (realOnly)
        {
            realOnlyAccuracy = Accuracy(realOnly, realTest, ct);
        }
        var added = Generated(generate, realTrain.SampleShape, classCount, options.GainSyntheticPerClass, options.Seed + 1);
        var combined = Concatenate(small, added);
        var (withSynthetic, withSyntheticReport) = Train(spec, combined, options, ct);
        using (withSynthetic)
        {
            return new AugmentationGain(options.GainRealPerClass, options.GainSyntheticPerClass, realOnlyAccuracy, Accuracy(withSynthetic, realTest, ct), realOnlyReport.BestEpoch, withSyntheticReport.BestEpoch);
        }
    }

    private static (Classifier Classifier, TrainingReport Report) Train(ClassifierSpec spec, Dataset data, SynthesisEvaluationOptions options, CancellationToken ct)
    {
        // Positions as ids: the split only needs them distinct and stable.
        var (trainRows, validationRows) = ValidationSplit.Split([.. Enumerable.Range(0, data.Count).Select(i => (long)i)], ActiveLearningRound.ValidationShare, options.Seed);
        var classifier = Classifier.Create(spec, options.Seed);
        try
        {
            var report = classifier.Train(data.Subset(trainRows), data.Subset(validationRows), options.Training with { Seed = options.Seed }, null, ct);
            return (classifier, report);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    private static double Accuracy(Classifier classifier, Dataset test, CancellationToken ct) =>
        StrategySimulation.Accuracy(classifier.Score(test, ct: ct), test.Labels);

    private static (double[] Mean, double[] Cov) Moments(Classifier classifier, Dataset images, CancellationToken ct)
    {
        var scores = classifier.Score(images, ct: ct);
        return Domain.Synthesis.FrechetDistance.Moments(scores.Embeddings, images.Count, scores.EmbeddingSize);
    }

    /// <summary>Up to <paramref name="perClass"/> rows of each class, drawn by a seeded shuffle, in ascending order.</summary>
    private static List<int> PerClassRows(Dataset data, int perClass, int seed)
    {
        var rows = Enumerable.Range(0, data.Count).ToArray();
        new Random(seed).Shuffle(rows);
        var taken = new Dictionary<int, int>();
        var chosen = new List<int>();
        foreach (var row in rows)
        {
            var label = data.Labels[row];
            var count = taken.GetValueOrDefault(label);
            if (count < perClass)
            {
                taken[label] = count + 1;
                chosen.Add(row);
            }
        }
        chosen.Sort();
        return chosen;
    }

    private static Dataset Shuffled(Dataset data, List<int> rows, int count, int seed)
    {
        var order = rows.ToArray();
        new Random(seed ^ 0x3F1D).Shuffle(order);
        return data.Subset(order[..count]);
    }

    private static Dataset Generated(Func<IReadOnlyList<int>, long, float[]> generate, int[] shape, int classCount, int perClass, long seed)
    {
        var labels = Enumerable.Range(0, classCount).SelectMany(label => Enumerable.Repeat(label, perClass)).ToArray();
        var pixels = generate(labels, seed);
        return new Dataset(pixels, (int[])shape.Clone(), labels);
    }

    private static Dataset Concatenate(Dataset first, Dataset second)
    {
        var features = new float[first.Features.Length + second.Features.Length];
        first.Features.CopyTo(features, 0);
        second.Features.CopyTo(features, first.Features.Length);
        return new Dataset(features, (int[])first.SampleShape.Clone(), [.. first.Labels, .. second.Labels]);
    }
}
