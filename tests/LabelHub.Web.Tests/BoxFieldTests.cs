using System.Text.Json;
using Bunit;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web.Components.Pages.Labeling;
using DrawnBox = LabelHub.Web.Components.Pages.Labeling.BoxField.DrawnBox;

namespace LabelHub.Web.Tests;

public sealed class BoxFieldTests : ComponentTest
{
    private const string ImageUrl = "https://images.example.com/street.png";

    private static readonly LabelField Objects = new() { Name = "objects", Kind = FieldKind.Boxes, Title = "Objects", Labels = ["car", "person", "bike"] };

    private IRenderedComponent<BoxField> RenderField(Action<ComponentParameterCollectionBuilder<BoxField>>? more = null, int? width = 1000, int? height = 750) =>
        Render<BoxField>(p =>
        {
            p.Add(c => c.Field, Objects).Add(c => c.ImageUrl, ImageUrl).Add(c => c.ImageWidth, width).Add(c => c.ImageHeight, height);
            more?.Invoke(p);
        });

    /// <summary>The arguments of every call boxes.js got with this name, in order.</summary>
    private List<IReadOnlyList<object?>> Calls(string identifier) =>
        [.. JSInterop.Invocations.Where(i => i.Identifier == identifier).Select(i => i.Arguments)];

    /// <summary>Boxes as sent to boxes.js: (x, y, w, h, label).</summary>
    private static List<(double X, double Y, double W, double H, string Label)> ScriptBoxes(object? boxes) =>
        [.. JsonSerializer.SerializeToElement(boxes).EnumerateArray()
            .Select(b => (b.GetProperty("x").GetDouble(), b.GetProperty("y").GetDouble(), b.GetProperty("w").GetDouble(), b.GetProperty("h").GetDouble(), b.GetProperty("label").GetString()!))];

    private static BoxValue Box(double x, double y, double width, double height, string label) => new(x, y, width, height, label, 0, 0, 0, 0);

    private static Task Report(IRenderedComponent<BoxField> field, int selected, int depth, bool edited, params BoxField.DrawnBox[] boxes) =>
        field.InvokeAsync(() => field.Instance.OnBoxesChanged([.. boxes], selected, depth, edited));

    [Fact]
    public void Labels_render_in_schema_order_with_number_hints_and_the_first_one_active()
    {
        var field = RenderField(p => p.Add(c => c.NumberHints, true));

        var chips = field.FindAll("[data-testid^=box-label-objects-]");
        Assert.Equal(["car", "person", "bike"], chips.Select(c => c.GetAttribute("data-testid")!["box-label-objects-".Length..]));
        Assert.Equal(["1", "2", "3"], chips.Select(c => c.QuerySelector(".kbd")!.TextContent));
        Assert.Equal(["true", "false", "false"], chips.Select(c => c.GetAttribute("data-selected")));
        // Each label has its own colour (the same as its boxes'): filling the active chip, on the others' swatches.
        Assert.Contains("background-color: #e53935", chips[0].GetAttribute("style"));
        Assert.Contains("#1e88e5", chips[1].QuerySelector(".box-swatch")!.GetAttribute("style"));
        Assert.Contains("#43a047", chips[2].QuerySelector(".box-swatch")!.GetAttribute("style"));
        Assert.Contains("Objects", field.Markup);
        Assert.Equal(ImageUrl, field.Find("[data-testid=box-canvas-objects] img").GetAttribute("src"));
        Assert.Contains("0 boxes", field.Find("[data-testid=box-count-objects]").TextContent);
        Assert.True(field.Find("[data-testid=box-undo-objects]").HasAttribute("disabled"));
        Assert.True(field.Find("[data-testid=box-delete-objects]").HasAttribute("disabled"));
    }

    [Fact]
    public void Without_number_hints_the_chips_show_no_keys()
    {
        var field = RenderField();
        Assert.Empty(field.FindAll("[data-testid=box-label-objects-car] .kbd"));
    }

