using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

public sealed class CocoWriterTests
{
    [Fact]
    public async Task The_fixed_release_is_written_byte_for_byte_as_its_golden_files()
    {
        GoldenFiles.Match("coco", await ImageFormatFixture.WriteAsync(new CocoWriter()));
    }

    [Fact]
    public async Task Read_back_from_the_COCO_spec_every_box_is_the_same_box_in_pixels_and_fractions()
    {
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new CocoWriter()));
        AssertReadsBack(files, ImageFormatFixture.Entries, ImageFormatFixture.Splits);
        // The stored images are copied unchanged beside the annotations, named by item id.
        Assert.Equal("png bytes of item 1"u8.ToArray(), files.Single(f => f.Path == "images/train/1.png").Bytes);
        Assert.Equal("jpeg bytes of item 2"u8.ToArray(), files.Single(f => f.Path == "images/train/2.jpg").Bytes);
        Assert.Equal("webp bytes of item 3"u8.ToArray(), files.Single(f => f.Path == "images/validation/3.webp").Bytes);
    }

    [Fact]
    public async Task Random_boxes_on_random_image_sizes_read_back_within_half_a_pixel()
    {
        var (entries, media) = RandomRelease.Make(seed: 11, count: 60);
        var context = ImageFormatFixture.Context(entries, media: media);
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new CocoWriter(), context));
        AssertReadsBack(files, entries, ImageFormatFixture.Splits);
    }

    [Fact]
    public async Task An_image_linked_by_url_is_listed_with_its_url_and_not_copied()
    {
        var entry = ImageFormatFixture.Entries[0];
        var context = ImageFormatFixture.Context([entry], media: new ImageFormatFixture.MemoryMedia(new Dictionary<long, ReleaseImage>()));
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new CocoWriter(), context));
        Assert.DoesNotContain(files, f => f.Path.StartsWith("images/", StringComparison.Ordinal));
        var image = JsonDocument.Parse(ImageFormatFixture.Text(files, "annotations/instances_train.json")).RootElement.GetProperty("images")[0];
        Assert.Equal(entry.Data["image"].GetString(), image.GetProperty("coco_url").GetString());
        // The size comes from the item data, so the boxes are still in pixels.
        Assert.Equal(640, image.GetProperty("width").GetInt32());
        AssertReadsBack(files, [entry], ImageFormatFixture.Splits);
    }

    /// <summary>
    /// A reader written from the COCO data format (cocodataset.org/#format-data): images by id, bbox = [x, y, width,
    /// height] in pixels from the top-left, category ids into categories, one instances file per split.
    /// </summary>
    internal static void AssertReadsBack(List<(string Path, byte[] Bytes)> files, IReadOnlyList<ReleaseEntry> entries, IReadOnlyList<string> splits)
    {
        var field = ImageFormatFixture.Schema.Fields[0];
        foreach (var split in splits)
        {
            var root = JsonDocument.Parse(ImageFormatFixture.Text(files, $"annotations/instances_{split}.json")).RootElement;
            var categories = root.GetProperty("categories").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt32(), c => c.GetProperty("name").GetString()!);
            Assert.Equal(field.Labels, categories.OrderBy(c => c.Key).Select(c => c.Value));
            Assert.Equal(1, categories.Keys.Min());
            var images = root.GetProperty("images").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetInt64());
            var splitEntries = entries.Where(e => e.Split == split).ToList();
            Assert.Equal(splitEntries.Select(e => e.ItemId).Order(), images.Keys.Order());
            var annotations = root.GetProperty("annotations").EnumerateArray().ToList();
            Assert.Equal(annotations.Count, annotations.Select(a => a.GetProperty("id").GetInt64()).Distinct().Count());
            foreach (var entry in splitEntries)
            {
                var image = images[entry.ItemId];
                var width = image.GetProperty("width").GetInt32();
                var height = image.GetProperty("height").GetInt32();
                var fileName = image.GetProperty("file_name").GetString()!;
                if (!image.TryGetProperty("coco_url", out _))
                {
                    Assert.Contains(files, f => f.Path == $"images/{split}/{fileName}");
                }
                var written = annotations.Where(a => a.GetProperty("image_id").GetInt64() == entry.ItemId).ToList();
                var expected = ImageFormatFixture.Boxes(entry);
                Assert.Equal(expected.Count, written.Count);
                foreach (var (box, annotation) in expected.Zip(written))
                {
                    Assert.Equal(box.Label, categories[annotation.GetProperty("category_id").GetInt32()]);
                    Assert.Equal(0, annotation.GetProperty("iscrowd").GetInt32());
                    var bbox = annotation.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                    AssertSameBox(box, width, height, bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]);
                    Assert.Equal(bbox[2] * bbox[3], annotation.GetProperty("area").GetDouble(), 0.01);
                }
            }
        }
    }

    /// <summary>
    /// Pixel edges read from a file describe the answer's box: within half a pixel of its pixels (the editor's whole
    /// pixels, else its fractions scaled to the image), and, unless the format rounds to whole pixels, its fractions within 1e-6.
    /// </summary>
    internal static void AssertSameBox(BoxValue box, int width, int height, double left, double top, double right, double bottom, bool wholePixels = false)
    {
        var (x, y, r, b) = box is { XPx: { } xPx, YPx: { } yPx, WidthPx: { } wPx, HeightPx: { } hPx }
            ? (xPx, yPx, xPx + wPx, yPx + hPx)
            : (box.X * width, box.Y * height, (box.X + box.Width) * width, (box.Y + box.Height) * height);
        const double HalfPixel = 0.5 + 1e-9;
        Assert.InRange(left, x - HalfPixel, x + HalfPixel);
        Assert.InRange(top, y - HalfPixel, y + HalfPixel);
        Assert.InRange(right, r - HalfPixel, r + HalfPixel);
        Assert.InRange(bottom, b - HalfPixel, b + HalfPixel);
        if (!wholePixels)
        {
            AssertSameFractions(box, left / width, top / height, (right - left) / width, (bottom - top) / height);
        }
    }

    internal static void AssertSameFractions(BoxValue box, double x, double y, double width, double height)
    {
        Assert.Equal(box.X, x, 1e-6);
        Assert.Equal(box.Y, y, 1e-6);
        Assert.Equal(box.Width, width, 1e-6);
        Assert.Equal(box.Height, height, 1e-6);
    }
}

