using Bunit;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.Web.Components.Pages.Quality;

namespace LabelHub.Web.Tests;

/// <summary>The quality dashboard's parts, rendered from a hand-made report.</summary>
public sealed class QualityDashboardComponentTests : ComponentTest
{
    private static readonly Guid Anna = Guid.Parse("0190a000-0000-7000-8000-00000000000a");
    private static readonly Guid Ben = Guid.Parse("0190a000-0000-7000-8000-00000000000b");
    private static readonly Guid Cleo = Guid.Parse("0190a000-0000-7000-8000-00000000000c");

    private static readonly Dictionary<Guid, string> Names = new() { [Anna] = "anna", [Ben] = "ben", [Cleo] = "cleo" };

    private static readonly FieldQuality Sentiment = new(
        "sentiment", "Choice", "krippendorff_alpha_nominal",
        [
            new("percent_agreement", new Agreement(0.8333333, 6)),
            new("krippendorff_alpha_nominal", new Agreement(0.71234, 6)),
            new("fleiss_kappa", Agreement.Undefined(6, "Every answer is the same category.")),
        ],
        [
            new("positive", [new("percent_agreement", new Agreement(0.9, 6)), new("krippendorff_alpha_nominal", new Agreement(0.5, 6))]),
            new("negative", [new("krippendorff_alpha_nominal", Agreement.Undefined(0, "Nobody chose this label."))]),
        ],
        new PairMatrix("cohen_kappa_mean", [Anna, Ben, Cleo],
        [
            [null, new Agreement(1, 6), new Agreement(0.25, 6)],
            [new Agreement(1, 6), null, Agreement.Undefined(2, "A single category.")],
            [new Agreement(0.25, 6), Agreement.Undefined(2, "A single category."), null],
        ]));

    private static readonly FieldQuality Entities = new(
        "entities", "Spans", "span_f1_strict",
        [new("span_f1_strict", new Agreement(0.5, 4)), new("span_f1_overlap", new Agreement(0.75, 4))],
        [], null);

    [Fact]
    public void Kpi_cards_are_green_when_met_red_when_missed_and_grey_without_target_or_figure()
    {
        var met = Render<KpiCard>(p => p.Add(c => c.Title, "Agreement").Add(c => c.Value, "0.850").Add(c => c.Target, "Target ≥ 0.800")
            .Add(c => c.State, QualityFigures.AtLeast(0.85, 0.8)).Add(c => c.TestId, "kpi-agreement"));
        var card = met.Find("[data-testid=kpi-agreement]");
        Assert.Equal("met", card.GetAttribute("data-state"));
        Assert.Contains("kpi-card--met", card.ClassName);
        Assert.Equal("0.850", met.Find("[data-testid=kpi-value]").TextContent.Trim());
        Assert.Equal("Target ≥ 0.800", met.Find("[data-testid=kpi-caption]").TextContent.Trim());

        var missed = Render<KpiCard>(p => p.Add(c => c.Title, "Median time").Add(c => c.Value, "12.0 s").Add(c => c.Target, "Target ≤ 10.0 s")
            .Add(c => c.State, QualityFigures.AtMost(12, 10)));
        Assert.Equal("missed", missed.Find("[data-testid=kpi-card]").GetAttribute("data-state"));

        var noTarget = Render<KpiCard>(p => p.Add(c => c.Title, "Progress").Add(c => c.Value, "50 %").Add(c => c.State, QualityFigures.AtLeast(0.5, null)));
        Assert.Equal("none", noTarget.Find("[data-testid=kpi-card]").GetAttribute("data-state"));
        Assert.Equal("No target", noTarget.Find("[data-testid=kpi-caption]").TextContent.Trim());

        // An undefined figure is grey even with a target, shows "–" and says why (caption and tooltip).
        var undefined = Render<KpiCard>(p => p.Add(c => c.Title, "Gold accuracy").Add(c => c.Value, (string?)null).Add(c => c.Target, "Target ≥ 95 %")
            .Add(c => c.UndefinedReason, "No gold item was answered.").Add(c => c.State, QualityFigures.AtLeast(null, 0.95)));
        var grey = undefined.Find("[data-testid=kpi-card]");
        Assert.Equal("none", grey.GetAttribute("data-state"));
        Assert.Equal("No gold item was answered.", grey.GetAttribute("title"));
        Assert.Equal("–", undefined.Find("[data-testid=kpi-value]").TextContent.Trim());
        Assert.Equal("No gold item was answered.", undefined.Find("[data-testid=kpi-caption]").TextContent.Trim());
    }

