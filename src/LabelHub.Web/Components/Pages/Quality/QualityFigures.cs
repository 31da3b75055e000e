using System.Globalization;

namespace LabelHub.Web.Components.Pages.Quality;

/// <summary>Whether a KPI reaches its target: met (green), missed (red), or none (grey: no target, or no figure).</summary>
public enum KpiState
{
    None,
    Met,
    Missed,
}

/// <summary>How the quality dashboard judges and prints its figures.</summary>
public static class QualityFigures
{
    /// <summary>A figure that should reach its target (agreement, accuracy, throughput).</summary>
    public static KpiState AtLeast(double? value, double? target) =>
        value is { } v && target is { } t ? (v >= t ? KpiState.Met : KpiState.Missed) : KpiState.None;

    /// <summary>A figure that should stay at or below its target (time per task).</summary>
    public static KpiState AtMost(double? value, double? target) =>
        value is { } v && target is { } t ? (v <= t ? KpiState.Met : KpiState.Missed) : KpiState.None;

    /// <summary>Agreement statistics to three decimals, as teams report them.</summary>
    public static string Statistic(double value) => value.ToString("0.000", CultureInfo.CurrentCulture);

    /// <summary>
    /// The heatmap's colour for an agreement value: red at 0 or below, through yellow, to green at 1
    /// (agreement statistics run from -1 to 1; below chance is as bad as it gets for the eye).
    /// </summary>
    public static string HeatColour(double value)
    {
        var hue = Math.Clamp(value, 0, 1) * 120;
        return string.Create(CultureInfo.InvariantCulture, $"hsl({hue:0}, 70%, 78%)");
    }
}

/// <summary>One field's headline statistic against its own target.</summary>
public sealed record FieldStanding(LabelHub.Domain.Quality.FieldQuality Field, LabelHub.Domain.Quality.MetricValue? Headline, double? Target, KpiState State)
{
    public double? Value => Headline?.Value.Value;

    /// <summary>Every field's standing, in the report's order.</summary>
    public static List<FieldStanding> Of(IReadOnlyList<LabelHub.Domain.Quality.FieldQuality> fields, LabelHub.Domain.Planning.QualitySettings settings) =>
        [.. fields.Select(f =>
        {
            var headline = f.Metrics.FirstOrDefault(m => m.Metric == f.Headline);
            var target = settings.AgreementTargetFor(f.Field);
            return new FieldStanding(f, headline, target, QualityFigures.AtLeast(headline?.Value.Value, target));
        })];

    /// <summary>The field furthest below (or least above) its target; without targets, the lowest figure. Null when no field has one.</summary>
    public static FieldStanding? Weakest(IEnumerable<FieldStanding> standings) =>
        standings.Where(s => s.Value is not null).MinBy(s => s.Value!.Value - (s.Target ?? 0));
}
