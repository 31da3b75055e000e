using Bunit;
using LabelHub.Domain.Learning;
using LabelHub.Web.Components.Pages.Learning;

namespace LabelHub.Web.Tests;

public sealed class SimulationResultViewTests : ComponentTest
{
    private static readonly SimulationJobResult Result = new(800, 200, 3,
    [
        new(SamplingStrategy.Random, false, [new(100, 0.60, 0.58, 0.62), new(150, 0.70, 0.66, 0.71), new(200, 0.75, 0.74, 0.77)], 200),
        new(SamplingStrategy.Margin, true, [new(100, 0.60, 0.59, 0.61), new(150, 0.76, 0.75, 0.78), new(200, 0.80, 0.79, 0.82)], 150),
        new(SamplingStrategy.Entropy, false, [new(100, 0.55, 0.50, 0.58), new(150, 0.62, 0.60, 0.65), new(200, 0.70, 0.69, 0.72)], null),
    ], 42);

    [Fact]
    public void Draws_a_line_and_a_band_per_strategy_and_counts_the_labels_each_needed_to_match_random()
    {
        var view = Render<SimulationResultView>(p => p.Add(c => c.Result, Result)
            .Add(c => c.Parameters, new SimulationJobParameters(Guid.NewGuid(), "sentiment", [SamplingStrategy.Random, SamplingStrategy.Margin, SamplingStrategy.Entropy], true, 100, 50, 200, 3, 0.2)));

        Assert.Equal(["Random", "Margin + diversity", "Entropy"], view.FindAll("[data-testid=simulation-line]").Select(l => l.GetAttribute("data-series")));
        Assert.All(view.FindAll("[data-testid=simulation-line]"), l => Assert.Equal(3, l.GetAttribute("points")!.Split(' ').Length));
        // The band runs along the highs and back along the lows.
        Assert.All(view.FindAll("[data-testid=simulation-band]"), b => Assert.Equal(6, b.GetAttribute("points")!.Split(' ').Length));

        Assert.Contains("Labels to reach random's 75.0% at 200 labels", view.Find("[data-testid=simulation-table] thead").TextContent);
        var rows = view.FindAll("[data-testid=simulation-row]");
        Assert.Equal(["Random", "Margin", "Entropy"], rows.Select(r => r.GetAttribute("data-strategy")));
        Assert.Equal("150", rows[1].QuerySelector("[data-testid=simulation-labels-to-random]")!.TextContent.Trim());
        Assert.Contains("25%", rows[1].TextContent);
        Assert.Equal("not reached", rows[2].QuerySelector("[data-testid=simulation-labels-to-random]")!.TextContent.Trim());
        Assert.Contains("starts from 100 random labels and adds batches of 50", view.Markup);
    }
}
