using System.Globalization;
using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Quality;

/// <summary>One version of an annotator's answer to one item, as the quality report reads it.</summary>
/// <param name="IsCurrent">The current version: it counts for agreement, aggregation and the annotator's figures.</param>
/// <param name="IsFirst">The first submitted version: on a gold item only this one scores gold accuracy, so an answer
/// changed after the gold answer was shown cannot improve the score.</param>
public sealed record AnswerRecord(
    long ItemId, Guid AnnotatorId, IReadOnlyDictionary<string, JsonElement> Values, int? DurationMs, DateTimeOffset CreatedAt,
    bool IsCurrent = true, bool IsFirst = true);

/// <summary>
/// Turns a project's current answers into the quality report: agreement per field (every statistic), per label
/// (one-vs-rest) and per annotator pair, gold accuracy (from each annotator's first answer to a gold item) and the KPIs.
/// Pure: the caller reads the database. Answers are added one by one (<see cref="Add"/>) so a million of them never sit
/// in memory as JSON; a gold item's first version comes as well when it is no longer current.
/// </summary>
public sealed class QualityCalculator
{
    private readonly LabelSchema schema;
    private readonly IReadOnlyDictionary<long, Dictionary<string, JsonElement>> goldAnswers;
    private readonly Dictionary<Guid, int> annotatorIndex = [];
    private readonly List<Guid> annotators = [];
    private readonly List<FieldAccumulator> fields;
    private readonly Dictionary<Guid, AnnotatorTally> tallies = [];
    private readonly List<int> durations = [];

    // Single-choice answers (gold items included: their gold answers seed Dawid–Skene's estimate of each annotator).
    private readonly Dictionary<string, List<(Guid Annotator, long Item, string Answer)>> choiceAnswers = [];

    // Single-choice first answers to gold items, for the per-field gold accuracy.
    private readonly Dictionary<string, List<(Guid Annotator, long Item, string Answer)>> firstGoldChoiceAnswers = [];

    // One string per distinct label: each answer's label is a new string from its JSON, and a million answers kept that
    // many copies of a handful of labels alive until the end.
    private readonly Dictionary<string, string> labels = new(StringComparer.Ordinal);

    public QualityCalculator(LabelSchema schema, IReadOnlyDictionary<long, Dictionary<string, JsonElement>> goldAnswers)
    {
        this.schema = schema;
        this.goldAnswers = goldAnswers;
        fields = [.. schema.Fields.Select(FieldAccumulator.For)];
    }

    public int Answers { get; private set; }

    public void Add(AnswerRecord answer)
    {
        var isGold = goldAnswers.TryGetValue(answer.ItemId, out var gold);
        var scoresGold = isGold && answer.IsFirst;
        if (!answer.IsCurrent && !scoresGold)
        {
            return;
        }
        if (!annotatorIndex.TryGetValue(answer.AnnotatorId, out var rater))
        {
            rater = annotators.Count;
            annotatorIndex[answer.AnnotatorId] = rater;
            annotators.Add(answer.AnnotatorId);
        }
        var tally = tallies.TryGetValue(answer.AnnotatorId, out var t) ? t : tallies[answer.AnnotatorId] = new AnnotatorTally();
        if (answer.IsCurrent)
        {
            Answers++;
            tally.Labels++;
            if (answer.DurationMs is { } ms and >= 0)
            {
                tally.Durations.Add(ms);
                durations.Add(ms);
            }
        }
        // Each field's value is read once: single-choice answers also feed the aggregations (gold items included: their
        // gold answers seed Dawid–Skene's estimate of each annotator).
        foreach (var field in fields)
        {
            var value = AnswerCodec.Read(field.Field, answer.Values, emptyListIsAnswer: true).Value;
            if (value is ChoiceAnswer choice)
            {
                if (answer.IsCurrent)
                {
                    ListOf(choiceAnswers, field.Field.Name).Add((answer.AnnotatorId, answer.ItemId, Shared(choice.Label)));
                }
                if (scoresGold)
                {
                    ListOf(firstGoldChoiceAnswers, field.Field.Name).Add((answer.AnnotatorId, answer.ItemId, Shared(choice.Label)));
                }
            }
            if (!isGold && value is not null)
            {
                field.Add(answer.ItemId, rater, value);
            }
        }
        if (scoresGold)
        {
            // Gold items measure accuracy, not agreement: every field of the gold answer scores separately.
            foreach (var (name, expected) in gold!)
            {
                var given = answer.Values.TryGetValue(name, out var value) ? value : default;
                var answered = new Dictionary<string, JsonElement>(1);
                if (given.ValueKind != JsonValueKind.Undefined)
                {
                    answered[name] = given;
                }
                tally.GoldTotal++;
                if (GoldService.Matches(schema, new Dictionary<string, JsonElement>(1) { [name] = expected }, answered))
                {
                    tally.GoldCorrect++;
                }
            }
        }
    }