    [Fact]
    public async Task A_number_key_or_a_chip_makes_that_label_active_in_the_editor()
    {
        var field = RenderField(p => p.Add(c => c.NumberHints, true));

        await field.InvokeAsync(() => field.Instance.PickLabelAsync(1));
        Assert.Equal("true", field.Find("[data-testid=box-label-objects-person]").GetAttribute("data-selected"));
        Assert.Equal("false", field.Find("[data-testid=box-label-objects-car]").GetAttribute("data-selected"));
        Assert.Equal("person", Assert.Single(Calls("labelHub.boxes.setActiveLabel"))[1]);

        // Keys past the last label do nothing.
        await field.InvokeAsync(() => field.Instance.PickLabelAsync(3));
        Assert.Single(Calls("labelHub.boxes.setActiveLabel"));
        Assert.Equal("true", field.Find("[data-testid=box-label-objects-person]").GetAttribute("data-selected"));

        field.Find("[data-testid=box-label-objects-bike]").Click();
        Assert.Equal("bike", Calls("labelHub.boxes.setActiveLabel")[1][1]);
        Assert.Equal("true", field.Find("[data-testid=box-label-objects-bike]").GetAttribute("data-selected"));
    }

    [Fact]
    public async Task Boxes_reported_by_the_editor_become_the_value_in_fractions_and_pixels()
    {
        IReadOnlyList<BoxValue>? value = null;
        var edits = 0;
        var field = RenderField(p => p
            .Add(c => c.OnChange, (IReadOnlyList<BoxValue> boxes) => value = boxes)
            .Add(c => c.OnEdited, () => edits++));

        await Report(field, 1, 2, true, new DrawnBox(0.1, 0.2, 0.25, 0.4, "car"), new DrawnBox(0.5, 0.5, 0.1234, 0.1, "person"));

        Assert.NotNull(value);
        Assert.Equal(new BoxValue(0.1, 0.2, 0.25, 0.4, "car", 100, 150, 250, 300), value[0]);
        // Snapped to whole pixels of the 1000×750 image, and the fractions follow the pixels.
        Assert.Equal(new BoxValue(0.5, 0.5, 0.123, 0.1, "person", 500, 375, 123, 75), value[1]);
        Assert.Equal(1, edits);
        Assert.Contains("2 boxes", field.Find("[data-testid=box-count-objects]").TextContent);
        Assert.Contains("Box 2 (person) selected", field.Find("[data-testid=box-count-objects]").TextContent);
        Assert.False(field.Find("[data-testid=box-delete-objects]").HasAttribute("disabled"));
        Assert.False(field.Find("[data-testid=box-undo-objects]").HasAttribute("disabled"));

        // The value is what the server accepts for an image of that size.
        var schema = new LabelSchema { Fields = [Objects] };
        var item = new Dictionary<string, JsonElement> { ["width"] = JsonSerializer.SerializeToElement(1000), ["height"] = JsonSerializer.SerializeToElement(750) };
        AnnotationValidator.Validate(schema, new Dictionary<string, JsonElement> { ["objects"] = JsonSerializer.SerializeToElement(value) }, item);

        // An undo (or a selection) is no edit of the annotator's: the value follows, no new step is reported.
        await Report(field, -1, 1, false, new DrawnBox(0.1, 0.2, 0.25, 0.4, "car"));
        Assert.Equal([new BoxValue(0.1, 0.2, 0.25, 0.4, "car", 100, 150, 250, 300)], value);
        Assert.Equal(1, edits);
        Assert.Contains("1 boxes", field.Find("[data-testid=box-count-objects]").TextContent);
        Assert.True(field.Find("[data-testid=box-delete-objects]").HasAttribute("disabled"));

        await Report(field, -1, 0, false);
        Assert.Empty(value);
        Assert.True(field.Find("[data-testid=box-undo-objects]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Without_a_recorded_size_the_size_the_browser_loaded_is_used()
    {
        IReadOnlyList<BoxValue>? value = null;
        var edits = 0;
        var field = RenderField(p => p.Add(c => c.OnChange, (IReadOnlyList<BoxValue> boxes) => value = boxes).Add(c => c.OnEdited, () => edits++), width: null, height: null);
        Assert.DoesNotContain("box-stage--sized", field.Find("[data-testid=box-canvas-objects]").ClassName);

        // No size yet: no value can be given in pixels, but the edit still counts for the undo history.
        await Report(field, -1, 1, true, new DrawnBox(0.5, 0.5, 0.5, 0.5, "bike"));
        Assert.Null(value);
        Assert.Equal(1, edits);

        await field.InvokeAsync(() => field.Instance.OnImageLoaded(640, 480));
        Assert.Contains("box-stage--sized", field.Find("[data-testid=box-canvas-objects]").ClassName);
        await Report(field, -1, 1, false, new DrawnBox(0.5, 0.5, 0.5, 0.5, "bike"));
        Assert.Equal([new BoxValue(0.5, 0.5, 0.5, 0.5, "bike", 320, 240, 320, 240)], value);
        Assert.Equal(1, edits);
    }

    [Fact]
    public async Task An_image_that_does_not_load_is_reported()
    {
        var field = RenderField();
        Assert.Empty(field.FindAll("[data-testid=box-image-error-objects]"));
        await field.InvokeAsync(() => field.Instance.OnImageFailed());
        Assert.Contains("could not be loaded", field.Find("[data-testid=box-image-error-objects]").TextContent);
    }

    [Fact]
    public void Initial_boxes_that_fit_the_field_go_to_the_editor_when_it_starts()
    {
        var field = RenderField(p => p.Add(c => c.InitialBoxes,
        [
            Box(0.1, 0.2, 0.3, 0.4, "car"),
            Box(0.1, 0.2, 0.3, 0.4, "bus"),
            Box(0.8, 0.1, 0.3, 0.2, "person"),
            Box(0.5, 0.5, 0, 0.2, "person"),
            Box(0.6, 0.7, 0.4, 0.3, "bike"),
        ]));

        var init = Assert.Single(Calls("labelHub.boxes.init"));
        var options = JsonSerializer.SerializeToElement(init[4]);
        Assert.Equal("objects", options.GetProperty("name").GetString());
        Assert.Equal("car", options.GetProperty("activeLabel").GetString());
        Assert.Equal("#1e88e5", options.GetProperty("colors").GetProperty("person").GetString());
        // Unknown label, past the right edge and without a width are left out; touching the corner is inside.
        Assert.Equal([(0.1, 0.2, 0.3, 0.4, "car"), (0.6, 0.7, 0.4, 0.3, "bike")], ScriptBoxes(options.GetProperty("initialBoxes")));
        // Without a page keeping the undo history, the editor takes Ctrl+Z itself.
        Assert.True(options.GetProperty("undoKey").GetBoolean());
        Assert.Same(field.Instance, ((Microsoft.JSInterop.DotNetObjectReference<BoxField>)init[3]!).Value);
    }

    [Fact]
    public async Task Replacing_the_boxes_sends_those_that_fit_to_the_editor_and_counts_the_others()
    {
        var field = RenderField(p => p.Add(c => c.OnUndoRequested, () => { }));
        var init = JsonSerializer.SerializeToElement(Assert.Single(Calls("labelHub.boxes.init"))[4]);
        // The page keeps the undo history: Ctrl+Z is its.
        Assert.False(init.GetProperty("undoKey").GetBoolean());

        var leftOut = await field.InvokeAsync(() => field.Instance.ReplaceBoxesAsync(
            [Box(0.25, 0.25, 0.5, 0.5, "person"), Box(0.1, 0.1, 0.1, 0.1, "truck"), Box(-0.1, 0.1, 0.2, 0.2, "car"), Box(0.2, 0.3, 0.1, 0.1, "car")]));

        Assert.Equal(2, leftOut);
        var replace = Assert.Single(Calls("labelHub.boxes.replace"));
        Assert.Equal([(0.25, 0.25, 0.5, 0.5, "person"), (0.2, 0.3, 0.1, 0.1, "car")], ScriptBoxes(replace[1]));
        // Same element as the editor was started on.
        Assert.Equal(Calls("labelHub.boxes.init")[0][0], replace[0]);
    }

    [Fact]
    public async Task Replaced_boxes_are_reported_back_as_the_value_without_counting_as_an_edit()
    {
        IReadOnlyList<BoxValue>? value = null;
        var edits = 0;
        var field = RenderField(p => p.Add(c => c.OnChange, (IReadOnlyList<BoxValue> boxes) => value = boxes).Add(c => c.OnEdited, () => edits++));
        await field.InvokeAsync(() => field.Instance.ReplaceBoxesAsync([Box(0.25, 0.25, 0.5, 0.5, "person")]));

        // What boxes.js reports after the replacement.
        await Report(field, -1, 1, false, new DrawnBox(0.25, 0.25, 0.5, 0.5, "person"));
        // 0.25 × 750 = 187.5 rounds to 188; the fractions are those of the whole pixels.
        Assert.Equal([new BoxValue(0.25, 188 / 750d, 0.5, 0.5, "person", 250, 188, 500, 375)], value);
        Assert.Equal(0, edits);
    }

    [Fact]
    public async Task The_undo_button_asks_the_page_when_the_page_keeps_the_history()
    {
        var asked = 0;
        var field = RenderField(p => p.Add(c => c.OnUndoRequested, () => asked++));
        await Report(field, -1, 1, true, new DrawnBox(0.1, 0.1, 0.2, 0.2, "car"));

        Assert.Contains("last box change", field.Find("[data-testid=box-undo-objects]").GetAttribute("title"));
        field.Find("[data-testid=box-undo-objects]").Click();
        Assert.Equal(1, asked);
        Assert.Empty(Calls("labelHub.boxes.undo"));

        // The page then has the editor undo.
        await field.InvokeAsync(() => field.Instance.UndoAsync());
        Assert.Single(Calls("labelHub.boxes.undo"));
    }

    [Fact]
    public async Task On_its_own_the_undo_button_undoes_in_the_editor()
    {
        var field = RenderField();
        await Report(field, -1, 1, true, new DrawnBox(0.1, 0.1, 0.2, 0.2, "car"));

        Assert.Contains("Ctrl+Z", field.Find("[data-testid=box-undo-objects]").GetAttribute("title"));
        field.Find("[data-testid=box-undo-objects]").Click();
        Assert.Single(Calls("labelHub.boxes.undo"));
    }

    [Fact]
    public async Task The_delete_button_deletes_the_selected_box_in_the_editor()
    {
        var field = RenderField();
        await Report(field, 0, 1, true, new DrawnBox(0.1, 0.1, 0.2, 0.2, "car"));
        field.Find("[data-testid=box-delete-objects]").Click();
        Assert.Single(Calls("labelHub.boxes.deleteSelected"));
    }
}

public sealed class BoxFieldKoreanTests() : ComponentTest("ko")
{
    [Fact]
    public void Counts_and_buttons_are_korean()
    {
        var field = Render<BoxField>(p => p
            .Add(c => c.Field, new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["car"] })
            .Add(c => c.ImageUrl, "https://images.example.com/a.png")
            .Add(c => c.OnUndoRequested, () => { }));
        Assert.Contains("상자 0개", field.Find("[data-testid=box-count-objects]").TextContent);
        Assert.Equal("마지막 상자 변경 되돌리기", field.Find("[data-testid=box-undo-objects]").GetAttribute("title"));
    }
}
