using LabelHub.Domain.Learning;
using LabelHub.Workers.Learning;
using TorchSharp;

namespace LabelHub.Workers.Tests.Learning;

public sealed class ClassifierTests
{
    private static readonly ClassifierSpec ImageSpec = new(ModelKind.ImageCnn, [1, 28, 28], 2);

    [Fact]
    public void Cnn_learns_bright_left_from_bright_right()
    {
        using var classifier = Classifier.Create(ImageSpec, seed: 1);
        var report = classifier.Train(SyntheticData.LeftOrRight(240, seed: 1), SyntheticData.LeftOrRight(100, seed: 2), new TrainingOptions(MaxEpochs: 8, BatchSize: 32), null, CancellationToken.None);

        Assert.True(report.ValidationAccuracy >= 0.95, $"Validation accuracy {report.ValidationAccuracy:P1}");
        Assert.Equal(240, report.TrainCount);
        Assert.Equal(100, report.ValidationCount);
    }

    [Theory]
    [InlineData(ModelKind.TextMlp)]
    [InlineData(ModelKind.RecordMlp)]
    public void Mlp_learns_separable_clusters(ModelKind kind)
    {
        var spec = new ClassifierSpec(kind, [40], 4);
        using var classifier = Classifier.Create(spec, seed: 3);
        var report = classifier.Train(SyntheticData.Clusters(400, 40, 4, seed: 1), SyntheticData.Clusters(200, 40, 4, seed: 2), new TrainingOptions(MaxEpochs: 20), null, CancellationToken.None);

        Assert.True(report.ValidationAccuracy >= 0.95, $"Validation accuracy {report.ValidationAccuracy:P1}");
    }

