using LabelHub.Domain.Cleansing;
using Xunit.Abstractions;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>
/// The finder against exact Jaccard on generated pairs (recall at the threshold, false positives below it), its
/// groups' properties and its determinism.
/// </summary>
public sealed class NearDuplicateTextFinderTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.5, false)]
    [InlineData(0.6, false)]
    [InlineData(0.7, false)]
    [InlineData(0.8, false)]
    [InlineData(0.9, false)]
    [InlineData(0.8, true)]
    public void Recall_above_the_threshold_and_few_false_positives_below_it(double threshold, bool verifyExactly)
    {
        var pairs = GeneratedTextPairs.Generate(4000, seed: 14);
        var finder = new NearDuplicateTextFinder(new NearDuplicateOptions(threshold, VerifyExactly: verifyExactly));
        for (var p = 0; p < pairs.Count; p++)
        {
            finder.Add(2L * p, pairs[p].First);
            finder.Add(2L * p + 1, pairs[p].Second);
        }
        var result = finder.FindGroups();
        var groupOf = GroupIndex(result);

        bool Found(int p) => groupOf.TryGetValue(2L * p, out var g) && groupOf.TryGetValue(2L * p + 1, out var h) && g == h;
        var above = Enumerable.Range(0, pairs.Count).Where(p => pairs[p].ExactJaccard >= threshold + 0.05).ToList();
        var near = Enumerable.Range(0, pairs.Count).Where(p => pairs[p].ExactJaccard >= threshold && pairs[p].ExactJaccard < threshold + 0.05).ToList();
        var below = Enumerable.Range(0, pairs.Count).Where(p => pairs[p].ExactJaccard <= threshold - 0.15).ToList();
        var justBelow = Enumerable.Range(0, pairs.Count).Where(p => pairs[p].ExactJaccard < threshold && pairs[p].ExactJaccard > threshold - 0.15).ToList();
        var recall = (double)above.Count(Found) / above.Count;
        var nearRecall = near.Count == 0 ? double.NaN : (double)near.Count(Found) / near.Count;
        var falsePositiveRate = (double)below.Count(Found) / below.Count;
        var justBelowRate = justBelow.Count == 0 ? double.NaN : (double)justBelow.Count(Found) / justBelow.Count;
        output.WriteLine($"t={threshold} exact={verifyExactly} {result.Banding}: recall(J≥t+0.05)={recall:0.0000} of {above.Count}, " +
                         $"recall(t≤J<t+0.05)={nearRecall:0.0000} of {near.Count}, found(t−0.15<J<t)={justBelowRate:0.0000} of {justBelow.Count}, " +
                         $"false positives(J≤t−0.15)={falsePositiveRate:0.0000} of {below.Count}, candidates={result.CandidatePairs}, compared={result.ComparedPairs}");

        Assert.True(above.Count >= 300 && below.Count >= 200, $"{above.Count} above, {below.Count} below");
        Assert.True(recall >= 0.9, $"recall {recall:0.000}");
        Assert.True(falsePositiveRate <= 0.01, $"false positives {falsePositiveRate:0.000}");
        if (verifyExactly)
        {
            // Verified by exact Jaccard, nothing below the threshold joins (pairs are independent, so no chains).
            Assert.Equal(0, justBelowRate);
            Assert.True(result.Groups.SelectMany(g => g.Members).All(m => m.Similarity >= threshold));
        }
        // Unrelated texts never group with another pair's texts.
        Assert.All(result.Groups, g => Assert.Equal(2, g.Members.Count));
    }

    [Fact]
    public void Groups_are_transitive_disjoint_and_leave_singletons_out()
    {
        var random = new Random(21);
        var a = GeneratedTextPairs.RandomText(random, 180);
        // b differs from a in the first third, c from b in the last third: a~b and b~c, a and c further apart.
        var b = Mutate(a, random, 0, 60, 3);
        var c = Mutate(b, random, 120, 180, 3);
        var unrelated = GeneratedTextPairs.RandomText(random, 150);
        var finder = new NearDuplicateTextFinder(new NearDuplicateOptions(0.8, VerifyExactly: true));
        finder.Add(10, a);
        finder.Add(20, unrelated);
        finder.Add(30, b);
        finder.Add(40, c);
        finder.Add(50, "   ");
        var result = finder.FindGroups();

        var group = Assert.Single(result.Groups);
        Assert.Equal([10L, 30, 40], group.Members.Select(m => m.ItemId));
        Assert.Equal(10, group.RepresentativeId);
        Assert.Equal(1, group.Members[0].Similarity);
        Assert.Equal(GeneratedTextPairs.ExactJaccard(a, b, 5), group.Members[1].Similarity, 12);
        Assert.Equal(GeneratedTextPairs.ExactJaccard(a, c, 5), group.Members[2].Similarity, 12);
        Assert.True(GeneratedTextPairs.ExactJaccard(a, b, 5) >= 0.8 && GeneratedTextPairs.ExactJaccard(b, c, 5) >= 0.8);
        Assert.True(GeneratedTextPairs.ExactJaccard(a, c, 5) < 0.8, "the chain needs transitivity");
        // The blank text has no shingles and is not indexed.
        Assert.Equal(4, result.IndexedTexts);
    }

    [Fact]
    public void Exact_verification_reports_the_exact_jaccard_across_many_texts()
    {
        // 12,000 texts of about 170 shingles: more than two of the finder's 1 Mi-entry shingle-set chunks.
        var random = new Random(77);
        var texts = new List<string>();
        for (var p = 0; p < 6000; p++)
        {
            var text = GeneratedTextPairs.RandomText(random, 175);
            texts.Add(text);
            texts.Add(Mutate(text, random, 0, 175, random.Next(0, 4)));
        }
        var finder = new NearDuplicateTextFinder(new NearDuplicateOptions(0.75, VerifyExactly: true));
        finder.AddRange(texts.Select((t, i) => ((long)i, t)));
        var result = finder.FindGroups();

        Assert.True(result.Groups.Count > 5000, $"{result.Groups.Count} groups");
        foreach (var group in result.Groups)
        {
            var representative = texts[(int)group.RepresentativeId];
            foreach (var member in group.Members.Skip(1))
            {
                Assert.Equal(GeneratedTextPairs.ExactJaccard(representative, texts[(int)member.ItemId], 5), member.Similarity, 12);
            }
        }
    }

    [Fact]
    public void Many_copies_of_one_text_make_one_group()
    {
        var random = new Random(8);
        var text = GeneratedTextPairs.RandomText(random, 120);
        var finder = new NearDuplicateTextFinder(new NearDuplicateOptions());
        for (var i = 0; i < 300; i++)
        {
            finder.Add(i, i % 2 == 0 ? text : text.ToUpperInvariant());
            finder.Add(1000 + i, GeneratedTextPairs.RandomText(random, 100));
        }
        var result = finder.FindGroups();
        var group = Assert.Single(result.Groups);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), group.Members.Select(m => m.ItemId));
        Assert.All(group.Members, m => Assert.Equal(1, m.Similarity));
        // A bucket of 300 is chained, not compared pairwise (300·299/2 = 44,850 per band).
        Assert.True(result.CandidatePairs < 300L * 2 * result.Banding.Bands, $"{result.CandidatePairs} candidates");
    }

    [Fact]
    public void Full_width_and_respaced_copies_are_found()
    {
        var finder = new NearDuplicateTextFinder(new NearDuplicateOptions(0.9));
        finder.Add(1, "ＬａｂｅｌＨｕｂ 데이터 정제 단계에서 중복을 찾습니다 １２３");
        finder.Add(2, "labelhub 데이터정제 단계에서  중복을 찾습니다 123");
        finder.Add(3, "완전히 다른 문장입니다. nothing in common here at all");
        var group = Assert.Single(finder.FindGroups().Groups);
        Assert.Equal([1L, 2], group.Members.Select(m => m.ItemId));
        Assert.Equal(1, group.Members[1].Similarity);
    }

    [Fact]
    public void Same_input_and_seed_give_the_same_groups_whatever_the_threads()
    {
        var pairs = GeneratedTextPairs.Generate(3000, seed: 99);
        NearDuplicateSearchResult Run(int threads, ulong seed)
        {
            var finder = new NearDuplicateTextFinder(new NearDuplicateOptions(0.7, Seed: seed, MaxDegreeOfParallelism: threads));
            finder.AddRange(pairs.SelectMany((p, i) => new[] { (2L * i, p.First), (2L * i + 1, p.Second) }));
            return finder.FindGroups();
        }
        string Describe(NearDuplicateSearchResult r) =>
            string.Join(";", r.Groups.Select(g => string.Join(",", g.Members.Select(m => FormattableString.Invariant($"{m.ItemId}:{m.Similarity:R}")))));

        var single = Run(1, 5);
        Assert.NotEmpty(single.Groups);
        Assert.Equal(Describe(single), Describe(Run(-1, 5)));
        Assert.Equal(Describe(single), Describe(Run(2, 5)));
        Assert.Equal(single.CandidatePairs, Run(2, 5).CandidatePairs);
        Assert.NotEqual(Describe(single), Describe(Run(1, 6)));
    }

    [Fact]
    public void Word_shingles_find_reordered_sentences_less_similar_than_copies()
    {
        var words = new ShingleOptions(ShingleUnit.Words, Size: 1);
        var finder = new NearDuplicateTextFinder(new NearDuplicateOptions(0.9, Shingles: words, VerifyExactly: true));
        finder.Add(1, "the quick brown fox jumps over the lazy dog");
        finder.Add(2, "the lazy dog jumps over the quick brown fox");
        finder.Add(3, "a completely different sentence about cats");
        var group = Assert.Single(finder.FindGroups().Groups);
        Assert.Equal([1L, 2], group.Members.Select(m => m.ItemId));
    }

    private static string Mutate(string text, Random random, int from, int to, int substitutions)
    {
        var chars = text.ToCharArray();
        for (var s = 0; s < substitutions; s++)
        {
            var at = from + (s * (to - from) / substitutions) + random.Next((to - from) / substitutions);
            chars[at] = chars[at] == 'x' ? 'y' : 'x';
        }
        return new string(chars);
    }

    private static Dictionary<long, int> GroupIndex(NearDuplicateSearchResult result)
    {
        var index = new Dictionary<long, int>();
        for (var g = 0; g < result.Groups.Count; g++)
        {
            Assert.True(result.Groups[g].Members.Count >= 2, "no singleton groups");
            foreach (var member in result.Groups[g].Members)
            {
                // No item in two groups.
                Assert.True(index.TryAdd(member.ItemId, g), $"{member.ItemId} twice");
            }
        }
        return index;
    }
}
