using System.Text.Json;

namespace LabelHub.Domain.Collection;

/// <summary>The JSON readers: JSON Lines, one object per line, and a JSON array (or an object holding one).</summary>
public static partial class ItemFileParser
{
    /// <summary>JSON Lines: splits on LF (CRLF works too, CR is JSON whitespace) and parses each line alone.</summary>
    private sealed class JsonLinesParser(ResultBuilder result) : LineParser(result)
    {
        protected override void OnLine(ReadOnlySpan<byte> line)
        {
            if (line.IndexOfAnyExcept(JsonWhitespace) < 0)
            {
                return;
            }

            SawContent = true;
            if (FindInvalidUtf8(line) >= 0)
            {
                Result.AddError(Line, NotUtf8Message);
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
                Result.AddError(Line, DescribeJsonError(exception));
                return;
            }

            if (TryCreateItemData(element, "line is not a JSON object", out var data, out var error, out var task))
            {
                Result.AddItem(Line, data, task);
            }
            else
            {
                Result.AddError(Line, error);
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
                if (TryCreateItemData(element, "array element is not a JSON object", out var data, out var error, out var task))
                {
                    result.AddItem(line, data, task);
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
