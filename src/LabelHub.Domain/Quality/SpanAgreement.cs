using LabelHub.Domain.Labeling;
namespace LabelHub.Domain.Quality;

/// <summary>When two spans count as the same entity.</summary>
public enum SpanMatchMode
{
    /// <summary>Same start, same end, same label.</summary>
    Strict,

    /// <summary>Same label and the character ranges share at least one character.</summary>
    Overlap,
}

/// <summary>
/// Span (NER) agreement between two annotators by matched F1, as in the CoNLL and SemEval-2013 task 9.1
/// evaluations (Tjong Kim Sang and De Meulder 2003; Segura-Bedmar et al. 2013, "strict" and "partial" matching).
/// </summary>
public static class SpanAgreement
{
    /// <summary>
    /// Matches A's spans with B's one-to-one, label by label (a span only ever matches a span of its own label).
    /// Strict mode pairs identical spans (duplicates pair up as far as both sides have them). Overlap mode picks,
    /// among all one-to-one matchings of overlapping spans, one with the most pairs and, among those, the most
    /// characters shared; the counts (and so F1) do not depend on which such matching is picked, and the pick
    /// itself is deterministic (spans are ordered by start, end before matching).
    /// </summary>
    public static MatchComparison Compare(IReadOnlyList<SpanValue> a, IReadOnlyList<SpanValue> b, SpanMatchMode mode)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byLabel = new SortedDictionary<string, MatchCounts>(StringComparer.Ordinal);
        var overall = default(MatchCounts);
        foreach (var label in a.Select(s => s.Label).Concat(b.Select(s => s.Label)).Distinct().Order(StringComparer.Ordinal))
        {
            var spansA = InOrder(a, label);
            var spansB = InOrder(b, label);
            var counts = mode switch
            {
                SpanMatchMode.Strict => MatchStrict(spansA, spansB),
                SpanMatchMode.Overlap => MatchOverlapping(spansA, spansB),
                _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown span match mode."),
            };
            byLabel[label] = counts;
            overall += counts;
        }
        return new MatchComparison(overall, byLabel);
    }

    /// <summary>Compares each item's two span lists and sums the counts over the items (micro-average).</summary>
    public static MatchSummary Summarize(IEnumerable<(IReadOnlyList<SpanValue> A, IReadOnlyList<SpanValue> B)> items, SpanMatchMode mode)
    {
        ArgumentNullException.ThrowIfNull(items);
        return MatchSummary.Of(items.Select(item => Compare(item.A, item.B, mode)));
    }

    private static List<SpanValue> InOrder(IReadOnlyList<SpanValue> spans, string label) =>
        [.. spans.Where(s => s.Label == label).OrderBy(s => s.Start).ThenBy(s => s.End)];

    private static MatchCounts MatchStrict(List<SpanValue> a, List<SpanValue> b)
    {
        long matched = 0, onlyA = 0, onlyB = 0;
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            var order = a[i].Start != b[j].Start ? a[i].Start.CompareTo(b[j].Start) : a[i].End.CompareTo(b[j].End);
            if (order == 0)
            {
                matched++;
                i++;
                j++;
            }
            else if (order < 0)
            {
                onlyA++;
                i++;
            }
            else
            {
                onlyB++;
                j++;
            }
        }
        onlyA += a.Count - i;
        onlyB += b.Count - j;
        // Identical ranges: intersection over union is 1.
        return new MatchCounts(matched, onlyA, onlyB, matched);
    }

    private static MatchCounts MatchOverlapping(List<SpanValue> a, List<SpanValue> b)
    {
        var overlaps = new List<(int A, int B, int Characters)>();
        for (var i = 0; i < a.Count; i++)
        {
            // b is ordered by start: once a span of b starts at or after a's end, no later one overlaps a.
            for (var j = 0; j < b.Count && b[j].Start < a[i].End; j++)
            {
                var shared = a[i].OverlapWith(b[j]);
                if (shared > 0)
                {
                    overlaps.Add((i, j, shared));
                }
            }
        }
        // Weight 1 + shared / (all shared + 1): the fractions of any matching add up to less than 1, so a matching
        // with more pairs always weighs more, and among equally many pairs the one sharing more characters wins.
        double allShared = overlaps.Sum(o => (double)o.Characters);
        var candidates = overlaps.Select(o => new CandidatePair(o.A, o.B, 1 + o.Characters / (allShared + 1))).ToList();
        var matches = OneToOneMatching.Match(a.Count, b.Count, candidates);
        var iouSum = 0.0;
        foreach (var match in matches)
        {
            var shared = a[match.A].OverlapWith(b[match.B]);
            iouSum += (double)shared / (a[match.A].Length + b[match.B].Length - shared);
        }
        return new MatchCounts(matches.Count, a.Count - matches.Count, b.Count - matches.Count, iouSum);
    }
}
