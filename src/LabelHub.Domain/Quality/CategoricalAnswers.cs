namespace LabelHub.Domain.Quality;

/// <summary>
/// Many annotators' answers to one single-choice field, mapped once from ids to dense indices so the aggregation
/// loops run over plain arrays. Items are ordered by id, annotators by id (<see cref="Guid.CompareTo(Guid)"/>),
/// categories in the schema's order followed by any answered category the schema does not list (a label removed
/// from the schema later), in ordinal order; an item's answers are ordered by annotator. The order never depends on
/// the order the answers arrive in, so results are reproducible to the last bit.
/// </summary>
public sealed class CategoricalAnswers
{
    private readonly long[] _items;
    private readonly Guid[] _annotators;
    private readonly string[] _categories;
    private readonly Dictionary<string, int> _categoryIndex;

    private CategoricalAnswers(long[] items, Guid[] annotators, string[] categories, int[] itemStart, int[] answerAnnotator, int[] answerCategory)
    {
        _items = items;
        _annotators = annotators;
        _categories = categories;
        _categoryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < categories.Length; k++)
        {
            _categoryIndex[categories[k]] = k;
        }
        ItemStart = itemStart;
        AnswerAnnotator = answerAnnotator;
        AnswerCategory = answerCategory;
    }

    /// <summary>Item ids with at least one answer, ascending; the item index is the position here.</summary>
    public IReadOnlyList<long> Items => _items;

    /// <summary>Annotator ids with at least one answer, ascending; the annotator index is the position here.</summary>
    public IReadOnlyList<Guid> Annotators => _annotators;

    /// <summary>The categories; the category index is the position here.</summary>
    public IReadOnlyList<string> Categories => _categories;

    public int AnswerCount => AnswerCategory.Length;

    /// <summary>Item i's answers are at positions ItemStart[i] to ItemStart[i + 1] − 1 (compressed rows).</summary>
    internal int[] ItemStart { get; }

    internal int[] AnswerAnnotator { get; }

    internal int[] AnswerCategory { get; }

    /// <summary>The index of an item id, or −1 when the item has no answer.</summary>
    public int IndexOfItem(long item)
    {
        var index = Array.BinarySearch(_items, item);
        return index >= 0 ? index : -1;
    }

    /// <summary>The index of a category, or −1.</summary>
    public int IndexOfCategory(string category) => _categoryIndex.GetValueOrDefault(category, -1);

    /// <param name="answers">One answer per annotator and item (the caller extracts the field from the annotation).</param>
    /// <param name="categories">The field's labels in the schema's order.</param>
    /// <exception cref="ArgumentException">A category is listed twice, or an annotator answered an item twice.</exception>
    public static CategoricalAnswers From(IEnumerable<(Guid Annotator, long Item, string Answer)> answers, IReadOnlyList<string> categories)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(categories);
        var categoryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var category in categories)
        {
            ArgumentNullException.ThrowIfNull(category, nameof(categories));
            if (!categoryIndex.TryAdd(category, categoryIndex.Count))
            {
                throw new ArgumentException($"The category '{category}' is listed twice.", nameof(categories));
            }
        }
        var schemaCategories = categoryIndex.Count;

        // First pass: ids as they come; annotators and unlisted categories get provisional indices.
        var capacity = answers.TryGetNonEnumeratedCount(out var count) ? count : 0;
        var itemIds = new List<long>(capacity);
        var rawAnnotator = new List<int>(capacity);
        var rawCategory = new List<int>(capacity);
        var annotatorIndex = new Dictionary<Guid, int>();
        foreach (var (annotator, item, answer) in answers)
        {
            ArgumentNullException.ThrowIfNull(answer, nameof(answers));
            if (!annotatorIndex.TryGetValue(annotator, out var a))
            {
                annotatorIndex[annotator] = a = annotatorIndex.Count;
            }
            if (!categoryIndex.TryGetValue(answer, out var k))
            {
                categoryIndex[answer] = k = categoryIndex.Count;
            }
            itemIds.Add(item);
            rawAnnotator.Add(a);
            rawCategory.Add(k);
        }

        var annotators = annotatorIndex.Keys.Order().ToArray();
        var annotatorOrder = new int[annotators.Length];
        for (var i = 0; i < annotators.Length; i++)
        {
            annotatorOrder[annotatorIndex[annotators[i]]] = i;
        }
        var unlisted = categoryIndex.Where(c => c.Value >= schemaCategories).Select(c => c.Key).Order(StringComparer.Ordinal).ToArray();
        var categoryOrder = Enumerable.Range(0, categoryIndex.Count).ToArray();
        for (var i = 0; i < unlisted.Length; i++)
        {
            categoryOrder[categoryIndex[unlisted[i]]] = schemaCategories + i;
        }
        string[] allCategories = [.. categories, .. unlisted];

        var items = itemIds.Distinct().ToArray();
        Array.Sort(items);
        var itemIndex = new Dictionary<long, int>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            itemIndex[items[i]] = i;
        }

        // Second pass: compressed rows by item (a counting sort), then each item's few answers by annotator.
        var answerItem = new int[itemIds.Count];
        var itemStart = new int[items.Length + 1];
        for (var n = 0; n < itemIds.Count; n++)
        {
            answerItem[n] = itemIndex[itemIds[n]];
            itemStart[answerItem[n] + 1]++;
        }
        for (var i = 0; i < items.Length; i++)
        {
            itemStart[i + 1] += itemStart[i];
        }
        var next = itemStart[..^1];
        var answerAnnotator = new int[itemIds.Count];
        var answerCategory = new int[itemIds.Count];
        for (var n = 0; n < itemIds.Count; n++)
        {
            var position = next[answerItem[n]]++;
            answerAnnotator[position] = annotatorOrder[rawAnnotator[n]];
            answerCategory[position] = categoryOrder[rawCategory[n]];
        }
        for (var i = 0; i < items.Length; i++)
        {
            SortByAnnotator(answerAnnotator, answerCategory, itemStart[i], itemStart[i + 1]);
            for (var n = itemStart[i] + 1; n < itemStart[i + 1]; n++)
            {
                if (answerAnnotator[n] == answerAnnotator[n - 1])
                {
                    throw new ArgumentException($"Annotator {annotators[answerAnnotator[n]]} answered item {items[i]} more than once; pass each annotator's current answer only.", nameof(answers));
                }
            }
        }
        return new CategoricalAnswers(items, annotators, allCategories, itemStart, answerAnnotator, answerCategory);
    }

    /// <summary>Insertion sort: an item has a handful of answers.</summary>
    private static void SortByAnnotator(int[] annotator, int[] category, int start, int end)
    {
        for (var n = start + 1; n < end; n++)
        {
            int a = annotator[n], k = category[n], m = n - 1;
            while (m >= start && annotator[m] > a)
            {
                annotator[m + 1] = annotator[m];
                category[m + 1] = category[m];
                m--;
            }
            annotator[m + 1] = a;
            category[m + 1] = k;
        }
    }
}