    [Fact]
    public void Scores_have_one_row_per_item_and_probabilities_sum_to_one()
    {
        using var classifier = Classifier.Create(ImageSpec, seed: 1);
        var items = SyntheticData.LeftOrRight(37, seed: 4);

        var scores = classifier.Score(items, mcSamples: 3, batchSize: 10);

        Assert.Equal(37 * 2, scores.Probabilities.Length);
        Assert.Equal(3 * 37 * 2, scores.McProbabilities!.Length);
        Assert.Equal(37 * scores.EmbeddingSize, scores.Embeddings.Length);
        for (var i = 0; i < 37; i++)
        {
            Assert.Equal(1, scores.Probabilities[2 * i] + scores.Probabilities[(2 * i) + 1], 5);
        }
        // Batches of 10 must line up with one batch of all: the copy out of each batch lands at the right rows.
        // (Not bitwise: the matrix kernels block a batch of 37 differently from one of 10.)
        var whole = classifier.Score(items, mcSamples: 0, batchSize: 64);
        Assert.Equal(whole.Probabilities, scores.Probabilities, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(whole.Embeddings, scores.Embeddings, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Null(whole.McProbabilities);
    }

    [Fact]
    public void The_best_validation_epoch_is_kept_and_patience_stops_training()
    {
        var train = SyntheticData.Clusters(60, 20, 3, seed: 5, noise: 1.5);
        var validation = SyntheticData.Clusters(200, 20, 3, seed: 6, noise: 1.5);
        using var classifier = Classifier.Create(new ClassifierSpec(ModelKind.RecordMlp, [20], 3), seed: 2);
        var seen = new List<EpochMetrics>();

        // Few noisy samples and a high learning rate overfit within a few epochs, so patience ends the run early.
        var report = classifier.Train(train, validation, new TrainingOptions(MaxEpochs: 200, BatchSize: 16, LearningRate: 1e-2, WeightDecay: 0, Patience: 3), seen.Add, CancellationToken.None);

        Assert.Equal(report.Epochs, seen);
        Assert.True(report.Epochs.Count < 200, "Patience never stopped training.");
        Assert.Equal(report.BestEpoch + 3, report.Epochs.Count);
        var best = report.Epochs[report.BestEpoch - 1];
        Assert.Equal(report.Epochs.Min(e => e.ValidationLoss), best.ValidationLoss);
        // The weights now in the classifier are that epoch's: recompute its validation loss from the scores.
        var probabilities = classifier.Score(validation).Probabilities;
        var loss = Enumerable.Range(0, validation.Count).Average(i => -Math.Log(probabilities[(i * 3) + validation.Labels[i]]));
        Assert.Equal(best.ValidationLoss, loss, 4);
    }

    [Fact]
    public void Save_then_load_gives_identical_outputs()
    {
        var items = SyntheticData.LeftOrRight(50, seed: 7);
        using var trained = Classifier.Create(ImageSpec, seed: 4);
        // Training moves the batch-norm running statistics away from their initial values, so they are checked too.
        trained.Train(SyntheticData.LeftOrRight(64, seed: 8), SyntheticData.LeftOrRight(20, seed: 9), new TrainingOptions(MaxEpochs: 2), null, CancellationToken.None);
        using var stream = new MemoryStream();
        trained.Save(stream);
        stream.Position = 0;

        using var loaded = Classifier.Load(ImageSpec, stream);

        var before = trained.Score(items, mcSamples: 2);
        var after = loaded.Score(items, mcSamples: 2);
        Assert.Equal(before.Probabilities, after.Probabilities);
        Assert.Equal(before.Embeddings, after.Embeddings);
        Assert.Equal(before.McProbabilities, after.McProbabilities);
    }

    [Fact]
    public void Loading_refuses_another_architecture_or_foreign_bytes()
    {
        using var classifier = Classifier.Create(ImageSpec, seed: 4);
        using var stream = new MemoryStream();
        classifier.Save(stream);

        stream.Position = 0;
        var wrongClasses = Assert.Throws<InvalidDataException>(() => Classifier.Load(ImageSpec with { ClassCount = 3 }, stream));
        Assert.Contains("ImageCnn [1,28,28] → 2", wrongClasses.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => Classifier.Load(ImageSpec, new MemoryStream([1, 2, 3])));
    }

    [Fact]
    public void Same_seed_and_data_give_the_same_model_and_another_seed_does_not()
    {
        var train = SyntheticData.LeftOrRight(64, seed: 10);
        var validation = SyntheticData.LeftOrRight(20, seed: 11);
        var items = SyntheticData.LeftOrRight(20, seed: 12);

        float[] TrainAndScore(int seed)
        {
            using var classifier = Classifier.Create(ImageSpec, seed);
            classifier.Train(train, validation, new TrainingOptions(MaxEpochs: 2, Seed: seed), null, CancellationToken.None);
            return classifier.Score(items).Probabilities;
        }

        Assert.Equal(TrainAndScore(5), TrainAndScore(5));
        Assert.NotEqual(TrainAndScore(5), TrainAndScore(6));
    }

    [Fact]
    public void Shifted_training_images_still_learn_are_reproducible_and_change_the_model()
    {
        var train = SyntheticData.LeftOrRight(240, seed: 1);
        var validation = SyntheticData.LeftOrRight(100, seed: 2);
        var items = SyntheticData.LeftOrRight(20, seed: 3);

        (double Accuracy, float[] Scores) TrainAndScore(int shift)
        {
            using var classifier = Classifier.Create(ImageSpec, seed: 1);
            var report = classifier.Train(train, validation, new TrainingOptions(MaxEpochs: 8, BatchSize: 32, ShiftPixels: shift), null, CancellationToken.None);
            return (report.ValidationAccuracy, classifier.Score(items).Probabilities);
        }

        var shifted = TrainAndScore(2);
        Assert.True(shifted.Accuracy >= 0.95, $"Validation accuracy {shifted.Accuracy:P1}");
        Assert.Equal(shifted.Scores, TrainAndScore(2).Scores);
        Assert.NotEqual(shifted.Scores, TrainAndScore(0).Scores);
    }

    [Fact]
    public void A_negative_shift_is_refused()
    {
        using var classifier = Classifier.Create(ImageSpec, seed: 1);
        var data = SyntheticData.LeftOrRight(8, seed: 1);

        Assert.Throws<ArgumentException>(() => classifier.Train(data, data, new TrainingOptions(ShiftPixels: -1), null, CancellationToken.None));
    }

    [Fact]
    public void Without_dropout_every_mc_sample_is_the_deterministic_prediction()
    {
        using var classifier = Classifier.Create(ImageSpec with { DropoutRate = 0 }, seed: 1);
        var scores = classifier.Score(SyntheticData.LeftOrRight(30, seed: 13), mcSamples: 4);

        for (var sample = 0; sample < 4; sample++)
        {
            Assert.Equal(scores.Probabilities, scores.McProbabilities!.AsSpan(sample * 60, 60).ToArray());
        }
    }

    [Theory]
    [InlineData(ModelKind.TextMlp)]
    [InlineData(ModelKind.ImageCnn)]
    public void Bald_is_zero_when_the_mc_passes_agree_and_positive_when_dropout_makes_them_disagree(ModelKind kind)
    {
        var (spec, items) = kind == ModelKind.ImageCnn
            ? (ImageSpec, SyntheticData.LeftOrRight(30, seed: 13))
            : (new ClassifierSpec(kind, [40], 4), SyntheticData.Clusters(30, 40, 4, seed: 1));
        using var deterministic = Classifier.Create(spec with { DropoutRate = 0 }, seed: 1);
        using var stochastic = Classifier.Create(spec, seed: 1);

        var agreeing = deterministic.Score(items, mcSamples: 10);
        var disagreeing = stochastic.Score(items, mcSamples: 10);

        var none = Uncertainty.Score(SamplingStrategy.Bald, agreeing.Probabilities, spec.ClassCount, agreeing.McProbabilities, 10);
        var some = Uncertainty.Score(SamplingStrategy.Bald, disagreeing.Probabilities, spec.ClassCount, disagreeing.McProbabilities, 10);
        Assert.All(none, score => Assert.Equal(0, score, 6));
        Assert.All(some, score => Assert.True(score > 1e-5, $"BALD {score} under dropout"));
    }

    [Fact]
    public void Training_and_scoring_leave_no_tensors_behind()
    {
        var train = SyntheticData.LeftOrRight(100, seed: 14);
        var validation = SyntheticData.LeftOrRight(30, seed: 15);
        using var classifier = Classifier.Create(ImageSpec, seed: 1);

        long LiveTensorsAfter(int epochs)
        {
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            // Patience as long as the run: every epoch runs and may take a new best snapshot.
            classifier.Train(train, validation, new TrainingOptions(MaxEpochs: epochs, BatchSize: 16, Patience: epochs), null, CancellationToken.None);
            classifier.Score(validation, mcSamples: 5, batchSize: 7);
            return DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        }

        Assert.Equal(0, LiveTensorsAfter(2));
        Assert.Equal(0, LiveTensorsAfter(8));
    }

    [Fact]
    public void Training_stops_when_cancelled()
    {
        using var classifier = Classifier.Create(ImageSpec, seed: 1);
        using var cancel = new CancellationTokenSource();
        var data = SyntheticData.LeftOrRight(64, seed: 16);

        Assert.ThrowsAny<OperationCanceledException>(() =>
            classifier.Train(data, data, new TrainingOptions(MaxEpochs: 50), _ => cancel.Cancel(), cancel.Token));
    }

    [Fact]
    public void Samples_of_another_shape_or_unknown_labels_cannot_be_trained_on()
    {
        using var classifier = Classifier.Create(ImageSpec, seed: 1);
        var unlabeled = new Dataset(new float[28 * 28], [1, 28, 28], [Dataset.UnknownLabel]);
        var vectors = SyntheticData.Clusters(4, 10, 2, seed: 1);

        Assert.Throws<ArgumentException>(() => classifier.Train(unlabeled, unlabeled, new TrainingOptions(), null, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => classifier.Score(vectors));
        Assert.Equal(2, classifier.Score(unlabeled).Probabilities.Length);
    }
}
