using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>MinHash signatures estimate the exact Jaccard similarity within their standard error.</summary>
public sealed class MinHasherTests
{
    [Fact]
    public void Estimates_track_exact_jaccard_within_the_standard_error()
    {
        const int k = 128;
        var hasher = new MinHasher(k, seed: 11);
        var pairs = GeneratedTextPairs.Generate(1000, seed: 5);
        var outsideTwoErrors = 0;
        var errorSum = 0.0;
        foreach (var pair in pairs)
        {
            var a = hasher.Compute(TextShingler.Hashes(pair.First, ShingleOptions.Default));
            var b = hasher.Compute(TextShingler.Hashes(pair.Second, ShingleOptions.Default));
            var estimate = MinHasher.EstimatedJaccard(a, b);
            var j = pair.ExactJaccard;
            var standardError = Math.Sqrt(j * (1 - j) / k);
            var error = estimate - j;
            errorSum += error;
            if (Math.Abs(error) > 2 * standardError + 1e-9)
            {
                outsideTwoErrors++;
            }
            Assert.True(Math.Abs(error) <= 5 * standardError + 1.0 / k, $"J={j:0.000} estimate={estimate:0.000}");
        }
        // About 5 % of unbiased normal estimates fall outside two standard errors; allow up to 8 %.
        Assert.True(outsideTwoErrors <= pairs.Count * 0.08, $"{outsideTwoErrors} outside");
        Assert.InRange(errorSum / pairs.Count, -0.01, 0.01);
    }

    [Fact]
    public void Signatures_depend_on_the_seed_and_only_on_it()
    {
        var shingles = TextShingler.Hashes("같은 입력, 같은 시드, 같은 서명 — same input, same seed, same signature", ShingleOptions.Default);
        Assert.Equal(new MinHasher(64, 7).Compute(shingles), new MinHasher(64, 7).Compute(shingles));
        Assert.NotEqual(new MinHasher(64, 7).Compute(shingles), new MinHasher(64, 8).Compute(shingles));
        Assert.Equal(1, MinHasher.EstimatedJaccard(new MinHasher(64, 7).Compute(shingles), new MinHasher(64, 7).Compute([.. shingles.Reverse()])));
    }

    [Fact]
    public void The_signature_is_the_minimum_over_the_shingles_per_function()
    {
        var hasher = new MinHasher(16, 3);
        ulong[] shingles = [1, 2, 3, 99, 12345678901234];
        var whole = hasher.Compute(shingles);
        var singles = shingles.Select(s => hasher.Compute([s])).ToArray();
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(singles.Min(s => s[i]), whole[i]);
        }
    }

    [Fact]
    public void Functions_are_the_same_whatever_k_so_the_vector_and_scalar_paths_agree()
    {
        // k = 7 runs functions 4–6 on the scalar path, k = 8 runs them all four at a time.
        var shingles = TextShingler.Hashes("벡터와 스칼라 경로가 같은 서명을 냅니다 vector and scalar", ShingleOptions.Default);
        var seven = new MinHasher(7, 42).Compute(shingles);
        var eight = new MinHasher(8, 42).Compute(shingles);
        Assert.Equal(seven, eight[..7]);
        Assert.Equal(new MinHasher(3, 42).Compute(shingles), eight[..3]);
    }

    [Fact]
    public void No_shingles_give_the_all_maximum_signature()
    {
        Assert.All(new MinHasher(10, 1).Compute([]), v => Assert.Equal(uint.MaxValue, v));
    }
}
