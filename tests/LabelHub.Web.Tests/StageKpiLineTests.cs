using Bunit;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Planning;

namespace LabelHub.Web.Tests;

/// <summary>A KPI line with its detail (which source dominates which label), in English and in Korean.</summary>
public sealed class StageKpiLineTests : ComponentTest
{
    internal static readonly StageKpi Dominated = StageKpi.Of("collect.largestLabelShare", 0.92, 0.8, atMost: true, field: "sentiment") with
    {
        Detail = "Source 'news.txt' holds 92 % of label 'positive' of sentiment (24 of 26).",
    };

    [Fact]
    public void A_missed_label_share_is_red_with_the_source_field_and_label_named()
    {
        var line = Render<StageKpiLine>(p => p.Add(c => c.Kpi, Dominated));

        Assert.Equal("Missed", line.Find("[data-testid=stage-kpi]").GetAttribute("data-status"));
        Assert.Contains("Largest source's share of a label", line.Find("[data-testid=stage-kpi]").TextContent, StringComparison.Ordinal);
        Assert.Equal(Dominated.Detail, line.Find("[data-testid=stage-kpi-detail]").TextContent.Trim());
        Assert.Empty(Render<StageKpiLine>(p => p.Add(c => c.Kpi, StageKpi.Of("collect.items", 3, null))).FindAll("[data-testid=stage-kpi-detail]"));
    }
}

public sealed class StageKpiLineKoreanTests() : ComponentTest("ko")
{
    [Fact]
    public void The_detail_reads_in_Korean()
    {
        var line = Render<StageKpiLine>(p => p.Add(c => c.Kpi, StageKpiLineTests.Dominated));

        Assert.Equal("출처 'news.txt'이(가) sentiment의 라벨 'positive' 중 92%를 차지합니다 (26개 중 24개).", line.Find("[data-testid=stage-kpi-detail]").TextContent.Trim());
        Assert.Contains("한 라벨에서 가장 큰 출처의 비율", line.Find("[data-testid=stage-kpi]").TextContent, StringComparison.Ordinal);
    }
}
