using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>
/// What aggregation decided over a release, per field: how many items got a final answer from each source (and their
/// mean confidence), and how many got none for each reason — the counts the release records and the datasheet reports.
/// Adds one item at a time in constant memory.
/// </summary>
public sealed class AggregationTally
{
    private static readonly FinalAnswerSource[] Sources = Enum.GetValues<FinalAnswerSource>();
    private static readonly NoFinalAnswerReason[] Reasons = Enum.GetValues<NoFinalAnswerReason>();

    private readonly List<Counts> _fields;
    private readonly Dictionary<string, Counts> _byName = new(StringComparer.Ordinal);

    public AggregationTally(LabelSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _fields = [.. schema.Fields.Select(f => new Counts(f.Name))];
        foreach (var counts in _fields)
        {
            _byName[counts.Field] = counts;
        }
    }

    public long Items { get; private set; }

    public void Add(ItemAggregation item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Items++;
        foreach (var (field, answer) in item.Answers)
        {
            if (_byName.TryGetValue(field, out var counts))
            {
                counts.BySource[(int)answer.Source]++;
                counts.ConfidenceSum += answer.Confidence;
            }
        }
        foreach (var (field, reason) in item.Missing)
        {
            if (_byName.TryGetValue(field, out var counts))
            {
                counts.ByReason[(int)reason]++;
            }
        }
    }

    /// <summary>Per field in the schema's order.</summary>
    public IReadOnlyList<FieldAggregationCounts> Fields => [.. _fields.Select(c => c.Snapshot())];

    private sealed class Counts(string field)
    {
        public string Field { get; } = field;
        public long[] BySource { get; } = new long[Sources.Length];
        public long[] ByReason { get; } = new long[Reasons.Length];
        public double ConfidenceSum { get; set; }

        public FieldAggregationCounts Snapshot()
        {
            var answered = BySource.Sum();
            return new FieldAggregationCounts(
                Field,
                Sources.ToDictionary(s => s, s => BySource[(int)s]),
                Reasons.ToDictionary(r => r, r => ByReason[(int)r]),
                answered == 0 ? null : ConfidenceSum / answered);
        }
    }
}

/// <param name="MeanConfidence">Over the items with a final answer; null when none has one.</param>
public sealed record FieldAggregationCounts(
    string Field,
    IReadOnlyDictionary<FinalAnswerSource, long> Answered,
    IReadOnlyDictionary<NoFinalAnswerReason, long> Missing,
    double? MeanConfidence)
{
    public long AnsweredTotal => Answered.Values.Sum();

    public long MissingTotal => Missing.Values.Sum();
}
