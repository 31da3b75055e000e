using System.IO.Compression;
using System.Text;
using LabelHub.Domain.Collection;

namespace LabelHub.Domain.Tests.Collection;

/// <summary>Plain .txt files (one item per line) and ZIPs of .txt files (one item per file), and the source an import names.</summary>
public class TextImportTests
{
    private static ItemParseResult ParseText(byte[] bytes) => ItemFileParser.Parse(new MemoryStream(bytes), ItemFileFormat.Text);

    private static List<(int Line, string Text)> Lines(ItemParseResult result) =>
        [.. result.Items.Select(i => (i.Line, i.Data["text"].GetString()!))];

    [Fact]
    public void Each_non_blank_line_is_an_item_and_blank_lines_are_skipped_but_counted()
    {
        var result = ParseText(Encoding.UTF8.GetBytes("first line\n\n   \nsecond, with a comma\n\tthird \n"));

        Assert.True(result.Succeeded);
        Assert.Equal([(1, "first line"), (4, "second, with a comma"), (5, "\tthird ")], Lines(result));
        Assert.All(result.Items, i => Assert.Single(i.Data));
    }

    [Fact]
    public void A_bom_and_crlf_line_ends_are_not_part_of_the_text_and_the_last_line_needs_no_line_end()
    {
        var result = ParseText([.. "\uFEFF"u8.ToArray(), .. Encoding.UTF8.GetBytes("안녕하세요\r\n\r\nsecond\r\nlast")]);

        Assert.True(result.Succeeded);
        Assert.Equal([(1, "안녕하세요"), (3, "second"), (4, "last")], Lines(result));
    }

    [Fact]
    public void A_line_that_is_not_utf8_is_an_error_naming_its_line()
    {
        var result = ParseText([.. Encoding.UTF8.GetBytes("good\n"), 0xC3, 0x28, (byte)'\n', .. Encoding.UTF8.GetBytes("also good\n")]);

        Assert.Equal([new ImportRowError(2, "file is not valid UTF-8")], result.Errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n  \n")]
    public void A_file_without_a_non_blank_line_is_empty(string content)
    {
        var result = ParseText(Encoding.UTF8.GetBytes(content));

        Assert.Equal([new ImportRowError(1, "file is empty")], result.Errors);
    }

    [Fact]
    public void A_line_longer_than_a_read_chunk_is_one_item()
    {
        var longLine = new string('a', 200_000);
        var result = ParseText(Encoding.UTF8.GetBytes($"short\n{longLine}\nend"));

        Assert.Equal([(1, "short"), (2, longLine), (3, "end")], Lines(result));
    }

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    private static (List<ParsedItem> Items, ItemParseResult Result) ParseArchive(byte[] zip)
    {
        var items = new List<ParsedItem>();
        var result = TextArchive.Parse(new MemoryStream(zip), items.Add);
        return (items, result);
    }

    [Fact]
    public void Each_txt_file_of_a_zip_is_one_item_with_its_whole_text_and_its_name()
    {
        var zip = Zip(
            ("docs/a.txt", [.. "\uFEFF"u8.ToArray(), .. Encoding.UTF8.GetBytes("line one\r\nline two\r\n")]),
            ("__MACOSX/._a.txt", [1, 2]),
            ("b.TXT", Encoding.UTF8.GetBytes("only line")));

        Assert.True(TextArchive.HoldsText(new MemoryStream(zip)));
        var (items, result) = ParseArchive(zip);

        Assert.True(result.Succeeded);
        Assert.Equal([1, 3], items.Select(i => i.Line));
        Assert.Equal(["line one\r\nline two", "only line"], items.Select(i => i.Data["text"].GetString()));
        Assert.Equal(["docs/a.txt", "b.TXT"], items.Select(i => i.Data["file"].GetString()));
    }

    [Fact]
    public void A_zip_mixing_images_and_txt_files_is_refused_naming_the_entry()
    {
        // Read as the kind most of its files are: here .txt, so the image is named; half and half reads as images.
        var zip = Zip(("a.txt", "text"u8.ToArray()), ("photo.png", [0x89, 0x50, 0x4E, 0x47]), ("b.txt", "more"u8.ToArray()));
        Assert.False(TextArchive.HoldsText(new MemoryStream(Zip(("a.txt", "text"u8.ToArray()), ("photo.png", [1])))));

        Assert.True(TextArchive.HoldsText(new MemoryStream(zip)));
        var (_, result) = ParseArchive(zip);

        Assert.Equal([new ImportRowError(2, "\"photo.png\": it is not a .txt file; an archive holds either images or .txt files, not both")], result.Errors);
    }

    [Fact]
    public void An_empty_or_non_utf8_txt_file_in_a_zip_is_an_error_naming_it()
    {
        var (_, result) = ParseArchive(Zip(("empty.txt", " \r\n"u8.ToArray()), ("latin1.txt", [0x63, 0x61, 0x66, 0xE9]), ("ok.txt", "fine"u8.ToArray())));

        Assert.Equal(
            [new ImportRowError(1, "\"empty.txt\": the file is empty"), new ImportRowError(2, "\"latin1.txt\": it is not valid UTF-8")],
            result.Errors);
    }

    [Fact]
    public void A_zip_of_images_only_is_not_a_text_archive()
    {
        Assert.False(TextArchive.HoldsText(new MemoryStream(Zip(("photo.png", [1, 2, 3])))));
        Assert.False(TextArchive.HoldsText(new MemoryStream("not a zip"u8.ToArray())));
    }

    [Fact]
    public void An_import_source_takes_the_defaults_and_names_the_field_of_a_bad_kind_or_date()
    {
        Assert.Equal(new ImportSource("reviews.txt", SourceKind.Upload), SourceService.ImportSourceOf(null, null, null, null, "some/dir/reviews.txt", SourceKind.Upload));
        Assert.Equal(
            new ImportSource("News crawl", SourceKind.OpenDataset, "CC BY 4.0", new DateOnly(2026, 11, 30)),
            SourceService.ImportSourceOf(" News crawl ", "opendataset", "CC BY 4.0", "2026-11-30", "x.csv", SourceKind.Upload));

        var kind = Assert.Throws<ValidationException>(() => SourceService.ImportSourceOf(null, "scraped", null, null, "x.csv", SourceKind.Upload));
        Assert.Equal(["sourceKind"], kind.EnglishErrors.Keys);
        Assert.Throws<ValidationException>(() => SourceService.ImportSourceOf(null, "3", null, null, "x.csv", SourceKind.Upload));
        var date = Assert.Throws<ValidationException>(() => SourceService.ImportSourceOf(null, null, null, "30/11/2026", "x.csv", SourceKind.Upload));
        Assert.Equal(["collectedOn"], date.EnglishErrors.Keys);
        var name = Assert.Throws<ValidationException>(() => SourceService.ImportSourceOf(new string('n', 201), null, null, null, "x.csv", SourceKind.Upload));
        Assert.Equal(["sourceName"], name.EnglishErrors.Keys);
    }
}
