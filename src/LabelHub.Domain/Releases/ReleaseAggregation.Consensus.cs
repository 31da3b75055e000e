using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Releases;

public sealed partial class ReleaseAggregation
{
    /// <summary>IoU at which two annotators' boxes are the same object (PASCAL VOC's rule, as in quality).</summary>
    public const double BoxIouThreshold = BoxAgreement.DefaultIouThreshold;

    /// <summary>
    /// Spans by exact agreement: every answer of the item is one annotator (an answer without the field marked
    /// nothing); a span (start, end, label) more than half of them marked is kept. The final answer is the kept spans,
    /// possibly none.
    /// </summary>
    private Outcome SpanConsensus(LabelField field, List<AggregationAnswer> answers)
    {
        if (answers.Count == 0)
        {
            return new Outcome(null, NoFinalAnswerReason.NoAnswers);
        }
        var marks = new List<(SpanValue Span, int Answer)>();
        for (var n = 0; n < answers.Count; n++)
        {
            if (ReadList(field, answers[n]) is SpansAnswer spans)
            {
                marks.AddRange(spans.Spans.Select(span => (span, n)));
            }
        }
        // Equal spans side by side, each annotator's first in annotation-id order.
        marks.Sort((a, b) => SpanOrder.Instance.Compare(a.Span, b.Span) is var order && order != 0 ? order : a.Answer.CompareTo(b.Answer));
        var kept = new List<SpanValue>();
        var tally = new ConsensusTally(answers.Count);
        for (var start = 0; start < marks.Count;)
        {
            var end = start + 1;
            while (end < marks.Count && SpanOrder.Instance.Compare(marks[start].Span, marks[end].Span) == 0)
            {
                end++;
            }
            var group = marks.GetRange(start, end - start);
            if (tally.Decide(group.Select(m => m.Answer)))
            {
                // The covered text is not part of a span's identity: keep the first annotator's copy that has one.
                var text = group.Select(m => m.Span.Text).FirstOrDefault(t => t is not null);
                kept.Add(marks[start].Span with { Text = text });
            }
            start = end;
        }
        return tally.Outcome(AnswerCodec.ToJson(new SpansAnswer(kept)), answers);
    }

