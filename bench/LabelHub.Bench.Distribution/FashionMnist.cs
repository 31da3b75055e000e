using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace LabelHub.Bench.Distribution;

/// <summary>One Fashion-MNIST image as the training project stores it: a 28 × 28 grayscale PNG and its true class.</summary>
public sealed record FashionImage(int Index, byte[] Png, int Label);

/// <summary>
/// Fashion-MNIST's training set from Debian's dataset-fashion-mnist package (IDX files, gzipped), installed with
/// apt-get when missing, as build/test.sh installs what the tests need.
/// </summary>
public static class FashionMnist
{
    public const string Package = "dataset-fashion-mnist";
    public const string DataDirectory = "/usr/share/datasets/fashion-mnist";
    public const int TrainingImages = 60_000;
    public const int Side = 28;

    /// <summary>Fewer labels than this would make rounds cold starts (no model), which is not what --train measures.</summary>
    public const int MinLabeled = 100;

    public static readonly IReadOnlyList<string> Classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static string ImagesFile => Path.Combine(DataDirectory, "train-images-idx3-ubyte.gz");

    private static string LabelsFile => Path.Combine(DataDirectory, "train-labels-idx1-ubyte.gz");

    public static async Task EnsureInstalledAsync(CancellationToken ct)
    {
        if (File.Exists(ImagesFile) && File.Exists(LabelsFile))
        {
            return;
        }
        Console.WriteLine($"Installing Debian's {Package}...");
        await AsRootAsync(["apt-get", "update"], ct);
        // The data alone: recommends would pull in more packages.
        await AsRootAsync(["apt-get", "install", "-y", "--no-install-recommends", Package], ct);
        if (!File.Exists(ImagesFile) || !File.Exists(LabelsFile))
        {
            throw new InvalidOperationException($"{Package} is installed but {ImagesFile} or {LabelsFile} is missing.");
        }
    }

    /// <summary>The first <paramref name="count"/> training images, PNG-encoded, with their labels.</summary>
    public static IReadOnlyList<FashionImage> Read(int count)
    {
        var labels = ReadIdx(LabelsFile, 0x801, out _);
        var pixels = ReadIdx(ImagesFile, 0x803, out var dimensions);
        if (dimensions.Length != 3 || dimensions[1] != Side || dimensions[2] != Side || dimensions[0] != labels.Length)
        {
            throw new InvalidDataException($"{ImagesFile}: expected {labels.Length} images of {Side} × {Side}, found {string.Join(" × ", dimensions)}.");
        }
        count = Math.Min(count, labels.Length);
        var images = new FashionImage[count];
        var info = new SKImageInfo(Side, Side, SKColorType.Gray8, SKAlphaType.Opaque);
        Parallel.For(0, count, i =>
        {
            using var bitmap = new SKBitmap(info);
            Marshal.Copy(pixels, i * Side * Side, bitmap.GetPixels(), Side * Side);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            images[i] = new FashionImage(i, data.ToArray(), labels[i]);
        });
        return images;
    }

    /// <summary>An IDX file: big-endian magic (0x08 = unsigned bytes, then the number of dimensions), the dimensions, the data.</summary>
    private static byte[] ReadIdx(string path, int magic, out int[] dimensions)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        Span<byte> word = stackalloc byte[4];
        gzip.ReadExactly(word);
        if (BinaryPrimitives.ReadInt32BigEndian(word) != magic)
        {
            throw new InvalidDataException($"{path} is not an IDX file of magic 0x{magic:x}.");
        }
        dimensions = new int[magic & 0xff];
        for (var d = 0; d < dimensions.Length; d++)
        {
            gzip.ReadExactly(word);
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(word);
        }
        var data = new byte[checked((int)dimensions.Aggregate(1L, (size, d) => size * d))];
        gzip.ReadExactly(data);
        return data;
    }

    private static async Task AsRootAsync(IReadOnlyList<string> command, CancellationToken ct)
    {
        var sudo = !Environment.IsPrivilegedProcess;
        var startInfo = new ProcessStartInfo(sudo ? "sudo" : command[0]) { UseShellExecute = false };
        foreach (var arg in sudo ? command : command.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }
        startInfo.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{command[0]} did not start.");
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed with exit code {process.ExitCode}.");
        }
    }
}
