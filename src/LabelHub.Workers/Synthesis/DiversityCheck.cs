using LabelHub.Domain.Synthesis;
using LabelHub.Workers.Learning;

namespace LabelHub.Workers.Synthesis;

/// <summary>The per-class diversity signal <see cref="GanDiagnostics.Assess"/> takes, measured on a generator and its real images.</summary>
public static class DiversityCheck
{
    /// <summary>
    /// For each class: the mean pairwise pixel distance of <paramref name="perClass"/> generated samples divided by that
    /// of up to <paramref name="perClass"/> real images of the class. NaN for a class with fewer than two real images.
    /// </summary>
    public static double[] Ratios(ConditionalGan gan, Dataset real, int perClass, long seed)
    {
        ArgumentNullException.ThrowIfNull(gan);
        ArgumentNullException.ThrowIfNull(real);
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 2);
        var size = gan.Spec.SampleSize;
        if (real.SampleSize != size)
        {
            throw new ArgumentException($"Real images of {real.SampleSize} values do not fit a generator of {size}.", nameof(real));
        }
        var classCount = gan.Spec.ClassCount;
        var generated = gan.Generate([.. Enumerable.Range(0, classCount).SelectMany(label => Enumerable.Repeat(label, perClass))], seed);
        var ratios = new double[classCount];
        for (var label = 0; label < classCount; label++)
        {
            var rows = Enumerable.Range(0, real.Count).Where(row => real.Labels[row] == label).Take(perClass).ToList();
            if (rows.Count < 2)
            {
                ratios[label] = double.NaN;
                continue;
            }
            var realSpread = SampleDiversity.MeanPairwiseDistance(real.Subset(rows).Features, rows.Count, size);
            var generatedSpread = SampleDiversity.MeanPairwiseDistance(generated.AsSpan(label * perClass * size, perClass * size), perClass, size);
            ratios[label] = realSpread > 0 ? generatedSpread / realSpread : double.NaN;
        }
        return ratios;
    }
}