/// <summary>A release of random boxes on random image sizes (seeded), for read-back properties.</summary>
internal static class RandomRelease
{
    public static (List<ReleaseEntry> Entries, IReleaseMedia Media) Make(int seed, int count)
    {
        var random = new Random(seed);
        var entries = new List<ReleaseEntry>();
        var images = new Dictionary<long, ReleaseImage>();
        var field = ImageFormatFixture.Schema.Fields[0];
        for (var id = 1; id <= count; id++)
        {
            var width = random.Next(16, 4000);
            var height = random.Next(16, 4000);
            var boxes = new List<BoxValue>();
            for (var b = random.Next(0, 5); b > 0; b--)
            {
                var x = random.NextDouble() * 0.9;
                var y = random.NextDouble() * 0.9;
                var label = field.Labels[random.Next(field.Labels.Count)];
                // Half the boxes come from the editor (whole pixels), half from an API client (fractions only).
                boxes.Add(random.Next(2) == 0
                    ? BoxValue.FromFractions(x, y, random.NextDouble() * (1 - x), random.NextDouble() * (1 - y), label, width, height)
                    : new BoxValue(x, y, 0.05 + (random.NextDouble() * (0.95 - x)), 0.05 + (random.NextDouble() * (0.95 - y)), label));
            }
            var split = ImageFormatFixture.Splits[(id * 7 / count) switch { < 5 => 0, 5 => 1, _ => 2 }];
            var answers = JsonSerializer.Serialize(new Dictionary<string, JsonElement> { ["objects"] = AnswerCodec.ToJson(new BoxesAnswer(boxes)) });
            entries.Add(ImageFormatFixture.Entry(id, split, "", width, height, answers));
            images[id] = new ReleaseImage($"random-{id}.jpeg", "image/jpeg", width, height, _ => Task.FromResult<Stream>(new MemoryStream([(byte)id])));
        }
        return (entries, new ImageFormatFixture.MemoryMedia(images));
    }
}
