using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Encodings.Web;
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

    /// <summary>A ZIP archive of images (<see cref="ImageArchive"/>); not parsed here but by the import job.</summary>
    Zip,
}

/// <summary>One importable item. <paramref name="Line"/> is the 1-based line where it starts in the file.</summary>
public sealed record ParsedItem(int Line, Dictionary<string, JsonElement> Data);

public sealed record ImportRowError(int Line, string Message);

public sealed record ItemParseResult(IReadOnlyList<ParsedItem> Items, IReadOnlyList<ImportRowError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Parses uploaded item files (CSV, TSV, JSON array, JSON Lines) into flat-ish JSON objects.
/// Row problems are collected rather than thrown, so the user can fix every bad row in one go.
/// </summary>
public static class ItemFileParser
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
                Pump(stream, new DelimitedTextParser((byte)',', result), progressReporter, cancellationToken);
                break;
            case ItemFileFormat.Tsv:
                Pump(stream, new DelimitedTextParser((byte)'\t', result), progressReporter, cancellationToken);
                break;
            case ItemFileFormat.Jsonl:
                Pump(stream, new JsonLinesParser(result), progressReporter, cancellationToken);
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
    /// Applies the per-item rules shared by JSON and JSON Lines: objects (optionally wrapped as a
    /// Label Studio task <c>{"data": {...}}</c>) or plain strings, which become <c>{"text": ...}</c>.
    /// </summary>
    private static bool TryCreateItemData(
        JsonElement element,
        string notAnObjectMessage,
        [NotNullWhen(true)] out Dictionary<string, JsonElement>? data,
        [NotNullWhen(false)] out string? error)
    {
        data = null;
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
                var item = UnwrapLabelStudioTask(element).Clone();
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

    private static JsonElement UnwrapLabelStudioTask(JsonElement element)
    {
        using var properties = element.EnumerateObject();
        if (!properties.MoveNext())
        {
            return element;
        }

        var first = properties.Current;
        var isOnlyProperty = !properties.MoveNext();
        return isOnlyProperty && first.NameEquals("data"u8) && first.Value.ValueKind == JsonValueKind.Object
            ? first.Value
            : element;
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

        public void AddItem(int line, Dictionary<string, JsonElement> data)
        {
            if (onItem is null)
            {
                _items.Add(new ParsedItem(line, data));
                return;
            }
            _streamed++;
            onItem(new ParsedItem(line, data));
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

    /// <summary>
    /// RFC 4180 reader working on UTF-8 bytes as they stream in. All syntax characters are ASCII,
    /// so fields can be split on bytes and only validated as UTF-8 afterwards; state survives chunk boundaries.
    /// </summary>
    private sealed class DelimitedTextParser : IChunkConsumer
    {
        private const byte Quote = (byte)'"';
        private const byte Cr = (byte)'\r';
        private const byte Lf = (byte)'\n';
        private const int MaxColumnsInMessage = 10;

        // Rows are written as one JSON array per batch and parsed together: a document per row
        // would cost a parse, a clone and several allocations for every row. The limits keep each
        // batch's cloned buffers (JSON text and ~24 bytes of metadata per value) off the large object heap.
        private const int MaxValuesPerBatch = 2048;
        private const int MaxBatchBytes = 48 * 1024;

        private static readonly SearchValues<byte> QuotedFieldStops = SearchValues.Create("\"\r\n"u8);

        // Keeps non-ASCII text (e.g. Korean) readable in the stored JSON while still escaping
        // control and HTML-sensitive characters.
        private static readonly JavaScriptEncoder JsonEncoder = JavaScriptEncoder.Create(UnicodeRanges.All);

        private readonly byte _delimiter;
        private readonly SearchValues<byte> _unquotedFieldStops;
        private readonly ResultBuilder _result;
        private readonly ArrayBufferWriter<byte> _jsonBuffer = new();
        private readonly Utf8JsonWriter _jsonWriter;
        private readonly List<int> _batchLines = [];

        // The current record: field contents back to back, with their boundaries in _fields.
        private readonly List<Field> _fields = [];
        private byte[] _recordBytes = new byte[1024];
        private int _recordLength;
        private int _fieldStart;
        private int _fieldStartLine = 1;
        private bool _fieldQuoted;
        private ImportRowError? _recordError;

        private State _state = State.FieldStart;
        private int _line = 1;
        private int _recordLine = 1;
        private int _quoteOpenLine;
        private bool _afterCr;

        private string[]? _columns;
        private JsonEncodedText[]? _encodedColumns;
        private bool _headerRejected;

        public DelimitedTextParser(byte delimiter, ResultBuilder result)
        {
            _delimiter = delimiter;
            _unquotedFieldStops = SearchValues.Create([delimiter, Quote, Cr, Lf]);
            _result = result;
            _jsonWriter = new Utf8JsonWriter(_jsonBuffer, new JsonWriterOptions { Encoder = JsonEncoder, SkipValidation = true });
        }

        private enum State
        {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted, // saw a quote inside a quoted field: either an escaped "" or the closing quote
        }

        public bool Stopped => _headerRejected || _result.Stopped;

        public void Consume(ReadOnlySpan<byte> chunk)
        {
            var index = 0;
            while (index < chunk.Length && !Stopped)
            {
                if (_afterCr)
                {
                    _afterCr = false;
                    if (chunk[index] == Lf)
                    {
                        // Second half of a CRLF: the line break was already counted at the CR.
                        if (_state == State.Quoted)
                        {
                            Append(Lf);
                        }

                        index++;
                        continue;
                    }
                }

                index = _state switch
                {
                    State.FieldStart => ConsumeFieldStart(chunk, index),
                    State.Unquoted => ConsumeUnquoted(chunk, index),
                    State.Quoted => ConsumeQuoted(chunk, index),
                    _ => ConsumeAfterQuote(chunk, index),
                };
            }
        }

        public void Finish()
        {
            if (!Stopped)
            {
                CompleteLastRecord();
            }

            FlushBatch();
        }

        private void CompleteLastRecord()
        {
            if (_state == State.Quoted)
            {
                // The quote swallowed the rest of the file; point at where it was opened.
                _result.AddError(_quoteOpenLine, "unterminated quoted field");
                _headerRejected = _columns is null;
                return;
            }

            if (_state != State.FieldStart || _fields.Count > 0)
            {
                EndField();
                CompleteRecord();
            }

            if (_columns is null && !_headerRejected)
            {
                _result.AddError(1, EmptyFileMessage);
            }
        }

        private int ConsumeFieldStart(ReadOnlySpan<byte> chunk, int index)
        {
            _fieldStartLine = _line;
            if (chunk[index] == Quote)
            {
                _state = State.Quoted;
                _fieldQuoted = true;
                _quoteOpenLine = _line;
                return index + 1;
            }

            _state = State.Unquoted;
            return index;
        }

        private int ConsumeUnquoted(ReadOnlySpan<byte> chunk, int index)
        {
            var rest = chunk[index..];
            var stop = rest.IndexOfAny(_unquotedFieldStops);
            if (stop < 0)
            {
                Append(rest);
                return chunk.Length;
            }

            Append(rest[..stop]);
            var stopByte = rest[stop];
            if (stopByte == _delimiter)
            {
                EndField();
            }
            else if (stopByte == Quote)
            {
                SetRecordError(_line, "stray quote in unquoted field (quote the whole field and double the quotes inside it)");
                Append(Quote);
            }
            else
            {
                EndRecordAtLineBreak(stopByte);
            }

            return index + stop + 1;
        }

        private int ConsumeQuoted(ReadOnlySpan<byte> chunk, int index)
        {
            var rest = chunk[index..];
            var stop = rest.IndexOfAny(QuotedFieldStops);
            if (stop < 0)
            {
                Append(rest);
                return chunk.Length;
            }

            Append(rest[..stop]);
            var stopByte = rest[stop];
            if (stopByte == Quote)
            {
                _state = State.QuoteInQuoted;
            }
            else
            {
                // A line break inside quotes belongs to the value but still advances the physical line.
                Append(stopByte);
                CountLineBreak(stopByte);
            }

            return index + stop + 1;
        }

        private int ConsumeAfterQuote(ReadOnlySpan<byte> chunk, int index)
        {
            var next = chunk[index];
            if (next == Quote)
            {
                Append(Quote);
                _state = State.Quoted;
            }
            else if (next == _delimiter)
            {
                EndField();
            }
            else if (next is Cr or Lf)
            {
                EndRecordAtLineBreak(next);
            }
            else
            {
                // Keep reading the rest of the field literally so the next record still lines up.
                SetRecordError(_line, "unexpected character after closing quote");
                _state = State.Unquoted;
                return index;
            }

            return index + 1;
        }

        private void CountLineBreak(byte lineBreak)
        {
            _line++;
            _afterCr = lineBreak == Cr;
        }

        private void EndRecordAtLineBreak(byte lineBreak)
        {
            EndField();
            CompleteRecord();
            CountLineBreak(lineBreak);
            _recordLine = _line;
        }

        private void EndField()
        {
            _fields.Add(new Field(_fieldStart, _recordLength - _fieldStart, _fieldStartLine, _fieldQuoted));
            _fieldStart = _recordLength;
            _fieldQuoted = false;
            _state = State.FieldStart;
        }

        private void SetRecordError(int line, string message) => _recordError ??= new ImportRowError(line, message);

        private void Append(byte value) => Append([value]);

        private void Append(ReadOnlySpan<byte> bytes)
        {
            if (_recordLength + bytes.Length > _recordBytes.Length)
            {
                Array.Resize(ref _recordBytes, Math.Max(_recordBytes.Length * 2, _recordLength + bytes.Length));
            }

            bytes.CopyTo(_recordBytes.AsSpan(_recordLength));
            _recordLength += bytes.Length;
        }

        private ReadOnlySpan<byte> FieldBytes(Field field) => _recordBytes.AsSpan(field.Start, field.Length);

        private void CompleteRecord()
        {
            if (!IsBlankLine())
            {
                if (_columns is null)
                {
                    ReadHeader();
                }
                else
                {
                    ReadDataRecord();
                }
            }

            _fields.Clear();
            _recordLength = 0;
            _fieldStart = 0;
            _recordError = null;
        }

        private bool IsBlankLine() =>
            _fields.Count == 1 && !_fields[0].Quoted && _recordError is null && IsWhiteSpace(FieldBytes(_fields[0]));

        private static bool IsWhiteSpace(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept(" \t"u8) < 0;

        private bool TryFindInvalidUtf8(out int line)
        {
            foreach (var field in _fields)
            {
                var bytes = FieldBytes(field);
                var invalidAt = FindInvalidUtf8(bytes);
                if (invalidAt >= 0)
                {
                    line = field.StartLine + CountLineBreaks(bytes[..invalidAt]);
                    return true;
                }
            }

            line = 0;
            return false;
        }

        private static int CountLineBreaks(ReadOnlySpan<byte> bytes)
        {
            var count = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                var isCrOfCrLf = bytes[i] == Cr && i + 1 < bytes.Length && bytes[i + 1] == Lf;
                if (bytes[i] is Cr or Lf && !isCrOfCrLf)
                {
                    count++;
                }
            }

            return count;
        }

        private void ReadHeader()
        {
            // Nothing after the header can be interpreted without it, so any problem here ends parsing.
            _headerRejected = true;
            if (_recordError is not null)
            {
                _result.AddError(_recordError.Line, _recordError.Message);
                return;
            }

            if (TryFindInvalidUtf8(out var invalidLine))
            {
                _result.AddError(invalidLine, NotUtf8Message);
                return;
            }

            var columns = new string[_fields.Count];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var valid = true;
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = Encoding.UTF8.GetString(FieldBytes(_fields[i])).Trim();
                if (columns[i].Length == 0)
                {
                    _result.AddError(_recordLine, $"header: column {i + 1} has no name");
                    valid = false;
                }
                else if (!seen.Add(columns[i]))
                {
                    _result.AddError(_recordLine, $"header: duplicate column name '{columns[i]}'");
                    valid = false;
                }
            }

            if (valid)
            {
                _columns = columns;
                _encodedColumns = Array.ConvertAll(columns, column => JsonEncodedText.Encode(column, JsonEncoder));
                _headerRejected = false;
            }
        }

        private void ReadDataRecord()
        {
            var columns = _columns!;
            if (_recordError is not null)
            {
                _result.AddError(_recordError.Line, _recordError.Message);
            }
            else if (TryFindInvalidUtf8(out var invalidLine))
            {
                _result.AddError(invalidLine, NotUtf8Message);
            }
            else if (_fields.Count != columns.Length)
            {
                _result.AddError(_recordLine, $"expected {columns.Length} fields ({DescribeColumns(columns)}) but found {_fields.Count}");
            }
            else if (AllFieldsBlank())
            {
                _result.AddError(_recordLine, "empty row");
            }
            else
            {
                AddRowToBatch(columns);
            }
        }

        private bool AllFieldsBlank()
        {
            foreach (var field in _fields)
            {
                if (!IsWhiteSpace(FieldBytes(field)))
                {
                    return false;
                }
            }

            return true;
        }

        private static string DescribeColumns(string[] columns) =>
            columns.Length <= MaxColumnsInMessage
                ? string.Join(", ", columns)
                : string.Join(", ", columns.Take(MaxColumnsInMessage)) + ", …";

        private void AddRowToBatch(string[] columns)
        {
            if (_batchLines.Count == 0)
            {
                _jsonBuffer.ResetWrittenCount();
                _jsonWriter.Reset(_jsonBuffer);
                _jsonWriter.WriteStartArray();
            }

            _jsonWriter.WriteStartObject();
            for (var i = 0; i < columns.Length; i++)
            {
                _jsonWriter.WriteString(_encodedColumns![i], FieldBytes(_fields[i]));
            }

            _jsonWriter.WriteEndObject();
            _batchLines.Add(_recordLine);

            var batchFull = _batchLines.Count * columns.Length >= MaxValuesPerBatch
                || _jsonWriter.BytesPending + _jsonWriter.BytesCommitted >= MaxBatchBytes;
            if (batchFull)
            {
                FlushBatch();
            }
        }

        private void FlushBatch()
        {
            if (_batchLines.Count == 0)
            {
                return;
            }

            _jsonWriter.WriteEndArray();
            _jsonWriter.Flush();

            using var document = JsonDocument.Parse(_jsonBuffer.WrittenMemory);

            // The clone owns its memory, so the rows' values stay valid after the document is disposed.
            var rows = document.RootElement.Clone();
            var columns = _columns!;
            var rowIndex = 0;
            foreach (var row in rows.EnumerateArray())
            {
                var data = new Dictionary<string, JsonElement>(columns.Length);
                var column = 0;
                foreach (var property in row.EnumerateObject())
                {
                    data[columns[column++]] = property.Value;
                }

                _result.AddItem(_batchLines[rowIndex++], data);
            }

            _batchLines.Clear();
        }

        private readonly record struct Field(int Start, int Length, int StartLine, bool Quoted);
    }

    /// <summary>JSON Lines: splits on LF (CRLF works too, CR is JSON whitespace) and parses each line alone.</summary>
    private sealed class JsonLinesParser(ResultBuilder result) : IChunkConsumer
    {
        private byte[] _partialLine = new byte[4096];
        private int _partialLength;
        private int _line = 1;
        private bool _sawContent;

        public bool Stopped => result.Stopped;

        public void Consume(ReadOnlySpan<byte> chunk)
        {
            while (!chunk.IsEmpty && !Stopped)
            {
                var lineEnd = chunk.IndexOf((byte)'\n');
                if (lineEnd < 0)
                {
                    AppendPartial(chunk);
                    return;
                }

                if (_partialLength == 0)
                {
                    ParseLine(chunk[..lineEnd]);
                }
                else
                {
                    AppendPartial(chunk[..lineEnd]);
                    ParseLine(_partialLine.AsSpan(0, _partialLength));
                    _partialLength = 0;
                }

                _line++;
                chunk = chunk[(lineEnd + 1)..];
            }
        }

        public void Finish()
        {
            if (Stopped)
            {
                return;
            }

            if (_partialLength > 0)
            {
                ParseLine(_partialLine.AsSpan(0, _partialLength));
            }

            if (!_sawContent)
            {
                result.AddError(1, EmptyFileMessage);
            }
        }

        private void AppendPartial(ReadOnlySpan<byte> bytes)
        {
            if (_partialLength + bytes.Length > _partialLine.Length)
            {
                Array.Resize(ref _partialLine, Math.Max(_partialLine.Length * 2, _partialLength + bytes.Length));
            }

            bytes.CopyTo(_partialLine.AsSpan(_partialLength));
            _partialLength += bytes.Length;
        }

        private void ParseLine(ReadOnlySpan<byte> line)
        {
            if (line.IndexOfAnyExcept(JsonWhitespace) < 0)
            {
                return;
            }

            _sawContent = true;
            if (FindInvalidUtf8(line) >= 0)
            {
                result.AddError(_line, NotUtf8Message);
                return;
            }

            JsonElement element;
            try
            {
                var reader = new Utf8JsonReader(line);
                element = JsonElement.ParseValue(ref reader);

                // Throws if anything but whitespace follows the value.
                reader.Read();
            }
            catch (JsonException exception)
            {
                result.AddError(_line, DescribeJsonError(exception));
                return;
            }

            if (TryCreateItemData(element, "line is not a JSON object", out var data, out var error))
            {
                result.AddItem(_line, data);
            }
            else
            {
                result.AddError(_line, error);
            }
        }
    }

    /// <summary>
    /// A JSON document whose items are a top-level array (or the "items"/"data" array of a top-level object).
    /// The document is buffered so each element's line can be found from its byte offset.
    /// </summary>
    private sealed class JsonArrayParser(
        ResultBuilder result,
        ProgressReporter progress,
        int capacityHint,
        CancellationToken cancellationToken) : IChunkConsumer
    {
        private const string UnexpectedShapeMessage =
            "expected a JSON array of items, or an object with an \"items\" or \"data\" array";

        private readonly List<int> _lineFeedOffsets = [];
        private byte[] _json = new byte[Math.Clamp(capacityHint, 4096, 64 * 1024 * 1024)];
        private int _length;

        public bool Stopped => false;

        public void Consume(ReadOnlySpan<byte> chunk)
        {
            if (_length + chunk.Length > _json.Length)
            {
                var newLength = (int)Math.Min(Array.MaxLength, Math.Max((long)_json.Length * 2, (long)_length + chunk.Length));
                Array.Resize(ref _json, newLength);
            }

            chunk.CopyTo(_json.AsSpan(_length));
            _length += chunk.Length;
        }

        public void Finish()
        {
            ReadOnlySpan<byte> json = _json.AsSpan(0, _length);
            if (json.IndexOfAnyExcept(JsonWhitespace) < 0)
            {
                result.AddError(1, EmptyFileMessage);
                return;
            }

            IndexLineFeeds(json);
            var invalidAt = FindInvalidUtf8(json);
            if (invalidAt >= 0)
            {
                result.AddError(LineOf(invalidAt), NotUtf8Message);
                return;
            }

            progress.TotalBytes = _length;
            var reader = new Utf8JsonReader(json);
            try
            {
                reader.Read();
                bool foundItems;
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    ReadItems(ref reader);
                    foundItems = true;
                }
                else
                {
                    foundItems = reader.TokenType == JsonTokenType.StartObject && ReadWrappedItems(ref reader);
                }

                if (!foundItems)
                {
                    result.ReplaceWithSingleError(1, UnexpectedShapeMessage);
                    return;
                }

                // Reading to the end makes trailing garbage after the array a syntax error too.
                while (!result.Stopped && reader.Read())
                {
                }
            }
            catch (JsonException exception)
            {
                // A broken document cannot be trusted element by element: report just the syntax error.
                result.ReplaceWithSingleError((int)(exception.LineNumber ?? 0) + 1, DescribeJsonError(exception));
            }
        }

        private void ReadItems(ref Utf8JsonReader reader)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                cancellationToken.ThrowIfCancellationRequested();

                var line = LineOf(reader.TokenStartIndex);
                var element = JsonElement.ParseValue(ref reader);
                if (TryCreateItemData(element, "array element is not a JSON object", out var data, out var error))
                {
                    result.AddItem(line, data);
                }
                else
                {
                    result.AddError(line, error);
                }

                if (result.Stopped)
                {
                    break;
                }

                progress.Report(reader.BytesConsumed);
            }
        }

        private bool ReadWrappedItems(ref Utf8JsonReader reader)
        {
            var found = false;
            while (!result.Stopped && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isItemsProperty = !found && (reader.ValueTextEquals("items"u8) || reader.ValueTextEquals("data"u8));
                reader.Read();
                if (isItemsProperty && reader.TokenType == JsonTokenType.StartArray)
                {
                    ReadItems(ref reader);
                    found = true;
                }
                else
                {
                    reader.Skip();
                }
            }

            return found;
        }

        private void IndexLineFeeds(ReadOnlySpan<byte> json)
        {
            var offset = 0;
            int next;
            while ((next = json[offset..].IndexOf((byte)'\n')) >= 0)
            {
                offset += next;
                _lineFeedOffsets.Add(offset);
                offset++;
            }
        }

        private int LineOf(long byteOffset)
        {
            // Line = 1 + number of line feeds before the offset.
            var index = _lineFeedOffsets.BinarySearch((int)byteOffset);
            return (index >= 0 ? index : ~index) + 1;
        }
    }
}
