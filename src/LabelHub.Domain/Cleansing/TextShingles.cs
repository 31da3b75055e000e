using System.Text;

namespace LabelHub.Domain.Cleansing;

/// <summary>What a shingle is made of.</summary>
public enum ShingleUnit
{
    /// <summary>Character n-grams: the default, because Korean text has no reliable word boundaries.</summary>
    Characters,

    /// <summary>Word n-grams over whitespace-separated words.</summary>
    Words,
}

/// <param name="Size">n of the n-grams; a text shorter than n gives one shingle (the whole normalised text).</param>
/// <param name="IgnoreWhitespaceInCharacters">Character shingles skip whitespace, so Korean written with different
/// spacing (띄어쓰기) shingles the same.</param>
public sealed record ShingleOptions(ShingleUnit Unit = ShingleUnit.Characters, int Size = 5, bool IgnoreWhitespaceInCharacters = true)
{
    public static ShingleOptions Default { get; } = new();
}

/// <summary>
/// Normalises text and cuts it into shingles hashed to 64 bits. The hash is fixed (FNV-1a over UTF-16 code units,
/// finished by MurmurHash3's fmix64), never <see cref="string.GetHashCode()"/>, which is randomised per process.
/// </summary>
public static class TextShingler
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>Unicode NFKC (full-width and half-width forms match), invariant lower case, whitespace runs as one space, trimmed.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var composed = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(composed.Length);
        var pendingSpace = false;
        foreach (var c in composed)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    /// <summary>The shingles' hashes, in text order, repeats included (MinHash does not mind them). An empty text gives none.</summary>
    public static ulong[] Hashes(string text, ShingleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = new List<ulong>();
        AppendHashes(Normalize(text), options, list);
        return [.. list];
    }

    /// <summary>The distinct shingle hashes, sorted: the set exact Jaccard is computed over.</summary>
    public static ulong[] DistinctHashes(string text, ShingleOptions options) =>
        SortedDistinct(Hashes(text, options));

    /// <summary>Sorts the array in place and returns its distinct values.</summary>
    internal static ulong[] SortedDistinct(ulong[] hashes)
    {
        Array.Sort(hashes);
        var count = 0;
        for (var i = 0; i < hashes.Length; i++)
        {
            if (i == 0 || hashes[i] != hashes[i - 1])
            {
                hashes[count++] = hashes[i];
            }
        }
        return count == hashes.Length ? hashes : hashes[..count];
    }

    /// <summary>Exact Jaccard similarity of two sorted distinct sets; two empty sets count as identical.</summary>
    public static double Jaccard(ReadOnlySpan<ulong> sortedA, ReadOnlySpan<ulong> sortedB)
    {
        if (sortedA.Length == 0 && sortedB.Length == 0)
        {
            return 1;
        }
        int i = 0, j = 0, common = 0;
        while (i < sortedA.Length && j < sortedB.Length)
        {
            if (sortedA[i] == sortedB[j])
            {
                common++;
                i++;
                j++;
            }
            else if (sortedA[i] < sortedB[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return (double)common / (sortedA.Length + sortedB.Length - common);
    }

    /// <summary>Appends the hashes of an already normalised text.</summary>
    internal static void AppendHashes(string normalized, ShingleOptions options, List<ulong> hashes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Size, 1);
        if (options.Unit == ShingleUnit.Words)
        {
            AppendWordHashes(normalized, options.Size, hashes);
        }
        else
        {
            AppendCharacterHashes(normalized, options, hashes);
        }
    }

    private static void AppendCharacterHashes(string normalized, ShingleOptions options, List<ulong> hashes)
    {
        ReadOnlySpan<char> chars = normalized;
        char[]? compacted = null;
        if (options.IgnoreWhitespaceInCharacters && normalized.Contains(' ', StringComparison.Ordinal))
        {
            compacted = new char[normalized.Length];
            var length = 0;
            foreach (var c in normalized)
            {
                if (c != ' ')
                {
                    compacted[length++] = c;
                }
            }
            chars = compacted.AsSpan(0, length);
        }
        if (chars.Length == 0)
        {
            return;
        }
        var n = options.Size;
        if (chars.Length <= n)
        {
            hashes.Add(HashChars(chars));
            return;
        }
        for (var start = 0; start + n <= chars.Length; start++)
        {
            hashes.Add(HashChars(chars.Slice(start, n)));
        }
    }

    private static void AppendWordHashes(string normalized, int n, List<ulong> hashes)
    {
        if (normalized.Length == 0)
        {
            return;
        }
        var words = new List<ulong>();
        foreach (var range in normalized.AsSpan().Split(' '))
        {
            words.Add(HashChars(normalized.AsSpan()[range]));
        }
        var count = Math.Max(1, words.Count - n + 1);
        for (var start = 0; start < count; start++)
        {
            var h = FnvOffset;
            for (var w = start; w < Math.Min(start + n, words.Count); w++)
            {
                h = Mix(h ^ words[w]) * FnvPrime;
            }
            hashes.Add(Mix(h));
        }
    }

    internal static ulong HashChars(ReadOnlySpan<char> chars)
    {
        var h = FnvOffset;
        foreach (var c in chars)
        {
            h = (h ^ c) * FnvPrime;
        }
        return Mix(h);
    }

    /// <summary>MurmurHash3's 64-bit finaliser: every input bit affects every output bit.</summary>
    internal static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }
}
