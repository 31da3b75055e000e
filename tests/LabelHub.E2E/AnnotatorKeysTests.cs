using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// An annotator's keys on an item with a choice, a spans and a text field (docs/decisions/0011-annotator-keys.md): every
/// field is answered from the keyboard, the focus never stays in the comment after Ctrl+Enter, and Enter on a focused
/// button presses that button.
/// </summary>
public sealed class AnnotatorKeysTests
{
    private static readonly object[] ReviewFields =
    [
        new { name = "sentiment", kind = "Choice", title = "Sentiment", labels = new[] { "positive", "neutral", "negative" }, required = true },
        new { name = "entities", kind = "Spans", title = "Entities", labels = new[] { "PER", "ORG", "LOC" } },
        new { name = "comment", kind = "Text", title = "Comment" },
    ];

    [Fact]
    public Task Every_field_is_answered_by_keys_and_no_key_after_ctrl_enter_lands_in_the_next_comment() => AdminScenario.RunAsync("keys", async (page, api) =>
    {
        // Two product reviews that start with a brand: the same keys label either, whichever comes first.
        var projectId = await AdminScenario.CreateProjectAsync(api, "Reviews", ReviewFields,
            [new { text = "삼성 갤럭시 배송이 빨라요" }, new { text = "LG 그램 화면이 좋아요" }]);
        await GoToAsync(page, $"/projects/{projectId}/label");
        await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._handler)");

        var comments = new[] { "배송 빠름 fast", "화면 good" };
        for (var n = 0; n < comments.Length; n++)
        {
            await LabelItemWithKeysAsync(page, comments[n], n);
        }
        await Expect(page.GetByTestId("no-more-tasks")).ToBeVisibleAsync();

        // The help lists every field's keys, in the order ↑ and ↓ go through them.
        await page.Keyboard.PressAsync("?");
        await Expect(page.GetByTestId("help-field-keys-sentiment")).ToContainTextAsync("1–3: pick a label");
        await Expect(page.GetByTestId("help-field-keys-entities")).ToContainTextAsync("1–3: label");
        await Expect(page.GetByTestId("help-field-keys-comment")).ToContainTextAsync("Ctrl+Enter");
        await ShotAsync(page, "40-keys-help");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("shortcut-help")).ToBeHiddenAsync();

