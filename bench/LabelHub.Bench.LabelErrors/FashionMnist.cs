using LabelHub.Workers.Learning;

namespace LabelHub.Bench.LabelErrors;

/// <summary>Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist): gzipped IDX files.</summary>
public static class FashionMnist
{
    public const string Folder = IdxFile.FashionMnistFolder;
    public const int Side = 28;
    public const int ClassCount = 10;

    public static readonly string[] Labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The first <paramref name="count"/> images of a seeded shuffle of the 60,000 training images, as the job's encoder reads them (pixel / 255).</summary>
    public static Dataset Sample(int count, int seed)
    {
        var images = IdxFile.Read(Path.Combine(Folder, "train-images-idx3-ubyte.gz"), 0x0803).Data;
        var labels = IdxFile.Read(Path.Combine(Folder, "train-labels-idx1-ubyte.gz"), 0x0801).Data;
        var rows = Enumerable.Range(0, labels.Length).ToArray();
        new Random(seed).Shuffle(rows);
        const int size = Side * Side;
        var features = new float[count * size];
        var chosen = new int[count];
        for (var i = 0; i < count; i++)
        {
            for (var p = 0; p < size; p++)
            {
                features[(i * size) + p] = images[(rows[i] * size) + p] / 255f;
            }
            chosen[i] = labels[rows[i]];
        }
        return new Dataset(features, [1, Side, Side], chosen);
    }
}
