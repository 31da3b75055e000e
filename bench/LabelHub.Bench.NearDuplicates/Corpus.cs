using System.Text;
using LabelHub.Domain.Cleansing;

namespace LabelHub.Bench.NearDuplicates;

/// <summary>A planted near-duplicate: the copy's source and their exact Jaccard similarity.</summary>
public readonly record struct PlantedPair(int Source, int Copy, double ExactJaccard);

/// <summary>
/// Short texts (20–200 characters) of Korean and English words drawn Zipf-like from a fixed vocabulary, so unrelated
/// texts share common words as real ones do; a share of them are copies of earlier texts with a random number of word
/// substitutions and changed spacing or case, at exact Jaccard similarities spread from about 0.4 to 1.
/// </summary>
public sealed class Corpus
{
    private readonly string[] _vocabulary;
    private readonly double[] _cumulative;

    public Corpus(int seed)
    {
        var random = new Random(seed);
        _vocabulary = new string[20_000];
        for (var w = 0; w < _vocabulary.Length; w++)
        {
            var korean = random.Next(2) == 0;
            var length = korean ? random.Next(1, 5) : random.Next(2, 9);
            var builder = new StringBuilder(length);
            for (var c = 0; c < length; c++)
            {
                builder.Append(korean ? (char)(0xAC00 + random.Next(11172)) : (char)('a' + random.Next(26)));
            }
            _vocabulary[w] = builder.ToString();
        }
        _cumulative = new double[_vocabulary.Length];
        var total = 0.0;
        for (var w = 0; w < _vocabulary.Length; w++)
        {
            total += 1.0 / (w + 10);
            _cumulative[w] = total;
        }
        for (var w = 0; w < _cumulative.Length; w++)
        {
            _cumulative[w] /= total;
        }
    }

    public string[] Texts { get; private set; } = [];

    public List<PlantedPair> Planted { get; } = [];

    public void Generate(int count, double plantedShare, int seed)
    {
        var random = new Random(seed);
        Texts = new string[count];
        for (var i = 0; i < count; i++)
        {
            if (i > 100 && random.NextDouble() < plantedShare)
            {
                var source = random.Next(i);
                var copy = Mutate(Texts[source], random);
                Texts[i] = copy;
                var exact = TextShingler.Jaccard(
                    TextShingler.DistinctHashes(Texts[source], ShingleOptions.Default),
                    TextShingler.DistinctHashes(copy, ShingleOptions.Default));
                Planted.Add(new PlantedPair(source, i, exact));
            }
            else
            {
                Texts[i] = RandomText(random, random.Next(20, 201));
            }
        }
    }

    private string RandomText(Random random, int length)
    {
        var builder = new StringBuilder(length + 10);
        while (builder.Length < length)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }
            builder.Append(Word(random));
        }
        return builder.ToString(0, length).TrimEnd();
    }

    private string Word(Random random)
    {
        var index = Array.BinarySearch(_cumulative, random.NextDouble());
        return _vocabulary[index < 0 ? Math.Min(~index, _vocabulary.Length - 1) : index];
    }

    /// <summary>Replaces 0 to a quarter of the words; sometimes also upper-cases or drops the spaces of a word pair.</summary>
    private string Mutate(string text, Random random)
    {
        var words = text.Split(' ');
        var replacements = random.Next(0, words.Length / 4 + 1);
        for (var r = 0; r < replacements; r++)
        {
            words[random.Next(words.Length)] = Word(random);
        }
        var joined = string.Join(' ', words);
        return random.Next(4) switch
        {
            0 => joined.ToUpperInvariant(),
            1 => joined.Replace(" ", "  ", StringComparison.Ordinal),
            _ => joined,
        };
    }
}
