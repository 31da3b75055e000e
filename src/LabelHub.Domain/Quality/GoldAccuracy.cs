using LabelHub.Domain.Labeling;

namespace LabelHub.Domain.Quality;

/// <summary>Counts[gold, answered]: how often an annotator answered each category when the gold answer was each category.</summary>
public sealed record GoldConfusionMatrix(IReadOnlyList<string> Categories, int[,] Counts)
{
    /// <summary>Gold items answered.</summary>
    public int Total => Counts.Cast<int>().Sum();

    /// <summary>Answers equal to the gold answer (the diagonal).</summary>
    public int Correct => Enumerable.Range(0, Categories.Count).Sum(k => Counts[k, k]);

    public int Count(string gold, string answered)
    {
        int row = IndexOf(gold), column = IndexOf(answered);
        return row < 0 || column < 0 ? 0 : Counts[row, column];
    }

    private int IndexOf(string category)
    {
        for (var k = 0; k < Categories.Count; k++)
        {
            if (string.Equals(Categories[k], category, StringComparison.Ordinal))
            {
                return k;
            }
        }
        return -1;
    }
}

/// <summary>An annotator's accuracy on the gold items of a single-choice field.</summary>
/// <param name="Accuracy">Share of the annotator's gold-item answers equal to the gold answer; its item count is the gold items answered.</param>
public sealed record AnnotatorCategoryAccuracy(Guid Annotator, Agreement Accuracy, GoldConfusionMatrix Confusion);

/// <summary>One option of a multiple-choice field scored on its own (picked or not) against gold.</summary>
public sealed record OneVsRestScores(
    string Option,
    int TruePositives,
    int FalsePositives,
    int FalseNegatives,
    int TrueNegatives,
    Agreement Accuracy,
    Agreement Precision,
    Agreement Recall,
    Agreement F1);

/// <summary>An annotator's accuracy on the gold items of a multiple-choice field.</summary>
/// <param name="ExactMatch">Share of gold items where the annotator picked exactly the gold set (order does not matter).</param>
/// <param name="ByOption">Each option one-vs-rest, in the schema's order.</param>
public sealed record AnnotatorMultipleChoiceAccuracy(Guid Annotator, Agreement ExactMatch, IReadOnlyList<OneVsRestScores> ByOption);

/// <summary>An annotator's spans or boxes on gold items, matched against the gold ones (gold is side A, the reference).</summary>
public sealed record AnnotatorMatchAccuracy(Guid Annotator, MatchSummary Summary);

/// <summary>
/// Each annotator's answers on gold (honeypot) items against the gold answers, one field at a time: the caller
/// extracts the field from the annotation. Answers to items without a gold answer are ignored; every annotator
/// who answered anything is listed (ordered by id), with an undefined figure when they met no gold item.
/// </summary>
public static class GoldAccuracy
{
    private const string NoGoldItem = "The annotator answered no gold item.";

