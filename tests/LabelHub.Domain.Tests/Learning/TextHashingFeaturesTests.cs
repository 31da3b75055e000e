using System.Text;
using LabelHub.Domain.Learning;

namespace LabelHub.Domain.Tests.Learning;

/// <summary>Hashed n-gram text features: deterministic, unit length, Unicode-aware, and built from the stated features.</summary>
public sealed class TextHashingFeaturesTests
{
    private static float[] Encode(string text, int dimension = 1 << 14, int seed = 0)
    {
        var vector = new float[dimension];
        new TextHashingFeatures(dimension, seed).Encode(text, vector);
        return vector;
    }

    private static double Norm(float[] vector) => Math.Sqrt(vector.Sum(v => (double)v * v));

    [Fact]
    public void The_same_text_gives_the_same_vector_from_any_instance()
    {
        const string text = "The delivery was fast, and the box arrived intact.";

        Assert.Equal(Encode(text), Encode(text));
        Assert.NotEqual(Encode(text), Encode("The delivery was slow, and the box arrived crushed."));
        Assert.NotEqual(Encode(text), Encode(text, seed: 1));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Fast delivery, great price!")]
    [InlineData("배송이 빠르고 좋아요")]
    [InlineData("東京は晴れです")]
    [InlineData("naïve café 😀 résumé")]
    public void Non_empty_text_has_unit_length(string text)
    {
        Assert.Equal(1, Norm(Encode(text)), 1e-5);
    }

    [Fact]
    public void Korean_words_become_features_and_share_grams_with_their_inflections()
    {
        var review = Encode("배송이 빠르고 좋아요");
        var similar = Encode("배송은 빠르고 좋았어요");
        var unrelated = Encode("화면이 너무 어두워요");

        Assert.True(review.Count(v => v != 0) > 10);
        // Cosine similarity (both have unit length): shared words and grams versus none.
        var near = review.Zip(similar, (a, b) => (double)a * b).Sum();
        var far = review.Zip(unrelated, (a, b) => (double)a * b).Sum();
        Assert.True(near > 0.2, $"similar: {near}");
        Assert.True(Math.Abs(far) < 0.1, $"unrelated: {far}");
    }

    [Fact]
    public void Case_width_and_hangul_composition_do_not_change_the_vector()
    {
        Assert.Equal(Encode("hello world"), Encode("HELLO World"));
        // Full-width letters (NFKC) and Hangul typed as separate jamo (NFD) are the same text to a reader.
        Assert.Equal(Encode("hello"), Encode("ｈｅｌｌｏ"));
        Assert.Equal(Encode("좋아요"), Encode("좋아요".Normalize(NormalizationForm.FormD)));
    }

    [Fact]
    public void A_one_letter_word_is_its_unigram_and_its_marked_trigram()
    {
        // "a": the word "a" and the gram "<a>", each tf 1 → ±1, so two buckets at ±1/√2.
        var vector = Encode("a");

        var used = vector.Where(v => v != 0).Select(Math.Abs).ToArray();
        Assert.Equal(2, used.Length);
        Assert.All(used, v => Assert.Equal(1 / Math.Sqrt(2), v, 1e-6));
    }

    [Fact]
    public void Repeated_features_count_sublinearly()
    {
        // "a a": word "a" tf 2 and gram "<a>" tf 2 weigh 1 + ln 2 each; the bigram "a a" weighs 1.
        var vector = Encode("a a");

        var used = vector.Where(v => v != 0).Select(v => (double)Math.Abs(v)).Order().ToArray();
        var heavy = 1 + Math.Log(2);
        var norm = Math.Sqrt(1 + 2 * heavy * heavy);
        Assert.Equal([1 / norm, heavy / norm, heavy / norm], used, (x, y) => Math.Abs(x - y) < 1e-6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ?! ... --- ")]
    public void Text_without_a_letter_or_digit_is_the_zero_vector(string text)
    {
        Assert.All(Encode(text, 64), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Encoding_overwrites_the_destination_and_checks_its_length()
    {
        var encoder = new TextHashingFeatures(256);
        var vector = Enumerable.Repeat(7f, 256).ToArray();

        encoder.Encode("", vector);

        Assert.All(vector, v => Assert.Equal(0, v));
        Assert.Throws<ArgumentException>(() => encoder.Encode("x", new float[255]));
    }

    [Fact]
    public void Word_order_matters_through_the_bigrams()
    {
        Assert.NotEqual(Encode("not good"), Encode("good not"));
    }
}
