using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Quality;

/// <summary>The per-field accumulators: categorical fields (agreement, per label, per pair) and matched spans and boxes.</summary>
public sealed partial class QualityCalculator
{
    /// <summary>Collects one field's answers in the compact form its statistics need.</summary>
    private abstract class FieldAccumulator(LabelField field)
    {
        public LabelField Field { get; } = field;

        /// <summary>Spans and boxes are matched pair by pair; every other kind's answers are categories.</summary>
        public static FieldAccumulator For(LabelField field) => field.Kind switch
        {
            FieldKind.Spans => new MatchedField(field, spans: true),
            FieldKind.Boxes => new MatchedField(field, spans: false),
            FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Text or FieldKind.Number or FieldKind.Date or FieldKind.Rating => new CategoricalField(field),
        };

        /// <summary>A value that read as the field's kind.</summary>
        public abstract void Add(long itemId, int rater, AnswerValue value);

        public abstract FieldQuality Compute(IReadOnlyList<Guid> annotators, IReadOnlyDictionary<Guid, string> names);

        /// <summary>The pairs of annotators that answered an item of the field in common, the lower rater first.</summary>
        protected List<AnnotatorPairAgreement> PairAgreements(
            IReadOnlyList<Guid> annotators, IReadOnlyDictionary<Guid, string> names, Agreement?[,] statistic, Agreement[,]? kappa, Agreement[,]? percent)
        {
            var result = new List<AnnotatorPairAgreement>();
            var name = PairStatisticOf(Field);
            for (var a = 0; a < statistic.GetLength(0); a++)
            {
                for (var b = a + 1; b < statistic.GetLength(1); b++)
                {
                    if (statistic[a, b] is not { Items: > 0 } value)
                    {
                        continue;
                    }
                    result.Add(new AnnotatorPairAgreement(
                        annotators[a], names.GetValueOrDefault(annotators[a], annotators[a].ToString()),
                        annotators[b], names.GetValueOrDefault(annotators[b], annotators[b].ToString()),
                        name, value.Value, value.Items, kappa?[a, b].Value, percent?[a, b].Value, value.UndefinedReason));
                }
            }
            return result;
        }
    }

    /// <summary>
    /// Choice, rating, number, date, free text and multiple choice: every distinct answer is a category. Labels keep
    /// the schema's order, ratings and numbers their numeric order (for ordinal, interval and ratio statistics);
    /// a multiple-choice answer is the set of its labels (and each label also counts one-vs-rest).
    /// </summary>
    private sealed class CategoricalField(LabelField field) : FieldAccumulator(field)
    {
        private readonly Dictionary<long, int> itemIndex = [];
        private readonly Dictionary<string, int> categoryIndex = new(StringComparer.Ordinal);
        private readonly List<string> categories = [];
        private readonly List<(int Item, int Rater, int Category)> ratings = [];
        private readonly List<(int Item, int Rater, int[] Labels)> labelSets = [];

        private bool Numeric => Field.Kind.IsNumeric();

        private int IndexOfLabel(string label)
        {
            for (var i = 0; i < Field.Labels.Count; i++)
            {
                if (Field.Labels[i] == label)
                {
                    return i;
                }
            }
            return -1;
        }

        public override void Add(long itemId, int rater, AnswerValue value)
        {
            if (Key(value) is not { } key)
            {
                return;
            }
            if (!itemIndex.TryGetValue(itemId, out var item))
            {
                item = itemIndex.Count;
                itemIndex[itemId] = item;
            }
            ratings.Add((item, rater, CategoryOf(key)));
            if (value is MultiChoiceAnswer picked)
            {
                labelSets.Add((item, rater, [.. picked.Labels.Select(IndexOfLabel).Where(i => i >= 0)]));
            }
        }

        private int CategoryOf(string key)
        {
            if (!categoryIndex.TryGetValue(key, out var code))
            {
                code = categories.Count;
                categoryIndex[key] = code;
                categories.Add(key);
            }
            return code;
        }