    [Fact]
    public void Kpi_rules_compare_at_the_target_inclusively()
    {
        Assert.Equal(KpiState.Met, QualityFigures.AtLeast(0.8, 0.8));
        Assert.Equal(KpiState.Missed, QualityFigures.AtLeast(0.79, 0.8));
        Assert.Equal(KpiState.Met, QualityFigures.AtMost(10, 10));
        Assert.Equal(KpiState.Missed, QualityFigures.AtMost(10.5, 10));
        Assert.Equal(KpiState.None, QualityFigures.AtMost(null, 10));
    }

    [Fact]
    public void Kpi_card_speaks_korean()
    {
        CultureInfo("ko");
        var card = Render<KpiCard>(p => p.Add(c => c.Title, "x").Add(c => c.Value, "1"));
        Assert.Equal("목표 없음", card.Find("[data-testid=kpi-caption]").TextContent.Trim());
    }

    [Fact]
    public void Heatmap_has_a_coloured_cell_per_pair_a_blank_diagonal_and_opens_a_cell()
    {
        (Guid A, Guid B)? opened = null;
        var map = Render<AgreementHeatmap>(p => p.Add(c => c.Pairs, Sentiment.Pairs).Add(c => c.Names, Names)
            .Add(c => c.OnCellSelected, pair => opened = pair));

        Assert.Equal(3, map.FindAll(".heatmap-cell--diagonal").Count);
        Assert.All(map.FindAll(".heatmap-cell--diagonal"), d => Assert.Empty(d.TextContent.Trim()));
        var cells = map.FindAll("[data-testid=heatmap-cell]");
        Assert.Equal(6, cells.Count);
        var annaBen = map.Find($"[data-testid=heatmap-cell][data-a='{Anna}'][data-b='{Ben}']");
        Assert.Equal("1.000", annaBen.TextContent.Trim());
        Assert.Contains("background-color: hsl(120, 70%, 78%)", annaBen.GetAttribute("style"));
        Assert.Equal("6", annaBen.GetAttribute("data-items"));
        var annaCleo = map.Find($"[data-testid=heatmap-cell][data-a='{Anna}'][data-b='{Cleo}']");
        Assert.Equal("0.250", annaCleo.TextContent.Trim());
        Assert.Contains("background-color: hsl(30, 70%, 78%)", annaCleo.GetAttribute("style"));
        // The matrix is symmetric: the mirrored cell has the same value and colour.
        Assert.Equal(annaCleo.GetAttribute("style"), map.Find($"[data-testid=heatmap-cell][data-a='{Cleo}'][data-b='{Anna}']").GetAttribute("style"));
        // Undefined: "–", no colour, the reason as tooltip.
        var benCleo = map.Find($"[data-testid=heatmap-cell][data-a='{Ben}'][data-b='{Cleo}']");
        Assert.Equal("–", benCleo.TextContent.Trim());
        Assert.Null(benCleo.GetAttribute("style"));
        Assert.Contains("A single category.", benCleo.GetAttribute("title"));
        Assert.Equal(["anna", "ben", "cleo"], map.FindAll("thead th.heatmap-head").Select(h => h.TextContent.Trim()));

        annaCleo.Click();
        Assert.Equal((Anna, Cleo), opened);
    }

    [Fact]
    public void Heatmap_names_the_statistic_its_cells_hold()
    {
        var kappa = Render<AgreementHeatmap>(p => p.Add(c => c.Pairs, Sentiment.Pairs! with { Metric = AnnotatorPairAgreement.CohensKappaStatistic }).Add(c => c.Names, Names));
        Assert.Equal("Each cell: Cohen's κ of the two annotators, over the items both answered.", kappa.Find("[data-testid=heatmap-statistic]").TextContent.Trim());
        var weighted = Render<AgreementHeatmap>(p => p.Add(c => c.Pairs, Sentiment.Pairs! with { Metric = AnnotatorPairAgreement.QuadraticKappaStatistic }).Add(c => c.Names, Names));
        Assert.Contains("Cohen's κ, quadratic weights", weighted.Find("[data-testid=heatmap-statistic]").TextContent);
        var spans = Render<AgreementHeatmap>(p => p.Add(c => c.Pairs, Sentiment.Pairs! with { Metric = "span_f1_strict" }).Add(c => c.Names, Names));
        Assert.Contains("span F1 (exact match)", spans.Find("[data-testid=heatmap-statistic]").TextContent);
    }

    [Fact]
    public void Heatmap_needs_two_annotators()
    {
        var map = Render<AgreementHeatmap>(p => p.Add(c => c.Pairs, new PairMatrix("cohen_kappa_mean", [Anna], [[null]])));
        Assert.NotNull(map.Find("[data-testid=heatmap-empty]"));
        Assert.Empty(map.FindAll("[data-testid=heatmap-cell]"));
    }

