using System.Globalization;
using System.Text;

namespace LabelHub.Domain.Learning;

/// <summary>
/// Text as a fixed-length vector for an MLP, with no vocabulary to fit or store: word unigrams and bigrams and the
/// words' character 3–5-grams (fastText style, with "&lt;" and "&gt;" marking the word's ends, so prefixes and
/// suffixes are features and inflected forms such as Korean particles share most of their grams) hashed into
/// <see cref="Dimension"/> buckets (Weinberger et al. 2009, "Feature Hashing for Large Scale Multitask Learning").
/// Thread-safe: an instance holds only its settings.
/// </summary>
public sealed class TextHashingFeatures
{
    private const int ShortestCharGram = 3;
    private const int LongestCharGram = 5;

    // One hash seed per kind of feature, so the word "the" and the character gram "the" are different features.
    private readonly uint wordSeed;
    private readonly uint bigramSeed;
    private readonly uint charGramSeed;

    public TextHashingFeatures(int dimension = 1 << 14, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
        Seed = seed;
        wordSeed = StableHash.Murmur3("word", (uint)seed);
        bigramSeed = StableHash.Murmur3("bigram", (uint)seed);
        charGramSeed = StableHash.Murmur3("char", (uint)seed);
    }

    public int Dimension { get; }

    public int Seed { get; }

    /// <summary>
    /// Fills <paramref name="destination"/> (length <see cref="Dimension"/>): the text is NFKC-normalised and lowercased
    /// (invariant culture); words are runs of letters, digits and combining marks, so Hangul, CJK and accented words
    /// survive and punctuation separates; each distinct feature adds ±(1 + ln tf) to its bucket, the sign from another
    /// hash bit so collisions cancel on average instead of piling up; the result has L2 norm 1. Text without a letter
    /// or digit gives the zero vector.
    /// </summary>
    public void Encode(string text, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (destination.Length != Dimension)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values, not {Dimension}.", nameof(destination));
        }
        destination.Clear();
        if (text.Length == 0)
        {
            return;
        }
        var normalized = Normalize(text);
        var counts = new Dictionary<uint, int>();
        var gram = new List<int>();
        var previousWord = (uint?)null;
        foreach (var (start, length) in Words(normalized))
        {
            var word = normalized.AsSpan(start, length);
            Count(counts, StableHash.Murmur3(word, wordSeed));
            if (previousWord is { } previous)
            {
                // The second word hashed with the first's hash as its seed: ordered pairs, no joined string needed.
                Count(counts, StableHash.Murmur3(word, previous));
            }
            previousWord = StableHash.Murmur3(word, bigramSeed);
            CountCharGrams(counts, word, gram);
        }
        foreach (var (hash, termFrequency) in counts)
        {
            AddSigned(destination, hash, 1 + MathF.Log(termFrequency));
        }
        NormalizeLength(destination);
    }

    /// <summary>Adds ±value to the bucket the hash names: the low 31 bits pick the bucket, the top bit the sign.</summary>
    internal static void AddSigned(Span<float> destination, uint hash, float value)
    {
        var bucket = (int)((hash & 0x7fffffff) % (uint)destination.Length);
        destination[bucket] += (hash & 0x80000000) == 0 ? value : -value;
    }

    internal static void NormalizeLength(Span<float> vector)
    {
        var squares = 0.0;
        foreach (var value in vector)
        {
            squares += (double)value * value;
        }
        if (squares > 0)
        {
            var scale = (float)(1 / Math.Sqrt(squares));
            foreach (ref var value in vector)
            {
                value *= scale;
            }
        }
    }

    private static string Normalize(string text)
    {
        string composed;
        try
        {
            // Compatibility forms (full-width letters, decomposed Hangul jamo) become the characters people type.
            composed = text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // A lone surrogate (JSON can carry one) makes normalisation refuse; such text is hashed as it is.
            composed = text;
        }
        return composed.ToLowerInvariant();
    }

    /// <summary>(start, length) of each run of letters, digits and combining marks.</summary>
    private static List<(int Start, int Length)> Words(string text)
    {
        var words = new List<(int, int)>();
        var start = -1;
        var position = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsWordPart(rune))
            {
                if (start < 0)
                {
                    start = position;
                }
            }
            else if (start >= 0)
            {
                words.Add((start, position - start));
                start = -1;
            }
            position += rune.Utf16SequenceLength;
        }
        if (start >= 0)
        {
            words.Add((start, position - start));
        }
        return words;
    }

    private static bool IsWordPart(Rune rune) =>
        Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>Counts the 3- to 5-grams of "&lt;word&gt;", in characters (runes, so a surrogate pair is never split).</summary>
    private void CountCharGrams(Dictionary<uint, int> counts, ReadOnlySpan<char> word, List<int> runeStarts)
    {
        Span<char> marked = word.Length + 2 <= 256 ? stackalloc char[word.Length + 2] : new char[word.Length + 2];
        marked[0] = '<';
        word.CopyTo(marked[1..]);
        marked[^1] = '>';
        runeStarts.Clear();
        for (var position = 0; position < marked.Length;)
        {
            runeStarts.Add(position);
            position += char.IsHighSurrogate(marked[position]) && position + 1 < marked.Length && char.IsLowSurrogate(marked[position + 1]) ? 2 : 1;
        }
        runeStarts.Add(marked.Length);
        var runeCount = runeStarts.Count - 1;
        for (var n = ShortestCharGram; n <= LongestCharGram; n++)
        {
            for (var first = 0; first + n <= runeCount; first++)
            {
                var gram = marked[runeStarts[first]..runeStarts[first + n]];
                Count(counts, StableHash.Murmur3(gram, charGramSeed));
            }
        }
    }

    private static void Count(Dictionary<uint, int> counts, uint hash) =>
        counts[hash] = counts.GetValueOrDefault(hash) + 1;
}
