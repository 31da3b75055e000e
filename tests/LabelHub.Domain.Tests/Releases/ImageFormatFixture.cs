using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>
/// A small fixed release the image and Label Studio formats are pinned with: three image items over two splits, a box
/// field with two labels (one image has no boxes), a span field over the item's caption and one field of every panel
/// kind. Images are held in memory and handed out as the host's media would.
/// </summary>
internal static class ImageFormatFixture
{
    public static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "objects", Kind = FieldKind.Boxes, Labels = ["cat", "dog"] },
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["ANIMAL", "COLOR"], Source = "caption" },
            new LabelField { Name = "quality", Kind = FieldKind.Choice, Labels = ["good", "bad"], Required = true },
            new LabelField { Name = "tags", Kind = FieldKind.MultiChoice, Labels = ["indoor", "outdoor", "night"] },
            new LabelField { Name = "note", Kind = FieldKind.Text },
            new LabelField { Name = "count", Kind = FieldKind.Number, Min = 0, Max = 20 },
            new LabelField { Name = "taken", Kind = FieldKind.Date },
            new LabelField { Name = "stars", Kind = FieldKind.Rating, Max = 5 },
        ],
    };

    public static readonly IReadOnlyList<string> Splits = [SplitNames.Train, SplitNames.Validation, SplitNames.Test];

    public static readonly IReadOnlyList<ReleaseEntry> Entries =
    [
        Entry(1, SplitNames.Train, "A black cat and a dog", 640, 480, """
            {"objects":[{"x":0.1,"y":0.2,"width":0.3,"height":0.4,"label":"cat","x_px":64,"y_px":96,"width_px":192,"height_px":192},
                        {"x":0.5,"y":0.5,"width":0.25,"height":0.5,"label":"dog","x_px":320,"y_px":240,"width_px":160,"height_px":240}],
             "entities":[{"start":2,"end":7,"label":"COLOR"},{"start":8,"end":11,"label":"ANIMAL"},{"start":18,"end":21,"label":"ANIMAL"}],
             "quality":"good","tags":["indoor","night"],"note":"two animals","count":2,"taken":"2025-01-31","stars":4}
            """),
        Entry(2, SplitNames.Train, "An empty sofa", 300, 200, """
            {"objects":[],"entities":[],"quality":"bad","count":0}
            """),
        Entry(3, SplitNames.Validation, "고양이 \"cat\" 한 마리", 1000, 750, """
            {"objects":[{"x":0.1234567,"y":0.2,"width":0.5,"height":0.3333333,"label":"dog"}],
             "entities":[{"start":0,"end":3,"label":"ANIMAL"}],"quality":"good","tags":[],"count":1.5,"stars":5}
            """),
    ];

    /// <summary>The bytes of each item's stored image: what the formats must copy unchanged.</summary>
    public static readonly IReadOnlyDictionary<long, ReleaseImage> Images = new Dictionary<long, ReleaseImage>
    {
        [1] = Image("cat and dog.PNG", "image/png", 640, 480, "png bytes of item 1"),
        [2] = Image("IMG_0002", "image/jpeg", 300, 200, "jpeg bytes of item 2"),
        [3] = Image("kitten.webp", "image/webp", 1000, 750, "webp bytes of item 3"),
    };

    public static ReleaseWriteContext Context(IReadOnlyList<ReleaseEntry>? entries = null, LabelSchema? schema = null, IReleaseMedia? media = null) =>
        new("Pets & \"friends\"", 7, schema ?? Schema, Splits, media ?? new MemoryMedia(Images), _ => Enumerate(entries ?? Entries));

    public static async Task<byte[]> WriteAsync(IReleaseFormatWriter writer, ReleaseWriteContext? context = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await writer.WriteAsync(context ?? Context(), zip, CancellationToken.None);
        }
        return buffer.ToArray();
    }

    /// <summary>Every file of an archive by its path, in archive order.</summary>
    public static List<(string Path, byte[] Bytes)> Files(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        var files = new List<(string, byte[])>();
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files.Add((entry.FullName, copy.ToArray()));
        }
        return files;
    }

    public static string Text(IEnumerable<(string Path, byte[] Bytes)> files, string path) =>
        Encoding.UTF8.GetString(files.Single(f => f.Path == path).Bytes);

    public static ReleaseEntry Entry(long id, string split, string caption, int width, int height, string answers)
    {
        var data = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
            JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["image"] = $"/api/v1/projects/0b7d2c55-1d6f-4a57-9c55-2a4f0d1c9e01/media/00000000-0000-0000-0000-00000000000{id}",
                ["file_name"] = $"upload-{id}",
                ["width"] = width,
                ["height"] = height,
                ["caption"] = caption,
            }))!;
        var values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(answers)!;
        var final = values.ToDictionary(v => v.Key, v => new FinalAnswer(v.Value, 1, FinalAnswerSource.Majority, [id * 10, (id * 10) + 1]));
        return new ReleaseEntry(id, split, $"hash-{id}", data, final);
    }

    /// <summary>The final boxes of an entry as the codec reads them.</summary>
    public static IReadOnlyList<BoxValue> Boxes(ReleaseEntry entry) =>
        entry.Answers.TryGetValue("objects", out var final) && AnswerCodec.Read(Schema.Fields[0], final.Value).Value is BoxesAnswer boxes ? boxes.Boxes : [];

    private static ReleaseImage Image(string fileName, string contentType, int width, int height, string content) =>
        new(fileName, contentType, width, height, _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(content))));

    private static async IAsyncEnumerable<ReleaseEntry> Enumerate(IReadOnlyList<ReleaseEntry> entries)
    {
        foreach (var entry in entries)
        {
            await Task.Yield();
            yield return entry;
        }
    }

    /// <summary>Images from memory, by item id; an item missing from the dictionary has no stored image.</summary>
    public sealed class MemoryMedia(IReadOnlyDictionary<long, ReleaseImage> images) : IReleaseMedia
    {
        public Task<ReleaseImage?> ImageAsync(ReleaseEntry entry, CancellationToken ct) =>
            Task.FromResult(images.TryGetValue(entry.ItemId, out var image) ? image : null);
    }
}