    /// <summary>
    /// Single-choice fields: accuracy and the gold × answered confusion matrix. The matrix's categories are the
    /// schema's, followed (ordinal order) by any category an answer or the gold uses that the schema does not list.
    /// </summary>
    public static IReadOnlyList<AnnotatorCategoryAccuracy> ForCategories(
        IEnumerable<(Guid Annotator, long Item, string Answer)> answers,
        IReadOnlyDictionary<long, string> gold,
        IReadOnlyList<string> categories)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var onGold = OnGoldItems(answers, gold, out var annotators);
        var allCategories = WithUnlisted(categories, onGold.Select(a => a.Answer).Concat(gold.Values));
        var index = allCategories.Select((category, k) => (category, k)).ToDictionary(p => p.category, p => p.k, StringComparer.Ordinal);
        var byAnnotator = onGold.ToLookup(a => a.Annotator);
        return annotators.Select(annotator =>
        {
            var counts = new int[allCategories.Count, allCategories.Count];
            var answered = 0;
            var correct = 0;
            foreach (var (_, item, answer) in byAnnotator[annotator])
            {
                counts[index[gold[item]], index[answer]]++;
                answered++;
                correct += string.Equals(gold[item], answer, StringComparison.Ordinal) ? 1 : 0;
            }
            var accuracy = answered == 0 ? Agreement.Undefined(0, NoGoldItem) : Agreement.Of((double)correct / answered, answered);
            return new AnnotatorCategoryAccuracy(annotator, accuracy, new GoldConfusionMatrix(allCategories, counts));
        }).ToList();
    }

    /// <summary>
    /// Multiple-choice fields, scored two ways: exact set match (all options right, the strict reading, as
    /// <see cref="GoldService.Matches"/> counts a gold hit) and each option one-vs-rest (picked or not, against
    /// whether gold picked it), which shows which options an annotator over- or under-uses.
    /// </summary>
    public static IReadOnlyList<AnnotatorMultipleChoiceAccuracy> ForMultipleChoice(
        IEnumerable<(Guid Annotator, long Item, IReadOnlyCollection<string> Answer)> answers,
        IReadOnlyDictionary<long, IReadOnlyCollection<string>> gold,
        IReadOnlyList<string> options)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var onGold = OnGoldItems(answers, gold, out var annotators);
        var allOptions = WithUnlisted(options, onGold.SelectMany(a => a.Answer).Concat(gold.Values.SelectMany(g => g)));
        var byAnnotator = onGold.ToLookup(a => a.Annotator);
        return annotators.Select(annotator =>
        {
            var mine = byAnnotator[annotator].ToList();
            var exact = mine.Count(a => SetEquals(a.Answer, gold[a.Item]));
            var exactMatch = mine.Count == 0 ? Agreement.Undefined(0, NoGoldItem) : Agreement.Of((double)exact / mine.Count, mine.Count);
            var byOption = allOptions.Select(option =>
            {
                int tp = 0, fp = 0, fn = 0, tn = 0;
                foreach (var (_, item, answer) in mine)
                {
                    bool picked = answer.Contains(option), expected = gold[item].Contains(option);
                    if (picked && expected)
                    {
                        tp++;
                    }
                    else if (picked)
                    {
                        fp++;
                    }
                    else if (expected)
                    {
                        fn++;
                    }
                    else
                    {
                        tn++;
                    }
                }
                return OneVsRest(option, tp, fp, fn, tn, mine.Count);
            }).ToList();
            return new AnnotatorMultipleChoiceAccuracy(annotator, exactMatch, byOption);
        }).ToList();
    }

    /// <summary>Span fields: each annotator's spans matched against gold (see <see cref="SpanAgreement.Compare"/>), summed over gold items.</summary>
    public static IReadOnlyList<AnnotatorMatchAccuracy> ForSpans(
        IEnumerable<(Guid Annotator, long Item, IReadOnlyList<SpanValue> Answer)> answers,
        IReadOnlyDictionary<long, IReadOnlyList<SpanValue>> gold,
        SpanMatchMode mode)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var onGold = OnGoldItems(answers, gold, out var annotators);
        var byAnnotator = onGold.ToLookup(a => a.Annotator);
        return annotators
            .Select(annotator => new AnnotatorMatchAccuracy(annotator,
                MatchSummary.Of(byAnnotator[annotator].Select(a => SpanAgreement.Compare(gold[a.Item], a.Answer, mode)))))
            .ToList();
    }

    /// <summary>Box fields: each annotator's boxes matched against gold (see <see cref="BoxAgreement.Compare"/>), summed over gold items.</summary>
    public static IReadOnlyList<AnnotatorMatchAccuracy> ForBoxes(
        IEnumerable<(Guid Annotator, long Item, IReadOnlyList<BoxValue> Answer)> answers,
        IReadOnlyDictionary<long, IReadOnlyList<BoxValue>> gold,
        double iouThreshold = BoxAgreement.DefaultIouThreshold,
        bool requireSameLabel = true)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var onGold = OnGoldItems(answers, gold, out var annotators);
        var byAnnotator = onGold.ToLookup(a => a.Annotator);
        return annotators
            .Select(annotator => new AnnotatorMatchAccuracy(annotator,
                MatchSummary.Of(byAnnotator[annotator].Select(a => BoxAgreement.Compare(gold[a.Item], a.Answer, iouThreshold, requireSameLabel)))))
            .ToList();
    }

    /// <summary>The answers to gold items (ordered by item), and every annotator seen (ordered by id).</summary>
    private static List<(Guid Annotator, long Item, T Answer)> OnGoldItems<T, TGold>(
        IEnumerable<(Guid Annotator, long Item, T Answer)> answers, IReadOnlyDictionary<long, TGold> gold, out List<Guid> annotators)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var seen = new HashSet<Guid>();
        var pairs = new HashSet<(Guid, long)>();
        var onGold = new List<(Guid Annotator, long Item, T Answer)>();
        foreach (var answer in answers)
        {
            ArgumentNullException.ThrowIfNull(answer.Answer, nameof(answers));
            seen.Add(answer.Annotator);
            if (!gold.ContainsKey(answer.Item))
            {
                continue;
            }
            if (!pairs.Add((answer.Annotator, answer.Item)))
            {
                throw new ArgumentException($"Annotator {answer.Annotator} answered item {answer.Item} more than once; pass each annotator's current answer only.", nameof(answers));
            }
            onGold.Add(answer);
        }
        annotators = [.. seen.Order()];
        return [.. onGold.OrderBy(a => a.Item)];
    }

    private static List<string> WithUnlisted(IReadOnlyList<string> listed, IEnumerable<string> used)
    {
        ArgumentNullException.ThrowIfNull(listed);
        var known = new HashSet<string>(listed, StringComparer.Ordinal);
        if (known.Count != listed.Count)
        {
            throw new ArgumentException("A category is listed twice.", nameof(listed));
        }
        return [.. listed, .. used.Where(c => !known.Contains(c)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static bool SetEquals(IReadOnlyCollection<string> a, IReadOnlyCollection<string> b) =>
        new HashSet<string>(a, StringComparer.Ordinal).SetEquals(b);

    private static OneVsRestScores OneVsRest(string option, int tp, int fp, int fn, int tn, int items)
    {
        if (items == 0)
        {
            var none = Agreement.Undefined(0, NoGoldItem);
            return new OneVsRestScores(option, 0, 0, 0, 0, none, none, none, none);
        }
        var precision = tp + fp == 0
            ? Agreement.Undefined(items, "The annotator never picked this option on a gold item.")
            : Agreement.Of((double)tp / (tp + fp), items);
        var recall = tp + fn == 0
            ? Agreement.Undefined(items, "No gold answer picks this option.")
            : Agreement.Of((double)tp / (tp + fn), items);
        var f1 = tp + fp + fn == 0
            ? Agreement.Undefined(items, "Neither the gold answers nor the annotator picked this option.")
            : Agreement.Of(2.0 * tp / (2 * tp + fp + fn), items);
        return new OneVsRestScores(option, tp, fp, fn, tn, Agreement.Of((double)(tp + tn) / items, items), precision, recall, f1);
    }
}
