namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>
/// A seeded stand-in for K-fold out-of-sample probabilities from a calibrated model. Each example has a true class c
/// and features l ~ N(μ(c), I) with μ(c) = signal·e_c + lookAlike·e_(c+1 mod K): a look-alike class, as Fashion-MNIST's
/// shirt / T-shirt / pullover. The "model" outputs the exact posterior under that generative model with a uniform
/// prior, P[x, c] ∝ exp(signal·l_c + lookAlike·l_(c+1)), so its confidence matches its accuracy (calibrated by
/// construction). Then a share of the labels is flipped uniformly to another class. The default signal gives a model
/// about 90 % accurate on 10 classes, about what a small CNN reaches on Fashion-MNIST.
/// </summary>
internal sealed record NoisyLabelSimulation(int[] TrueLabels, int[] Labels, double[] Probabilities, int Classes, HashSet<int> Flipped)
{
    public static NoisyLabelSimulation Generate(int seed, int count, int classes, double noiseRate, double signal = 3.0, double lookAlike = 1.5)
    {
        var random = new Random(seed);
        var truth = new int[count];
        var probabilities = new double[count * classes];
        var features = new double[classes];
        var logits = new double[classes];
        for (var x = 0; x < count; x++)
        {
            truth[x] = random.Next(classes);
            for (var j = 0; j < classes; j++)
            {
                features[j] = Gaussian(random);
            }
            features[truth[x]] += signal;
            features[(truth[x] + 1) % classes] += lookAlike;
            for (var c = 0; c < classes; c++)
            {
                logits[c] = (signal * features[c]) + (lookAlike * features[(c + 1) % classes]);
            }
            var max = logits.Max();
            var sum = 0.0;
            for (var j = 0; j < classes; j++)
            {
                sum += probabilities[x * classes + j] = Math.Exp(logits[j] - max);
            }
            for (var j = 0; j < classes; j++)
            {
                probabilities[x * classes + j] /= sum;
            }
        }
        var labels = (int[])truth.Clone();
        var flipped = new HashSet<int>();
        var order = Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take((int)Math.Round(noiseRate * count));
        foreach (var x in order)
        {
            labels[x] = (truth[x] + 1 + random.Next(classes - 1)) % classes;
            flipped.Add(x);
        }
        return new NoisyLabelSimulation(truth, labels, probabilities, classes, flipped);
    }

    /// <summary>The share of the model's argmax equal to the true class.</summary>
    public double ModelAccuracy()
    {
        var right = 0;
        for (var x = 0; x < TrueLabels.Length; x++)
        {
            var best = 0;
            for (var j = 1; j < Classes; j++)
            {
                if (Probabilities[x * Classes + j] > Probabilities[x * Classes + best])
                {
                    best = j;
                }
            }
            right += best == TrueLabels[x] ? 1 : 0;
        }
        return (double)right / TrueLabels.Length;
    }

    public (double Precision, double Recall) Score(IEnumerable<int> found)
    {
        var set = found.ToHashSet();
        var hits = set.Count(Flipped.Contains);
        return (set.Count == 0 ? 0 : (double)hits / set.Count, Flipped.Count == 0 ? 1 : (double)hits / Flipped.Count);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