        /// <summary>The answer as a category: labels and text as they are, numbers in invariant form, a label set sorted.</summary>
        private static string? Key(AnswerValue value) => value.Match<string?>(
            choice: c => c.Label,
            multiChoice: m => string.Join('\u001F', m.Labels.Order(StringComparer.Ordinal)),
            spans: _ => null,
            boxes: _ => null,
            text: t => t.Text,
            number: n => n.Value.ToString("R", CultureInfo.InvariantCulture),
            date: d => AnswerCodec.FormatDate(d.Date),
            rating: r => ((double)r.Stars).ToString("R", CultureInfo.InvariantCulture));

        /// <summary>Whether raters chose from a closed list (a choice field's labels, a rating's stars): q is the list's length.</summary>
        private bool ClosedList => Field.Kind is FieldKind.Choice or FieldKind.Rating;

        public override FieldQuality Compute(IReadOnlyList<Guid> annotators, IReadOnlyDictionary<Guid, string> names)
        {
            // Every category raters could choose counts, used or not (Gwet's AC1 and the free-marginal κ depend on q).
            if (Field.Kind == FieldKind.Choice)
            {
                foreach (var label in Field.Labels)
                {
                    CategoryOf(label);
                }
            }
            else if (Field.Kind == FieldKind.Rating)
            {
                for (var stars = 1; stars <= Field.RatingMax; stars++)
                {
                    CategoryOf(((double)stars).ToString("R", CultureInfo.InvariantCulture));
                }
            }
            // Codes in a meaningful order: schema labels first (in schema order), numbers ascending, the rest as met.
            var order = categories.Select((key, code) => (key, code)).OrderBy(c => Rank(c.key))
                .ThenBy(c => Numeric && double.TryParse(c.key, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : 0)
                .ThenBy(c => c.key, StringComparer.Ordinal).ToList();
            var recode = new int[categories.Count];
            for (var i = 0; i < order.Count; i++)
            {
                recode[order[i].code] = i;
            }
            var matrix = RatingMatrix.FromTriples(itemIndex.Count, annotators.Count, Math.Max(1, categories.Count),
                ratings.Select(r => (r.Item, r.Rater, recode[r.Category])));
            double[]? values = Numeric ? [.. order.Select(c => double.Parse(c.key, CultureInfo.InvariantCulture))] : null;

            var metrics = new List<MetricValue>
            {
                new("percent_agreement", PercentAgreement.Compute(matrix)),
                new("krippendorff_alpha_nominal", KrippendorffAlpha.Compute(matrix, AlphaLevel.Nominal)),
            };
            if (Numeric)
            {
                metrics.Add(new("krippendorff_alpha_ordinal", KrippendorffAlpha.Compute(matrix, AlphaLevel.Ordinal, values)));
                metrics.Add(new("krippendorff_alpha_interval", KrippendorffAlpha.Compute(matrix, AlphaLevel.Interval, values)));
                if (values!.All(v => v >= 0))
                {
                    metrics.Add(new("krippendorff_alpha_ratio", KrippendorffAlpha.Compute(matrix, AlphaLevel.Ratio, values)));
                }
            }
            metrics.Add(new("fleiss_kappa", FleissKappa.Compute(matrix)));
            metrics.Add(new("gwet_ac1", GwetAc1.Compute(matrix)));
            if (ClosedList)
            {
                metrics.Add(new("randolph_kappa", RandolphKappa.Compute(matrix)));
            }
            if (Field.Kind == FieldKind.Rating)
            {
                // Ordinal: a near miss (4 for 5 stars) costs in proportion to the distance.
                metrics.Add(new("cohen_kappa_linear_mean", MeanOfPairs(CohenKappa.PairMatrix(matrix, KappaWeighting.Linear))));
            }
            var pairs = CohenKappa.PairMatrix(matrix, Numeric ? KappaWeighting.Quadratic : KappaWeighting.None);
            metrics.Add(new(Numeric ? "cohen_kappa_quadratic_mean" : "cohen_kappa_mean", MeanOfPairs(pairs)));
            metrics.Add(new("scott_pi_mean", MeanOfPairs(PairwiseAgreement.Matrix(matrix, ScottPi.Compute))));

            var headline = Field.Kind switch
            {
                FieldKind.Rating => "krippendorff_alpha_ordinal",
                FieldKind.Number => "krippendorff_alpha_interval",
                FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Text or FieldKind.Date => "krippendorff_alpha_nominal",
                FieldKind.Spans or FieldKind.Boxes => throw new InvalidOperationException("Spans and boxes are matched, not counted as categories."),
            };
            // The heatmap's cells are each pair's own κ, named as such (not the mean of pairs the field table shows).
            return new FieldQuality(Field.Name, Field.Kind.ToString(), headline, metrics, PerLabel(matrix, recode), ToPairMatrix(pairs, annotators, PairStatisticOf(Field)),
                PairAgreements(annotators, names, pairs, pairs, PairwiseAgreement.Matrix(matrix, PercentAgreement.Compute)));
        }

        /// <summary>One-vs-rest per schema label: for choices, the label against the others; for multiple choice, whether it is ticked.</summary>
        private List<LabelQuality> PerLabel(RatingMatrix matrix, int[] recode)
        {
            var result = new List<LabelQuality>();
            for (var label = 0; label < Field.Labels.Count; label++)
            {
                RatingMatrix binary;
                if (Field.Kind == FieldKind.MultiChoice)
                {
                    var code = label;
                    binary = RatingMatrix.FromTriples(matrix.ItemCount, matrix.RaterCount, 2,
                        labelSets.Select(s => (s.Item, s.Rater, Array.IndexOf(s.Labels, code) >= 0 ? 1 : 0)));
                }
                else if (categoryIndex.TryGetValue(Field.Labels[label], out var original))
                {
                    binary = matrix.OneVsRest(recode[original]);
                }
                else
                {
                    result.Add(new LabelQuality(Field.Labels[label], [new("krippendorff_alpha_nominal", Agreement.Undefined(0, "Nobody chose this label."))]));
                    continue;
                }
                result.Add(new LabelQuality(Field.Labels[label],
                [
                    new("percent_agreement", PercentAgreement.Compute(binary)),
                    new("krippendorff_alpha_nominal", KrippendorffAlpha.Compute(binary, AlphaLevel.Nominal)),
                    new("fleiss_kappa", FleissKappa.Compute(binary)),
                ]));
            }
            return result;
        }

        private int Rank(string key)
        {
            var label = IndexOfLabel(key);
            if (label >= 0)
            {
                return label;
            }
            return Numeric && double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? Field.Labels.Count : Field.Labels.Count + 1;
        }
    }

