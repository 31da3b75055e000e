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
    public const string Folder = IdxFile.FashionMnistFolder;
    public const int Side = 28;

    public static readonly string[] Labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public const int TrainingImages = 60_000;

    /// <summary>The ZIP and the true class of each image by index.</summary>
    public static (byte[] Zip, int[] Classes) Build(int count)
    {
        var pixels = IdxFile.Read(Path.Combine(Folder, "train-images-idx3-ubyte.gz"), 0x803).Data;
        var labels = IdxFile.Read(Path.Combine(Folder, "train-labels-idx1-ubyte.gz"), 0x801).Data;
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
}
