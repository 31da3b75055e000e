using System.Buffers.Binary;
using System.IO.Compression;
using LabelHub.Workers.Learning;

namespace LabelHub.Bench.LabelErrors;

/// <summary>Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist): gzipped IDX files.</summary>
public static class FashionMnist
{
    public const string Folder = "/usr/share/datasets/fashion-mnist";
    public const int Side = 28;
    public const int ClassCount = 10;

    public static readonly string[] Labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The first <paramref name="count"/> images of a seeded shuffle of the 60,000 training images, as the job's encoder reads them (pixel / 255).</summary>
    public static Dataset Sample(int count, int seed)
    {
        var images = ReadIdx(Path.Combine(Folder, "train-images-idx3-ubyte.gz"), 0x0803);
        var labels = ReadIdx(Path.Combine(Folder, "train-labels-idx1-ubyte.gz"), 0x0801);
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

    private static byte[] ReadIdx(string path, int expectedMagic)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: apt-get install dataset-fashion-mnist.", path);
        }
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        var bytes = memory.ToArray();
        var magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
        {
            throw new InvalidDataException($"{path}: IDX magic 0x{magic:X8}, expected 0x{expectedMagic:X8}.");
        }
        var header = 4 + (4 * (magic & 0xFF));
        return bytes[header..];
    }
}
