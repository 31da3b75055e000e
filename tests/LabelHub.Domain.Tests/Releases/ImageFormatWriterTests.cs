using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>What the COCO, YOLO, Pascal VOC and Label Studio writers share: reproducible bytes, refusals, bad input.</summary>
public sealed class ImageFormatWriterTests
{
    public static TheoryData<string> Writers => ["coco", "yolo", "pascal-voc", "labelstudio"];

    private static IReleaseFormatWriter Writer(string name) => name switch
    {
        "coco" => new CocoWriter(),
        "yolo" => new YoloWriter(),
        "pascal-voc" => new PascalVocWriter(),
        "labelstudio" => new LabelStudioWriter(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task Writing_the_same_release_twice_gives_byte_identical_archives(string name)
    {
        var first = await ImageFormatFixture.WriteAsync(Writer(name));
        var second = await ImageFormatFixture.WriteAsync(Writer(name));
        Assert.Equal(first, second);
        // Every entry carries the fixed time, never the clock.
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(first));
        Assert.All(zip.Entries, e => Assert.Equal(ReleaseZip.EntryTime.Year, e.LastWriteTime.Year));
    }

    [Fact]
    public void The_box_formats_refuse_a_schema_without_a_boxes_field_and_Label_Studio_takes_any_schema()
    {
        var textOnly = new LabelSchema { Fields = [new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER"] }] };
        Assert.Equal("The COCO format needs a boxes field in the schema.", new CocoWriter().CannotWrite(textOnly));
        Assert.Equal("The YOLO format needs a boxes field in the schema.", new YoloWriter().CannotWrite(textOnly));
        Assert.Equal("The Pascal VOC format needs a boxes field in the schema.", new PascalVocWriter().CannotWrite(textOnly));
        Assert.Null(new LabelStudioWriter().CannotWrite(textOnly));
        Assert.Null(new CocoWriter().CannotWrite(ImageFormatFixture.Schema));
        // The message is in the catalog, so a Korean reader gets it in Korean.
        Assert.Equal("releases.formats.needs_boxes", ServerMessages.CodeOf(new YoloWriter().CannotWrite(textOnly)));
    }

    [Theory]
    [InlineData("coco")]
    [InlineData("yolo")]
    [InlineData("pascal-voc")]
    public async Task Writing_a_box_format_without_a_boxes_field_is_refused_naming_the_format(string name)
    {
        var textOnly = new LabelSchema { Fields = [new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER"] }] };
        var error = await Assert.ThrowsAsync<ValidationException>(() => ImageFormatFixture.WriteAsync(Writer(name), ImageFormatFixture.Context(schema: textOnly)));
        Assert.True(error.EnglishErrors.ContainsKey("format"));
    }

    [Theory]
    [InlineData("coco")]
    [InlineData("yolo")]
    [InlineData("pascal-voc")]
    public async Task A_box_whose_label_the_field_no_longer_has_is_refused_naming_the_field(string name)
    {
        var entry = ImageFormatFixture.Entry(4, SplitNames.Train, "", 100, 100, """{"objects":[{"x":0.1,"y":0.1,"width":0.2,"height":0.2,"label":"horse"}]}""");
        var error = await Assert.ThrowsAsync<ValidationException>(() => ImageFormatFixture.WriteAsync(Writer(name), ImageFormatFixture.Context([entry])));
        Assert.Equal(["Item 4 has a box labeled horse, which is not one of the field's labels."], error.EnglishErrors["objects"]);
        Assert.Equal("releases.formats.box_label_unknown", ServerMessages.CodeOf(error.EnglishErrors["objects"][0]));
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task A_final_answer_that_does_not_read_is_refused_naming_the_field(string name)
    {
        var entry = ImageFormatFixture.Entry(4, SplitNames.Train, "", 100, 100, """{"objects":[{"x":"left","label":"cat"}]}""");
        var error = await Assert.ThrowsAsync<ValidationException>(() => ImageFormatFixture.WriteAsync(Writer(name), ImageFormatFixture.Context([entry])));
        Assert.StartsWith("Item 4 has a final answer that does not read: Box 1", Assert.Single(error.EnglishErrors["objects"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("coco")]
    [InlineData("yolo")]
    [InlineData("pascal-voc")]
    public async Task An_entry_in_a_split_the_release_does_not_have_is_refused(string name)
    {
        var entry = ImageFormatFixture.Entry(4, "holdout", "", 100, 100, """{"objects":[]}""");
        var error = await Assert.ThrowsAsync<ValidationException>(() => ImageFormatFixture.WriteAsync(Writer(name), ImageFormatFixture.Context([entry])));
        Assert.Equal(["Item 4 is in split holdout, which this release does not have."], error.EnglishErrors["split"]);
    }

    [Theory]
    [InlineData("coco")]
    [InlineData("yolo")]
    [InlineData("pascal-voc")]
    public async Task An_item_without_a_stored_image_or_a_known_size_is_left_out_of_the_box_formats(string name)
    {
        var entry = new ReleaseEntry(8, SplitNames.Train, "h", new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement("https://example.com/a.jpg") },
            new Dictionary<string, FinalAnswer>());
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(Writer(name), ImageFormatFixture.Context([entry, .. ImageFormatFixture.Entries])));
        Assert.DoesNotContain(files, f => f.Path.Contains("/8.", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Path.Contains("/1.", StringComparison.Ordinal));
    }
}
