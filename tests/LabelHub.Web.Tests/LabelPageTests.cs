using System.Security.Claims;
using Bunit;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.Web.Components.Pages.Labeling;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using DrawnBox = LabelHub.Web.Components.Pages.Labeling.BoxField.DrawnBox;

namespace LabelHub.Web.Tests;

/// <summary>
/// The labeling page against the real domain services on a SQLite database: its one undo history (Ctrl+Z and the Undo
/// button) over every field kind, and the keys of the active field (LabelPageTests.Keys.cs); boxes.js is stood in for
/// by calling the box field's JS callbacks.
/// </summary>
public sealed partial class LabelPageTests : ComponentTest, IClassFixture<WorkbenchDatabase>
{
    private const string Sentence = "Kim works at Naver.";
    private const string ImageUrl = "https://images.example.com/street.png";

    private static readonly LabelField Sentiment = new() { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"] };
    private static readonly LabelField Topics = new() { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service", "delivery"] };
    private static readonly LabelField Comment = new() { Name = "comment", Kind = FieldKind.Text };
    private static readonly LabelField Amount = new() { Name = "amount", Kind = FieldKind.Number, Min = 0, Max = 1000 };
    private static readonly LabelField Stars = new() { Name = "stars", Kind = FieldKind.Rating };
    private static readonly LabelField Entities = new() { Name = "ents", Kind = FieldKind.Spans, Labels = ["PER", "ORG"] };
    private static readonly LabelField Objects = new() { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car", "person"] };

    private readonly WorkbenchDatabase database;

    public LabelPageTests(WorkbenchDatabase database)
    {
        this.database = database;
        Services.AddSingleton(database.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ProjectService>();
        Services.AddSingleton<GuidelineService>();
        Services.AddSingleton<TaskDistributor>();
        Services.AddSingleton<ProgressService>();
        Services.AddSingleton<MyWorkService>();
        Services.AddSingleton<LabelHub.Domain.Cleansing.CleansingHints>();
    }

    [Fact]
    public async Task The_prerender_reserves_no_task()
    {
        var (user, projectId) = await ProjectAsync([Sentiment], items: 3);
        var auth = AddAuthorization();
        auth.SetAuthorized("annotator");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var page = Render<LabelPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=task-loading]", TimeSpan.FromSeconds(20));

        await using var db = await database.Factory.CreateDbContextAsync();
        Assert.False(await db.Assignments.AnyAsync(a => a.ProjectId == projectId));
    }

    private async Task<IRenderedComponent<LabelPage>> OpenAsync(Actor user, Guid projectId)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("annotator");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()), new Claim(ClaimTypes.Role, Roles.Admin));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = Render<LabelPage>(p => p.Add(c => c.ProjectId, projectId));
        await page.WaitForElementAsync("[data-testid=submit-task]", TimeSpan.FromSeconds(20));
        return page;
    }

    /// <summary>A project with these fields and one item (a sentence and an image), with the given suggestions.</summary>
    private async Task<(Actor User, Guid ProjectId)> ProjectAsync(LabelField[] fields, int items = 1, params object[] suggestions)
    {
        var user = await database.CreateUserAsync();
        var projectId = await database.CreateProjectAsync(user, fields);
        for (var i = 0; i < items; i++)
        {
            var itemId = await database.AddItemAsync(projectId, new { text = i == 0 ? Sentence : $"Item {i + 1}", image = ImageUrl, width = 1000, height = 750 });
            for (var s = 0; s < suggestions.Length; s++)
            {
                await database.AddPredictionAsync(projectId, itemId, $"model-v{s + 1}", 0.9 - (s / 10.0), suggestions[s]);
            }
        }
        return (user, projectId);
    }

    private static Task Shortcut(IRenderedComponent<LabelPage> page, string key) => page.InvokeAsync(() => page.Instance.OnShortcut(key));

    private static Task Undo(IRenderedComponent<LabelPage> page) => Shortcut(page, "Undo");

    private static string? Choice(IRenderedComponent<LabelPage> page, LabelField field)
    {
        var selected = page.FindAll($"[data-testid^=choice-{field.Name}-][data-selected=true]");
        return selected.Count == 0 ? null : Assert.Single(selected).GetAttribute("data-testid")![$"choice-{field.Name}-".Length..];
    }

    private static List<string> Picked(IRenderedComponent<LabelPage> page) =>
        [.. page.FindComponents<MudCheckBox<bool>>().Where(c => c.Instance.GetState(x => x.Value)).Select(c => c.Instance.Label!)];

