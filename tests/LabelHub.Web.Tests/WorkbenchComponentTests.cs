using System.Text.Json;
using Bunit;
using LabelHub.Domain.Labeling;
using LabelHub.Web.Components.Pages.Labeling;

namespace LabelHub.Web.Tests;

public sealed class WorkbenchComponentTests : ComponentTest
{
    private static Dictionary<string, JsonElement> Values(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public void Suggestions_show_model_score_and_answer_and_hand_back_the_one_used()
    {
        Suggestion? used = null;
        var suggestions = new List<Suggestion>
        {
            new(7, "bert-v2", 0.93, Values("""{"sentiment": "positive", "topics": ["price", "service"]}""")),
            new(3, "bert-v1", null, Values("""{"sentiment": "neutral"}""")),
        };
        var list = Render<SuggestionList>(p => p
            .Add(c => c.Suggestions, suggestions)
            .Add(c => c.AcceptedId, 7)
            .Add(c => c.OnUse, s => used = s));

        Assert.Contains("bert-v2", list.Find("[data-testid=suggestion-0]").TextContent);
        Assert.Contains("sentiment: positive · topics: price, service", list.Find("[data-testid=suggestion-0]").TextContent);
        Assert.Contains("0.93", list.Find("[data-testid=suggestion-score-0]").TextContent);
        Assert.Empty(list.FindAll("[data-testid=suggestion-score-1]"));
        list.Find("[data-testid=suggestion-use-1]").Click();
        Assert.Equal(3, used?.PredictionId);
    }

    [Fact]
    public void No_suggestions_render_nothing()
    {
        var list = Render<SuggestionList>(p => p.Add(c => c.Suggestions, []).Add(c => c.OnUse, _ => { }));
        Assert.Empty(list.Markup.Trim());
    }

    [Fact]
    public void Acknowledging_reports_the_version_shown()
    {
        int? acknowledged = null;
        var guideline = new GuidelineView(3, "# Rules", GuidelineService.Render("# Rules\n\nBe **strict**."), "stricter on sarcasm", Guid.NewGuid(), DateTimeOffset.UtcNow);
        var panel = Render<GuidelineAckPanel>(p => p.Add(c => c.Guideline, guideline).Add(c => c.OnAcknowledge, v => acknowledged = v));

        Assert.Contains("version 3", panel.Find("h2").TextContent);
        Assert.Contains("stricter on sarcasm", panel.Find("[data-testid=guideline-ack-note]").TextContent);
        Assert.Contains("<strong>strict</strong>", panel.Find(".guideline-html").InnerHtml);
        panel.Find("[data-testid=guideline-ack-confirm]").Click();
        Assert.Equal(3, acknowledged);
    }
}
