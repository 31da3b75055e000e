using System.Text.Json;
using System.Text.Json.Serialization;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>How a release settles Choice fields that have no gold or adjudicated answer (ADR 0020).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AggregationMethod>))]
public enum AggregationMethod
{
    /// <summary>A label more than half of the answers give; a tie gives no final answer.</summary>
    MajorityVote,

    /// <summary>The label with the highest Dawid–Skene posterior, fitted once over the release's answers.</summary>
    DawidSkene,
}

/// <summary>Why a field of an item has no final answer; the release counts these and the datasheet reports them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NoFinalAnswerReason>))]
public enum NoFinalAnswerReason
{
    /// <summary>No answer (or no readable answer) gives the field a value.</summary>
    NoAnswers,

    /// <summary>Two or more values share the most votes (or posteriors): left for adjudication, never a coin.</summary>
    Tied,

    /// <summary>One value has the most votes but not more than half of them.</summary>
    NoConsensus,
}

/// <summary>One current answer of an item, as aggregation reads it.</summary>
/// <param name="Adjudicated">
/// A reviewer accepted or wrote it: see <see cref="IsAdjudicated(ReviewStatus, AnnotationReason)"/>.
/// </param>
public readonly record struct AggregationAnswer(long AnnotationId, Guid AnnotatorId, IReadOnlyDictionary<string, JsonElement> Values, bool Adjudicated)
{
    /// <summary>Accepted in review, or written by a reviewer (a review fix) or by cleansing (a correction).</summary>
    public static bool IsAdjudicated(ReviewStatus status, AnnotationReason reason) =>
        status == ReviewStatus.Accepted || reason is AnnotationReason.ReviewFix or AnnotationReason.Cleansing;

    public static AggregationAnswer From(Annotation annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        return new(annotation.Id, annotation.AnnotatorId, annotation.Values, IsAdjudicated(annotation.ReviewStatus, annotation.Reason));
    }
}

/// <summary>An item's current answers (one per annotator) and, on a gold item, its gold answer.</summary>
public sealed record ItemAnswers(long ItemId, IReadOnlyList<AggregationAnswer> Answers, IReadOnlyDictionary<string, JsonElement>? Gold = null);

/// <summary>An item's final answer per field (schema order), and for each field without one the reason.</summary>
public sealed record ItemAggregation(Dictionary<string, FinalAnswer> Answers, IReadOnlyDictionary<string, NoFinalAnswerReason> Missing);

/// <summary>
/// Turns an item's answers into its final answers, field by field (ADR 0020 § Aggregation; the rules in words are in
/// docs/releases/aggregation.md): the gold answer; else the adjudicated answers' majority; else, for Choice fields,
/// majority vote or the fitted Dawid–Skene posterior; multiple choice, text, number, date and rating by exact-value
/// majority; spans and boxes by consensus over the item's annotators. Ties are never broken by chance.
/// <para>
/// One item at a time with no state kept between items, so a release of any size streams through it. An instance
/// reuses buffers between calls: use one per thread.
/// </para>
/// </summary>
public sealed partial class ReleaseAggregation
{
    private static readonly IReadOnlyDictionary<string, NoFinalAnswerReason> NoneMissing = new Dictionary<string, NoFinalAnswerReason>();

    private readonly LabelSchema _schema;
    private readonly AggregationMethod _method;
    private readonly DawidSkeneFit? _fit;
    private readonly Dictionary<string, ChoiceLabels> _choiceLabels = new(StringComparer.Ordinal);
    private readonly List<AggregationAnswer> _sorted = [];
    private readonly List<AggregationAnswer> _adjudicated = [];