    private static Task SetPicked(IRenderedComponent<LabelPage> page, string label, bool on)
    {
        var box = page.FindComponents<MudCheckBox<bool>>().Single(c => c.Instance.Label == label);
        return box.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(on));
    }

    private static string? TextOf(IRenderedComponent<LabelPage> page) => page.FindComponent<MudTextField<string>>().Instance.GetState(x => x.Value);

    private static Task Type(IRenderedComponent<LabelPage> page, string text)
    {
        var input = page.FindComponent<MudTextField<string>>();
        return input.InvokeAsync(() => input.Instance.ValueChanged.InvokeAsync(text));
    }

    private static List<(int Start, int End, string Label)> Spans(IRenderedComponent<LabelPage> page) =>
        [.. page.FindComponent<SpanField>().Instance.Spans.Select(s => (s.Start, s.End, s.Label))];

    private static Task Report(IRenderedComponent<LabelPage> page, int depth, bool edited, params BoxField.DrawnBox[] boxes)
    {
        var field = page.FindComponent<BoxField>();
        return field.InvokeAsync(() => field.Instance.OnBoxesChanged([.. boxes], -1, depth, edited));
    }

    private int JsCalls(string identifier) => JSInterop.Invocations.Count(i => i.Identifier == identifier);

    private List<string> Snackbars() => [.. Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "")];

    [Fact]
    public async Task Undo_restores_the_previous_choice()
    {
        var (user, projectId) = await ProjectAsync([Sentiment, Topics]);
        var page = await OpenAsync(user, projectId);
        Assert.True(page.Find("[data-testid=undo-change]").HasAttribute("disabled"));

        page.Find("[data-testid=choice-sentiment-positive]").Click();
        // The number keys pick the first choice field's labels.
        await Shortcut(page, "2");
        Assert.Equal("negative", Choice(page, Sentiment));
        Assert.False(page.Find("[data-testid=undo-change]").HasAttribute("disabled"));

        await Undo(page);
        Assert.Equal("positive", Choice(page, Sentiment));
        page.Find("[data-testid=undo-change]").Click();
        Assert.Null(Choice(page, Sentiment));
        Assert.True(page.Find("[data-testid=undo-change]").HasAttribute("disabled"));

        await Undo(page);
        Assert.Null(Choice(page, Sentiment));
        Assert.Contains("Nothing to undo.", Snackbars());
    }

    [Fact]
    public async Task Picking_what_is_already_picked_is_no_change_to_undo()
    {
        var (user, projectId) = await ProjectAsync([Sentiment]);
        var page = await OpenAsync(user, projectId);

        await Shortcut(page, "1");
        await Shortcut(page, "1");
        await Undo(page);
        Assert.Null(Choice(page, Sentiment));
        Assert.True(page.Find("[data-testid=undo-change]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Changes_in_several_fields_are_undone_newest_first_and_typing_is_one_step()
    {
        var (user, projectId) = await ProjectAsync([Sentiment, Topics, Comment]);
        var page = await OpenAsync(user, projectId);

        await SetPicked(page, "service", true);
        page.Find("[data-testid=choice-sentiment-negative]").Click();
        await SetPicked(page, "price", true);
        await Type(page, "l");
        await Type(page, "la");
        await Type(page, "late");
        Assert.Equal(["price", "service"], Picked(page));

        await Undo(page);
        Assert.Equal("", TextOf(page));
        Assert.Equal(["price", "service"], Picked(page));
        Assert.Equal("negative", Choice(page, Sentiment));

        await Undo(page);
        Assert.Equal(["service"], Picked(page));
        Assert.Equal("negative", Choice(page, Sentiment));

        await Undo(page);
        Assert.Null(Choice(page, Sentiment));
        Assert.Equal(["service"], Picked(page));

        await Undo(page);
        Assert.Empty(Picked(page));
        Assert.True(page.Find("[data-testid=undo-change]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Typing_again_after_another_change_is_a_new_step()
    {
        var (user, projectId) = await ProjectAsync([Sentiment, Comment]);
        var page = await OpenAsync(user, projectId);

        await Type(page, "slow");
        page.Find("[data-testid=choice-sentiment-neutral]").Click();
        await Type(page, "slow delivery");

        await Undo(page);
        Assert.Equal("slow", TextOf(page));
        Assert.Equal("neutral", Choice(page, Sentiment));
        await Undo(page);
        Assert.Null(Choice(page, Sentiment));
        await Undo(page);
        Assert.Equal("", TextOf(page));
    }

    [Fact]
    public async Task Numbers_and_ratings_are_undone_too()
    {
        var (user, projectId) = await ProjectAsync([Amount, Stars]);
        var page = await OpenAsync(user, projectId);
        var amount = page.FindComponent<MudNumericField<double?>>();
        var stars = page.FindComponent<MudRating>();

        await amount.InvokeAsync(() => amount.Instance.ValueChanged.InvokeAsync(4));
        await amount.InvokeAsync(() => amount.Instance.ValueChanged.InvokeAsync(42));
        await stars.InvokeAsync(() => stars.Instance.SelectedValueChanged.InvokeAsync(3));
        await stars.InvokeAsync(() => stars.Instance.SelectedValueChanged.InvokeAsync(5));
        Assert.Equal(42, amount.Instance.GetState(x => x.Value));
        Assert.Equal(5, stars.Instance.GetState(x => x.SelectedValue));

        await Undo(page);
        Assert.Equal(3, stars.Instance.GetState(x => x.SelectedValue));
        await Undo(page);
        Assert.Equal(0, stars.Instance.GetState(x => x.SelectedValue));
        Assert.Equal(42, amount.Instance.GetState(x => x.Value));
        // The number typed (4, then 42) is one step.
        await Undo(page);
        Assert.Null(amount.Instance.GetState(x => x.Value));
    }

    [Fact]
    public async Task Span_and_box_changes_take_their_turn_in_the_one_history()
    {
        var (user, projectId) = await ProjectAsync([Sentiment, Entities, Objects]);
        var page = await OpenAsync(user, projectId);
        var spans = page.FindComponent<SpanField>();

        await spans.InvokeAsync(() => spans.Instance.OnTextSelected(0, 3));
        await Report(page, 1, true, new DrawnBox(0.1, 0.1, 0.2, 0.2, "car"));
        page.Find("[data-testid=choice-sentiment-positive]").Click();
        Assert.Equal([(0, 3, "PER")], Spans(page));
        Assert.Contains("1 boxes on the image: car × 1", page.Find("[data-testid=box-summary-objects]").TextContent);

        // Ctrl+Z typed in the span field's text is the page's: the newest change (the choice) goes first.
        await spans.InvokeAsync(() => spans.Instance.OnKey("z", true, false));
        Assert.Null(Choice(page, Sentiment));
        Assert.Equal([(0, 3, "PER")], Spans(page));
        Assert.Equal(0, JsCalls("labelHub.boxes.undo"));

        // Then the box: the editor undoes and reports its boxes.
        await Undo(page);
        Assert.Equal(1, JsCalls("labelHub.boxes.undo"));
        await Report(page, 0, false);
        Assert.Contains("0 boxes on the image", page.Find("[data-testid=box-summary-objects]").TextContent);
        Assert.Equal([(0, 3, "PER")], Spans(page));

        await Undo(page);
        Assert.Empty(Spans(page));
        Assert.Equal(1, JsCalls("labelHub.boxes.undo"));
        Assert.True(page.Find("[data-testid=undo-change]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task The_box_undo_button_takes_its_change_out_of_the_page_history()
    {
        var (user, projectId) = await ProjectAsync([Sentiment, Objects]);
        var page = await OpenAsync(user, projectId);

        await Report(page, 1, true, new DrawnBox(0.1, 0.1, 0.2, 0.2, "car"));
        page.Find("[data-testid=choice-sentiment-neutral]").Click();
        page.Find("[data-testid=box-undo-objects]").Click();
        Assert.Equal(1, JsCalls("labelHub.boxes.undo"));
        await Report(page, 0, false);

        await Undo(page);
        Assert.Null(Choice(page, Sentiment));
        // The box change was taken back already: nothing is left, the editor is not asked again.
        Assert.True(page.Find("[data-testid=undo-change]").HasAttribute("disabled"));
        Assert.Equal(1, JsCalls("labelHub.boxes.undo"));
    }

    [Fact]
    public async Task Using_a_suggestion_is_one_step_that_undo_takes_back_whole()
    {
        var suggestion = new
        {
            sentiment = "positive",
            topics = new[] { "price", "service" },
            ents = new[] { new { start = 13, end = 18, label = "ORG" } },
            objects = new object[]
            {
                new { x = 0.5, y = 0.2, width = 0.25, height = 0.4, label = "car" },
                // Labels and image bounds that the schema no longer allows, and one that is no box at all.
                new { x = 0.1, y = 0.1, width = 0.1, height = 0.1, label = "bus" },
                new { x = 0.9, y = 0.1, width = 0.3, height = 0.1, label = "person" },
                "a car",
            },
        };
        var (user, projectId) = await ProjectAsync([Sentiment, Topics, Comment, Entities, Objects], 1, suggestion);
        var page = await OpenAsync(user, projectId);
        Assert.Contains("model-v1", page.Find("[data-testid=suggestion-0]").TextContent);

        // The annotator's own answer so far.
        page.Find("[data-testid=choice-sentiment-negative]").Click();
        await Type(page, "meh");
        var spans = page.FindComponent<SpanField>();
        await spans.InvokeAsync(() => spans.Instance.OnTextSelected(0, 3));
        await Report(page, 1, true, new DrawnBox(0.1, 0.1, 0.2, 0.2, "person"));

        page.Find("[data-testid=suggestion-use-0]").Click();

        Assert.Equal("positive", Choice(page, Sentiment));
        Assert.Equal(["price", "service"], Picked(page));
        // The suggestion is the answer: a field it has no value for is cleared.
        Assert.Equal("", TextOf(page));
        Assert.Equal([(13, 18, "ORG")], Spans(page));
        var replace = Assert.Single(JSInterop.Invocations, i => i.Identifier == "labelHub.boxes.replace");
        var sent = System.Text.Json.JsonSerializer.SerializeToElement(replace.Arguments[1]);
        var box = Assert.Single(sent.EnumerateArray());
        Assert.Equal(("car", 0.5, 0.2, 0.25, 0.4), (box.GetProperty("label").GetString(), box.GetProperty("x").GetDouble(), box.GetProperty("y").GetDouble(), box.GetProperty("w").GetDouble(), box.GetProperty("h").GetDouble()));
        Assert.Contains(Snackbars(), message => message.Contains("3 of the suggested boxes for \"objects\" were left out"));
        await Report(page, 2, false, new DrawnBox(0.5, 0.2, 0.25, 0.4, "car"));
        Assert.Contains("1 boxes on the image: car × 1", page.Find("[data-testid=box-summary-objects]").TextContent);
        Assert.NotNull(page.FindComponent<SuggestionList>().Instance.AcceptedId);

        // One undo brings back everything the suggestion changed.
        await Undo(page);
        Assert.Equal("negative", Choice(page, Sentiment));
        Assert.Empty(Picked(page));
        Assert.Equal("meh", TextOf(page));
        Assert.Equal([(0, 3, "PER")], Spans(page));
        Assert.Equal(1, JsCalls("labelHub.boxes.undo"));
        Assert.Null(page.FindComponent<SuggestionList>().Instance.AcceptedId);
        await Report(page, 1, false, new DrawnBox(0.1, 0.1, 0.2, 0.2, "person"));
        Assert.Contains("1 boxes on the image: person × 1", page.Find("[data-testid=box-summary-objects]").TextContent);

        // The annotator's own changes come after, newest first.
        await Undo(page);
        Assert.Equal(2, JsCalls("labelHub.boxes.undo"));
        Assert.Equal([(0, 3, "PER")], Spans(page));
        await Undo(page);
        Assert.Empty(Spans(page));
        Assert.Equal("meh", TextOf(page));
    }

    [Fact]
    public async Task The_a_key_uses_the_first_suggestion_and_a_submit_starts_a_new_history()
    {
        var (user, projectId) = await ProjectAsync([Sentiment], 2, new { sentiment = "neutral" });
        var page = await OpenAsync(user, projectId);

        await Shortcut(page, "1");
        await Shortcut(page, "a");
        Assert.Equal("neutral", Choice(page, Sentiment));
        var firstItem = page.Find("[data-testid=done-count]").TextContent;

        await Shortcut(page, "Enter");
        await page.WaitForAssertionAsync(() => Assert.NotEqual(firstItem, page.Find("[data-testid=done-count]").TextContent), TimeSpan.FromSeconds(20));
        Assert.Null(Choice(page, Sentiment));
        Assert.True(page.Find("[data-testid=undo-change]").HasAttribute("disabled"));
        await Undo(page);
        Assert.Null(Choice(page, Sentiment));
        Assert.Contains("Nothing to undo.", Snackbars());
    }

    [Fact]
    public async Task The_help_lists_undo_for_every_field()
    {
        var (user, projectId) = await ProjectAsync([Sentiment, Entities, Objects]);
        var page = await OpenAsync(user, projectId);
        await Shortcut(page, "?");
        Assert.Contains("Undo the last change", page.Find("[data-testid=shortcut-help-undo]").TextContent);
        Assert.DoesNotContain("Undo the last span change", page.Find("[data-testid=shortcut-help]").TextContent);
        Assert.DoesNotContain("Undo the last box change", page.Find("[data-testid=shortcut-help]").TextContent);
    }
}
