using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;

namespace LabelHub.Domain.Releases;

/// <summary>
/// Dawid–Skene fitted once per release over every answer to each Choice field (<see cref="DawidSkene"/>), so that
/// <see cref="ReleaseAggregation"/> can then finalize items one at a time. Step 1: a <see cref="Builder"/> takes the
/// items in any order and keeps only compact triples per Choice field (item, annotator and label as ints: 12 bytes an
/// answer, no JSON); step 2: <see cref="Builder.Fit"/> runs EM per field and keeps the posteriors, looked up by item id.
/// Gold answers enter as known labels (their items' posteriors are certain, which teaches the annotators' matrices).
/// Adjudicated answers count as their annotators' answers.
/// </summary>
public sealed class DawidSkeneFit
{
    private readonly Dictionary<string, FieldFit> _fields;

    private DawidSkeneFit(Dictionary<string, FieldFit> fields) => _fields = fields;

    /// <summary>The fit per Choice field that had answers (annotators' confusion matrices, priors, convergence) for the datasheet.</summary>
    public IReadOnlyDictionary<string, DawidSkeneResult> Results => _fields.ToDictionary(f => f.Key, f => f.Value.Result, StringComparer.Ordinal);

    public static Builder Start(LabelSchema schema) => new(schema);

    /// <summary>The item's arg-max label, its posterior and whether another label's was as high; null when the fit has no answer of it.</summary>
    internal ItemAggregate? Find(string field, long itemId)
    {
        if (!_fields.TryGetValue(field, out var fit))
        {
            return null;
        }
        var index = fit.Answers.IndexOfItem(itemId);
        return index < 0 ? null : fit.Result.Items[index];
    }

    private sealed record FieldFit(CategoricalAnswers Answers, DawidSkeneResult Result);

    /// <summary>Collects the answers of every Choice field; add each item once, then <see cref="Fit"/>.</summary>
    public sealed class Builder
    {
        private readonly List<FieldAnswers> _fields;
        private readonly Dictionary<Guid, int> _annotatorIndex = [];
        private readonly List<Guid> _annotators = [];
        private readonly List<long> _items = [];
        private readonly List<string> _unlisted = [];

        internal Builder(LabelSchema schema)
        {
            ArgumentNullException.ThrowIfNull(schema);
            _fields = [.. schema.Fields.Where(f => f.Kind == FieldKind.Choice).Select(f => new FieldAnswers(f.Name, new ReleaseAggregation.ChoiceLabels(f.Labels), [.. f.Labels.Distinct(StringComparer.Ordinal)]))];
        }

        /// <summary>Answers added so far, over all Choice fields.</summary>
        public long AnswerCount => _fields.Sum(f => (long)f.Label.Count);

        public void Add(ItemAnswers item)
        {
            ArgumentNullException.ThrowIfNull(item);
            var itemIndex = _items.Count;
            _items.Add(item.ItemId);
            // Index loops: a foreach over the interfaces would allocate an enumerator per item and field.
            for (var f = 0; f < _fields.Count; f++)
            {
                var field = _fields[f];
                for (var n = 0; n < item.Answers.Count; n++)
                {
                    var answer = item.Answers[n];
                    if (LabelOf(field, answer.Values) is { } label)
                    {
                        if (!_annotatorIndex.TryGetValue(answer.AnnotatorId, out var annotator))
                        {
                            _annotatorIndex[answer.AnnotatorId] = annotator = _annotators.Count;
                            _annotators.Add(answer.AnnotatorId);
                        }
                        field.Item.Add(itemIndex);
                        field.Annotator.Add(annotator);
                        field.Label.Add(label);
                    }
                }
                if (item.Gold is not null && LabelOf(field, item.Gold) is { } gold)
                {
                    field.Gold[item.ItemId] = field.Names[gold];
                }
            }
        }

        /// <summary>Runs EM per Choice field (crowd-kit's defaults unless <paramref name="options"/> say otherwise).</summary>
        /// <exception cref="ArgumentException">An annotator answered an item twice, or an item was added twice.</exception>
        public DawidSkeneFit Fit(DawidSkeneOptions? options = null)
        {
            var fits = new Dictionary<string, FieldFit>(StringComparer.Ordinal);
            foreach (var field in _fields)
            {
                if (field.Label.Count == 0)
                {
                    continue;
                }
                // Unlisted labels in ordinal order, not in the order items came: the fit must not depend on it.
                List<string> categories = [.. field.Names.Take(field.Labels.Count), .. field.Names.Skip(field.Labels.Count).Order(StringComparer.Ordinal)];
                var answers = CategoricalAnswers.From(Triples(field), categories);
                fits[field.Name] = new FieldFit(answers, DawidSkene.Aggregate(answers, field.Gold, options));
            }
            return new DawidSkeneFit(fits);
        }

        /// <summary>The label index of the field's value, adding a label the schema does not list; null when blank.</summary>
        private int? LabelOf(FieldAnswers field, IReadOnlyDictionary<string, JsonElement> values)
        {
            if (!values.TryGetValue(field.Name, out var json) || json.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            // A blank label gives −1 here, without reading the schema's labels into strings.
            _unlisted.Clear();
            var index = field.Labels.IndexOf(json, _unlisted);
            if (index < 0)
            {
                return null;
            }
            if (index < field.Labels.Count)
            {
                return index;
            }
            // A label removed from the schema since: it keeps one index for the whole fit.
            var name = _unlisted[index - field.Labels.Count];
            var known = field.Names.IndexOf(name, field.Labels.Count);
            if (known < 0)
            {
                field.Names.Add(name);
                known = field.Names.Count - 1;
            }
            return known;
        }

        private IEnumerable<(Guid Annotator, long Item, string Answer)> Triples(FieldAnswers field)
        {
            for (var n = 0; n < field.Label.Count; n++)
            {
                yield return (_annotators[field.Annotator[n]], _items[field.Item[n]], field.Names[field.Label[n]]);
            }
        }

        private sealed record FieldAnswers(string Name, ReleaseAggregation.ChoiceLabels Labels, List<string> Names)
        {
            public List<int> Item { get; } = [];
            public List<int> Annotator { get; } = [];
            public List<int> Label { get; } = [];
            public Dictionary<long, string> Gold { get; } = [];
        }
    }
}
