using Bunit;
using LabelHub.Web.Components.Charts;

namespace LabelHub.Web.Tests;

public sealed class LineChartTests : ComponentTest
{
    [Fact]
    public void Axes_get_round_distinct_labels_from_zero_and_a_band_when_points_have_a_spread()
    {
        var chart = Render<LineChart>(p => p
            .Add(c => c.Series, new List<ChartSeries>
            {
                new("loss", [new(1, 0.7), new(2, 0.5), new(3, 0.2)]),
                new("accuracy", [new(1, 0.5, Low: 0.4, High: 0.6), new(3, 0.8, Low: 0.7, High: 0.9)]) { Dashed = true },
            })
            .Add(c => c.YMin, 0)
            .Add(c => c.TestId, "t"));

        var (yLabels, xLabels) = AxisLabels(chart);
        Assert.Equal(["0", "0.2", "0.4", "0.6", "0.8", "1"], yLabels);
        Assert.Equal(xLabels.Distinct().Count(), xLabels.Count);
        Assert.Equal(["loss", "accuracy"], chart.FindAll("[data-testid=t-line]").Select(l => l.GetAttribute("data-series")));
        Assert.Equal("6 4", chart.FindAll("[data-testid=t-line]")[1].GetAttribute("stroke-dasharray"));
        Assert.Equal("accuracy", chart.Find("[data-testid=t-band]").GetAttribute("data-series"));
        Assert.Equal(4, chart.Find("[data-testid=t-band]").GetAttribute("points")!.Split(' ').Length);
    }

    [Fact]
    public void A_single_point_from_zero_has_one_label_per_tick()
    {
        var chart = Render<LineChart>(p => p
            .Add(c => c.Series, new List<ChartSeries> { new("models", [new(30, 1.0)]) })
            .Add(c => c.XMin, 0)
            .Add(c => c.YMax, 1)
            .Add(c => c.TestId, "one"));

        var (_, xLabels) = AxisLabels(chart);
        Assert.Equal(xLabels.Distinct().Count(), xLabels.Count);
        Assert.Contains("30", xLabels);
        Assert.Contains("0", xLabels);
        Assert.Single(chart.FindAll("circle"));
    }

    /// <summary>The value axis is labelled right-aligned left of the plot, the horizontal one along the bottom.</summary>
    private static (List<string> Y, List<string> X) AxisLabels(IRenderedComponent<LineChart> chart)
    {
        var texts = chart.FindAll("text.chart-axis").ToList();
        var y = texts.Where(t => t.GetAttribute("text-anchor") == "end" && t.GetAttribute("x") == "42").OrderByDescending(t => double.Parse(t.GetAttribute("y")!, System.Globalization.CultureInfo.InvariantCulture));
        return ([.. y.Select(t => t.TextContent)], [.. texts.Except(y).Select(t => t.TextContent)]);
    }
}
