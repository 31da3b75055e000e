using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// Named-entity labeling in a real browser: a project with a spans field is set up through the REST API with an
/// access token, the admin marks entities with the keyboard only (caret, Shift-selection, number keys, Enter) and with
/// the mouse, and the JSONL export holds exactly those offsets and labels.
/// </summary>
public sealed class NerLabelingTests
{

    private const string First = "Kim Minsu joined Naver in Seoul last May.";
    private const string Second = "Lee Jiwon moved from Busan to Samsung Electronics.";


    [Fact]
    public Task Entities_are_marked_with_the_keyboard_and_the_mouse_and_exported_with_exact_offsets() => AdminScenario.RunAsync("ner", async (page, api) =>
    {
        var projectId = await AdminScenario.CreateProjectAsync(api, "Entities",
            [new { name = "entities", kind = "Spans", title = "Entities", labels = new[] { "PER", "ORG", "LOC" }, required = true }],
            [new { text = First }, new { text = Second }]);

        await GoToAsync(page, $"/projects/{projectId}/label");
        var text = page.GetByTestId("span-text-entities");
        await Expect(text).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._handler)");
        await Expect(page.GetByTestId("unsupported-entities")).ToHaveCountAsync(0);
        // The text is marked in place, not shown twice.
        await Expect(page.GetByTestId("item-text")).ToHaveCountAsync(0);
        // The number keys go to the spans field: its chips show the hints.
        await Expect(page.GetByTestId("span-label-entities-PER").Locator(".kbd")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("span-label-entities-LOC").Locator(".kbd")).ToHaveTextAsync("3");

        await page.Keyboard.PressAsync("?");
        await Expect(page.GetByTestId("shortcut-help-spans")).ToBeVisibleAsync();
        // Ctrl+Z undoes the last change of any field, in the text of a span field too.
        await Expect(page.GetByTestId("shortcut-help-undo")).ToContainTextAsync("Undo the last change");
        await ShotAsync(page, "20-ner-help");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("shortcut-help")).ToBeHiddenAsync();

        var firstText = await text.TextContentAsync();
        Assert.Contains(firstText, new[] { First, Second });
        var secondText = firstText == First ? Second : First;

