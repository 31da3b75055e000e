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
        signature.Fill(uint.MaxValue);
        var multipliers = _multipliers.AsSpan();
        var offsets = _offsets.AsSpan(0, multipliers.Length);
        var target = signature[..multipliers.Length];
        foreach (var x in shingleHashes)
        {
            for (var i = 0; i < multipliers.Length; i++)
            {
                var h = (uint)((multipliers[i] * x + offsets[i]) >> 32);
                if (h < target[i])
                {
                    target[i] = h;
                }
            }
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