    /// <summary>Spans and boxes: annotators are compared pair by pair on the items both answered (matched F1).</summary>
    private sealed class MatchedField(LabelField field, bool spans) : FieldAccumulator(field)
    {
        private readonly Dictionary<long, List<(int Rater, AnswerValue Value)>> byItem = [];

        public override void Add(long itemId, int rater, AnswerValue value)
        {
            if (!byItem.TryGetValue(itemId, out var answers))
            {
                byItem[itemId] = answers = [];
            }
            answers.Add((rater, value));
        }

        public override FieldQuality Compute(IReadOnlyList<Guid> annotators, IReadOnlyDictionary<Guid, string> names)
        {
            var n = annotators.Count;
            var perPair = new Dictionary<(int, int), List<MatchComparison>>();
            var strict = new List<MatchComparison>();
            var overlap = new List<MatchComparison>();
            foreach (var answers in byItem.Values)
            {
                for (var i = 0; i < answers.Count; i++)
                {
                    for (var j = i + 1; j < answers.Count; j++)
                    {
                        var (a, b) = answers[i].Rater < answers[j].Rater ? (answers[i], answers[j]) : (answers[j], answers[i]);
                        MatchComparison comparison;
                        if (spans)
                        {
                            var spansA = ((SpansAnswer)a.Value).Spans;
                            var spansB = ((SpansAnswer)b.Value).Spans;
                            comparison = SpanAgreement.Compare(spansA, spansB, SpanMatchMode.Strict);
                            overlap.Add(SpanAgreement.Compare(spansA, spansB, SpanMatchMode.Overlap));
                        }
                        else
                        {
                            comparison = BoxAgreement.Compare(((BoxesAnswer)a.Value).Boxes, ((BoxesAnswer)b.Value).Boxes);
                        }
                        strict.Add(comparison);
                        if (!perPair.TryGetValue((a.Rater, b.Rater), out var list))
                        {
                            perPair[(a.Rater, b.Rater)] = list = [];
                        }
                        list.Add(comparison);
                    }
                }
            }
            var summary = MatchSummary.Of(strict);
            var headline = spans ? "span_f1_strict" : "box_f1_iou50";
            var metrics = new List<MetricValue> { new(headline, Defined(summary.Overall.F1, summary)) };
            if (spans)
            {
                var overlapSummary = MatchSummary.Of(overlap);
                metrics.Add(new("span_f1_overlap", Defined(overlapSummary.Overall.F1, overlapSummary)));
            }
            else
            {
                metrics.Add(new("box_precision_iou50", Defined(summary.Overall.Precision, summary)));
                metrics.Add(new("box_recall_iou50", Defined(summary.Overall.Recall, summary)));
                metrics.Add(new("box_mean_matched_iou", Defined(summary.Overall.MeanMatchedIou, summary)));
            }
            var labels = Field.Labels
                .Select(label => new LabelQuality(label, [new(headline, summary.ByLabel.TryGetValue(label, out var scores)
                    ? scores.F1
                    : Agreement.Undefined(0, "No two annotators used this label on the same item."))]))
                .ToList();
            var cells = new Agreement?[n, n];
            foreach (var ((a, b), comparisons) in perPair)
            {
                var f1 = MatchSummary.Of(comparisons).Overall.F1;
                cells[a, b] = f1;
                cells[b, a] = f1;
            }
            return new FieldQuality(Field.Name, Field.Kind.ToString(), headline, metrics, labels, ToPairMatrix(cells, annotators, headline),
                PairAgreements(annotators, names, cells, null, null));
        }

