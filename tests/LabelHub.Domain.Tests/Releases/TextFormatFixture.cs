using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;

namespace LabelHub.Domain.Tests.Releases;

/// <summary>
/// A small fixed release the text formats are pinned with: a Korean item whose spans end inside words, an item whose
/// sentiment tied (no final answer) and whose data starts like a formula, overlapping spans, a gold item and an item
/// whose spans field tied. Golden files under TestData/releases/{format}/ hold what each writer makes of it.
/// </summary>
public static class TextFormatFixture
{
    public static readonly LabelSchema Schema = new()
    {
        Fields =
        [
            new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"] },
            new LabelField { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service"] },
            new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "LOC", "ORG"], AllowOverlap = true },
            new LabelField { Name = "stars", Kind = FieldKind.Rating, Max = 5 },
        ],
    };

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static FinalAnswer Answer(string json, double confidence, FinalAnswerSource source, params long[] from) =>
        new(Json(json), confidence, source, from);

    public static readonly IReadOnlyList<ReleaseEntry> Entries =
    [
        new(1, SplitNames.Train, "a1", new Dictionary<string, JsonElement> { ["text"] = Json("\"김민수는 서울에서 일한다.\""), ["words"] = Json("4") },
            new Dictionary<string, FinalAnswer>
            {
                ["sentiment"] = Answer("\"positive\"", 2.0 / 3, FinalAnswerSource.Majority, 11, 12),
                ["topics"] = Answer("""["service"]""", 1, FinalAnswerSource.Adjudicated, 13),
                // 김민수 ends inside 김민수는, 서울 inside 서울에서: both tokens are cut.
                ["entities"] = Answer("""[{"start":0,"end":3,"label":"PER"},{"start":5,"end":7,"label":"LOC"}]""", 1, FinalAnswerSource.Consensus, 11, 12, 14),
                ["stars"] = Answer("4", 1, FinalAnswerSource.Majority, 11, 12, 14),
            }),
        new(2, SplitNames.Train, "b2", new Dictionary<string, JsonElement> { ["text"] = Json("\"Price went up, =SUM(A1)\""), ["source"] = Json("\"web, \\\"forum\\\"\""), ["note"] = Json("\"=SUM(A1)\"") },
            new Dictionary<string, FinalAnswer>
            {
                // No sentiment: the vote tied.
                ["topics"] = Answer("""["price"]""", 0.5, FinalAnswerSource.DawidSkene, 21),
                ["entities"] = Answer("[]", 1, FinalAnswerSource.Consensus, 21, 22),
            }),
        new(3, SplitNames.Validation, "c3", new Dictionary<string, JsonElement> { ["text"] = Json("\"New York Times\""), ["words"] = Json("3") },
            new Dictionary<string, FinalAnswer>
            {
                ["sentiment"] = Answer("\"negative\"", 1, FinalAnswerSource.Adjudicated, 31),
                // Overlapping: LOC starts first, so ORG, which overlaps it, is dropped and reported.
                ["entities"] = Answer("""[{"start":4,"end":14,"label":"ORG"},{"start":0,"end":8,"label":"LOC"}]""", 0.75, FinalAnswerSource.Consensus, 31, 32),
            }),
        new(4, SplitNames.Test, "d4", new Dictionary<string, JsonElement> { ["text"] = Json("\"ok 👍\"") },
            new Dictionary<string, FinalAnswer>
            {
                ["sentiment"] = Answer("\"neutral\"", 1, FinalAnswerSource.Gold),
                ["stars"] = Answer("5", 1, FinalAnswerSource.Gold),
            }),
    ];

    public static ReleaseWriteContext Context(IReadOnlyList<ReleaseEntry>? entries = null) =>
        new("리뷰 감성", 3, Schema, SplitNames.All, null, ct => Stream(entries ?? Entries, ct));

    private static async IAsyncEnumerable<ReleaseEntry> Stream(IReadOnlyList<ReleaseEntry> entries, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var entry in entries)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return entry;
        }
    }

    /// <summary>The archive a writer makes of the release.</summary>
    public static async Task<byte[]> WriteAsync(IReleaseFormatWriter writer, ReleaseWriteContext? context = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await writer.WriteAsync(context ?? Context(), zip, CancellationToken.None);
        }
        return buffer.ToArray();
    }

    /// <summary>The archive's files by path, in archive order.</summary>
    public static List<(string Path, byte[] Bytes)> Files(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        var files = new List<(string, byte[])>();
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            files.Add((entry.FullName, bytes.ToArray()));
        }
        return files;
    }

    /// <summary>
    /// Each file of the archive equals its golden file byte for byte, and no golden file is missing from the archive.
    /// With LABELHUB_UPDATE_GOLDEN=1 the golden files are written instead (then read them before committing).
    /// </summary>
    public static void AssertGolden(string format, byte[] archive)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestData", "releases", format);
        var files = Files(archive);
        if (Environment.GetEnvironmentVariable("LABELHUB_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(RepositoryRoot(), "tests", "LabelHub.Domain.Tests", "TestData", "releases", format);
            foreach (var (path, bytes) in files)
            {
                var target = Path.Combine(source, path.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllBytes(target, bytes);
            }
            return;
        }
        var golden = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(folder, p).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(golden, files.Select(f => f.Path).Order(StringComparer.Ordinal).ToList());
        foreach (var (path, bytes) in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(folder, path)).AsSpan().SequenceEqual(bytes), $"{format}/{path} differs from its golden file");
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LabelHub.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("LabelHub.sln not found above the test binaries.");
    }
}
