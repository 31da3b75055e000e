using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Labeling;

/// <summary>How the answers to one field of one item stand.</summary>
public enum FieldAgreementState
{
    /// <summary>Every answer gives the same value (an empty field counts as a value: "no spans here").</summary>
    Unanimous,

    /// <summary>More than half give the proposed value.</summary>
    Majority,

    /// <summary>No value has more than half: the proposal is the value closest to all the others, for the reviewer to check.</summary>
    NoMajority,
}

/// <param name="Value">The proposed value; null when the proposal leaves the field empty.</param>
/// <param name="Support">How many answers give exactly the proposed value.</param>
/// <param name="Differing">The answers (annotation ids) whose value is not the proposed one.</param>
public sealed record FieldConsensus(string Field, FieldAgreementState State, JsonElement? Value, int Support, IReadOnlyList<long> Differing);

/// <summary>One answer as the consensus reads it: whose, and its values.</summary>
public sealed record ConsensusAnswer(long AnnotationId, IReadOnlyDictionary<string, JsonElement> Values);

/// <summary>
/// The answer a reviewer starts from when settling an item that several annotators answered: per field, the value
/// more than half of them gave; failing that, the value closest to all the others (most equal answers for choices,
/// numbers and text; the highest summed matched F1 for spans and boxes), ties to the earliest answer. Values are
/// compared as <see cref="AnswerValue.SameAs"/> does (multiple choices in any order, spans and boxes as sets).
/// </summary>
public sealed record ItemConsensus(IReadOnlyList<FieldConsensus> Fields, int AnswerCount)
{
    /// <summary>At least two answers, and all of them the same on every field.</summary>
    public bool Unanimous => AnswerCount >= 2 && Fields.All(f => f.State == FieldAgreementState.Unanimous);

    /// <summary>Some field where the answers differ.</summary>
    public bool HasDisagreement => Fields.Any(f => f.State != FieldAgreementState.Unanimous);

    /// <summary>The proposed answer as stored answers are written: only fields with a value.</summary>
    public Dictionary<string, JsonElement> Proposal =>
        Fields.Where(f => f.Value is not null).ToDictionary(f => f.Field, f => f.Value!.Value, StringComparer.Ordinal);

    /// <summary>The answers that differ from the proposal on some field.</summary>
    public IReadOnlySet<long> DifferingAnswers() => Fields.SelectMany(f => f.Differing).ToHashSet();

    public static ItemConsensus Of(LabelSchema schema, IReadOnlyList<ConsensusAnswer> answers)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(answers);
        var ordered = answers.OrderBy(a => a.AnnotationId).ToList();
        var fields = schema.Fields.Select(field => OfField(field, ordered)).ToList();
        return new ItemConsensus(fields, ordered.Count);
    }

    /// <summary>Whether an answer gives the same value as <paramref name="answer"/> on every field of the schema.</summary>
    public static bool SameAnswer(LabelSchema schema, IReadOnlyDictionary<string, JsonElement> answer, IReadOnlyDictionary<string, JsonElement> other)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.Fields.All(field => SameValue(ReadOf(field, answer), ReadOf(field, other), field, answer, other));
    }

    private static FieldConsensus OfField(LabelField field, List<ConsensusAnswer> answers)
    {
        if (answers.Count == 0)
        {
            return new FieldConsensus(field.Name, FieldAgreementState.Unanimous, null, 0, []);
        }
        var reads = answers.Select(a => ReadOf(field, a.Values)).ToList();
        // Groups of equal values, in the order their first answer came.
        var groups = new List<List<int>>();
        for (var i = 0; i < answers.Count; i++)
        {
            var group = groups.FirstOrDefault(g => SameValue(reads[g[0]], reads[i], field, answers[g[0]].Values, answers[i].Values));
            if (group is null)
            {
                groups.Add([i]);
            }
            else
            {
                group.Add(i);
            }
        }
        var largest = groups.MaxBy(g => g.Count)!;
        FieldAgreementState state;
        List<int> chosen;
        if (groups.Count == 1)
        {
            (state, chosen) = (FieldAgreementState.Unanimous, largest);
        }
        else if (largest.Count * 2 > answers.Count)
        {
            (state, chosen) = (FieldAgreementState.Majority, largest);
        }
        else
        {
            state = FieldAgreementState.NoMajority;
            chosen = groups.MaxBy(g => g.Sum(i => reads.Sum(other => Similarity(reads[i], other))))!;
        }
        var pick = chosen[0];
        var value = reads[pick] is null ? (JsonElement?)null : answers[pick].Values[field.Name];
        var differing = Enumerable.Range(0, answers.Count).Except(chosen).Select(i => answers[i].AnnotationId).ToList();
        return new FieldConsensus(field.Name, state, value, chosen.Count, differing);
    }

    private static AnswerValue? ReadOf(LabelField field, IReadOnlyDictionary<string, JsonElement> answer) =>
        AnswerCodec.Read(field, answer).Value;

    private static bool SameValue(AnswerValue? a, AnswerValue? b, LabelField field, IReadOnlyDictionary<string, JsonElement> answerA, IReadOnlyDictionary<string, JsonElement> answerB)
    {
        if (a is null || b is null)
        {
            // Both empty is agreement; one empty is not. A value that does not read at all compares as JSON.
            var rawA = answerA.TryGetValue(field.Name, out var x) && !AnswerCodec.IsEmpty(x) ? x : (JsonElement?)null;
            var rawB = answerB.TryGetValue(field.Name, out var y) && !AnswerCodec.IsEmpty(y) ? y : (JsonElement?)null;
            return (rawA, rawB) switch
            {
                (null, null) => true,
                ({ } ja, { } jb) => a is null && b is null && JsonElement.DeepEquals(ja, jb),
                _ => false,
            };
        }
        return a.SameAs(b);
    }

    /// <summary>How close two values are, 0 to 1: matched F1 for spans and boxes, equality for the other kinds.</summary>
    private static double Similarity(AnswerValue? a, AnswerValue? b) => (a, b) switch
    {
        (null, null) => 1,
        (null, _) or (_, null) => 0,
        (SpansAnswer x, SpansAnswer y) => F1(SpanAgreement.Compare(x.Spans, y.Spans, SpanMatchMode.Strict).Overall),
        (BoxesAnswer x, BoxesAnswer y) => F1(BoxAgreement.Compare(x.Boxes, y.Boxes).Overall),
        _ => a.SameAs(b) ? 1 : 0,
    };

    private static double F1(MatchCounts counts) =>
        counts.CountA + counts.CountB == 0 ? 1 : 2.0 * counts.Matched / (counts.CountA + counts.CountB);
}
