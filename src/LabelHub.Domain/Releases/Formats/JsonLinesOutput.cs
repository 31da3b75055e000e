using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// JSON lines into a stream through one reusable buffer: each line is written by <see cref="Json"/>, ended with '\n'
/// (never the platform's line break, so the bytes are the same everywhere) and the buffer goes to the stream in 64 KiB
/// pieces. No string per line. Text is UTF-8 as it is: only what JSON requires is escaped, so Hangul stays readable.
/// </summary>
internal sealed class JsonLinesOutput : IAsyncDisposable
{
    private const int FlushAt = 1 << 16;

    /// <summary>The one writer setting of every release JSON file (the reproducibility rule of ADR 0020).</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    private readonly Stream target;
    private readonly ArrayBufferWriter<byte> buffer = new(FlushAt * 2);

    public JsonLinesOutput(Stream target)
    {
        this.target = target;
        Json = new Utf8JsonWriter(buffer, Options);
    }

    public Utf8JsonWriter Json { get; }

    /// <summary>Ends the line just written; sends the buffer on when it is full enough.</summary>
    public async ValueTask EndLineAsync(CancellationToken ct)
    {
        Json.Flush();
        buffer.Write("\n"u8);
        Json.Reset(buffer);
        if (buffer.WrittenCount >= FlushAt)
        {
            await FlushAsync(ct);
        }
    }

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        Json.Flush();
        if (buffer.WrittenCount > 0)
        {
            await target.WriteAsync(buffer.WrittenMemory, ct);
            buffer.ResetWrittenCount();
            Json.Reset(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync(CancellationToken.None);
        await Json.DisposeAsync();
    }
}