        private static Agreement Defined(Agreement value, MatchSummary summary) =>
            summary.ItemsCompared == 0 ? Agreement.Undefined(0, "No item has answers from two annotators.") : value;
    }

    private static Agreement MeanOfPairs(Agreement[,] pairs)
    {
        var defined = new List<Agreement>();
        for (var i = 0; i < pairs.GetLength(0); i++)
        {
            for (var j = i + 1; j < pairs.GetLength(1); j++)
            {
                if (pairs[i, j] is { IsDefined: true } cell)
                {
                    defined.Add(cell);
                }
            }
        }
        return defined.Count == 0
            ? Agreement.Undefined(0, "No two annotators answered the same item.")
            : Agreement.Of(defined.Average(c => c.Value!.Value), defined.Sum(c => c.Items));
    }

    private static PairMatrix ToPairMatrix(Agreement?[,] cells, IReadOnlyList<Guid> annotators, string metric)
    {
        var rows = new List<List<Agreement?>>(annotators.Count);
        for (var i = 0; i < annotators.Count; i++)
        {
            var row = new List<Agreement?>(annotators.Count);
            for (var j = 0; j < annotators.Count; j++)
            {
                row.Add(i < cells.GetLength(0) && j < cells.GetLength(1) ? cells[i, j] : null);
            }
            rows.Add(row);
        }
        return new PairMatrix(metric, [.. annotators], rows);
    }
}
