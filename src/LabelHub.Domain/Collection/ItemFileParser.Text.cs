using System.Text;
using System.Text.Json;

namespace LabelHub.Domain.Collection;

public static partial class ItemFileParser
{
    /// <summary>
    /// A plain .txt file: each line is one item <c>{"text": line}</c>, its text exactly as written (a trailing CR of a
    /// CRLF line end is dropped, a leading UTF-8 BOM skipped by <see cref="Pump"/>). Blank lines (empty or only white
    /// space) are skipped without an error but still counted, so every line number is the one an editor shows. A file
    /// with no non-blank line is "file is empty"; a line that is not UTF-8 is an error naming its line.
    /// </summary>
    private sealed class TextLinesParser(ResultBuilder result) : LineParser(result)
    {
        protected override void OnLine(ReadOnlySpan<byte> line)
        {
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }
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
            Result.AddItem(Line, TextItem(Encoding.UTF8.GetString(line)));
        }
    }

    /// <summary>
    /// What JSON Lines and plain text share: the chunks split on LF into lines (a line cut by a chunk boundary is
    /// buffered), each handed to <see cref="OnLine"/> with its 1-based number; a file where no line had content is
    /// "file is empty".
    /// </summary>
    private abstract class LineParser(ResultBuilder result) : IChunkConsumer
    {
        private byte[] _partialLine = new byte[4096];
        private int _partialLength;

        protected ResultBuilder Result => result;

        /// <summary>The number of the line <see cref="OnLine"/> is given.</summary>
        protected int Line { get; private set; } = 1;

        /// <summary>Set by <see cref="OnLine"/> when a line held something other than white space.</summary>
        protected bool SawContent { get; set; }

        public bool Stopped => result.Stopped;

        protected abstract void OnLine(ReadOnlySpan<byte> line);

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
                    OnLine(chunk[..lineEnd]);
                }
                else
                {
                    AppendPartial(chunk[..lineEnd]);
                    OnLine(_partialLine.AsSpan(0, _partialLength));
                    _partialLength = 0;
                }
                Line++;
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
                OnLine(_partialLine.AsSpan(0, _partialLength));
            }
            if (!SawContent)
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
    }

    /// <summary>A text item's data: <c>{"text": text}</c>, plus <c>{"file": name}</c> for a file of a ZIP.</summary>
    internal static Dictionary<string, JsonElement> TextItem(string text, string? fileName = null)
    {
        var data = new Dictionary<string, JsonElement>(2) { ["text"] = JsonSerializer.SerializeToElement(text) };
        if (fileName is not null)
        {
            data["file"] = JsonSerializer.SerializeToElement(fileName);
        }
        return data;
    }
}