    [Fact]
    public void Field_table_judges_each_fields_headline_by_its_own_target_and_shows_the_rest_on_demand()
    {
        // sentiment α 0.712 against the project's 0.7 (met); entities F1 0.5 against its own 0.6 (missed).
        var settings = new QualitySettings { AgreementTarget = 0.7, FieldAgreementTargets = new() { ["entities"] = 0.6 } };
        var table = Render<FieldAgreementTable>(p => p.Add(c => c.Fields, new List<FieldQuality> { Sentiment, Entities }).Add(c => c.Settings, settings));

        var rows = table.FindAll("[data-testid=field-row]");
        Assert.Equal(["sentiment", "entities"], rows.Select(r => r.GetAttribute("data-field")));
        // Six columns whatever the statistics: it fits 1024 px.
        Assert.Equal(6, table.Find("[data-testid=field-table] thead").Children[0].Children.Length);
        var alpha = rows[0].QuerySelector("td[data-metric=krippendorff_alpha_nominal]")!;
        Assert.Contains("quality-headline", alpha.ClassName);
        Assert.Equal("0.712", alpha.TextContent.Trim());
        Assert.Equal("6", rows[0].QuerySelector("[data-testid=field-items]")!.TextContent.Trim());
        Assert.Equal(("met", "missed"), (rows[0].GetAttribute("data-state"), rows[1].GetAttribute("data-state")));
        Assert.Contains("0.600", rows[1].QuerySelector("[data-testid=field-target]")!.TextContent);
        Assert.Null(rows[0].QuerySelector("td[data-metric=percent_agreement]"));

        // The other statistics and the labels behind the expander.
        Assert.Empty(table.FindAll("[data-testid=label-row]"));
        rows[0].QuerySelector("[data-testid=field-row-toggle]")!.Click();
        var details = table.Find("[data-testid=field-details][data-field=sentiment]");
        Assert.Equal("0.833", details.QuerySelector("[data-testid=metric-row][data-metric=percent_agreement] td[data-metric=percent_agreement]")!.TextContent.Trim());
        var fleiss = details.QuerySelector("[data-testid=metric-row][data-metric=fleiss_kappa] [data-testid=agreement-undefined]")!;
        Assert.Equal("–", fleiss.TextContent.Trim());
        Assert.Equal("Every answer is the same category.", fleiss.GetAttribute("title"));
        var labels = table.FindAll("[data-testid=label-row]");
        Assert.Equal(["positive", "negative"], labels.Select(l => l.GetAttribute("data-label")));
        Assert.Contains("0.500", labels[0].QuerySelector("td[data-metric=krippendorff_alpha_nominal]")!.TextContent);
        Assert.Equal("Nobody chose this label.", labels[1].QuerySelector("[data-testid=agreement-undefined]")!.GetAttribute("title"));
    }

    [Fact]
    public void A_failing_field_turns_the_agreement_card_red_however_good_the_others_are()
    {
        var good = Sentiment with { Field = "topic", Metrics = [new("krippendorff_alpha_nominal", new Agreement(1.0, 6))] };
        var standings = FieldStanding.Of([good, Sentiment with { Metrics = [new("krippendorff_alpha_nominal", new Agreement(0.611, 6))] }], new QualitySettings { AgreementTarget = 0.8 });

        var weakest = FieldStanding.Weakest(standings)!;
        Assert.Equal(("sentiment", 0.611), (weakest.Field.Field, weakest.Value!.Value));
        Assert.Equal([KpiState.Met, KpiState.Missed], standings.Select(s => s.State));
    }

    [Fact]
    public void Trend_needs_two_reports_then_draws_a_line_per_series()
    {
        var first = new QualityTrendPoint(DateTimeOffset.Parse("2025-01-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), 10, new QualityKpis(new Agreement(0.5, 5)),
            new Dictionary<string, double?> { ["sentiment"] = 0.5 });
        var one = Render<TrendChart>(p => p.Add(c => c.Points, new List<QualityTrendPoint> { first }));
        Assert.NotNull(one.Find("[data-testid=trend-needs-two]"));

        var second = first with { ComputedAt = first.ComputedAt.AddHours(1), Kpis = new QualityKpis(new Agreement(0.9, 8)), FieldHeadlines = new Dictionary<string, double?> { ["sentiment"] = 0.9 } };
        var two = Render<TrendChart>(p => p.Add(c => c.Points, new List<QualityTrendPoint> { first, second }));
        var lines = two.FindAll("[data-testid=trend-line]");
        Assert.Equal(["Agreement (KPI)", "sentiment"], lines.Select(l => l.GetAttribute("data-series")));
        Assert.Equal(2, lines[0].GetAttribute("points")!.Split(' ').Length);
    }

    private static void CultureInfo(string name)
    {
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo(name);
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo(name);
    }
}
