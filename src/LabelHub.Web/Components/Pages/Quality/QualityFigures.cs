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