    /// <summary>
    /// Boxes by matched consensus: per label, boxes of different annotators are clustered (one box per annotator per
    /// cluster, every two boxes of a cluster at IoU ≥ 0.5); a cluster more than half of the item's annotators reached
    /// becomes one box whose edges are the medians of its boxes' edges.
    /// </summary>
    private Outcome BoxConsensus(LabelField field, List<AggregationAnswer> answers)
    {
        if (answers.Count == 0)
        {
            return new Outcome(null, NoFinalAnswerReason.NoAnswers);
        }
        var boxes = new List<(BoxValue Box, int Answer)>();
        for (var n = 0; n < answers.Count; n++)
        {
            if (ReadList(field, answers[n]) is BoxesAnswer drawn)
            {
                // Each annotator's boxes in a fixed order, so drawing order cannot change a tie-break.
                boxes.AddRange(drawn.Boxes.Order(BoxOrder.Instance).Select(box => (box, n)));
            }
        }
        var imageSize = ImageSize(boxes);
        var kept = new List<BoxValue>();
        var tally = new ConsensusTally(answers.Count);
        foreach (var label in boxes.Select(b => b.Box.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var ofLabel = boxes.Where(b => string.Equals(b.Box.Label, label, StringComparison.Ordinal)).ToList();
            foreach (var cluster in BoxClusters.Of(ofLabel))
            {
                if (tally.Decide(cluster.Select(i => ofLabel[i].Answer)))
                {
                    kept.Add(MedianBox(cluster.Select(i => ofLabel[i].Box).ToList(), label, imageSize));
                }
            }
        }
        kept.Sort(BoxOrder.Instance);
        return tally.Outcome(AnswerCodec.ToJson(new BoxesAnswer(kept)), answers);
    }

    /// <summary>An answer's spans or boxes as far as they read; an answer without the field marked nothing.</summary>
    private static AnswerValue? ReadList(LabelField field, AggregationAnswer answer) =>
        answer.Values.TryGetValue(field.Name, out var json) ? AnswerCodec.Read(field, json, emptyListIsAnswer: true).Value : null;

    /// <summary>
    /// The image's size in pixels, from the boxes that carry pixels (the editor writes fractions derived from whole
    /// pixels, so pixels ÷ fraction is the size); the widest and tallest box give it most precisely. Null when no box
    /// carries pixels: the merged boxes are then written in fractions only.
    /// </summary>
    private static (int Width, int Height)? ImageSize(List<(BoxValue Box, int Answer)> boxes)
    {
        BoxValue? widest = null, tallest = null;
        foreach (var (box, _) in boxes)
        {
            if (box is { WidthPx: > 0, HeightPx: > 0, Width: > 0, Height: > 0 })
            {
                widest = widest is null || box.WidthPx > widest.WidthPx ? box : widest;
                tallest = tallest is null || box.HeightPx > tallest.HeightPx ? box : tallest;
            }
        }
        if (widest is null || tallest is null)
        {
            return null;
        }
        var width = (int)Math.Round(widest.WidthPx!.Value / widest.Width, MidpointRounding.AwayFromZero);
        var height = (int)Math.Round(tallest.HeightPx!.Value / tallest.Height, MidpointRounding.AwayFromZero);
        return width > 0 && height > 0 ? (width, height) : null;
    }

    /// <summary>The median of each edge (the mean of the middle two for an even count), snapped to pixels when known.</summary>
    private static BoxValue MedianBox(List<BoxValue> boxes, string label, (int Width, int Height)? imageSize)
    {
        var left = Median(boxes.Select(b => b.X));
        var top = Median(boxes.Select(b => b.Y));
        var right = Median(boxes.Select(b => b.X + b.Width));
        var bottom = Median(boxes.Select(b => b.Y + b.Height));
        return imageSize is var (width, height)
            ? BoxValue.FromFractions(left, top, right - left, bottom - top, label, width, height)
            : new BoxValue(left, top, right - left, bottom - top, label);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// Keeps the score of a spans or boxes consensus. The confidence is the smallest share among the decisions made:
    /// a kept span or box counts the share of annotators who marked it, a dropped one the share who did not (so "no
    /// spans here" is as sure as the least-agreed mark it dropped). The answers it came from are those that marked a
    /// kept span or box; when nothing is kept, those that marked nothing.
    /// </summary>
    private sealed class ConsensusTally(int annotators)
    {
        private readonly bool[] _contributed = new bool[annotators];
        private readonly bool[] _marked = new bool[annotators];
        private double _confidence = 1;
        private int _kept;

        /// <summary>Whether the group of marks (by answer index, one per annotator) is kept.</summary>
        public bool Decide(IEnumerable<int> answerIndices)
        {
            var distinct = answerIndices.Distinct().ToList();
            foreach (var n in distinct)
            {
                _marked[n] = true;
            }
            var share = (double)distinct.Count / annotators;
            var keep = distinct.Count * 2 > annotators;
            _confidence = Math.Min(_confidence, keep ? share : 1 - share);
            if (keep)
            {
                _kept++;
                foreach (var n in distinct)
                {
                    _contributed[n] = true;
                }
            }
            return keep;
        }

        public Outcome Outcome(System.Text.Json.JsonElement value, List<AggregationAnswer> answers)
        {
            var from = new List<long>();
            for (var n = 0; n < answers.Count; n++)
            {
                if (_kept > 0 ? _contributed[n] : !_marked[n])
                {
                    from.Add(answers[n].AnnotationId);
                }
            }
            return new Outcome(new FinalAnswer(value, _confidence, FinalAnswerSource.Consensus, from), default);
        }
    }
}

/// <summary>
/// Clusters one label's boxes of an item so that a cluster holds at most one box per annotator and every two of its
/// boxes overlap at IoU ≥ <see cref="ReleaseAggregation.BoxIouThreshold"/> (complete linkage: no chains of boxes that
/// drift apart). Deterministic greedy: pairs of boxes from different annotators are taken by IoU descending, ties by
/// the boxes' positions in the input (annotation id, then the box's place top to bottom), and two clusters merge when
/// the pair's boxes are in different clusters that share no annotator and all their cross pairs overlap enough.
/// </summary>
internal static class BoxClusters
{
    /// <param name="boxes">The boxes with the index of the answer (annotator) each came from, in a fixed order.</param>
    /// <returns>Clusters as indices into <paramref name="boxes"/>, ascending, in order of their first box.</returns>
    public static List<List<int>> Of(IReadOnlyList<(BoxValue Box, int Answer)> boxes)
    {
        var pairs = new List<(double Iou, int A, int B)>();
        for (var a = 0; a < boxes.Count; a++)
        {
            for (var b = a + 1; b < boxes.Count; b++)
            {
                if (boxes[a].Answer != boxes[b].Answer && BoxAgreement.Iou(boxes[a].Box, boxes[b].Box) is var iou && iou >= ReleaseAggregation.BoxIouThreshold)
                {
                    pairs.Add((iou, a, b));
                }
            }
        }
        pairs.Sort((x, y) => y.Iou.CompareTo(x.Iou) is var order && order != 0 ? order : x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B));

        var clusterOf = new int[boxes.Count];
        var members = new List<int>[boxes.Count];
        for (var i = 0; i < boxes.Count; i++)
        {
            clusterOf[i] = i;
            members[i] = [i];
        }
        foreach (var (_, a, b) in pairs)
        {
            int first = clusterOf[a], second = clusterOf[b];
            if (first == second || !CanMerge(boxes, members[first], members[second]))
            {
                continue;
            }
            var (into, from) = first < second ? (first, second) : (second, first);
            foreach (var i in members[from])
            {
                clusterOf[i] = into;
            }
            members[into].AddRange(members[from]);
            members[into].Sort();
            members[from] = [];
        }
        return [.. members.Where(m => m.Count > 0)];
    }

    private static bool CanMerge(IReadOnlyList<(BoxValue Box, int Answer)> boxes, List<int> first, List<int> second)
    {
        foreach (var a in first)
        {
            foreach (var b in second)
            {
                if (boxes[a].Answer == boxes[b].Answer || BoxAgreement.Iou(boxes[a].Box, boxes[b].Box) < ReleaseAggregation.BoxIouThreshold)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