    private static List<(Guid Annotator, long Item, string Answer)> ListOf(Dictionary<string, List<(Guid Annotator, long Item, string Answer)>> lists, string field) =>
        lists.TryGetValue(field, out var list) ? list : lists[field] = [];

    private string Shared(string label) => labels.TryGetValue(label, out var shared) ? shared : labels[label] = label;

    /// <param name="names">Display names of the annotators, by id.</param>
    /// <param name="progress">Share of items with all their answers.</param>
    /// <param name="labelsPerHour">Answers submitted per hour over the last day.</param>
    public QualityReportData Compute(IReadOnlyDictionary<Guid, string> names, double progress, double? labelsPerHour, TimeSpan elapsed)
    {
        var fieldReports = fields.Select(f => f.Compute(annotators, names)).ToList();
        var annotatorReports = annotators.Select((id, rater) => new AnnotatorQuality(
            id,
            names.GetValueOrDefault(id, id.ToString()),
            tallies[id].Labels,
            Median(tallies[id].Durations) / 1000.0,
            AgreementWithOthers(fieldReports, rater),
            tallies[id].GoldTotal == 0
                ? Agreement.Undefined(0, "No gold item answered.")
                : Agreement.Of((double)tallies[id].GoldCorrect / tallies[id].GoldTotal, tallies[id].GoldTotal)))
            .OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var goldTotal = tallies.Values.Sum(t => t.GoldTotal);
        var headlines = fieldReports.Select(f => f.Metrics.First(m => m.Metric == f.Headline).Value).Where(v => v.IsDefined).ToList();
        var kpis = new QualityKpis(
            headlines.Count == 0
                ? Agreement.Undefined(0, "No field has an agreement figure yet (it needs items with two or more answers).")
                // The weakest field: an average would let a strong field hide a failing one.
                : headlines.MinBy(v => v.Value!.Value)!,
            goldTotal == 0
                ? Agreement.Undefined(0, "No gold item answered.")
                : Agreement.Of((double)tallies.Values.Sum(t => t.GoldCorrect) / goldTotal, goldTotal),
            progress,
            labelsPerHour,
            Median(durations) / 1000.0);
        return new QualityReportData
        {
            Fields = fieldReports,
            Annotators = annotatorReports,
            Kpis = kpis,
            Aggregations = Aggregate(),
            GoldByField = GoldByField(),
            ComputeSeconds = elapsed.TotalSeconds,
        };
    }

