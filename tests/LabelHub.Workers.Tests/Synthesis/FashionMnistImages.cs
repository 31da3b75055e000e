using System.Buffers.Binary;
using System.IO.Compression;
using LabelHub.Workers.Learning;

namespace LabelHub.Workers.Tests.Synthesis;

/// <summary>
/// The 3,000 Fashion-MNIST test images kept for the label-error tests
/// (tests/LabelHub.IntegrationTests/TestData/fashion-mnist-labelerrors; extract.py there names their source) as a
/// Dataset: 1 × 28 × 28 pixels in [0, 1] and the true class (0–9).
/// </summary>
internal static class FashionMnistImages
{
    public const int Side = 28;
    public const int ClassCount = 10;

    public static readonly string[] ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly Lazy<Dataset> All = new(Load);

    /// <summary>Images <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1 in file order.</summary>
    public static Dataset Range(int start, int count) => All.Value.Subset([.. Enumerable.Range(start, count)]);

    private static Dataset Load()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestData", "fashion-mnist-labelerrors");
        var pixels = Read(Path.Combine(folder, "images.idx3-ubyte.gz"), 0x803);
        var labels = Read(Path.Combine(folder, "labels.idx1-ubyte.gz"), 0x801);
        return new Dataset([.. pixels.Select(b => b / 255f)], [1, Side, Side], [.. labels.Select(b => (int)b)]);
    }

    private static byte[] Read(string path, int magic)
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
        return bytes[(4 + (4 * (magic & 0xFF)))..];
    }
}
