using Bunit;
using LabelHub.Domain.Planning;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using MudBlazor.Extensions;

namespace LabelHub.Web.Tests;

/// <summary>The active field owns the number keys (docs/decisions/0011-annotator-keys.md).</summary>
public sealed partial class LabelPageTests
{
    private static readonly LabelField RequiredSentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"], Required = true };

    private static bool IsActive(IRenderedComponent<Components.Pages.Labeling.LabelPage> page, string field) =>
        page.Find($"[data-answer-field={field}]").ClassList.Contains("answer-field--active");

    private static int StarsOf(IRenderedComponent<Components.Pages.Labeling.LabelPage> page) =>
        page.FindComponent<MudRating>().Instance.GetState(x => x.SelectedValue);

    [Fact]
    public async Task The_number_keys_act_on_the_active_field_whatever_its_kind()
    {
        var (user, projectId) = await ProjectAsync([Sentiment, Topics, Stars, Comment]);
        var page = await OpenAsync(user, projectId);

        // At first the first field that takes number keys: its buttons and its line show them.
        Assert.True(IsActive(page, "sentiment"));
        Assert.Equal("3", page.Find("[data-testid=choice-sentiment-neutral] .kbd").TextContent);
        Assert.Contains("1–3: pick a label", page.Find("[data-testid=field-keys-sentiment]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=field-keys-topics]"));
        await Shortcut(page, "2");
        Assert.Equal("negative", Choice(page, Sentiment));

        // Focus in another field (a click, Tab, or ↑/↓ in the browser) makes it the active one.
        page.Find("[data-answer-field=topics]").FocusIn();
        Assert.True(IsActive(page, "topics"));
        Assert.False(IsActive(page, "sentiment"));
        Assert.Empty(page.FindAll("[data-testid=choice-sentiment-neutral] .kbd"));
        await Shortcut(page, "1");
        await Shortcut(page, "3");
        Assert.Equal(["price", "delivery"], Picked(page));
        await Shortcut(page, "1");
        Assert.Equal(["delivery"], Picked(page));
        Assert.Equal("negative", Choice(page, Sentiment));

        page.Find("[data-answer-field=stars]").FocusIn();
        await Shortcut(page, "4");
        Assert.Equal(4, StarsOf(page));
        // More stars than the field has: nothing.
        await Shortcut(page, "9");
        Assert.Equal(4, StarsOf(page));

        // A typed field takes digits as text, in its input; the page's number keys do nothing there.
        page.Find("[data-answer-field=comment]").FocusIn();
        Assert.Contains("Type the answer", page.Find("[data-testid=field-keys-comment]").TextContent);
        await Shortcut(page, "1");
        Assert.Equal(["delivery"], Picked(page));
        Assert.Equal("negative", Choice(page, Sentiment));

        // Every change is one undo step, whichever field the keys went to.
        await Undo(page);
        Assert.Equal(0, StarsOf(page));
        await Undo(page);
        Assert.Equal(["price", "delivery"], Picked(page));
    }

    [Fact]
    public async Task Each_new_item_starts_at_the_first_field_that_takes_number_keys()
    {
        var (user, projectId) = await ProjectAsync([Comment, Sentiment, Topics], items: 2);
        var page = await OpenAsync(user, projectId);
        Assert.True(IsActive(page, "sentiment"));
        page.Find("[data-answer-field=topics]").FocusIn();
        await Shortcut(page, "2");

        await Shortcut(page, "Enter");
        page.WaitForAssertion(() => Assert.Contains("Done in this project: 1", page.Find("[data-testid=done-count]").TextContent));
        Assert.True(IsActive(page, "sentiment"));
        Assert.Empty(Picked(page));
        // After the submit the item takes the focus, never an input of the next item.
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "labelHub.focusItem");
    }

    [Fact]
    public async Task A_field_error_goes_as_soon_as_that_field_changes()
    {
        var (user, projectId) = await ProjectAsync([RequiredSentiment, Comment]);
        var page = await OpenAsync(user, projectId);

        await Shortcut(page, "Enter");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=field-error-sentiment]")));
        Assert.NotEmpty(page.FindAll("[data-testid=action-error]"));

        // Typing elsewhere leaves the error; answering the field takes it away, with the summary above the buttons.
        await Type(page, "a comment");
        Assert.NotEmpty(page.FindAll("[data-testid=field-error-sentiment]"));
        await Shortcut(page, "1");
        Assert.Empty(page.FindAll("[data-testid=field-error-sentiment]"));
        Assert.Empty(page.FindAll("[data-testid=action-error]"));
    }

    [Fact]
    public async Task Leaving_the_page_gives_back_the_tasks_it_held_unless_they_have_a_draft()
    {
        var (user, projectId) = await ProjectAsync([Sentiment], items: 3);
        var page = await OpenAsync(user, projectId);

        async Task<int> OpenLeasesAsync()
        {
            await using var db = await database.Factory.CreateDbContextAsync();
            var now = DateTimeOffset.UtcNow;
            return (await db.Assignments.Where(a => a.ProjectId == projectId && a.State == Domain.Labeling.AssignmentState.Leased)
                .Select(a => a.LeaseExpiresAt).ToListAsync()).Count(expires => expires > now);
        }

        // The task shown and the one reserved behind it.
        await WaitForAsync(async () => await OpenLeasesAsync() == 2);
        await DisposeComponentsAsync();
        Assert.Equal(0, await OpenLeasesAsync());

        // With an answer begun, the task stays reserved (its draft comes back first); the one behind it does not.
        var again = Render<Components.Pages.Labeling.LabelPage>(p => p.Add(c => c.ProjectId, projectId));
        await again.WaitForElementAsync("[data-testid=submit-task]", TimeSpan.FromSeconds(20));
        await Shortcut(again, "1");
        await WaitForAsync(async () => await OpenLeasesAsync() == 2);
        await DisposeComponentsAsync();
        Assert.Equal(1, await OpenLeasesAsync());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var waited = 0; !await condition(); waited += 50)
        {
            Assert.True(waited < 10_000, "Timed out waiting.");
            await Task.Delay(50);
        }
    }
}
