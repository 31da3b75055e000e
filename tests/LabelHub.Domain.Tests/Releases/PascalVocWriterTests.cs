using System.Globalization;
using System.Xml.Linq;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Releases.Formats;

namespace LabelHub.Domain.Tests.Releases;

public sealed class PascalVocWriterTests
{
    [Fact]
    public async Task The_fixed_release_is_written_byte_for_byte_as_its_golden_files()
    {
        GoldenFiles.Match("pascal-voc", await ImageFormatFixture.WriteAsync(new PascalVocWriter()));
    }

    [Fact]
    public async Task Read_back_from_the_VOC_layout_every_box_is_the_same_box_within_half_a_pixel()
    {
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new PascalVocWriter()));
        AssertReadsBack(files, ImageFormatFixture.Entries);
        // The upload's own format is kept under JPEGImages (VOC's folder name), not converted to JPEG.
        Assert.Equal("png bytes of item 1"u8.ToArray(), files.Single(f => f.Path == "JPEGImages/1.png").Bytes);
    }

    [Fact]
    public async Task Random_boxes_on_random_image_sizes_read_back_within_half_a_pixel()
    {
        var (entries, media) = RandomRelease.Make(seed: 13, count: 60);
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new PascalVocWriter(), ImageFormatFixture.Context(entries, media: media)));
        AssertReadsBack(files, entries);
    }

    [Fact]
    public async Task Corners_are_one_based_and_inclusive_as_the_VOC_devkit_counts_pixels()
    {
        // A box over the image's first 10 × 5 pixels is columns 1–10 and rows 1–5 in VOC's counting; the whole image is 1 to its size.
        var entry = ImageFormatFixture.Entry(9, SplitNames.Train, "", 100, 50, """
            {"objects":[{"x":0,"y":0,"width":0.1,"height":0.1,"label":"cat"},{"x":0,"y":0,"width":1,"height":1,"label":"dog"}]}
            """);
        var context = ImageFormatFixture.Context([entry], media: new ImageFormatFixture.MemoryMedia(new Dictionary<long, ReleaseImage>()));
        var files = ImageFormatFixture.Files(await ImageFormatFixture.WriteAsync(new PascalVocWriter(), context));
        var corners = XDocument.Parse(ImageFormatFixture.Text(files, "Annotations/9.xml")).Root!.Elements("object")
            .Select(o => string.Join(",", new[] { "xmin", "ymin", "xmax", "ymax" }.Select(c => o.Element("bndbox")!.Element(c)!.Value)))
            .ToList();
        Assert.Equal(["1,1,10,5", "1,1,100,50"], corners);
    }

    /// <summary>
    /// A reader written from the VOC devkit's annotation format: Annotations/{id}.xml names the image under JPEGImages
    /// and its size; each object's bndbox holds 1-based inclusive pixel corners; ImageSets/Main/{split}.txt lists ids.
    /// </summary>
    private static void AssertReadsBack(List<(string Path, byte[] Bytes)> files, IReadOnlyList<ReleaseEntry> entries)
    {
        foreach (var split in ImageFormatFixture.Splits)
        {
            var listed = ImageFormatFixture.Text(files, $"ImageSets/Main/{split}.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(entries.Where(e => e.Split == split).Select(e => e.ItemId.ToString(CultureInfo.InvariantCulture)), listed);
        }
        foreach (var entry in entries)
        {
            var annotation = XDocument.Parse(ImageFormatFixture.Text(files, $"Annotations/{entry.ItemId}.xml")).Root!;
            Assert.Equal("annotation", annotation.Name.LocalName);
            var folder = annotation.Element("folder")!.Value;
            var fileName = annotation.Element("filename")!.Value;
            Assert.Contains(files, f => f.Path == $"{folder}/{fileName}");
            var size = annotation.Element("size")!;
            var width = int.Parse(size.Element("width")!.Value, CultureInfo.InvariantCulture);
            var height = int.Parse(size.Element("height")!.Value, CultureInfo.InvariantCulture);
            Assert.Equal(entry.Data["width"].GetInt32(), width);
            Assert.Equal(entry.Data["height"].GetInt32(), height);
            var objects = annotation.Elements("object").ToList();
            var boxes = ImageFormatFixture.Boxes(entry);
            Assert.Equal(boxes.Count, objects.Count);
            foreach (var (box, element) in boxes.Zip(objects))
            {
                Assert.Equal(box.Label, element.Element("name")!.Value);
                var bndbox = element.Element("bndbox")!;
                int Corner(string name) => int.Parse(bndbox.Element(name)!.Value, CultureInfo.InvariantCulture);
                var (xmin, ymin, xmax, ymax) = (Corner("xmin"), Corner("ymin"), Corner("xmax"), Corner("ymax"));
                Assert.True(xmin >= 1 && ymin >= 1 && xmax <= width && ymax <= height && xmin <= xmax && ymin <= ymax);
                // 1-based inclusive corners back to 0-based edges: left = xmin − 1, right = xmax.
                CocoWriterTests.AssertSameBox(box, width, height, xmin - 1, ymin - 1, xmax, ymax, wholePixels: true);
            }
        }
    }
}
