using System.Buffers.Binary;
using System.IO.Compression;

namespace LabelHub.Bench;

/// <summary>
/// Gzipped IDX files as Debian's dataset-fashion-mnist ships them: a big-endian magic (0x08 = unsigned bytes, then the
/// number of dimensions), the dimensions, the bytes. Linked into every benchmark that reads Fashion-MNIST.
/// </summary>
public static class IdxFile
{
    public const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    public static (int[] Dimensions, byte[] Data) Read(string path, int expectedMagic)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: apt-get install dataset-fashion-mnist.", path);
        }
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        var magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
        {
            throw new InvalidDataException($"{path}: IDX magic 0x{magic:X8}, expected 0x{expectedMagic:X8}.");
        }
        var dimensions = new int[magic & 0xFF];
        for (var i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + (4 * i))..]);
        }
        return (dimensions, bytes[(4 + (4 * dimensions.Length))..].ToArray());
    }
}
