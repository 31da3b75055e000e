namespace LabelHub.Domain.Synthesis;

/// <summary>
/// What "balance" asks a generator to make: per class, the largest class's labeled count minus this class's labeled
/// count minus the synthetic items of this class that annotators did not reject (they already fill the gap or will).
/// Each class gets at most <see cref="SynthesisService.MaxPerClass"/>, and the whole at most
/// <see cref="GenerateRequest.MaxPerJob"/> (scaled down evenly when more is short). Classes with nothing short are left out.
/// </summary>
public static class SynthesisBalance
{
    public static IReadOnlyDictionary<string, int> Plan(IReadOnlyList<string> labels, IReadOnlyDictionary<string, int> labeledPerClass, SyntheticItemsSummary synthetic)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(labeledPerClass);
        ArgumentNullException.ThrowIfNull(synthetic);
        var largest = labels.Select(l => labeledPerClass.GetValueOrDefault(l)).DefaultIfEmpty(0).Max();
        var kept = synthetic.PerClass.ToDictionary(c => c.Label, c => c.Items - c.Rejected, StringComparer.Ordinal);
        var shortBy = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var missing = Math.Min(SynthesisService.MaxPerClass, largest - labeledPerClass.GetValueOrDefault(label) - kept.GetValueOrDefault(label));
            if (missing > 0)
            {
                shortBy[label] = missing;
            }
        }
        var total = shortBy.Values.Sum();
        if (total <= GenerateRequest.MaxPerJob)
        {
            return shortBy;
        }
        var scale = (double)GenerateRequest.MaxPerJob / total;
        return shortBy.Select(p => (p.Key, Count: (int)Math.Floor(p.Value * scale))).Where(p => p.Count > 0)
            .ToDictionary(p => p.Key, p => p.Count, StringComparer.Ordinal);
    }
}
