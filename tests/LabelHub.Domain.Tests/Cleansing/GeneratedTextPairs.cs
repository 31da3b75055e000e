using System.Text;
using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>One generated pair and the exact Jaccard similarity of its character 5-gram sets.</summary>
public sealed record TextPair(string First, string Second, double ExactJaccard);

/// <summary>
/// Random Korean/English texts and copies with a random number of substituted characters, so the pairs' Jaccard
/// similarities spread from 1 down to about 0.2. The exact Jaccard is computed here over string shingles, not through
/// <see cref="TextShingler"/>'s hashes, so the check does not trust the code it checks.
/// </summary>
public static class GeneratedTextPairs
{
    public static IReadOnlyList<TextPair> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var pairs = new List<TextPair>(count);
        for (var p = 0; p < count; p++)
        {
            var first = RandomText(random, random.Next(60, 200));
            var chars = first.ToCharArray();
            var substitutions = random.Next(0, chars.Length / 8 + 1);
            for (var s = 0; s < substitutions; s++)
            {
                var at = random.Next(chars.Length);
                if (chars[at] != ' ')
                {
                    chars[at] = RandomLetter(random);
                }
            }
            var second = new string(chars);
            pairs.Add(new TextPair(first, second, ExactJaccard(first, second, 5)));
        }
        return pairs;
    }

    public static string RandomText(Random random, int length)
    {
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            builder.Append(random.Next(7) == 0 && builder.Length > 0 ? ' ' : RandomLetter(random));
        }
        return builder.ToString();
    }

    /// <summary>Hangul syllables two times in three, Latin letters otherwise.</summary>
    public static char RandomLetter(Random random) =>
        random.Next(3) == 0 ? (char)('a' + random.Next(26)) : (char)(0xAC00 + random.Next(2000));

    /// <summary>Character n-gram sets of the lower-cased text without whitespace, as strings.</summary>
    public static double ExactJaccard(string a, string b, int n)
    {
        var setA = Shingles(a, n);
        var setB = Shingles(b, n);
        var common = setA.Count(setB.Contains);
        return (double)common / (setA.Count + setB.Count - common);
    }

    private static HashSet<string> Shingles(string text, int n)
    {
        var compact = new string([.. text.ToLowerInvariant().Where(c => !char.IsWhiteSpace(c))]);
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (compact.Length <= n)
        {
            set.Add(compact);
            return set;
        }
        for (var i = 0; i + n <= compact.Length; i++)
        {
            set.Add(compact.Substring(i, n));
        }
        return set;
    }
}
