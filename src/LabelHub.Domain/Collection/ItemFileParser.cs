using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace LabelHub.Domain.Collection;

public enum ItemFileFormat
{
    Csv,
    Tsv,
    Json,
    Jsonl,

    /// <summary>One PNG, JPEG, GIF, WebP or BMP image; not parsed here but by the import job.</summary>
    Image,

    /// <summary>
    /// A ZIP archive of images (<see cref="ImageArchive"/>) or of .txt files (<see cref="TextArchive"/>, one item per file);
    /// not parsed here but by the import job.
    /// </summary>
    Zip,

    /// <summary>Plain text (.txt): one item {"text": line} per non-blank line. Last, as stored job parameters hold the number.</summary>
    Text,
}

/// <summary>One importable item. <paramref name="Line"/> is the 1-based line where it starts in the file.</summary>
/// <param name="LabelStudio">The Label Studio task the item was unwrapped from, when it had an id, annotations or predictions.</param>
public sealed record ParsedItem(int Line, Dictionary<string, JsonElement> Data, LabelStudioTask? LabelStudio = null);

public sealed record ImportRowError(int Line, string Message);

public sealed record ItemParseResult(IReadOnlyList<ParsedItem> Items, IReadOnlyList<ImportRowError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Parses uploaded item files (CSV, TSV, JSON array, JSON Lines, plain text) into flat-ish JSON objects.
/// Row problems are collected rather than thrown, so the user can fix every bad row in one go.
/// </summary>
public static partial class ItemFileParser
{
    /// <summary>After this many row errors parsing stops and one final error says so.</summary>
    public const int MaxErrorsReported = 1000;

    private const int ReadChunkSize = 64 * 1024;
    private const string NotUtf8Message = "file is not valid UTF-8";
    private const string EmptyFileMessage = "file is empty";

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];
    private static ReadOnlySpan<byte> JsonWhitespace => " \t\r\n"u8;

    public static bool TryDetectFormat(string fileName, out ItemFileFormat format)
    {
        switch (Path.GetExtension(fileName).ToLowerInvariant())
        {
            case ".csv":
                format = ItemFileFormat.Csv;
                return true;
            case ".tsv":
            case ".tab":
                format = ItemFileFormat.Tsv;
                return true;
            case ".json":
                format = ItemFileFormat.Json;
                return true;
            case ".jsonl":
            case ".ndjson":
                format = ItemFileFormat.Jsonl;
                return true;
            case ".txt":
                format = ItemFileFormat.Text;
                return true;
            default:
                format = default;
                return false;
        }
    }

    /// <param name="onItem">
    /// When given, each item goes to it as soon as it is read and is not kept: the result then lists only the errors, and a
    /// file of any size is parsed in constant memory.
    /// </param>
    public static ItemParseResult Parse(
        Stream stream,
        ItemFileFormat format,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default,
        Action<ParsedItem>? onItem = null)
    {
        ArgumentNullException.ThrowIfNull(stream);

        var result = new ResultBuilder(onItem);
        var progressReporter = new ProgressReporter(progress) { TotalBytes = TryGetRemainingLength(stream) };

        switch (format)
        {
            case ItemFileFormat.Csv:
                ReadDelimited(stream, ',', result, progressReporter, cancellationToken);
                break;
            case ItemFileFormat.Tsv:
                ReadDelimited(stream, '\t', result, progressReporter, cancellationToken);
                break;
            case ItemFileFormat.Jsonl:
                Pump(stream, new JsonLinesParser(result), progressReporter, cancellationToken);
                break;
            case ItemFileFormat.Text:
                Pump(stream, new TextLinesParser(result), progressReporter, cancellationToken);
                break;
            case ItemFileFormat.Json:
                // A JSON document has to be buffered whole; progress is reported while parsing it instead.
                var capacityHint = (int)Math.Min(progressReporter.TotalBytes ?? 0, Array.MaxLength);
                var jsonParser = new JsonArrayParser(result, progressReporter, capacityHint, cancellationToken);
                Pump(stream, jsonParser, progress: null, cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown item file format.");
        }

        if (result.IsEmpty)
        {
            result.AddError(1, "no items");
        }

        progressReporter.Complete();
        return result.Build();
    }

    private static long? TryGetRemainingLength(Stream stream)
    {
        if (stream.CanSeek)
        {
            return stream.Length - stream.Position;
        }

        try
        {
            // Some forward-only streams (e.g. Blazor's browser file stream) still know their size.
            return stream.Length;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Feeds the stream to a parser in fixed-size chunks, skipping a leading UTF-8 BOM.</summary>
    private static void Pump(Stream stream, IChunkConsumer consumer, ProgressReporter? progress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadChunkSize);
        try
        {
            long bytesRead = 0;
            var atStart = true;
            while (!consumer.Stopped)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // ReadAtLeast fills the chunk unless the stream ends, so a BOM is never split across reads.
                var read = stream.ReadAtLeast(buffer.AsSpan(0, ReadChunkSize), ReadChunkSize, throwOnEndOfStream: false);
                if (read == 0)
                {
                    break;
                }

                bytesRead += read;
                ReadOnlySpan<byte> chunk = buffer.AsSpan(0, read);
                if (atStart && chunk.StartsWith(Utf8Bom))
                {
                    chunk = chunk[Utf8Bom.Length..];
                }

                atStart = false;
                consumer.Consume(chunk);
                progress?.Report(bytesRead);
            }

            cancellationToken.ThrowIfCancellationRequested();
            consumer.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Index of the first byte that is not part of a valid UTF-8 sequence, or -1.</summary>
    private static int FindInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return -1;
        }

        var index = 0;
        while (index < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[index..], out _, out var consumed) != OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return -1;
    }

    private static string DescribeJsonError(JsonException exception)
    {
        // Reader messages end with "LineNumber: 0 | BytePositionInLine: 7." (sometimes preceded by "Path: $ |");
        // the line is reported separately and the rest means nothing to the person importing.
        var message = exception.Message;
        var noiseStart = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (noiseStart < 0)
        {
            noiseStart = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        if (noiseStart >= 0)
        {
            message = message[..noiseStart];
        }

        return "invalid JSON: " + message.Trim();
    }

    /// <summary>
    /// Applies the per-item rules shared by JSON and JSON Lines: objects (optionally a Label Studio task
    /// <c>{"data": {...}, "id", "annotations", …}</c>, unwrapped to its data) or plain strings, which become <c>{"text": ...}</c>.
    /// </summary>
    private static bool TryCreateItemData(
        JsonElement element,
        string notAnObjectMessage,
        [NotNullWhen(true)] out Dictionary<string, JsonElement>? data,
        [NotNullWhen(false)] out string? error,
        out LabelStudioTask? task)
    {
        data = null;
        task = null;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (!TryGetString(element, out var text, out error))
                {
                    return false;
                }

                if (string.IsNullOrWhiteSpace(text))
                {
                    error = "empty text";
                    return false;
                }

                data = new Dictionary<string, JsonElement>(1) { ["text"] = element.Clone() };
                return true;

            case JsonValueKind.Object:
                // Clone once so the property values outlive the document they were parsed from.
                var item = (LabelStudioTask.TryUnwrap(element, out var taskData, out task) ? taskData : element).Clone();
                data = new Dictionary<string, JsonElement>();
                foreach (var property in item.EnumerateObject())
                {
                    if (string.IsNullOrWhiteSpace(property.Name))
                    {
                        error = "empty key";
                        data = null;
                        return false;
                    }

                    if (!data.TryAdd(property.Name, property.Value))
                    {
                        error = $"duplicate key '{property.Name}'";
                        data = null;
                        return false;
                    }
                }

                if (data.Count == 0)
                {
                    error = "empty object";
                    data = null;
                    return false;
                }

                error = null;
                return true;

            default:
                error = notAnObjectMessage;
                return false;
        }
    }

    private static bool TryGetString(JsonElement element, out string? value, [NotNullWhen(false)] out string? error)
    {
        try
        {
            value = element.GetString();
            error = null;
            return true;
        }
        catch (InvalidOperationException)
        {
            // Escaped lone surrogates ("\ud800") pass the JSON grammar but cannot become a .NET string.
            value = null;
            error = "invalid JSON: string contains an invalid escaped character";
            return false;
        }
    }

    private interface IChunkConsumer
    {
        bool Stopped { get; }

        void Consume(ReadOnlySpan<byte> chunk);

        /// <summary>Called once after the last chunk, also when <see cref="Stopped"/> ended reading early.</summary>
        void Finish();
    }

    private sealed class ResultBuilder(Action<ParsedItem>? onItem)
    {
        private readonly List<ParsedItem> _items = [];
        private readonly List<ImportRowError> _errors = [];
        private int _streamed;

        /// <summary>True once <see cref="MaxErrorsReported"/> was exceeded; parsers stop reading then.</summary>
        public bool Stopped { get; private set; }

        public bool IsEmpty => _items.Count == 0 && _streamed == 0 && _errors.Count == 0;

        public void AddItem(int line, Dictionary<string, JsonElement> data, LabelStudioTask? task = null)
        {
            if (onItem is null)
            {
                _items.Add(new ParsedItem(line, data, task));
                return;
            }
            _streamed++;
            onItem(new ParsedItem(line, data, task));
        }

        public void AddError(int line, string message)
        {
            if (Stopped)
            {
                return;
            }

            if (_errors.Count == MaxErrorsReported)
            {
                _errors.Add(new ImportRowError(line, $"too many errors; stopped after the first {MaxErrorsReported}"));
                Stopped = true;
                return;
            }

            _errors.Add(new ImportRowError(line, message));
        }

        /// <summary>For a document that cannot be read at all: one error, no partial results.</summary>
        public void ReplaceWithSingleError(int line, string message)
        {
            _items.Clear();
            _errors.Clear();
            Stopped = false;
            AddError(line, message);
        }

        public ItemParseResult Build() => new(_items, _errors);
    }

    private sealed class ProgressReporter(IProgress<double>? progress)
    {
        // Report only after 1% more of the input was consumed: at most ~100 reports per file.
        private const double MinimumStep = 0.01;

        private double _lastReported;

        public long? TotalBytes { get; set; }

        public void Report(long consumedBytes)
        {
            if (progress is null || TotalBytes is not > 0)
            {
                return;
            }

            var fraction = Math.Min(1.0, (double)consumedBytes / TotalBytes.Value);
            if (fraction - _lastReported < MinimumStep)
            {
                return;
            }

            _lastReported = fraction;
            progress.Report(fraction);
        }

        public void Complete()
        {
            if (progress is not null && _lastReported < 1.0)
            {
                _lastReported = 1.0;
                progress.Report(1.0);
            }
        }
    }
}
