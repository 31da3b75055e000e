using System.Buffers.Binary;
using System.IO.Compression;

namespace LabelHub.IntegrationTests.Infrastructure;

/// <summary>
/// The Fashion-MNIST test images kept in the repository for the label-error tests
/// (TestData/fashion-mnist-labelerrors; extract.py there names their source): 28 × 28 grey pixels and the true class.
/// </summary>
public static class FashionMnistSubset
{
    public const int Side = 28;

    public static readonly string[] Labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData", "fashion-mnist-labelerrors");

    /// <summary>The first <paramref name="count"/> images (pixels, row by row) and their classes.</summary>
    public static (byte[][] Images, int[] Classes) Load(int count)
    {
        var images = Read(Path.Combine(Folder, "images.idx3-ubyte.gz"), 0x803);
        var labels = Read(Path.Combine(Folder, "labels.idx1-ubyte.gz"), 0x801);
        if (count > labels.Data.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The subset has {labels.Data.Length} images.");
        }
        const int size = Side * Side;
        return ([.. Enumerable.Range(0, count).Select(i => images.Data.AsSpan(i * size, size).ToArray())], [.. labels.Data.Take(count).Select(b => (int)b)]);
    }

    /// <summary>The images as PNG files in a ZIP, named by their position ("00042.png"), as a user would upload them.</summary>
    public static byte[] Zip(byte[][] images) =>
        TestImages.Zip([.. images.Select((pixels, i) => ($"{i:D5}.png", TestImages.GrayPng(Side, Side, pixels)))]);

    private static (int[] Dimensions, byte[] Data) Read(string path, int magic)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        var bytes = memory.ToArray();
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != magic)
        {
            throw new InvalidDataException($"{path} is not an IDX file of the expected kind.");
        }
        var dimensions = Enumerable.Range(0, magic & 0xFF).Select(d => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + (4 * d)))).ToArray();
        return (dimensions, bytes[(4 + (4 * dimensions.Length))..]);
    }
}
