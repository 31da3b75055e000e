using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace LabelHub.Bench.LabelErrorsApi;

/// <summary>
/// The upload: the first N Fashion-MNIST training images (Debian's dataset-fashion-mnist) as PNG files in a ZIP, named by
/// their index in the training set ("00042.png"), so the items can be matched with their true class by file name.
/// </summary>
public static class FashionMnistZip
{
    public const string Folder = "/usr/share/datasets/fashion-mnist";
    public const int Side = 28;

    public static readonly string[] Labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public const int TrainingImages = 60_000;

    /// <summary>The ZIP and the true class of each image by index.</summary>
    public static (byte[] Zip, int[] Classes) Build(int count)
    {
        var pixels = ReadIdx(Path.Combine(Folder, "train-images-idx3-ubyte.gz"), 0x803);
        var labels = ReadIdx(Path.Combine(Folder, "train-labels-idx1-ubyte.gz"), 0x801);
        if (count > labels.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The training set has {labels.Length} images.");
        }
        var pngs = new byte[count][];
        var info = new SKImageInfo(Side, Side, SKColorType.Gray8, SKAlphaType.Opaque);
        Parallel.For(0, count, i =>
        {
            using var bitmap = new SKBitmap(info);
            Marshal.Copy(pixels, i * Side * Side, bitmap.GetPixels(), Side * Side);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            pngs[i] = data.ToArray();
        });
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < count; i++)
            {
                using var entry = archive.CreateEntry(FileName(i)).Open();
                entry.Write(pngs[i]);
            }
        }
        return (buffer.ToArray(), [.. labels.Take(count).Select(b => (int)b)]);
    }

    public static string FileName(int index) => $"{index:D5}.png";

    /// <summary>An IDX file's data: big-endian magic (0x08 = unsigned bytes, then the number of dimensions), the dimensions, the bytes.</summary>
    private static byte[] ReadIdx(string path, int magic)
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
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != magic)
        {
            throw new InvalidDataException($"{path} is not an IDX file of the expected kind.");
        }
        return bytes[(4 + (4 * (magic & 0xFF)))..];
    }
}
