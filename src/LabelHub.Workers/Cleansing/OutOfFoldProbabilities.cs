using System.Diagnostics;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Learning;
using LabelHub.Workers.Learning;

namespace LabelHub.Workers.Cleansing;

/// <summary>n × classes probabilities, each row from the one fold model that did not train on it, and how each fold did.</summary>
public sealed record OutOfFold(float[] Probabilities, int ClassCount, IReadOnlyList<LabelErrorFold> Folds);

/// <summary>Where a fold is: fold (0-based) and epoch of its training, or the scoring once it has trained.</summary>
public readonly record struct FoldProgress(int Fold, int FoldCount, int Epoch, int MaxEpochs, double ValidationAccuracy);

/// <summary>
/// Out-of-sample predicted probabilities for confident learning (docs/cleansing/label-errors.md): the items are split
/// into K stratified folds (<see cref="StratifiedFolds"/>); for each fold a model of the project's kind trains on the
/// other folds, stopping early on a 10 % validation split of them (<see cref="ValidationSplit"/>, as the learning stage
/// does), then scores the held-out fold. A model never scores an item it trained on, so it cannot just repeat a label
/// it memorised. Tensor work runs on the <see cref="TorchThread"/>, one fold at a time.
/// </summary>
public static class OutOfFoldProbabilities
{
    /// <summary>Image models also score each held-out image moved by one pixel left, right, up and down, and average the five.</summary>
    private static readonly (int Dx, int Dy)[] Views = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)];

    /// <param name="shiftViews">
    /// Image CNNs only: average each held-out image's probabilities over the image and its four one-pixel shifts (the
    /// shifts the models trained with), which evens out the confident mistakes one view makes.
    /// </param>
    public static async Task<OutOfFold> ComputeAsync(TorchThread torch, ClassifierSpec spec, Dataset data, IReadOnlyList<long> itemIds,
        int foldCount, TrainingOptions training, Action<FoldProgress>? onProgress, CancellationToken ct, bool shiftViews = false)
    {
        ArgumentNullException.ThrowIfNull(torch);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentNullException.ThrowIfNull(training);
        if (itemIds.Count != data.Count)
        {
            throw new ArgumentException($"{itemIds.Count} item ids for {data.Count} samples.", nameof(itemIds));
        }
        var classCount = spec.ClassCount;
        var folds = StratifiedFolds.Assign(itemIds, data.Labels, foldCount, training.Seed);
        var probabilities = new float[(long)data.Count * classCount];
        var reports = new List<LabelErrorFold>(foldCount);
        for (var fold = 0; fold < foldCount; fold++)
        {
            var (trainRows, heldOutRows) = StratifiedFolds.Split(folds, fold);
            if (heldOutRows.Length == 0)
            {
                continue;
            }
            var clock = Stopwatch.StartNew();
            var trainIds = trainRows.Select(r => itemIds[r]).ToArray();
            var (fitRows, validationRows) = ValidationSplit.Split(trainIds, ActiveLearningRound.ValidationShare, training.Seed);
            var fit = data.Subset([.. fitRows.Select(r => trainRows[r])]);
            var validation = data.Subset([.. validationRows.Select(r => trainRows[r])]);
            var heldOut = data.Subset(heldOutRows);
            var current = fold;
            var (scores, report) = await torch.RunAsync(() =>
            {
                using var model = Classifier.Create(spec, training.Seed + current);
                var trained = model.Train(fit, validation, training with { Seed = training.Seed + current },
                    epoch => onProgress?.Invoke(new FoldProgress(current, foldCount, epoch.Epoch, training.MaxEpochs, epoch.ValidationAccuracy)), ct);
                return (ScoreViews(model, heldOut, spec, shiftViews && spec.Kind == ModelKind.ImageCnn, ct), trained);
            }, ct);
            var correct = 0;
            for (var i = 0; i < heldOutRows.Length; i++)
            {
                var row = scores.AsSpan(i * classCount, classCount);
                row.CopyTo(probabilities.AsSpan(heldOutRows[i] * classCount, classCount));
                if (ArgMax(row) == heldOut.Labels[i])
                {
                    correct++;
                }
            }
            reports.Add(new LabelErrorFold(fold + 1, report.TrainCount, heldOutRows.Length, report.BestEpoch, (double)correct / heldOutRows.Length, clock.Elapsed.TotalSeconds));
        }
        return new OutOfFold(probabilities, classCount, reports);
    }

    private static float[] ScoreViews(Classifier model, Dataset heldOut, ClassifierSpec spec, bool shifted, CancellationToken ct)
    {
        var sum = model.Score(heldOut, ct: ct).Probabilities;
        if (!shifted)
        {
            return sum;
        }
        var shape = spec.InputShape;
        var moved = new float[heldOut.Features.Length];
        foreach (var (dx, dy) in Views.Skip(1))
        {
            for (var i = 0; i < heldOut.Count; i++)
            {
                ImageShift.Translate(heldOut.Sample(i), moved.AsSpan(i * heldOut.SampleSize, heldOut.SampleSize), shape[0], shape[1], shape[2], dx, dy);
            }
            var view = model.Score(new Dataset(moved, heldOut.SampleShape, heldOut.Labels), ct: ct).Probabilities;
            for (var j = 0; j < sum.Length; j++)
            {
                sum[j] += view[j];
            }
        }
        for (var j = 0; j < sum.Length; j++)
        {
            sum[j] /= Views.Length;
        }
        return sum;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }
        return best;
    }
}