        // The first sentence with the keyboard only, the second with the keyboard and the mouse, in the order served.
        await LabelAsync(page, firstText!);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("done-count")).ToHaveTextAsync("Done in this project: 1");
        await Expect(text).ToHaveTextAsync(secondText);
        // A fresh task starts with no spans.
        await Expect(page.GetByTestId("span-list-entities").Locator(".span-row")).ToHaveCountAsync(0);

        await LabelAsync(page, secondText);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("done-count")).ToHaveTextAsync("Done in this project: 2");
        await Expect(page.GetByTestId("no-more-tasks")).ToBeVisibleAsync();
        await ShotAsync(page, "20-ner-6-done");

        var stored = (await AdminScenario.ExportAsync(api, projectId)).ToDictionary(row => row.GetProperty("data").GetProperty("text").GetString()!, row => Spans(row, "entities"));
        Assert.Equal([(0, 9, "PER", "Kim Minsu"), (17, 22, "ORG", "Naver"), (26, 31, "LOC", "Seoul")], stored[First]);
        Assert.Equal([(0, 9, "PER", "Lee Jiwon"), (21, 26, "LOC", "Busan"), (30, 49, "ORG", "Samsung Electronics")], stored[Second]);
    });

    /// <summary>
    /// A spans field next to a choice field, marking another data key than "text", with overlapping spans allowed:
    /// the number keys go to the spans field, the choice is picked with the mouse, and both answers are stored.
    /// </summary>
    [Fact]
    public Task A_spans_field_works_next_to_a_choice_field_on_another_source_with_overlaps() => AdminScenario.RunAsync("ner-mixed", async (page, api) =>
    {
        const string body = "Seoul National University Hospital opened.";
        var projectId = await AdminScenario.CreateProjectAsync(api, "Mixed",
            [
                new { name = "sentiment", kind = "Choice", labels = new[] { "positive", "negative" }, required = true },
                new { name = "mentions", kind = "Spans", labels = new[] { "ORG", "LOC" }, allowOverlap = true, source = "body", required = true },
            ],
            [new { title = "News", body }]);

        await GoToAsync(page, $"/projects/{projectId}/label");
        var text = page.GetByTestId("span-text-mentions");
        await Expect(text).ToHaveTextAsync(body);
        await page.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._handler)");
        // "body" is shown by the spans field only; other data stays in the table.
        await Expect(page.GetByTestId("item-data")).ToContainTextAsync("News");
        await Expect(page.GetByTestId("item-data")).Not.ToContainTextAsync("Hospital");
        // The number keys go to the spans field, not to the choice field.
        await Expect(page.GetByTestId("choice-sentiment-positive").Locator(".kbd")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("2");
        await Expect(page.GetByTestId("span-label-mentions-LOC")).ToHaveAttributeAsync("data-active", "true");
        await Expect(page.GetByTestId("choice-sentiment-negative")).ToHaveAttributeAsync("data-selected", "false");

        // Both fields are required: a submit without spans is refused on the spans field.
        await page.GetByTestId("choice-sentiment-positive").ClickAsync();
        await Expect(page.GetByTestId("choice-sentiment-positive")).ToHaveAttributeAsync("data-selected", "true");
        await page.GetByTestId("submit-task").ClickAsync();
        await Expect(page.GetByTestId("field-error-mentions")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("field-error-sentiment")).ToHaveCountAsync(0);

        // "Seoul" as LOC inside "Seoul National University" as ORG (selected with the space after it, which is trimmed):
        // overlapping, drawn on two tracks.
        await page.EvaluateAsync(SelectRangeScript, new object[] { "mentions", 0, 5 });
        await page.Keyboard.PressAsync("1");
        await page.EvaluateAsync(SelectRangeScript, new object[] { "mentions", 0, 26 });
        var rows = page.GetByTestId("span-list-mentions").Locator(".span-row");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(text).ToHaveAttributeAsync("style", new Regex("--span-tracks: 2"));
        await ShotAsync(page, "20-ner-7-overlap");
        await page.GetByTestId("submit-task").ClickAsync();
        await Expect(page.GetByTestId("no-more-tasks")).ToBeVisibleAsync();

        var row = Assert.Single(await AdminScenario.ExportAsync(api, projectId));
        Assert.Equal([(0, 5, "LOC", "Seoul"), (0, 25, "ORG", "Seoul National University")], Spans(row, "mentions"));
        Assert.Equal("positive", Assert.Single(row.GetProperty("annotations").EnumerateArray()).GetProperty("values").GetProperty("sentiment").GetString());
    });

    private static Task LabelAsync(IPage page, string sentence) =>
        sentence == First ? LabelFirstWithKeyboardAsync(page) : LabelSecondWithKeyboardAndMouseAsync(page);

    /// <summary>"Kim Minsu joined Naver in Seoul last May." with keys only: PER by word, ORG by word, LOC by character.</summary>
    private static async Task LabelFirstWithKeyboardAsync(IPage page)
    {
        var text = page.GetByTestId("span-text-entities");
        var rows = page.GetByTestId("span-list-entities").Locator(".span-row");
        await text.FocusAsync();
        await page.Keyboard.PressAsync("Home");
        await Expect(text).ToHaveAttributeAsync("data-caret", "0");

        // "Kim Minsu": two words with Ctrl+Shift+→, then 1 (PER) and Enter.
        await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
        await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
        await Expect(text).ToHaveAttributeAsync("data-caret", "9");
        await Expect(text).ToHaveAttributeAsync("data-anchor", "0");
        await page.Keyboard.PressAsync("1");
        await Expect(page.GetByTestId("span-label-entities-PER")).ToHaveAttributeAsync("data-active", "true");
        await ShotAsync(page, "20-ner-1-keyboard-selection");
        await page.Keyboard.PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(1);
        await ExpectRowAsync(page, 0, 0, 9, "PER");

        // "Naver": Ctrl+→ past "joined", → onto the N, Ctrl+Shift+→ over the word, 2 (ORG), Enter.
        await page.Keyboard.PressAsync("Control+ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(text).ToHaveAttributeAsync("data-caret", "17");
        await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
        await page.Keyboard.PressAsync("2");
        await page.Keyboard.PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(2);
        await ExpectRowAsync(page, 1, 17, 22, "ORG");

        // "Seoul" character by character: Shift+→ five times, 3 (LOC), Enter.
        await page.Keyboard.PressAsync("Control+ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        for (var i = 0; i < 5; i++)
        {
            await page.Keyboard.PressAsync("Shift+ArrowRight");
        }
        await Expect(text).ToHaveAttributeAsync("data-anchor", "26");
        await Expect(text).ToHaveAttributeAsync("data-caret", "31");
        await page.Keyboard.PressAsync("3");
        await page.Keyboard.PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(3);
        await ExpectRowAsync(page, 2, 26, 31, "LOC");

        // Backspace removes the span before the caret; Ctrl+Z brings it back.
        await page.Keyboard.PressAsync("Backspace");
        await Expect(rows).ToHaveCountAsync(2);
        await page.Keyboard.PressAsync("Control+z");
        await Expect(rows).ToHaveCountAsync(3);
        await ExpectRowAsync(page, 2, 26, 31, "LOC");
        await Expect(page.GetByTestId("span-tag-entities-2")).ToHaveAttributeAsync("data-label", "LOC");
        await ShotAsync(page, "20-ner-2-keyboard-marked");
    }

    /// <summary>
    /// "Lee Jiwon moved from Busan to Samsung Electronics.": PER with the keyboard (and a refused overlap), LOC by
    /// dragging the mouse, ORG through a DOM selection with a leading space (trimmed), then a click and a relabel undone.
    /// </summary>
    private static async Task LabelSecondWithKeyboardAndMouseAsync(IPage page)
    {
        var text = page.GetByTestId("span-text-entities");
        var rows = page.GetByTestId("span-list-entities").Locator(".span-row");
        await text.FocusAsync();
        await page.Keyboard.PressAsync("Home");
        await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
        await page.Keyboard.PressAsync("Control+Shift+ArrowRight");
        await page.Keyboard.PressAsync("1");
        await page.Keyboard.PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(1);
        await ExpectRowAsync(page, 0, 0, 9, "PER");

        // "Jiwon" lies inside the PER span: refused with a message, nothing marked.
        await page.Keyboard.PressAsync("Control+Shift+ArrowLeft");
        await Expect(text).ToHaveAttributeAsync("data-caret", "4");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("span-message-entities")).ToContainTextAsync("may not overlap");
        await Expect(rows).ToHaveCountAsync(1);
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.GetByTestId("span-message-entities")).ToHaveCountAsync(0);

        // "Busan" dragged with the mouse, after picking LOC by its chip.
        await page.GetByTestId("span-label-entities-LOC").ClickAsync();
        await Expect(page.GetByTestId("span-label-entities-LOC")).ToHaveAttributeAsync("data-active", "true");
        await text.ScrollIntoViewIfNeededAsync();
        var box = await page.EvaluateAsync<double[]>(CharacterBoxScript, new object[] { "entities", 21, 26 });
        await page.Mouse.MoveAsync((float)box[0], (float)box[1]);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)box[2], (float)box[3], new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await Expect(rows).ToHaveCountAsync(2);
        await ExpectRowAsync(page, 1, 21, 26, "LOC");

        // " Samsung Electronics" selected as a DOM range (with the space before it): trimmed, marked ORG.
        await page.Keyboard.PressAsync("2");
        await Expect(page.GetByTestId("span-label-entities-ORG")).ToHaveAttributeAsync("data-active", "true");
        await page.EvaluateAsync(SelectRangeScript, new object[] { "entities", 29, 49 });
        await Expect(rows).ToHaveCountAsync(3);
        await ExpectRowAsync(page, 2, 30, 49, "ORG");
        await Expect(page.GetByTestId("span-entities-2")).ToContainTextAsync("Samsung Electronics");
        await ShotAsync(page, "20-ner-3-mouse-marked");

        // A click on "Busan" selects the span; 2 relabels it ORG; Ctrl+Z puts LOC back.
        await page.GetByTestId("span-text-entities").Locator("[data-start='21']").ClickAsync();
        await Expect(page.GetByTestId("span-entities-1")).ToHaveAttributeAsync("data-selected", "true");
        await page.Keyboard.PressAsync("2");
        await ExpectRowAsync(page, 1, 21, 26, "ORG");
        await ShotAsync(page, "20-ner-4-relabeled");
        await page.Keyboard.PressAsync("Control+z");
        await ExpectRowAsync(page, 1, 21, 26, "LOC");
        await ShotAsync(page, "20-ner-5-undone");
    }

    /// <summary>Viewport points just inside the first and the last character of [start, end) of a spans field's text.</summary>
    private const string CharacterBoxScript = """
        ([field, start, end]) => {
          const el = document.querySelector(`[data-testid="span-text-${field}"]`);
          const rectOf = offset => {
            for (const segment of el.querySelectorAll('[data-start]')) {
              const from = Number(segment.dataset.start), node = segment.firstChild;
              if (node && offset >= from && offset < from + node.length) {
                const range = document.createRange();
                range.setStart(node, offset - from);
                range.setEnd(node, offset - from + 1);
                return range.getBoundingClientRect();
              }
            }
            throw new Error('No character at ' + offset);
          };
          const first = rectOf(start), last = rectOf(end - 1);
          return [first.left + 1, (first.top + first.bottom) / 2, last.right - 1, (last.top + last.bottom) / 2];
        }
        """;

    /// <summary>Selects [start, end) of a spans field's text as a DOM range, as a mouse drag would, with its mousedown and mouseup.</summary>
    private const string SelectRangeScript = """
        ([field, start, end]) => {
          const el = document.querySelector(`[data-testid="span-text-${field}"]`);
          const at = offset => {
            for (const segment of el.querySelectorAll('[data-start]')) {
              const from = Number(segment.dataset.start), node = segment.firstChild;
              if (node && offset >= from && offset <= from + node.length) return [node, offset - from];
            }
            throw new Error('No text at ' + offset);
          };
          el.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, button: 0 }));
          const range = document.createRange();
          range.setStart(...at(start));
          range.setEnd(...at(end));
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          el.dispatchEvent(new MouseEvent('mouseup', { bubbles: true, button: 0 }));
        }
        """;

    private static async Task ExpectRowAsync(IPage page, int index, int start, int end, string label)
    {
        var row = page.GetByTestId($"span-entities-{index}");
        await Expect(row).ToHaveAttributeAsync("data-label", label);
        await Expect(row).ToHaveAttributeAsync("data-start", start.ToString(CultureInfo.InvariantCulture));
        await Expect(row).ToHaveAttributeAsync("data-end", end.ToString(CultureInfo.InvariantCulture));
    }

    private static List<(int Start, int End, string Label, string Text)> Spans(JsonElement exportRow, string field)
    {
        var annotation = Assert.Single(exportRow.GetProperty("annotations").EnumerateArray());
        Assert.Equal("admin", annotation.GetProperty("annotator").GetString());
        return [.. annotation.GetProperty("values").GetProperty(field).EnumerateArray().Select(s => (
            s.GetProperty("start").GetInt32(), s.GetProperty("end").GetInt32(), s.GetProperty("label").GetString()!, s.GetProperty("text").GetString()!))];
    }
}