/// <summary>
/// Golden files: the text files of a format's archive under TestData/releases/{format}/, plus entries.txt listing every
/// archive path in order. To regenerate after a deliberate change, run the format's tests with
/// LABELHUB_REGENERATE_GOLDEN=1 (they write into the source tree and fail once), inspect the diff, and commit.
/// </summary>
internal static class GoldenFiles
{
    private static readonly string[] TextExtensions = [".json", ".txt", ".xml", ".yaml"];

    public static void Match(string format, byte[] archive)
    {
        var files = ImageFormatFixture.Files(archive);
        var listing = string.Concat(files.Select(f => f.Path + "\n"));
        var texts = files.Where(f => TextExtensions.Contains(Path.GetExtension(f.Path))).ToList();
        if (Environment.GetEnvironmentVariable("LABELHUB_REGENERATE_GOLDEN") == "1")
        {
            var source = Path.Combine(RepositoryRoot(), "tests", "LabelHub.Domain.Tests", "TestData", "releases", format);
            if (Directory.Exists(source))
            {
                Directory.Delete(source, recursive: true);
            }
            Directory.CreateDirectory(source);
            File.WriteAllText(Path.Combine(source, "entries.txt"), listing);
            foreach (var (path, bytes) in texts)
            {
                var target = Path.Combine(source, "files", path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllBytes(target, bytes);
            }
            Assert.Fail($"Golden files of {format} were written to {source}: inspect and commit them, then run without LABELHUB_REGENERATE_GOLDEN.");
        }
        var golden = Path.Combine(AppContext.BaseDirectory, "TestData", "releases", format);
        Assert.Equal(File.ReadAllText(Path.Combine(golden, "entries.txt")), listing);
        foreach (var (path, bytes) in texts)
        {
            var expected = File.ReadAllBytes(Path.Combine(golden, "files", path));
            Assert.True(expected.AsSpan().SequenceEqual(bytes), $"{format}: {path} differs from its golden file.\n--- expected\n{Encoding.UTF8.GetString(expected)}\n--- written\n{Encoding.UTF8.GetString(bytes)}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LabelHub.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("LabelHub.sln was not found above the test binaries.");
    }
}
