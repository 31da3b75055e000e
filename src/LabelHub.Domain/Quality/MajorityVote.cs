namespace LabelHub.Domain.Quality;

/// <summary>One item's aggregated answer.</summary>
/// <param name="Confidence">Majority vote: the winning share of the answers; Dawid–Skene: the posterior probability of the label.</param>
/// <param name="Tie">Another category scored exactly as high; the label is the one first in the schema's order, and the item wants adjudication.</param>
public readonly record struct ItemAggregate(long Item, string Label, double Confidence, bool Tie);

/// <summary>How often an annotator's answers equal the aggregated label (crowd-kit calls this the worker's skill).</summary>
public sealed record AnnotatorSkill(Guid Annotator, Agreement Skill);

/// <param name="Items">In the order of <see cref="CategoricalAnswers.Items"/>.</param>
/// <param name="Annotators">In the order of <see cref="CategoricalAnswers.Annotators"/>.</param>
public sealed record MajorityVoteResult(IReadOnlyList<ItemAggregate> Items, IReadOnlyList<AnnotatorSkill> Annotators);

/// <summary>
/// Each item gets the category most of its annotators chose. Tie rule: among the categories with the most votes,
/// the one first in the schema's order wins and the item is flagged <see cref="ItemAggregate.Tie"/> for
/// adjudication. (crowd-kit's MajorityVote picks the first of the tied categories in its column order, which is
/// the sorted order of the labels; for a schema listed in that order the two agree.)
/// </summary>
public static class MajorityVote
{
    public static MajorityVoteResult Aggregate(IEnumerable<(Guid Annotator, long Item, string Answer)> answers, IReadOnlyList<string> categories) =>
        Aggregate(CategoricalAnswers.From(answers, categories));

    public static MajorityVoteResult Aggregate(CategoricalAnswers answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var categoryCount = answers.Categories.Count;
        var votes = new int[categoryCount];
        var items = new ItemAggregate[answers.Items.Count];
        var winner = new int[answers.Items.Count];
        for (var i = 0; i < items.Length; i++)
        {
            Array.Clear(votes);
            int start = answers.ItemStart[i], end = answers.ItemStart[i + 1];
            for (var n = start; n < end; n++)
            {
                votes[answers.AnswerCategory[n]]++;
            }
            var (best, tie) = Winner(votes);
            winner[i] = best;
            items[i] = new ItemAggregate(answers.Items[i], answers.Categories[best], (double)votes[best] / (end - start), tie);
        }
        return new MajorityVoteResult(items, Skills(answers, winner));
    }

    /// <summary>Each category's share of the item's votes: crowd-kit's MajorityVote probabilities, row by row.</summary>
    internal static void VoteShares(CategoricalAnswers answers, double[] shares)
    {
        var categoryCount = answers.Categories.Count;
        Array.Clear(shares);
        for (var i = 0; i < answers.Items.Count; i++)
        {
            int start = answers.ItemStart[i], end = answers.ItemStart[i + 1];
            var share = 1.0 / (end - start);
            for (var n = start; n < end; n++)
            {
                shares[i * categoryCount + answers.AnswerCategory[n]] += share;
            }
        }
    }

    /// <summary>The index of the highest score, the first one on a tie, and whether there was a tie.</summary>
    internal static (int Best, bool Tie) Winner<T>(ReadOnlySpan<T> scores) where T : IComparable<T>
    {
        var best = 0;
        var tie = false;
        for (var k = 1; k < scores.Length; k++)
        {
            var order = scores[k].CompareTo(scores[best]);
            if (order > 0)
            {
                best = k;
                tie = false;
            }
            else if (order == 0)
            {
                tie = true;
            }
        }
        return (best, tie);
    }

    /// <summary>Per annotator, the share of their answers equal to the item's aggregated category.</summary>
    internal static IReadOnlyList<AnnotatorSkill> Skills(CategoricalAnswers answers, int[] winner)
    {
        var agreed = new int[answers.Annotators.Count];
        var given = new int[answers.Annotators.Count];
        for (var i = 0; i < winner.Length; i++)
        {
            for (var n = answers.ItemStart[i]; n < answers.ItemStart[i + 1]; n++)
            {
                var annotator = answers.AnswerAnnotator[n];
                given[annotator]++;
                if (answers.AnswerCategory[n] == winner[i])
                {
                    agreed[annotator]++;
                }
            }
        }
        var skills = new AnnotatorSkill[given.Length];
        for (var a = 0; a < given.Length; a++)
        {
            skills[a] = new AnnotatorSkill(answers.Annotators[a], Agreement.Of((double)agreed[a] / given[a], given[a]));
        }
        return skills;
    }
}
