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
public sealed partial class QualityCalculator
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
}
