using LabelHub.Workers.Learning;

namespace LabelHub.Workers.Tests.Learning;

/// <summary>Small separable datasets made from a seed, for tests that need a model to learn something real.</summary>
internal static class SyntheticData
{
    /// <summary>28×28 gray images: class 0 has its bright blob on the left half, class 1 on the right; noise everywhere.</summary>
    public static Dataset LeftOrRight(int count, int seed, int side = 28)
    {
        var random = new Random(seed);
        var features = new float[count * side * side];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            var label = n % 2;
            labels[n] = label;
            var centreX = label == 0 ? random.Next(3, (side / 2) - 3) : random.Next((side / 2) + 3, side - 3);
            var centreY = random.Next(3, side - 3);
            for (var y = 0; y < side; y++)
            {
                for (var x = 0; x < side; x++)
                {
                    var distance = Math.Sqrt(((x - centreX) * (x - centreX)) + ((y - centreY) * (y - centreY)));
                    var blob = distance < 3 ? 0.8 : 0;
                    features[(n * side * side) + (y * side) + x] = (float)Math.Clamp(blob + (random.NextDouble() * 0.3), 0, 1);
                }
            }
        }
        return new Dataset(features, [1, side, side], labels);
    }

    /// <summary>Vectors around one of <paramref name="classCount"/> random centres, with Gaussian noise.</summary>
    public static Dataset Clusters(int count, int dimension, int classCount, int seed, double noise = 0.5)
    {
        var random = new Random(seed);
        var centres = new double[classCount, dimension];
        var centreRandom = new Random(12345);
        for (var c = 0; c < classCount; c++)
        {
            for (var d = 0; d < dimension; d++)
            {
                centres[c, d] = centreRandom.NextDouble() * 2 - 1;
            }
        }
        var features = new float[count * dimension];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            var label = random.Next(classCount);
            labels[n] = label;
            for (var d = 0; d < dimension; d++)
            {
                features[(n * dimension) + d] = (float)(centres[label, d] + (noise * Gaussian(random)));
            }
        }
        return new Dataset(features, [dimension], labels);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
