using System.Text.Json.Nodes;
using Bunit;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Cleansing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Web.Tests;

/// <summary>The cleansing rules editor against the real cleansing service on a SQLite database (no job server runs).</summary>
public sealed class CleansingRulesEditorTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private static readonly LabelField Note = new() { Name = "note", Kind = FieldKind.Text };
    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative"] };

    private readonly WorkbenchDatabase database;

    public CleansingRulesEditorTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IJobScheduler, QueueOnlyScheduler>();
        Services.AddSingleton<JobRunService>();
        Services.AddSingleton<CleansingService>();
    }

    [Fact]
    public async Task The_servers_error_is_shown_on_the_rule_it_names_and_nothing_is_saved()
    {
        var (user, projectId) = await ProjectAsync();
        var editor = Render<RulesEditor>(p => p.Add(c => c.Actor, user).Add(c => c.ProjectId, projectId).Add(c => c.Schema, Schema));
        await editor.WaitForElementAsync("[data-testid=rules-empty]", TimeSpan.FromSeconds(20));

        // Two rules written as JSON; the second's pattern is not a regular expression.
        var rules = new JsonArray(
            new JsonObject { ["kind"] = "trim", ["id"] = "trim-note", ["field"] = "note", ["mode"] = "Fix" },
            new JsonObject { ["kind"] = "regex", ["id"] = "no-digits", ["field"] = "note", ["pattern"] = "([0-9]" });
        editor.FindAll(".mud-tab")[1].Click();
        editor.Find("textarea[data-testid=rules-json]").Change(rules.ToJsonString());
        editor.Find("[data-testid=rules-json-apply]").Click();
        editor.WaitForAssertion(() => Assert.Equal(2, editor.FindAll("[data-testid=rule-form]").Count));
        editor.Find("[data-testid=rules-save]").Click();

        editor.WaitForAssertion(() => Assert.NotEmpty(editor.FindAll("[data-testid=rule-error]")), TimeSpan.FromSeconds(10));
        var forms = editor.FindAll("[data-testid=rule-form]");
        Assert.Empty(forms[0].QuerySelectorAll("[data-testid=rule-error]"));
        var error = Assert.Single(forms[1].QuerySelectorAll("[data-testid=rule-error]"));
        Assert.Equal("pattern", error.GetAttribute("data-error-key"));
        Assert.Contains("regex", forms[1].GetAttribute("data-rule-kind"), StringComparison.Ordinal);
        Assert.Equal("0", editor.Find("[data-testid=rules-version]").GetAttribute("data-version"));
        await using (var db = await database.Factory.CreateDbContextAsync())
        {
            Assert.False(await db.CleansingRuleSets.AnyAsync(r => r.ProjectId == projectId));
        }

        // Corrected in the rule's own form, the set saves as version 1 and the error is gone.
        forms[1].QuerySelector("input[data-testid=rule-param-pattern]")!.Change("[0-9]");
        editor.Find("[data-testid=rules-save]").Click();
        editor.WaitForAssertion(() => Assert.Equal("1", editor.Find("[data-testid=rules-version]").GetAttribute("data-version")), TimeSpan.FromSeconds(10));
        Assert.Empty(editor.FindAll("[data-testid=rule-error]"));
        var saved = await Services.GetRequiredService<CleansingService>().GetRulesAsync(user, projectId);
        Assert.Equal("[0-9]", saved.Rules[1].GetProperty("pattern").GetString());
    }

    private static LabelSchema Schema => new() { Fields = [Note, Sentiment] };

    private async Task<(Actor User, Guid ProjectId)> ProjectAsync()
    {
        var user = await database.CreateUserAsync();
        return (user, await database.CreateProjectAsync(user, Note, Sentiment));
    }

    private sealed class QueueOnlyScheduler : IJobScheduler
    {
        public string Enqueue(Guid jobRunId) => jobRunId.ToString("N");
    }
}
