using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases;

/// <summary>Where an item's final answer to a field came from (ADR 0020).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FinalAnswerSource>))]
public enum FinalAnswerSource
{
    /// <summary>The item is gold: its known answer.</summary>
    Gold,

    /// <summary>A reviewer accepted or wrote it (review fixes, accepted answers, cleansing corrections).</summary>
    Adjudicated,

    /// <summary>More than half of the answers give exactly this value.</summary>
    Majority,

    /// <summary>The label with the highest Dawid–Skene posterior.</summary>
    DawidSkene,

    /// <summary>Spans or boxes that more than half of the annotators marked (matched), merged.</summary>
    Consensus,
}

/// <summary>
/// One field's final answer of an item in a release: the value in the stored answer form of the field
/// (<see cref="Labeling.AnswerCodec"/>), how sure the aggregation is (0–1: vote share, posterior, matched share; 1 for
/// gold and adjudicated), where it came from and the answers it was made of.
/// </summary>
public sealed record FinalAnswer(
    [property: JsonPropertyName("value")] JsonElement Value,
    [property: JsonPropertyName("confidence")] double Confidence,
    [property: JsonPropertyName("source")] FinalAnswerSource Source,
    [property: JsonPropertyName("from")] IReadOnlyList<long> FromAnnotationIds);

/// <summary>The split names releases use, in the order they are written.</summary>
public static class SplitNames
{
    public const string Train = "train";
    public const string Validation = "validation";
    public const string Test = "test";

    public static readonly IReadOnlyList<string> All = [Train, Validation, Test];
}

/// <summary>
/// One item of a release as the formats write it: its split, the SHA-256 of its content (hex, as imports record it), its
/// data as imported, and the final answer of each field that has one (a field left out was tied or unanswered).
/// </summary>
public sealed record ReleaseEntry(
    long ItemId,
    string Split,
    string ContentHash,
    IReadOnlyDictionary<string, JsonElement> Data,
    IReadOnlyDictionary<string, FinalAnswer> Answers)
{
    /// <summary>Where a synthetic item came from; null for a collected one (the formats write it only when set).</summary>
    public ReleaseSynthetic? Synthetic { get; init; }
}

/// <summary>A synthetic item's origin as the manifest and the formats write it: generator name, class asked for, noise seed.</summary>
public sealed record ReleaseSynthetic(string Generator, string Class, long Seed)
{
    /// <summary>The "synthetic" member of a manifest line or a JSON row: {generator, class, seed}.</summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject("synthetic");
        json.WriteString("generator", Generator);
        json.WriteString("class", Class);
        json.WriteNumber("seed", Seed);
        json.WriteEndObject();
    }
}

/// <summary>An item's image as a format copies it into the download.</summary>
/// <param name="FileName">The name the image was uploaded with (or the item's id and the format's extension).</param>
public sealed record ReleaseImage(string FileName, string ContentType, int Width, int Height, Func<CancellationToken, Task<Stream>> OpenAsync);

/// <summary>Where formats that carry images (COCO, YOLO, Pascal VOC) read them; null when the item has none.</summary>
public interface IReleaseMedia
{
    Task<ReleaseImage?> ImageAsync(ReleaseEntry entry, CancellationToken ct);
}

/// <summary>What every format writer is given besides the entries.</summary>
/// <param name="Entries">
/// The release's items ordered by split (<see cref="SplitNames.All"/> order) then item id; each call reads them again
/// from the start (a writer may make several passes, never holds them all).
/// </param>
public sealed record ReleaseWriteContext(
    string ProjectName,
    int ReleaseNumber,
    LabelSchema Schema,
    IReadOnlyList<string> Splits,
    IReleaseMedia? Media,
    Func<CancellationToken, IAsyncEnumerable<ReleaseEntry>> Entries);

/// <summary>The download formats of a release (ADR 0020).</summary>
public enum ReleaseFormat
{
    Jsonl,
    Csv,
    LabelStudio,
    Coco,
    Yolo,
    PascalVoc,
    Conll,
    HuggingFace,
}

/// <summary>Writes one format's files of a release into its download archive.</summary>
public interface IReleaseFormatWriter
{
    ReleaseFormat Format { get; }

    /// <summary>Why this format cannot hold the schema's answers (COCO without a box field…), or null when it can.</summary>
    string? CannotWrite(LabelSchema schema);

    /// <summary>Adds the format's files (paths inside the archive, '/'-separated) through <see cref="ReleaseZip.Create"/>.</summary>
    Task WriteAsync(ReleaseWriteContext context, ZipArchive zip, CancellationToken ct);
}

/// <summary>
/// Entries of a release download. Every entry gets the same timestamp and the same compression, so writing the same
/// release twice gives byte-identical archives (the reproducibility rule).
/// </summary>
public static class ReleaseZip
{
    /// <summary>The earliest time a ZIP entry can carry: no clock leaks into the archive.</summary>
    public static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Writes an archive straight into <paramref name="output"/> (the response body: not seekable, no synchronous
    /// writes): no file's content is held in memory or on disk beyond the entry being written (ZipArchive keeps only a
    /// small record per file for the central directory). The archive is finished (its central directory written) only
    /// when <paramref name="fill"/> succeeds: a failure leaves a cut-off file that no reader takes for a whole one.
    /// </summary>
    public static async Task WriteArchiveAsync(Stream output, Func<ZipArchive, CancellationToken, Task> fill, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fill);
        await using var forward = new AsyncArchiveOutput(output);
        var zip = await ZipArchive.CreateAsync(forward, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        await fill(zip, ct);
        await zip.DisposeAsync();
        await forward.FlushAsync(ct);
    }

    public static ZipArchiveEntry Create(ZipArchive zip, string path)
    {
        ArgumentNullException.ThrowIfNull(zip);
        var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
        entry.LastWriteTime = EntryTime;
        return entry;
    }
}
