using LabelHub.Workers.Learning;

namespace LabelHub.Bench.Synthesis;

/// <summary>Debian's dataset-fashion-mnist: IDX files (a big-endian header, then unsigned bytes), gzipped.</summary>
public static class FashionMnist
{
    public const string Folder = IdxFile.FashionMnistFolder;
    public const string Package = "dataset-fashion-mnist";
    public const int Side = 28;
    public const int ClassCount = 10;
    public const int TrainCount = 60_000;
    public const int TestCount = 10_000;

    public const int TuningStart = 50_000;

    public static readonly string[] ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static Dataset Train() => Load("train", TrainCount);

    public static Dataset Test() => Load("t10k", TestCount);

    /// <summary>A seeded subset, in the order of a seeded shuffle.</summary>
    public static Dataset Sample(Dataset data, int count, int seed, int limit)
    {
        if (count >= limit && limit == data.Count)
        {
            return data;
        }
        var rows = Enumerable.Range(0, limit).ToArray();
        new Random(seed).Shuffle(rows);
        return data.Subset(rows[..count]);
    }

    private static Dataset Load(string split, int expected)
    {
        var images = IdxFile.Read(Path.Combine(Folder, $"{split}-images-idx3-ubyte.gz"), expectedMagic: 0x0803);
        var labels = IdxFile.Read(Path.Combine(Folder, $"{split}-labels-idx1-ubyte.gz"), expectedMagic: 0x0801);
        if (images.Dimensions is not [var count, Side, Side] || count != expected || labels.Data.Length != expected)
        {
            throw new InvalidDataException($"{split}: images [{string.Join(", ", images.Dimensions)}] and {labels.Data.Length} labels; expected {expected} {Side}×{Side} images.");
        }
        var features = new float[images.Data.Length];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = images.Data[i] / 255f;
        }
        return new Dataset(features, [1, Side, Side], [.. labels.Data.Select(label => (int)label)]);
    }
}
