using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace LabelHub.Domain.Learning;

/// <summary>
/// MurmurHash3 x86_32 (Appleby, SMHasher): a hash that is the same in every process and on every machine, unlike
/// <see cref="string.GetHashCode()"/>, so hashed features and hash-based splits survive restarts and model reloads.
/// </summary>
public static class StableHash
{
    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;

    public static uint Murmur3(ReadOnlySpan<byte> data, uint seed)
    {
        var hash = seed;
        var blocks = data.Length / 4;
        for (var i = 0; i < blocks; i++)
        {
            hash ^= MixBlock(BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4)));
            hash = BitOperations.RotateLeft(hash, 13) * 5 + 0xe6546b64;
        }
        var tail = data[(blocks * 4)..];
        if (tail.Length > 0)
        {
            uint last = 0;
            for (var i = tail.Length - 1; i >= 0; i--)
            {
                last = (last << 8) | tail[i];
            }
            hash ^= MixBlock(last);
        }
        hash ^= (uint)data.Length;
        return Finalize(hash);
    }

    /// <summary>The hash of the text's UTF-8 bytes, so it does not depend on the machine's byte order.</summary>
    public static uint Murmur3(ReadOnlySpan<char> text, uint seed)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        if (byteCount <= 256)
        {
            Span<byte> small = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(text, small);
            return Murmur3(small, seed);
        }
        var rented = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            var written = Encoding.UTF8.GetBytes(text, rented);
            return Murmur3(rented.AsSpan(0, written), seed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The hash of the number's 8 little-endian bytes.</summary>
    public static uint Murmur3(long value, uint seed)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return Murmur3(bytes, seed);
    }

    private static uint MixBlock(uint block) => BitOperations.RotateLeft(block * C1, 15) * C2;

    private static uint Finalize(uint hash)
    {
        hash ^= hash >> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35;
        hash ^= hash >> 16;
        return hash;
    }
}
