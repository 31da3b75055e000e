using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Releases;

// Usage: LabelHub.Bench.ReleaseDownload [items (default 1000000)] [report.md]
//        LabelHub.Bench.ReleaseDownload --files N   (an archive of N tiny files, as an image format writes one or two per image)
// The writing half of a release download (ADR 0020): generated entries, as the download service pages them out of the
// database, go through each text format's writer and the ZIP straight into a forward-only stream that refuses
// synchronous writes (as the response body does). Reports time, archive size, allocations and the largest managed heap
// and working set seen while writing: flat memory means they do not grow with the item count. The database read is
// not in here (the cut's and the data path's benches measure it).
var c = CultureInfo.InvariantCulture;
if (args.Length == 2 && args[0] == "--files")
{
    await ManyFilesAsync(int.Parse(args[1], c));
    return;
}
var count = args.Length > 0 ? int.Parse(args[0], c) : 1_000_000;
var reportPath = args.Length > 1 ? args[1] : null;

var schema = new LabelSchema
{
    Fields =
    [
        new LabelField { Name = "sentiment", Kind = FieldKind.Choice, Labels = ["positive", "negative", "neutral"] },
        new LabelField { Name = "topics", Kind = FieldKind.MultiChoice, Labels = ["price", "service", "quality"] },
        new LabelField { Name = "entities", Kind = FieldKind.Spans, Labels = ["PER", "LOC", "ORG"] },
    ],
};
var context = new ReleaseWriteContext("bench", 1, schema, SplitNames.All, null, ct => Entries(count, ct));

var report = new StringBuilder();
report.AppendLine(c, $"# Release download writers, {count:N0} items");
report.AppendLine();
report.AppendLine(c, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, workstation non-concurrent GC.");
report.AppendLine();
report.AppendLine("| format | seconds | archive MB | allocated MB | max managed heap MB | max working set MB | SHA-256 (first 16) |");
report.AppendLine("|---|---:|---:|---:|---:|---:|---|");
foreach (var writer in ReleaseDownloadService.Writers.Where(w => w.CannotWrite(schema) is null))
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var sink = new HashingResponseBody();
    long maxHeap = 0, maxWorkingSet = 0;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            maxHeap = Math.Max(maxHeap, GC.GetTotalMemory(false));
            maxWorkingSet = Math.Max(maxWorkingSet, Environment.WorkingSet);
            await Task.Delay(50);
        }
    });
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    await ReleaseZip.WriteArchiveAsync(sink, (zip, ct) => writer.WriteAsync(context, zip, ct), CancellationToken.None);
    clock.Stop();
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    await sampling.CancelAsync();
    await sampler;
    var line = string.Create(c, $"| {writer.Format} | {clock.Elapsed.TotalSeconds:F1} | {sink.Length / 1e6:F1} | {allocated / 1e6:F0} | {maxHeap / 1e6:F0} | {maxWorkingSet / 1e6:F0} | {sink.Hash()[..16]} |");
    Console.WriteLine(line);
    report.AppendLine(line);
}
if (reportPath is not null)
{
    await File.WriteAllTextAsync(reportPath, report.ToString());
}

// What an archive of many files costs: ZipArchive keeps a record per file until the central directory is written.
static async Task ManyFilesAsync(int files)
{
    var sink = new HashingResponseBody();
    var line = "0 0.500000 0.500000 0.100000 0.100000\n"u8.ToArray();
    var clock = Stopwatch.StartNew();
    long heapBeforeDirectory = 0;
    await ReleaseZip.WriteArchiveAsync(sink, async (zip, ct) =>
    {
        for (var i = 0; i < files; i++)
        {
            await using var stream = await ReleaseZip.Create(zip, string.Create(CultureInfo.InvariantCulture, $"labels/train/{i + 1}.txt")).OpenAsync(ct);
            await stream.WriteAsync(line, ct);
        }
        GC.Collect();
        heapBeforeDirectory = GC.GetTotalMemory(true);
    }, CancellationToken.None);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{files:N0} files: {clock.Elapsed.TotalSeconds:F1} s, archive {sink.Length / 1e6:F1} MB, live heap before the central directory {heapBeforeDirectory / 1e6:F0} MB ({(double)heapBeforeDirectory / files:F0} bytes a file)"));
}

// Deterministic entries in the download's order (split, then id): a short review, its answers and a span.
static async IAsyncEnumerable<ReleaseEntry> Entries(int count, [EnumeratorCancellation] CancellationToken ct)
{
    string[] labels = ["positive", "negative", "neutral"];
    for (var split = 0; split < SplitNames.All.Count; split++)
    {
        var (from, to) = split switch { 0 => (0, count * 8 / 10), 1 => (count * 8 / 10, count * 9 / 10), _ => (count * 9 / 10, count) };
        for (var id = from; id < to; id++)
        {
            if (id % 2000 == 0)
            {
                // A page boundary, as the database read has one.
                await Task.Yield();
                ct.ThrowIfCancellationRequested();
            }
            var text = string.Create(CultureInfo.InvariantCulture, $"Kim ordered item {id} from Seoul and the delivery took {id % 7} days.");
            var data = new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement(text) };
            var answers = new Dictionary<string, FinalAnswer>
            {
                ["sentiment"] = new(JsonSerializer.SerializeToElement(labels[id % 3]), 2.0 / 3, FinalAnswerSource.Majority, [id * 3L, (id * 3L) + 1]),
                ["topics"] = new(JsonSerializer.SerializeToElement(new[] { "service" }), 1, FinalAnswerSource.Majority, [id * 3L]),
                ["entities"] = new(JsonSerializer.SerializeToElement(new[] { new { start = 0, end = 3, label = "PER" }, new { start = text.Length - 25, end = text.Length - 20, label = "LOC" } }),
                    1, FinalAnswerSource.Consensus, [id * 3L, (id * 3L) + 1, (id * 3L) + 2]),
            };
            yield return new ReleaseEntry(id + 1, SplitNames.All[split], Convert.ToHexStringLower(BitConverter.GetBytes((long)id)), data, answers);
        }
    }
}

/// <summary>A response body stand-in: forward only, asynchronous writes only; keeps the length and a SHA-256 of the bytes.</summary>
internal sealed class HashingResponseBody : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => length;

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public string Hash() => Convert.ToHexStringLower(hash.GetCurrentHash());

    public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");

    public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed.");

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        hash.AppendData(buffer.Span);
        length += buffer.Length;
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
