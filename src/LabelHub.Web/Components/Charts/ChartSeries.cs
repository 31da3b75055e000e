namespace LabelHub.Web.Components.Charts;

/// <summary>One line of a <see cref="LineChart"/>.</summary>
/// <param name="Colour">A CSS colour; null takes the next one of the chart's palette.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, string? Colour = null)
{
    /// <summary>Drawn dashed, for what is extrapolated rather than measured.</summary>
    public bool Dashed { get; init; }

    /// <summary>Drawn thicker, for the series the chart is about.</summary>
    public bool Emphasised { get; init; }

    /// <summary>A dot with a tooltip on every point; off for dense or fitted lines.</summary>
    public bool Markers { get; init; } = true;
}

/// <param name="Tip">The point's tooltip; null: the series name with both values.</param>
/// <param name="Low">With <paramref name="High"/>: a band around the line (the spread over runs).</param>
public sealed record ChartPoint(double X, double Y, string? Tip = null, double? Low = null, double? High = null);

/// <summary>A labelled position on an axis.</summary>
public sealed record ChartTick(double Value, string Label);