    /// <param name="fit">
    /// Required with <see cref="AggregationMethod.DawidSkene"/> when the schema has a Choice field: the fit over the
    /// same items (<see cref="DawidSkeneFit.Builder"/>).
    /// </param>
    public ReleaseAggregation(LabelSchema schema, AggregationMethod method = AggregationMethod.MajorityVote, DawidSkeneFit? fit = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown aggregation method.");
        }
        if (method == AggregationMethod.DawidSkene && fit is null && schema.Fields.Any(f => f.Kind == FieldKind.Choice))
        {
            throw new ArgumentException("Dawid–Skene needs the fit over the release's answers.", nameof(fit));
        }
        _schema = schema;
        _method = method;
        _fit = fit;
        foreach (var field in schema.Fields.Where(f => f.Kind == FieldKind.Choice))
        {
            _choiceLabels[field.Name] = new ChoiceLabels(field.Labels);
        }
    }

    public AggregationMethod Method => _method;

    public ItemAggregation Aggregate(ItemAnswers item)
    {
        ArgumentNullException.ThrowIfNull(item);
        // Answers in annotation-id order whatever order they came in: every later tie-break and list is deterministic.
        _sorted.Clear();
        _sorted.AddRange(item.Answers);
        _sorted.Sort(static (a, b) => a.AnnotationId.CompareTo(b.AnnotationId));
        _adjudicated.Clear();
        foreach (var answer in _sorted)
        {
            if (answer.Adjudicated)
            {
                _adjudicated.Add(answer);
            }
        }

        var answers = new Dictionary<string, FinalAnswer>(_schema.Fields.Count, StringComparer.Ordinal);
        Dictionary<string, NoFinalAnswerReason>? missing = null;
        foreach (var field in _schema.Fields)
        {
            var outcome = Gold(field, item.Gold)
                ?? (_adjudicated.Count > 0 ? ExactMajority(field, _adjudicated, FinalAnswerSource.Adjudicated) : null)
                ?? Vote(field, item.ItemId);
            if (outcome.Answer is { } final)
            {
                answers[field.Name] = final;
            }
            else
            {
                (missing ??= new(StringComparer.Ordinal))[field.Name] = outcome.Reason;
            }
        }
        return new ItemAggregation(answers, missing ?? NoneMissing);
    }

    /// <summary>The field's outcome from the answers of everyone, by its kind's rule.</summary>
    private Outcome Vote(LabelField field, long itemId) => field.Kind switch
    {
        FieldKind.Choice => _method switch
        {
            AggregationMethod.MajorityVote => ChoiceMajority(field, _sorted),
            AggregationMethod.DawidSkene => ChoiceDawidSkene(field, itemId),
        },
        FieldKind.Spans => SpanConsensus(field, _sorted),
        FieldKind.Boxes => BoxConsensus(field, _sorted),
        FieldKind.MultiChoice or FieldKind.Text or FieldKind.Number or FieldKind.Date or FieldKind.Rating =>
            ExactMajority(field, _sorted, FinalAnswerSource.Majority) ?? new Outcome(null, NoFinalAnswerReason.NoAnswers),
    };

    /// <summary>A gold answer that reads as the field's kind is final, with certainty; it is no annotation's.</summary>
    private Outcome? Gold(LabelField field, IReadOnlyDictionary<string, JsonElement>? gold)
    {
        if (gold is null || !gold.TryGetValue(field.Name, out var json) || AnswerCodec.Read(field, json, ListIsAnswer(field)).Clean is not { } value)
        {
            return null;
        }
        return new Outcome(new FinalAnswer(ToJson(field, value), 1, FinalAnswerSource.Gold, []), default);
    }

    /// <summary>
    /// The value more than half of the given answers give exactly (<see cref="AnswerValue.SameAs"/>: lists in any
    /// order, numbers by value). Null when none of them gives the field a value, so the next rule decides.
    /// Adjudicated answers are certain (confidence 1); otherwise the confidence is the vote share.
    /// </summary>
    private Outcome? ExactMajority(LabelField field, List<AggregationAnswer> answers, FinalAnswerSource source)
    {
        var listIsAnswer = ListIsAnswer(field);
        var values = new List<(AnswerValue Value, long Id)>(answers.Count);
        foreach (var answer in answers)
        {
            var read = answer.Values.TryGetValue(field.Name, out var json) ? AnswerCodec.Read(field, json, listIsAnswer).Clean : null;
            // On spans and boxes an answer that leaves the field out marked nothing there: an empty list.
            read ??= listIsAnswer && !answer.Values.ContainsKey(field.Name) ? EmptyList(field) : null;
            if (read is not null)
            {
                values.Add((read, answer.AnnotationId));
            }
        }
        if (values.Count == 0)
        {
            return null;
        }
        // A handful of answers per item: pairwise comparison is cheaper than building keys.
        var votes = new int[values.Count];
        var first = new int[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            first[i] = i;
            for (var j = 0; j < i; j++)
            {
                if (first[j] == j && values[j].Value.SameAs(values[i].Value))
                {
                    first[i] = j;
                    break;
                }
            }
            votes[first[i]]++;
        }
        var winner = Winner(votes, out var tied);
        if (votes[winner] * 2 <= values.Count)
        {
            return new Outcome(null, tied ? NoFinalAnswerReason.Tied : NoFinalAnswerReason.NoConsensus);
        }
        var from = new long[votes[winner]];
        for (int i = 0, n = 0; i < values.Count; i++)
        {
            if (first[i] == winner)
            {
                from[n++] = values[i].Id;
            }
        }
        var confidence = source == FinalAnswerSource.Adjudicated ? 1 : (double)votes[winner] / values.Count;
        return new Outcome(new FinalAnswer(ToJson(field, values[winner].Value), confidence, source, from), default);
    }

    /// <summary>The index with the most votes (the first of equals) and whether another has as many.</summary>
    private static int Winner(ReadOnlySpan<int> votes, out bool tied)
    {
        var best = 0;
        tied = false;
        for (var i = 1; i < votes.Length; i++)
        {
            if (votes[i] > votes[best])
            {
                (best, tied) = (i, false);
            }
            else if (votes[i] == votes[best] && votes[i] > 0)
            {
                tied = true;
            }
        }
        return best;
    }

    private static bool ListIsAnswer(LabelField field) => field.Kind is FieldKind.Spans or FieldKind.Boxes;

    private static AnswerValue? EmptyList(LabelField field) => field.Kind switch
    {
        FieldKind.Spans => new SpansAnswer([]),
        FieldKind.Boxes => new BoxesAnswer([]),
        FieldKind.Choice or FieldKind.MultiChoice or FieldKind.Text or FieldKind.Number or FieldKind.Date or FieldKind.Rating => null,
    };

    /// <summary>
    /// The value as it is stored, in one canonical order: multiple choices in the schema's label order, spans by
    /// position, boxes top to bottom and left to right; a choice from the cached label values (no serialising per item).
    /// </summary>
    private JsonElement ToJson(LabelField field, AnswerValue value) => value switch
    {
        ChoiceAnswer choice when _choiceLabels.TryGetValue(field.Name, out var labels) => labels.Json(choice.Label),
        MultiChoiceAnswer multi => AnswerCodec.ToJson(new MultiChoiceAnswer(InSchemaOrder(field, multi.Labels))),
        SpansAnswer spans => AnswerCodec.ToJson(new SpansAnswer([.. spans.Spans.Order(SpanOrder.Instance)])),
        BoxesAnswer boxes => AnswerCodec.ToJson(new BoxesAnswer([.. boxes.Boxes.Order(BoxOrder.Instance)])),
        _ => AnswerCodec.ToJson(value),
    };

    private static List<string> InSchemaOrder(LabelField field, IReadOnlyList<string> labels)
    {
        var ordered = labels.Distinct(StringComparer.Ordinal).ToList();
        ordered.Sort((a, b) =>
        {
            int ia = IndexOf(field.Labels, a), ib = IndexOf(field.Labels, b);
            return ia != ib ? ia.CompareTo(ib) : string.CompareOrdinal(a, b);
        });
        return ordered;
    }

    /// <summary>The label's place in the schema; labels the schema no longer lists go last.</summary>
    private static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (string.Equals(labels[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return int.MaxValue;
    }

    /// <summary>A field's final answer, or why there is none.</summary>
    private readonly record struct Outcome(FinalAnswer? Answer, NoFinalAnswerReason Reason);

    private sealed class SpanOrder : IComparer<SpanValue>
    {
        public static readonly SpanOrder Instance = new();

        public int Compare(SpanValue? a, SpanValue? b) =>
            a is null || b is null ? Comparer<object>.Default.Compare(a, b)
            : a.Start != b.Start ? a.Start.CompareTo(b.Start)
            : a.End != b.End ? a.End.CompareTo(b.End)
            : string.CompareOrdinal(a.Label, b.Label);
    }

    private sealed class BoxOrder : IComparer<BoxValue>
    {
        public static readonly BoxOrder Instance = new();

        public int Compare(BoxValue? a, BoxValue? b)
        {
            if (a is null || b is null)
            {
                return Comparer<object>.Default.Compare(a, b);
            }
            var order = a.Y.CompareTo(b.Y);
            order = order != 0 ? order : a.X.CompareTo(b.X);
            order = order != 0 ? order : a.Height.CompareTo(b.Height);
            order = order != 0 ? order : a.Width.CompareTo(b.Width);
            return order != 0 ? order : string.CompareOrdinal(a.Label, b.Label);
        }
    }
}
