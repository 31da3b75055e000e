using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>Normalisation for shingling and the fixed shingle hash.</summary>
public sealed class TextShinglerTests
{
    [Fact]
    public void Full_width_letters_and_digits_normalise_to_their_half_width_forms()
    {
        Assert.Equal("abc123", TextShingler.Normalize("ＡＢＣ１２３"));
        Assert.Equal(TextShingler.DistinctHashes("ABC123", ShingleOptions.Default), TextShingler.DistinctHashes("ＡＢＣ１２３", ShingleOptions.Default));
        // Half-width katakana composes to full-width under NFKC.
        Assert.Equal(TextShingler.Normalize("カタカナ"), TextShingler.Normalize("ｶﾀｶﾅ"));
    }

    [Fact]
    public void Whitespace_runs_collapse_case_folds_and_ends_are_trimmed()
    {
        Assert.Equal("hello world 안녕", TextShingler.Normalize("  Hello\t\n WORLD\u3000 안녕  "));
    }

    [Fact]
    public void Korean_text_with_different_spacing_has_the_same_character_shingles()
    {
        var spaced = TextShingler.DistinctHashes("오늘 날씨가 정말 좋네요 산책 가요", ShingleOptions.Default);
        var joined = TextShingler.DistinctHashes("오늘날씨가  정말좋네요 산책가요", ShingleOptions.Default);
        Assert.Equal(spaced, joined);

        var keepingSpaces = ShingleOptions.Default with { IgnoreWhitespaceInCharacters = false };
        Assert.NotEqual(TextShingler.DistinctHashes("오늘 날씨가 정말 좋네요", keepingSpaces), TextShingler.DistinctHashes("오늘날씨가 정말좋네요", keepingSpaces));
    }

    [Fact]
    public void Shingle_hashes_are_fixed_values_not_per_process()
    {
        // FNV-1a 64 over UTF-16 code units, then MurmurHash3 fmix64; computed independently in Python (docs/cleansing/near-duplicates.md).
        Assert.Equal([0x31edf974f8bef309UL], TextShingler.Hashes("ABCDE", ShingleOptions.Default));
        Assert.Equal([0x1d47bebdf9d99c6bUL], TextShingler.Hashes("안녕 하세요", ShingleOptions.Default));
    }

    [Fact]
    public void A_text_shorter_than_n_is_one_shingle_and_an_empty_text_none()
    {
        Assert.Equal([0x33ebaf9927cbc5bdUL], TextShingler.Hashes("abc", ShingleOptions.Default));
        Assert.Empty(TextShingler.Hashes(" \t ", ShingleOptions.Default));
        Assert.Equal(6, TextShingler.Hashes("abcdefghij", ShingleOptions.Default).Length);
        Assert.Equal(8, TextShingler.Hashes("abcdefghij", ShingleOptions.Default with { Size = 3 }).Length);
    }

    [Fact]
    public void Word_shingles_are_n_grams_of_words()
    {
        var words = new ShingleOptions(ShingleUnit.Words, Size: 2);
        Assert.Equal(3, TextShingler.Hashes("the quick brown fox", words).Length);
        Assert.Single(TextShingler.Hashes("fox", words));
        Assert.Equal(TextShingler.Hashes("The  quick brown fox", words), TextShingler.Hashes("the quick\nbrown fox", words));
        // Order matters inside a shingle: "quick brown" is not "brown quick".
        Assert.NotEqual(TextShingler.Hashes("quick brown", words), TextShingler.Hashes("brown quick", words));
    }

    [Fact]
    public void Exact_jaccard_of_hashed_sets_equals_the_string_set_jaccard()
    {
        foreach (var pair in GeneratedTextPairs.Generate(200, seed: 3))
        {
            var a = TextShingler.DistinctHashes(pair.First, ShingleOptions.Default);
            var b = TextShingler.DistinctHashes(pair.Second, ShingleOptions.Default);
            Assert.Equal(pair.ExactJaccard, TextShingler.Jaccard(a, b), 12);
        }
    }
}