        var rows = await AdminScenario.ExportAsync(api, projectId);
        Assert.Equal(2, rows.Count);
        var stored = rows.Select(row => Assert.Single(row.GetProperty("annotations").EnumerateArray()).GetProperty("values")).ToList();
        Assert.All(stored, values => Assert.Equal("positive", values.GetProperty("sentiment").GetString()));
        Assert.All(stored, values =>
        {
            var span = Assert.Single(values.GetProperty("entities").EnumerateArray());
            Assert.Equal((0, 2, "ORG"), (span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32(), span.GetProperty("label").GetString()));
        });
        // Exactly what was typed: the G pressed right after Ctrl+Enter is in neither comment.
        Assert.Equal(comments.Order(StringComparer.Ordinal), stored.Select(values => values.GetProperty("comment").GetString()!).Order(StringComparer.Ordinal));
    });

    /// <summary>
    /// One item, keys only: the spans field is active first (its text has the caret), ↓ to the sentiment, ↓ into the
    /// comment, Ctrl+Enter, and at once G (the guideline), which must not be typed into the next item's comment.
    /// </summary>
    private static async Task LabelItemWithKeysAsync(IPage page, string comment, int done)
    {
        var entities = page.GetByTestId("span-list-entities").Locator(".span-row");
        await Expect(entities).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("field-keys-entities")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("span-text-entities")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("2");
        await Expect(page.GetByTestId("span-label-entities-ORG")).ToHaveAttributeAsync("data-active", "true");
        await page.Keyboard.PressAsync("Home");
        await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
        await page.Keyboard.PressAsync("Enter");
        await Expect(entities).ToHaveCountAsync(1);

        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.GetByTestId("field-keys-sentiment")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("field-keys-entities")).ToHaveCountAsync(0);
        // The active choice field shows its keys on its buttons; the spans field's chips no longer do.
        await Expect(page.GetByTestId("choice-sentiment-negative").Locator(".kbd")).ToHaveTextAsync("3");
        await Expect(page.GetByTestId("span-label-entities-PER").Locator(".kbd")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("1");
        await Expect(page.GetByTestId("choice-sentiment-positive")).ToHaveAttributeAsync("data-selected", "true");
        if (done == 0)
        {
            await ShotAsync(page, "40-keys-choice-active");
        }

        await page.Keyboard.PressAsync("ArrowDown");
        var commentBox = page.GetByTestId("text-comment");
        await Expect(commentBox).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(comment);
        await Expect(commentBox).ToHaveValueAsync(comment);
        // Ctrl+Enter and the next key at once, as a fast annotator types them.
        await page.Keyboard.PressAsync("Control+Enter");
        await page.Keyboard.PressAsync("g");
        await Expect(page.GetByTestId("done-count")).ToHaveTextAsync($"Done in this project: {done + 1}");
        var drawer = page.GetByTestId("guideline-drawer");
        await Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--open"));
        Assert.NotEqual("TEXTAREA", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));
        Assert.NotEqual("INPUT", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));
        await page.Keyboard.PressAsync("Escape");
        await Expect(drawer).Not.ToHaveClassAsync(new Regex("mud-drawer--open"));
        if (await page.GetByTestId("no-more-tasks").IsVisibleAsync())
        {
            return;
        }
        await Expect(page.GetByTestId("text-comment")).ToHaveValueAsync("");
    }

    [Fact]
    public Task Enter_presses_the_focused_button_and_submits_only_from_the_item() => AdminScenario.RunAsync("enter", async (page, api) =>
    {
        var projectId = await AdminScenario.CreateProjectAsync(api, "Enter keys", ReviewFields,
            [new { text = "첫 번째 리뷰" }, new { text = "두 번째 리뷰" }, new { text = "세 번째 리뷰" }, new { text = "네 번째 리뷰" }]);
        await PostAsync(api, $"/api/v1/projects/{projectId}/guideline", new { markdown = "# Rules\n\nPick the overall sentiment.", changeNote = "First version" });

        // Enter on the focused "I have read it" button acknowledges the guideline.
        await GoToAsync(page, $"/projects/{projectId}/label");
        await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._handler)");
        var confirm = page.GetByTestId("guideline-ack-confirm");
        await confirm.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("guideline-ack")).ToHaveCountAsync(0);
        var item = page.Locator("[data-label-item]");
        await Expect(item).ToBeVisibleAsync();
        // The first field that takes number keys is active: the spans field, whose text has the caret.
        await Expect(page.GetByTestId("span-text-entities")).ToBeFocusedAsync();

        // Tab to Skip, Enter: skipped, not submitted (the sentiment was picked, so a submit would have gone through).
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("1");
        await Expect(page.GetByTestId("choice-sentiment-positive")).ToHaveAttributeAsync("data-selected", "true");
        var skipped = await item.GetAttributeAsync("data-item-id");
        await page.GetByTestId("skip-task").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(item).Not.ToHaveAttributeAsync("data-item-id", skipped!);
        await Expect(page.GetByTestId("done-count")).ToHaveTextAsync("Done in this project: 0");
        await Expect(page.GetByTestId("span-text-entities")).ToBeFocusedAsync();

        // A choice clicked with the mouse gives the focus back to its field: Enter then submits rather than unpicking it.
        await page.GetByTestId("choice-sentiment-neutral").ClickAsync();
        await Expect(page.GetByTestId("choice-sentiment-neutral")).ToHaveAttributeAsync("data-selected", "true");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("done-count")).ToHaveTextAsync("Done in this project: 1");
        await Expect(page.GetByTestId("span-text-entities")).ToBeFocusedAsync();

        // A guideline version published while an item is open is read before the next one.
        await PostAsync(api, $"/api/v1/projects/{projectId}/guideline", new { markdown = "# Rules\n\nNeutral only when no opinion is given.", changeNote = "Neutral clarified" });
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("3");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("done-count")).ToHaveTextAsync("Done in this project: 2");
        await Expect(page.GetByTestId("guideline-ack-note")).ToContainTextAsync("Neutral clarified");
        await ShotAsync(page, "40-keys-guideline-mid-session");
        await confirm.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(item).ToBeVisibleAsync();

        var answered = (await AdminScenario.ExportAsync(api, projectId))
            .Where(row => row.GetProperty("annotations").GetArrayLength() > 0)
            .ToDictionary(row => row.GetProperty("item_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
                row => row.GetProperty("annotations")[0].GetProperty("values").GetProperty("sentiment").GetString());
        Assert.Equal(2, answered.Count);
        Assert.DoesNotContain(skipped!, answered.Keys);
        Assert.Equal(["negative", "neutral"], answered.Values.Order(StringComparer.Ordinal));
        var versions = await api.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{projectId}/guideline/versions");
        Assert.Equal(2, versions.GetArrayLength());
    });

    [Fact]
    public Task A_rejected_answer_reaches_its_annotator_who_reads_the_note_and_redoes_it() => AdminScenario.RunAsync("redo", async (page, api) =>
    {
        var projectId = await AdminScenario.CreateProjectAsync(api, "Redo", ReviewFields, [new { text = "배송이 느려요" }]);
        var (minaId, password) = await CreateUserAsync(api, "mina", "Annotator");
        await PostAsync(api, $"/api/v1/projects/{projectId}/members", new { userId = minaId });

        // Mina labels the item with two keys, in a browser of her own.
        var context = await page.Context.Browser!.NewContextAsync(new() { BaseURL = new Uri(page.Url).GetLeftPart(UriPartial.Authority), Locale = "en-US", ViewportSize = new() { Width = 1400, Height = 900 } });
        var mina = await context.NewPageAsync();
        await SignInAsync(mina, "mina", password);
        await GoToAsync(mina, $"/projects/{projectId}/label");
        await mina.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._handler)");
        await Expect(mina.GetByTestId("span-text-entities")).ToBeFocusedAsync();
        await Expect(mina.GetByTestId("rejected-banner")).ToHaveCountAsync(0);
        await mina.Keyboard.PressAsync("ArrowDown");
        await mina.Keyboard.PressAsync("1");
        await mina.Keyboard.PressAsync("Enter");
        await Expect(mina.GetByTestId("no-more-tasks")).ToBeVisibleAsync();

        // The admin rejects it with a note.
        var queue = await api.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{projectId}/reviews/queue");
        var annotationId = queue.GetProperty("entries")[0].GetProperty("annotationId").GetInt64();
        await PostAsync(api, $"/api/v1/annotations/{annotationId}/review", new { decision = "Rejected", comment = "느리다 = negative, see rule 3" });

        // Mina learns it on the labeling page, reads why on her own page, and redoes it.
        await GoToAsync(mina, $"/projects/{projectId}/label");
        await Expect(mina.GetByTestId("rejected-banner")).ToContainTextAsync("1 of your answers were sent back");
        await mina.GetByTestId("rejected-banner-link").ClickAsync();
        await Expect(mina.GetByTestId("my-rejected")).ToContainTextAsync("느리다 = negative, see rule 3");
        await Expect(mina.GetByTestId("rejected-answer")).ToHaveCountAsync(1);
        await Expect(mina.GetByTestId("my-done-today-value")).ToHaveTextAsync("1");
        await ShotAsync(mina, "41-my-work-rejected");
        await mina.GetByTestId("rejected-open").ClickAsync();
        await Expect(mina.GetByTestId("my-work-editor-note")).ToContainTextAsync("rule 3");
        await Expect(mina.GetByTestId("mine-choice-sentiment-positive")).ToHaveAttributeAsync("data-selected", "true");
        await mina.GetByTestId("mine-choice-sentiment-negative").ClickAsync();
        await ShotAsync(mina, "41-my-work-redo");
        await mina.GetByTestId("my-work-save").ClickAsync();
        await Expect(mina.GetByTestId("my-rejected-empty")).ToBeVisibleAsync();
        await Expect(mina.GetByTestId("recent-answer")).ToHaveCountAsync(1);
        await Expect(mina.GetByTestId("recent-answer")).ToContainTextAsync("version 2");
        await Expect(mina.GetByTestId("recent-status")).ToContainTextAsync("not reviewed yet");

        // A project she is not a member of: a page that says why, with a way back.
        var secret = await AdminScenario.CreateProjectAsync(api, "Secret", ReviewFields, [new { text = "비밀" }]);
        await GoToAsync(mina, $"/projects/{secret}/label");
        await Expect(mina.GetByTestId("label-error")).ToContainTextAsync("This page cannot be shown");
        await Expect(mina.GetByTestId("label-error")).ToContainTextAsync("ask its manager to add you");
        await ShotAsync(mina, "41-not-a-member");
        await mina.GetByTestId("page-error-back").ClickAsync();
        await Expect(mina).ToHaveURLAsync(new Regex("/projects$"));
        await Expect(mina.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();
        await context.CloseAsync();

        // The redone answer is back in the review queue.
        queue = await api.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{projectId}/reviews/queue");
        var entry = queue.GetProperty("entries")[0];
        Assert.Equal(2, entry.GetProperty("version").GetInt32());
        Assert.Equal("negative", entry.GetProperty("values").GetProperty("sentiment").GetString());
    });
}
