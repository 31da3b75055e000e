namespace LabelHub.Domain.Learning;

/// <summary>
/// How informative a label for each item would be, from the model's predicted class probabilities (Settles 2009,
/// "Active Learning Literature Survey" §3.1; BALD: Houlsby et al. 2011, Gal et al. 2017). Every score is higher for
/// a more informative item, so the strategies sort the same way.
/// </summary>
public static class Uncertainty
{
    /// <param name="probabilities">n rows of <paramref name="classCount"/> probabilities (softmax outputs), row-major.</param>
    /// <param name="mcProbabilities">
    /// For <see cref="SamplingStrategy.Bald"/> only: <paramref name="mcSamples"/> stochastic forward passes (MC
    /// dropout), each n × <paramref name="classCount"/>, pass-major. The item count n is taken from here, so
    /// <paramref name="probabilities"/> may be empty; when given it must have the same n.
    /// </param>
    /// <returns>One score per item.</returns>
    public static double[] Score(SamplingStrategy strategy, ReadOnlySpan<float> probabilities, int classCount,
        ReadOnlySpan<float> mcProbabilities = default, int mcSamples = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (probabilities.Length % classCount != 0)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities are not whole rows of {classCount} classes.", nameof(probabilities));
        }
        return strategy switch
        {
            SamplingStrategy.Random => throw new ArgumentException("Random sampling has no score; BatchSelection samples it.", nameof(strategy)),
            SamplingStrategy.LeastConfidence => ByRow(probabilities, classCount, LeastConfidence),
            SamplingStrategy.Margin => ByRow(probabilities, classCount, Margin),
            SamplingStrategy.Entropy => ByRow(probabilities, classCount, Entropy),
            SamplingStrategy.Bald => BaldScores(probabilities.Length / classCount, classCount, mcProbabilities, mcSamples),
        };
    }

    /// <summary>1 − the top probability.</summary>
    public static double LeastConfidence(ReadOnlySpan<float> row)
    {
        RequireRow(row);
        var top = double.NegativeInfinity;
        foreach (var p in row)
        {
            top = Math.Max(top, p);
        }
        return 1 - top;
    }

    /// <summary>1 − (top probability − runner-up): near 1 when the two best classes are nearly tied. One class: 1 − p.</summary>
    public static double Margin(ReadOnlySpan<float> row)
    {
        RequireRow(row);
        double first = double.NegativeInfinity, second = double.NegativeInfinity;
        foreach (var p in row)
        {
            if (p > first)
            {
                second = first;
                first = p;
            }
            else if (p > second)
            {
                second = p;
            }
        }
        if (row.Length == 1)
        {
            second = 0;
        }
        return 1 - (first - second);
    }

    /// <summary>−Σ p ln p in nats, with 0 · ln 0 = 0 (and non-positive probabilities contributing nothing).</summary>
    public static double Entropy(ReadOnlySpan<float> row)
    {
        RequireRow(row);
        var entropy = 0.0;
        foreach (var p in row)
        {
            if (p > 0)
            {
                entropy -= p * Math.Log(p);
            }
        }
        return entropy;
    }

    /// <summary>
    /// The mutual information between the prediction and the model's weights, H(mean_t p_t) − mean_t H(p_t) in nats:
    /// how much the stochastic passes disagree, beyond what each is unsure about. Zero for a deterministic model.
    /// </summary>
    /// <param name="mcRowsForOneItem">One item's <c>mcSamples</c> rows of <paramref name="classCount"/> probabilities.</param>
    public static double Bald(ReadOnlySpan<float> mcRowsForOneItem, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (mcRowsForOneItem.Length == 0 || mcRowsForOneItem.Length % classCount != 0)
        {
            throw new ArgumentException($"{mcRowsForOneItem.Length} probabilities are not whole rows of {classCount} classes.", nameof(mcRowsForOneItem));
        }
        var samples = mcRowsForOneItem.Length / classCount;
        Span<double> mean = classCount <= 256 ? stackalloc double[classCount] : new double[classCount];
        mean.Clear();
        var meanEntropy = 0.0;
        for (var t = 0; t < samples; t++)
        {
            var row = mcRowsForOneItem.Slice(t * classCount, classCount);
            meanEntropy += Entropy(row);
            for (var c = 0; c < classCount; c++)
            {
                mean[c] += row[c];
            }
        }
        return MutualInformation(mean, samples, meanEntropy / samples);
    }

    private static double[] ByRow(ReadOnlySpan<float> probabilities, int classCount, RowScore score)
    {
        var scores = new double[probabilities.Length / classCount];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = score(probabilities.Slice(i * classCount, classCount));
        }
        return scores;
    }

    private delegate double RowScore(ReadOnlySpan<float> row);

    private static double[] BaldScores(int rowsGiven, int classCount, ReadOnlySpan<float> mcProbabilities, int mcSamples)
    {
        if (mcSamples < 1 || mcProbabilities.Length == 0)
        {
            throw new ArgumentException("BALD needs the probabilities of at least one MC dropout pass (mcProbabilities, mcSamples).", nameof(mcProbabilities));
        }
        var passLength = mcProbabilities.Length / mcSamples;
        if (mcProbabilities.Length % mcSamples != 0 || passLength % classCount != 0)
        {
            throw new ArgumentException($"{mcProbabilities.Length} MC probabilities are not {mcSamples} passes of whole rows of {classCount} classes.", nameof(mcProbabilities));
        }
        var itemCount = passLength / classCount;
        if (rowsGiven != 0 && rowsGiven != itemCount)
        {
            throw new ArgumentException($"The MC passes have {itemCount} items but the probabilities have {rowsGiven}.", nameof(mcProbabilities));
        }
        var scores = new double[itemCount];
        var mean = new double[classCount];
        for (var i = 0; i < itemCount; i++)
        {
            Array.Clear(mean);
            var meanEntropy = 0.0;
            for (var t = 0; t < mcSamples; t++)
            {
                var row = mcProbabilities.Slice(t * passLength + i * classCount, classCount);
                meanEntropy += Entropy(row);
                for (var c = 0; c < classCount; c++)
                {
                    mean[c] += row[c];
                }
            }
            scores[i] = MutualInformation(mean, mcSamples, meanEntropy / mcSamples);
        }
        return scores;
    }

    /// <param name="summed">The passes' probabilities summed per class.</param>
    private static double MutualInformation(ReadOnlySpan<double> summed, int samples, double meanEntropy)
    {
        var entropyOfMean = 0.0;
        foreach (var total in summed)
        {
            var p = total / samples;
            if (p > 0)
            {
                entropyOfMean -= p * Math.Log(p);
            }
        }
        // Mathematically ≥ 0 (Jensen); float round-off can make it a hair negative.
        return Math.Max(0, entropyOfMean - meanEntropy);
    }

    private static void RequireRow(ReadOnlySpan<float> row)
    {
        if (row.IsEmpty)
        {
            throw new ArgumentException("A probability row has at least one class.", nameof(row));
        }
    }
}
