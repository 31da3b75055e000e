namespace LabelHub.Domain.Learning;

/// <summary>
/// Uniform samples without replacement from a seed, with our own generator (SplitMix64, Steele et al. 2014) so a
/// round's random batch can be reproduced on any runtime version, which <see cref="Random"/> does not promise.
/// </summary>
internal static class SeededSample
{
    /// <summary>min(count, values.Count) values in sample order (a partial Fisher–Yates shuffle of a copy).</summary>
    public static int[] Take(IReadOnlyList<int> values, int count, int seed)
    {
        var shuffled = values.ToArray();
        var take = Math.Min(Math.Max(count, 0), shuffled.Length);
        var state = (ulong)(uint)seed;
        for (var i = 0; i < take; i++)
        {
            var j = i + Below(ref state, shuffled.Length - i);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }
        return shuffled[..take];
    }

    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9e3779b97f4a7c15;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound) without modulo bias (Lemire 2019, multiply and reject).</summary>
    private static int Below(ref ulong state, int bound)
    {
        var range = (ulong)bound;
        var product = (Next(ref state) >> 32) * range;
        if ((uint)product < (uint)range)
        {
            var threshold = (0u - (uint)bound) % (uint)bound;
            while ((uint)product < threshold)
            {
                product = (Next(ref state) >> 32) * range;
            }
        }
        return (int)(product >> 32);
    }
}