    /// <summary>
    /// Two annotators' agreement on one field from their answers to the items both answered (as the report computes
    /// it for every pair): what the list behind a heatmap cell states for its pair.
    /// </summary>
    public static AnnotatorPairAgreement PairAgreement(
        LabelField field, (Guid Id, string Name) annotatorA, (Guid Id, string Name) annotatorB,
        IEnumerable<(long ItemId, IReadOnlyDictionary<string, JsonElement> AnswerA, IReadOnlyDictionary<string, JsonElement> AnswerB)> answers)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(answers);
        var accumulator = FieldAccumulator.For(field);
        foreach (var (itemId, answerA, answerB) in answers)
        {
            if (AnswerCodec.Read(field, answerA, emptyListIsAnswer: true).Value is { } a)
            {
                accumulator.Add(itemId, 0, a);
            }
            if (AnswerCodec.Read(field, answerB, emptyListIsAnswer: true).Value is { } b)
            {
                accumulator.Add(itemId, 1, b);
            }
        }
        var names = new Dictionary<Guid, string> { [annotatorA.Id] = annotatorA.Name, [annotatorB.Id] = annotatorB.Name };
        return accumulator.Compute([annotatorA.Id, annotatorB.Id], names).PairAgreements!.SingleOrDefault()
            ?? new AnnotatorPairAgreement(annotatorA.Id, annotatorA.Name, annotatorB.Id, annotatorB.Name, PairStatisticOf(field), null, 0,
                null, null, NoSharedItemReason);
    }

    private const string NoSharedItemReason = "No item was rated by both raters.";

    /// <summary>The statistic of a field's annotator pairs: Cohen's κ (quadratic-weighted for numbers and ratings), matched F1 for spans and boxes.</summary>
    public static string PairStatisticOf(LabelField field) => field.Kind switch
    {
        FieldKind.Spans => "span_f1_strict",
        FieldKind.Boxes => "box_f1_iou50",
        FieldKind.Number or FieldKind.Rating => AnnotatorPairAgreement.QuadraticKappaStatistic,
        FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Text or FieldKind.Date => AnnotatorPairAgreement.CohensKappaStatistic,
    };

    private List<GoldFieldAccuracy> GoldByField()
    {
        var result = new List<GoldFieldAccuracy>();
        foreach (var field in schema.Fields.Where(f => f.Kind == FieldKind.Choice && firstGoldChoiceAnswers.ContainsKey(f.Name)))
        {
            var gold = GoldLabels(field);
            if (gold.Count == 0)
            {
                continue;
            }
            foreach (var accuracy in GoldAccuracy.ForCategories(firstGoldChoiceAnswers[field.Name].Where(a => gold.ContainsKey(a.Item)), gold, field.Labels))
            {
                var counts = accuracy.Confusion.Counts;
                var rows = Enumerable.Range(0, counts.GetLength(0)).Select(r => Enumerable.Range(0, counts.GetLength(1)).Select(c => counts[r, c]).ToList()).ToList();
                result.Add(new GoldFieldAccuracy(field.Name, accuracy.Annotator, accuracy.Accuracy, [.. accuracy.Confusion.Categories], rows));
            }
        }
        return result;
    }

    private Dictionary<long, string> GoldLabels(LabelField field) => GoldLabelsOf(goldAnswers, field);

    /// <summary>The gold label of a single-choice field, per gold item that has one.</summary>
    public static Dictionary<long, string> GoldLabelsOf(IEnumerable<KeyValuePair<long, Dictionary<string, JsonElement>>> goldAnswers, LabelField field)
    {
        var labels = new Dictionary<long, string>();
        foreach (var (item, answer) in goldAnswers)
        {
            if (AnswerCodec.Read(field, answer).Clean is ChoiceAnswer choice)
            {
                labels[item] = choice.Label;
            }
        }
        return labels;
    }

    private List<AggregationQuality> Aggregate()
    {
        var result = new List<AggregationQuality>();
        foreach (var field in schema.Fields.Where(f => f.Kind == FieldKind.Choice && choiceAnswers.ContainsKey(f.Name)))
        {
            var answers = CategoricalAnswers.From(choiceAnswers[field.Name], field.Labels);
            var vote = MajorityVote.Aggregate(answers);
            result.Add(new AggregationQuality(field.Name, "majority_vote", vote.Items.Count, vote.Items.Count(i => i.Tie),
                vote.Items.Count == 0 ? 0 : vote.Items.Average(i => i.Confidence), null, null, null, []));
            var ds = DawidSkene.Aggregate(answers, GoldLabels(field));
            var majority = vote.Items.ToDictionary(i => i.Item, i => i.Label);
            result.Add(new AggregationQuality(field.Name, "dawid_skene", ds.Items.Count, ds.Items.Count(i => i.Tie),
                ds.Items.Count == 0 ? 0 : ds.Items.Average(i => i.Confidence),
                ds.Items.Count(i => majority.TryGetValue(i.Item, out var label) && label != i.Label),
                ds.Iterations, ds.Converged,
                [.. ds.Annotators.Select(a => new AnnotatorEstimate(a.Annotator, a.MeanDiagonal))]));
        }
        return result;
    }

    /// <summary>Mean of the annotator's row in each field's pair matrix (cells that have a value).</summary>
    private static Agreement AgreementWithOthers(List<FieldQuality> fieldReports, int rater)
    {
        var cells = fieldReports
            .Where(f => f.Pairs is not null && rater < f.Pairs.Values.Count)
            .SelectMany(f => f.Pairs!.Values[rater].Where((_, other) => other != rater))
            .OfType<Agreement>()
            .Where(a => a.IsDefined)
            .ToList();
        return cells.Count == 0
            ? Agreement.Undefined(0, "No item shared with another annotator.")
            : Agreement.Of(cells.Average(c => c.Value!.Value), cells.Sum(c => c.Items));
    }

    private static double? Median(List<int> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    private sealed class AnnotatorTally
    {
        public int Labels;
        public int GoldTotal;
        public int GoldCorrect;
        public List<int> Durations { get; } = [];
    }

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
