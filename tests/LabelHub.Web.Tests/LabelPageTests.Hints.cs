using Bunit;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Web.Tests;

/// <summary>The project's cleansing rules as hints beside the fields while labeling (ADR 0019, 1).</summary>
public sealed partial class LabelPageTests
{
    [Fact]
    public async Task The_projects_rules_hint_beside_the_field_as_the_draft_changes_and_never_block_the_submit()
    {
        var (user, projectId) = await ProjectAsync([Sentiment, Comment]);
        await SaveRulesAsync(user, projectId, new CleansingRuleSet
        {
            Rules =
            [
                new TrimRule { Id = "trim-comment", Field = "comment", Mode = RuleMode.Fix },
                new RegexRule { Id = "no-digits", Field = "comment", Pattern = "[0-9]", MustMatch = false, Message = "No digits in comments." },
            ],
        });
        var page = await OpenAsync(user, projectId);
        Assert.Empty(page.FindAll("[data-testid=field-hint-comment]"));

        await Type(page, "  order 66 ");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=field-hint-comment]").Count));
        var hints = page.FindAll("[data-testid=field-hint-comment]");
        Assert.Equal("trim-comment", hints[0].GetAttribute("data-rule-id"));
        Assert.Contains("Will be changed to “order 66”", hints[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("no-digits", hints[1].GetAttribute("data-rule-id"));
        Assert.Contains("No digits in comments.", hints[1].TextContent, StringComparison.Ordinal);

        // Taking the fix changes the draft; the flag stays and the submit still goes through.
        page.Find("[data-testid=field-hint-comment-use]").Click();
        page.WaitForAssertion(() => Assert.Equal("order 66", TextOf(page)));
        Assert.Equal("no-digits", Assert.Single(page.FindAll("[data-testid=field-hint-comment]")).GetAttribute("data-rule-id"));
        await Type(page, "fine");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=field-hint-comment]")));
        await Type(page, "order 66");
        page.Find("[data-testid=choice-sentiment-positive]").Click();
        page.Find("[data-testid=submit-task]").Click();
        await page.WaitForElementAsync("[data-testid=no-more-tasks]", TimeSpan.FromSeconds(20));
        await using var db = await database.Factory.CreateDbContextAsync();
        var answer = await db.Annotations.SingleAsync(a => a.ProjectId == projectId);
        Assert.Equal("order 66", answer.Values["comment"].GetString());
    }

    private async Task SaveRulesAsync(Actor user, Guid projectId, CleansingRuleSet rules)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        db.CleansingRuleSets.Add(new CleansingRuleSetVersion
        {
            ProjectId = projectId,
            Version = 1,
            RulesJson = rules.ToJson(),
            AuthorId = user.UserId,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }
}
