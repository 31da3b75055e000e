using System.Globalization;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

public sealed class YoloWriterTests
{
    [Fact]
    public async Task The_fixed_release_is_written_byte_for_byte_as_its_golden_files()
    {
        GoldenFiles.Match("yolo", await ImageFormatFixture.WriteAsync(new YoloWriter()));
    }

    [Fact]
    public async Task Read_back_from_the_Ultralytics_layout_every_box_is_the_same_box()
    {
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new YoloWriter()));
        AssertReadsBack(files, ImageFormatFixture.Entries);
        // An image without boxes has an empty label file (a background image), not a missing one.
        Assert.Empty(files.Single(f => f.Path == "labels/train/2.txt").Bytes);
        Assert.Equal("webp bytes of item 3"u8.ToArray(), files.Single(f => f.Path == "images/validation/3.webp").Bytes);
    }

    [Fact]
    public async Task Random_boxes_on_random_image_sizes_read_back_within_a_millionth_of_the_image()
    {
        var (entries, media) = RandomRelease.Make(seed: 12, count: 60);
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new YoloWriter(), ImageFormatFixture.Context(entries, media: media)));
        AssertReadsBack(files, entries);
    }

    [Fact]
    public async Task Data_yaml_maps_the_validation_split_to_ultralytics_val_names_only_splits_with_images_and_the_classes_in_order()
    {
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new YoloWriter()));
        var yaml = ReadYaml(ImageFormatFixture.Text(files, "data.yaml"));
        Assert.Equal("images/train", yaml["train"]);
        Assert.Equal("images/validation", yaml["val"]);
        // The fixed release has no test items: a folder that would not exist is not named (Ultralytics would stop on it).
        Assert.False(yaml.ContainsKey("test"));
        Assert.False(yaml.ContainsKey("validation"));
        Assert.Equal("2", yaml["nc"]);
        Assert.Equal("cat", yaml["names.0"]);
        Assert.Equal("dog", yaml["names.1"]);
    }

    [Fact]
    public async Task A_linked_image_gets_its_label_file_and_no_copy()
    {
        var entry = ImageFormatFixture.Entries[0];
        var context = ImageFormatFixture.Context([entry], media: new ImageFormatFixture.MemoryMedia(new Dictionary<long, ReleaseImage>()));
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new YoloWriter(), context));
        Assert.Equal(["labels/train/1.txt", "data.yaml"], files.Select(f => f.Path));
        Assert.Equal(2, ImageFormatFixture.Text(files, "labels/train/1.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    /// <summary>
    /// A reader written from the Ultralytics detection format: for each image under images/{split}/ a label file
    /// labels/{split}/{stem}.txt of "class x_center y_center width height" lines, normalised to 0–1.
    /// </summary>
    private static void AssertReadsBack(List<(string Path, byte[] Bytes)> files, IReadOnlyList<ReleaseEntry> entries)
    {
        var names = ImageFormatFixture.Schema.Fields[0].Labels;
        foreach (var entry in entries)
        {
            var image = files.Single(f => f.Path.StartsWith($"images/{entry.Split}/{entry.ItemId}.", StringComparison.Ordinal));
            var stem = Path.GetFileNameWithoutExtension(image.Path);
            var lines = ImageFormatFixture.Text(files, $"labels/{entry.Split}/{stem}.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var boxes = ImageFormatFixture.Boxes(entry);
            Assert.Equal(boxes.Count, lines.Length);
            var width = entry.Data["width"].GetInt32();
            var height = entry.Data["height"].GetInt32();
            foreach (var (box, line) in boxes.Zip(lines))
            {
                var parts = line.Split(' ');
                Assert.Equal(5, parts.Length);
                Assert.All(parts.Skip(1), p => Assert.Matches(@"^\d\.\d{6}$", p));
                var values = parts.Skip(1).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(box.Label, names[int.Parse(parts[0], CultureInfo.InvariantCulture)]);
                var (cx, cy, w, h) = (values[0], values[1], values[2], values[3]);
                CocoWriterTests.AssertSameBox(box, width, height, (cx - (w / 2)) * width, (cy - (h / 2)) * height, (cx + (w / 2)) * width, (cy + (h / 2)) * height);
            }
        }
    }

    /// <summary>The flat keys of data.yaml ("names.0" for the mapping's entries), double-quoted scalars unquoted.</summary>
    private static Dictionary<string, string> ReadYaml(string text)
    {
        var values = new Dictionary<string, string>();
        string? parent = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            var colon = line.IndexOf(": ", StringComparison.Ordinal) is var at and >= 0 ? at : line.IndexOf(':', StringComparison.Ordinal);
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (line.StartsWith(' '))
            {
                values[$"{parent}.{key}"] = value.StartsWith('"') ? System.Text.Json.JsonSerializer.Deserialize<string>(value)! : value;
            }
            else
            {
                parent = key;
                if (value.Length > 0)
                {
                    values[key] = value;
                }
            }
        }
        return values;
    }
}
