using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

public sealed partial class ReleaseAggregation
{
    private readonly List<string> _unlisted = [];

    /// <summary>
    /// Majority vote: the label more than half of the answers give, with its share as confidence. Two or more labels
    /// with the most votes are a tie (no answer, reason Tied); a single leader at half or less is NoConsensus.
    /// Labels are compared without reading them into strings (the hot path of a release).
    /// </summary>
    private Outcome ChoiceMajority(LabelField field, List<AggregationAnswer> answers)
    {
        var labels = _choiceLabels[field.Name];
        _unlisted.Clear();
        // Votes per schema label, then per unlisted label (at most one per answer).
        var cells = labels.Count + 2 * answers.Count;
        var buffer = cells <= 256 ? stackalloc int[cells] : new int[cells];
        buffer.Clear();
        var labelOf = buffer[..answers.Count];
        var votes = buffer[answers.Count..];
        var given = 0;
        for (var n = 0; n < answers.Count; n++)
        {
            labelOf[n] = -1;
            if (answers[n].Values.TryGetValue(field.Name, out var json) && json.ValueKind == JsonValueKind.String)
            {
                var index = labels.IndexOf(json, _unlisted);
                if (index >= 0)
                {
                    labelOf[n] = index;
                    votes[index]++;
                    given++;
                }
            }
        }
        if (given == 0)
        {
            return new Outcome(null, NoFinalAnswerReason.NoAnswers);
        }
        var winner = Winner(votes, out var tied);
        if (votes[winner] * 2 <= given)
        {
            return new Outcome(null, tied ? NoFinalAnswerReason.Tied : NoFinalAnswerReason.NoConsensus);
        }
        var from = new long[votes[winner]];
        for (int n = 0, k = 0; n < answers.Count; n++)
        {
            if (labelOf[n] == winner)
            {
                from[k++] = answers[n].AnnotationId;
            }
        }
        var value = winner < labels.Count ? labels.Json(winner) : JsonSerializer.SerializeToElement(_unlisted[winner - labels.Count]);
        return new Outcome(new FinalAnswer(value, (double)votes[winner] / given, FinalAnswerSource.Majority, from), default);
    }

    /// <summary>
    /// Dawid–Skene: the fitted arg-max label and its posterior. Equal top posteriors are a tie (no answer). The
    /// answers it came from are those that gave that label.
    /// </summary>
    private Outcome ChoiceDawidSkene(LabelField field, long itemId)
    {
        var labels = _choiceLabels[field.Name];
        if (_fit!.Find(field.Name, itemId) is not { } aggregate)
        {
            // The fit saw every answer to the field; an item it does not know has none (or none that read).
            foreach (var answer in _sorted)
            {
                if (answer.Values.TryGetValue(field.Name, out var json) && json.ValueKind == JsonValueKind.String && !AnswerCodec.IsEmpty(json))
                {
                    throw new InvalidOperationException($"Item {itemId} has answers to '{field.Name}' the Dawid–Skene fit did not see; fit over the same items.");
                }
            }
            return new Outcome(null, NoFinalAnswerReason.NoAnswers);
        }
        if (aggregate.Tie)
        {
            return new Outcome(null, NoFinalAnswerReason.Tied);
        }
        var from = new List<long>(_sorted.Count);
        foreach (var answer in _sorted)
        {
            if (answer.Values.TryGetValue(field.Name, out var json) && json.ValueKind == JsonValueKind.String && json.ValueEquals(aggregate.Label))
            {
                from.Add(answer.AnnotationId);
            }
        }
        return new Outcome(new FinalAnswer(labels.Json(aggregate.Label), aggregate.Confidence, FinalAnswerSource.DawidSkene, from), default);
    }

    /// <summary>
    /// A Choice field's labels with their stored JSON made once, and a lookup from a stored answer to its index that
    /// reads no string for the schema's labels. Labels the schema does not list (removed later) are still votes:
    /// they get indices after the schema's, per item.
    /// </summary>
    internal sealed class ChoiceLabels
    {
        private const int LinearSearchLimit = 16;

        private readonly string[] _labels;
        private readonly JsonElement[] _json;
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public ChoiceLabels(IReadOnlyList<string> labels)
        {
            _labels = [.. labels.Distinct(StringComparer.Ordinal)];
            _json = new JsonElement[_labels.Length];
            for (var k = 0; k < _labels.Length; k++)
            {
                _json[k] = JsonSerializer.SerializeToElement(_labels[k]);
                _index[_labels[k]] = k;
            }
        }

        public int Count => _labels.Length;

        public JsonElement Json(int index) => _json[index];

        public JsonElement Json(string label) =>
            _index.TryGetValue(label, out var k) ? _json[k] : JsonSerializer.SerializeToElement(label);

        /// <summary>The label's index; an unlisted label is added to <paramref name="unlisted"/>; −1 for a blank one.</summary>
        public int IndexOf(JsonElement value, List<string> unlisted)
        {
            if (_labels.Length <= LinearSearchLimit)
            {
                for (var k = 0; k < _labels.Length; k++)
                {
                    if (value.ValueEquals(_labels[k]))
                    {
                        return k;
                    }
                }
            }
            var label = value.GetString()!;
            if (_index.TryGetValue(label, out var index))
            {
                return index;
            }
            if (string.IsNullOrWhiteSpace(label))
            {
                return -1;
            }
            var extra = unlisted.IndexOf(label);
            if (extra < 0)
            {
                unlisted.Add(label);
                extra = unlisted.Count - 1;
            }
            return _labels.Length + extra;
        }
    }
}
