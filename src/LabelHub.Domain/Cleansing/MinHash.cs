using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LabelHub.Domain.Cleansing;

/// <summary>
/// MinHash signatures: k hash functions h_i(x) = high 32 bits of (a_i·x + b_i) mod 2^64 (multiply-shift, a_i odd),
/// with a_i and b_i drawn from a SplitMix64 stream of the seed. A signature keeps, per function, the minimum over
/// the text's shingle hashes as a uint32; the share of equal positions of two signatures estimates their Jaccard
/// similarity with standard error √(J(1−J)/k).
/// </summary>
public sealed class MinHasher
{
    private readonly ulong[] _multipliers;
    private readonly ulong[] _offsets;

    public MinHasher(int hashCount, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashCount, 1);
        HashCount = hashCount;
        Seed = seed;
        _multipliers = new ulong[hashCount];
        _offsets = new ulong[hashCount];
        var state = seed;
        for (var i = 0; i < hashCount; i++)
        {
            _multipliers[i] = SplitMix64(ref state) | 1UL;
            _offsets[i] = SplitMix64(ref state);
        }
    }

    public int HashCount { get; }

    public ulong Seed { get; }

    /// <summary>Writes the signature of the shingle hashes into <paramref name="signature"/> (length k). No shingles: every position uint.MaxValue.</summary>
    public void Compute(ReadOnlySpan<ulong> shingleHashes, Span<uint> signature)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(signature.Length, HashCount);
        var i = 0;
        if (Vector256.IsHardwareAccelerated && shingleHashes.Length > 0)
        {
            // Four hash functions at a time, the running minimum kept in a register across all shingles.
            ref var multipliers = ref MemoryMarshal.GetArrayDataReference(_multipliers);
            ref var offsets = ref MemoryMarshal.GetArrayDataReference(_offsets);
            for (; i + Vector256<ulong>.Count <= HashCount; i += Vector256<ulong>.Count)
            {
                var a = Vector256.LoadUnsafe(ref multipliers, (nuint)i);
                var b = Vector256.LoadUnsafe(ref offsets, (nuint)i);
                var minimum = Vector256.Create((ulong)uint.MaxValue);
                foreach (var x in shingleHashes)
                {
                    var h = Vector256.ShiftRightLogical(a * Vector256.Create(x) + b, 32);
                    minimum = Vector256.Min(minimum, h);
                }
                for (var lane = 0; lane < Vector256<ulong>.Count; lane++)
                {
                    signature[i + lane] = (uint)minimum.GetElement(lane);
                }
            }
        }
        for (; i < HashCount; i++)
        {
            ulong a = _multipliers[i], b = _offsets[i];
            var minimum = uint.MaxValue;
            foreach (var x in shingleHashes)
            {
                var h = (uint)((a * x + b) >> 32);
                if (h < minimum)
                {
                    minimum = h;
                }
            }
            signature[i] = minimum;
        }
    }

    public uint[] Compute(ReadOnlySpan<ulong> shingleHashes)
    {
        var signature = new uint[HashCount];
        Compute(shingleHashes, signature);
        return signature;
    }

    /// <summary>The share of positions where the two signatures agree.</summary>
    public static double EstimatedJaccard(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(b.Length, a.Length);
        if (a.Length == 0)
        {
            return 0;
        }
        var equal = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i])
            {
                equal++;
            }
        }
        return (double)equal / a.Length;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
