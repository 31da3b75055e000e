using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using nietras.SeparatedValues;

namespace LabelHub.Domain.Collection;

public static partial class ItemFileParser
{
    /// <summary>
    /// CSV and TSV through Sep (a maintained, vectorised reader). Sep splits rows and columns and counts lines without ever
    /// rejecting input, so what RFC 4180 forbids is checked here on each column's raw text, and invalid UTF-8 is found on
    /// the bytes as they stream past (<see cref="Utf8LineCheck"/>): every bad row is still reported with its line.
    /// </summary>
    private static void ReadDelimited(Stream stream, char separator, ResultBuilder result, ProgressReporter progress, CancellationToken ct)
    {
        using var checkedBytes = new Utf8LineCheck(stream);
        // The UTF-8 preamble (BOM) is skipped; invalid bytes become U+FFFD here and are reported from checkedBytes.
        using var text = new StreamReader(checkedBytes, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), detectEncodingFromByteOrderMarks: false, ReadChunkSize, leaveOpen: true);
        using var reader = Sep.Reader(o => o with { Sep = new Sep(separator), HasHeader = false, DisableColCountCheck = true }).From(text);
        var rows = new DelimitedRows(result, checkedBytes);
        var first = true;
        foreach (var row in reader)
        {
            ct.ThrowIfCancellationRequested();
            // Sep numbers the first row as if it followed a header; it starts on line 1.
            rows.Read(row, first ? 1 : row.LineNumberFrom);
            first = false;
            progress.Report(checkedBytes.BytesRead);
            if (rows.Stopped)
            {
                break;
            }
        }
        ct.ThrowIfCancellationRequested();
        rows.Finish();
    }

    /// <summary>Turns Sep's rows into items or line-numbered errors: header first, then one item per data row.</summary>
    private sealed class DelimitedRows(ResultBuilder result, Utf8LineCheck bytes)
    {
        private const int MaxColumnsInMessage = 10;

        // Rows are written as one JSON array per batch and parsed together: a document per row would cost a parse, a
        // clone and several allocations for every row. The limits keep each batch's buffers off the large object heap.
        private const int MaxValuesPerBatch = 2048;
        private const int MaxBatchBytes = 48 * 1024;

        // Keeps non-ASCII text (e.g. Korean) readable in the stored JSON while still escaping control and HTML-sensitive characters.
        private static readonly JavaScriptEncoder JsonEncoder = JavaScriptEncoder.Create(UnicodeRanges.All);

        private readonly ArrayBufferWriter<byte> _json = new();
        private readonly Utf8JsonWriter _writer = new(new ArrayBufferWriter<byte>(), new JsonWriterOptions { Encoder = JsonEncoder, SkipValidation = true });
        private readonly List<int> _batchLines = [];
        private readonly List<string> _values = [];
        private string[]? _columns;
        private JsonEncodedText[]? _encodedColumns;
        private bool _headerRejected;
        private bool _anyRow;

        public bool Stopped => _headerRejected || result.Stopped;

        public void Read(SepReader.Row row, int line)
        {
            var raw = row.Span;
            var blank = row.ColCount == 1 && raw.IndexOfAnyExcept(" \t") < 0;
            if (blank)
            {
                return;
            }
            _anyRow = true;
            _values.Clear();
            var error = ReadColumns(row, line);
            if (error is null && bytes.FirstInvalidLine(line, line + CountLineBreaks(raw)) is { } invalidLine)
            {
                error = new ImportRowError(invalidLine, NotUtf8Message);
            }
            if (_columns is null)
            {
                ReadHeader(line, error);
            }
            else if (error is not null)
            {
                result.AddError(error.Line, error.Message);
            }
            else if (_values.Count != _columns.Length)
            {
                result.AddError(line, $"expected {_columns.Length} fields ({DescribeColumns(_columns)}) but found {_values.Count}");
            }
            else if (_values.TrueForAll(v => v.AsSpan().IndexOfAnyExcept(" \t") < 0))
            {
                result.AddError(line, "empty row");
            }
            else
            {
                AddToBatch(line);
            }
        }

        public void Finish()
        {
            if (!_anyRow && !_headerRejected && !result.Stopped)
            {
                result.AddError(1, EmptyFileMessage);
            }
            FlushBatch();
        }

        /// <summary>
        /// Each column's value, unquoted; the first quoting error of the row (RFC 4180: a quoted field is quoted whole and
        /// doubles its quotes) with the physical line it is on.
        /// </summary>
        private ImportRowError? ReadColumns(SepReader.Row row, int line)
        {
            ImportRowError? error = null;
            var raw = row.Span;
            var start = 0;
            for (var i = 0; i < row.ColCount; i++)
            {
                var column = row[i].Span;
                var columnLine = line + CountLineBreaks(raw[..start]);
                start += column.Length + 1;
                if (column.IndexOf('"') < 0)
                {
                    _values.Add(column.ToString());
                    continue;
                }
                if (column[0] != '"')
                {
                    var at = column.IndexOf('"');
                    error ??= new ImportRowError(columnLine + CountLineBreaks(column[..at]), "stray quote in unquoted field (quote the whole field and double the quotes inside it)");
                    _values.Add(column.ToString());
                    continue;
                }
                var value = new StringBuilder(column.Length);
                var position = 1;
                while (true)
                {
                    var next = column[position..].IndexOf('"');
                    if (next < 0)
                    {
                        // The quote swallowed the rest of the file; point at where it was opened. Nothing after it can be read.
                        error ??= new ImportRowError(columnLine, "unterminated quoted field");
                        _headerRejected = _columns is null;
                        value.Append(column[position..]);
                        break;
                    }
                    value.Append(column.Slice(position, next));
                    position += next;
                    if (position + 1 < column.Length && column[position + 1] == '"')
                    {
                        value.Append('"');
                        position += 2;
                        continue;
                    }
                    if (position != column.Length - 1)
                    {
                        error ??= new ImportRowError(columnLine + CountLineBreaks(column[..position]), "unexpected character after closing quote");
                        value.Append(column[(position + 1)..]);
                    }
                    break;
                }
                _values.Add(value.ToString());
            }
            return error;
        }

        private void ReadHeader(int line, ImportRowError? error)
        {
            // Nothing after the header can be read without it, so any problem here ends parsing.
            _headerRejected = true;
            if (error is not null)
            {
                result.AddError(error.Line, error.Message);
                return;
            }
            var columns = _values.Select(v => v.Trim()).ToArray();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var valid = true;
            for (var i = 0; i < columns.Length; i++)
            {
                if (columns[i].Length == 0)
                {
                    result.AddError(line, $"header: column {i + 1} has no name");
                    valid = false;
                }
                else if (!seen.Add(columns[i]))
                {
                    result.AddError(line, $"header: duplicate column name '{columns[i]}'");
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

        private static string DescribeColumns(string[] columns) =>
            columns.Length <= MaxColumnsInMessage
                ? string.Join(", ", columns)
                : string.Join(", ", columns.Take(MaxColumnsInMessage)) + ", …";

        private void AddToBatch(int line)
        {
            if (_batchLines.Count == 0)
            {
                _json.ResetWrittenCount();
                _writer.Reset(_json);
                _writer.WriteStartArray();
            }
            _writer.WriteStartObject();
            for (var i = 0; i < _values.Count; i++)
            {
                _writer.WriteString(_encodedColumns![i], _values[i]);
            }
            _writer.WriteEndObject();
            _batchLines.Add(line);
            if (_batchLines.Count * _values.Count >= MaxValuesPerBatch || _writer.BytesPending + _writer.BytesCommitted >= MaxBatchBytes)
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
            _writer.WriteEndArray();
            _writer.Flush();
            using var document = JsonDocument.Parse(_json.WrittenMemory);
            // The clone owns its memory, so the rows' values stay valid after the document is disposed.
            var rows = document.RootElement.Clone();
            var index = 0;
            foreach (var row in rows.EnumerateArray())
            {
                var data = new Dictionary<string, JsonElement>(_columns!.Length);
                var column = 0;
                foreach (var property in row.EnumerateObject())
                {
                    data[_columns[column++]] = property.Value;
                }
                result.AddItem(_batchLines[index++], data);
            }
            _batchLines.Clear();
        }

        /// <summary>Line breaks in text: CRLF, LF and a lone CR each count once, as Sep counts them.</summary>
        private static int CountLineBreaks(ReadOnlySpan<char> text)
        {
            var count = 0;
            for (var i = text.IndexOfAny('\r', '\n'); i >= 0 && i < text.Length; i = NextBreak(text, i))
            {
                count++;
            }
            return count;

            static int NextBreak(ReadOnlySpan<char> text, int at)
            {
                var after = text[at] == '\r' && at + 1 < text.Length && text[at + 1] == '\n' ? at + 2 : at + 1;
                var next = text[after..].IndexOfAny('\r', '\n');
                return next < 0 ? -1 : after + next;
            }
        }
    }

    /// <summary>
    /// Passes the upload through unchanged while noting which physical lines hold bytes that are not UTF-8 (checked a chunk
    /// at a time, a sequence split between chunks carried over), and how many bytes were read, for progress.
    /// </summary>
    private sealed class Utf8LineCheck(Stream inner) : Stream
    {
        private readonly SortedSet<int> _invalidLines = [];
        private readonly byte[] _carry = new byte[4];
        private int _carryLength;
        private int _line = 1;
        private bool _afterCr;

        public long BytesRead { get; private set; }

        /// <summary>The first line in [from, to] with invalid UTF-8, if any.</summary>
        public int? FirstInvalidLine(int from, int to)
        {
            if (_invalidLines.Count == 0)
            {
                return null;
            }
            var view = _invalidLines.GetViewBetween(from, to);
            return view.Count > 0 ? view.Min : null;
        }

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            BytesRead += read;
            Check(buffer[..read], final: read == 0);
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        private void Check(ReadOnlySpan<byte> chunk, bool final)
        {
            if (_carryLength > 0)
            {
                // Complete the sequence split at the last chunk's end with this chunk's first bytes.
                var take = Math.Min(4 - _carryLength, chunk.Length);
                Span<byte> joined = stackalloc byte[4];
                _carry.AsSpan(0, _carryLength).CopyTo(joined);
                chunk[..take].CopyTo(joined[_carryLength..]);
                var status = Rune.DecodeFromUtf8(joined[..(_carryLength + take)], out _, out var used);
                if (status == OperationStatus.NeedMoreData && !final)
                {
                    _carryLength += take;
                    chunk[..take].CopyTo(_carry.AsSpan(_carryLength - take));
                    return;
                }
                if (status != OperationStatus.Done)
                {
                    _invalidLines.Add(_line);
                    used = Math.Max(used, _carryLength);
                }
                chunk = chunk[Math.Max(0, used - _carryLength)..];
                _carryLength = 0;
            }
            if (final)
            {
                return;
            }
            // A sequence cut at the chunk's end waits for the next chunk.
            var cut = chunk.Length;
            for (var back = 1; back <= Math.Min(3, chunk.Length); back++)
            {
                var b = chunk[^back];
                if (b < 0x80)
                {
                    break;
                }
                if (b >= 0xC0)
                {
                    var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                    if (needed > back)
                    {
                        cut = chunk.Length - back;
                    }
                    break;
                }
            }
            var body = chunk[..cut];
            if (Utf8.IsValid(body) && body.IndexOf((byte)'\r') < 0)
            {
                // The common case: valid text with LF line ends.
                var lines = body.Count((byte)'\n');
                if (_afterCr && body.Length > 0 && body[0] == '\n')
                {
                    lines--;
                }
                _line += lines;
                _afterCr &= body.Length == 0;
            }
            else
            {
                Scan(body);
            }
            chunk[cut..].CopyTo(_carry);
            _carryLength = chunk.Length - cut;
        }

        private void Scan(ReadOnlySpan<byte> body)
        {
            var i = 0;
            while (i < body.Length)
            {
                var b = body[i];
                if (b < 0x80)
                {
                    if (b == '\n')
                    {
                        _line += _afterCr ? 0 : 1;
                    }
                    else if (b == '\r')
                    {
                        _line++;
                    }
                    _afterCr = b == '\r';
                    i++;
                    continue;
                }
                _afterCr = false;
                if (Rune.DecodeFromUtf8(body[i..], out _, out var used) != OperationStatus.Done)
                {
                    _invalidLines.Add(_line);
                }
                i += Math.Max(1, used);
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
