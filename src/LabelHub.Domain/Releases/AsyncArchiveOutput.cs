using System.Buffers;

namespace LabelHub.Domain.Releases;

/// <summary>
/// What a release archive writes into when its target refuses synchronous writes (the response body). .NET's ZIP
/// entries write the last bytes of an entry (the end of the deflate data and the data descriptor) synchronously when
/// the entry is closed, even when closed with DisposeAsync; those few bytes are held here and sent on with the next
/// asynchronous write or flush. Everything written asynchronously goes straight through, so what is held is bounded by
/// one entry's ending, not by the archive.
/// </summary>
internal sealed class AsyncArchiveOutput(Stream target) : Stream
{
    private readonly ArrayBufferWriter<byte> held = new(1 << 12);
    private long position;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    // ZipArchive asks a forward-only stream for its position; it is what has been written so far.
    public override long Position { get => position; set => throw new NotSupportedException(); }

    /// <summary>Held until the next asynchronous call: the target must not be written synchronously.</summary>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        held.Write(buffer);
        position += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendHeldAsync(cancellationToken);
        await target.WriteAsync(buffer, cancellationToken);
        position += buffer.Length;
    }

    /// <summary>Nothing to do synchronously; <see cref="FlushAsync(CancellationToken)"/> sends what is held.</summary>
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendHeldAsync(cancellationToken);
        await target.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async ValueTask SendHeldAsync(CancellationToken ct)
    {
        if (held.WrittenCount > 0)
        {
            await target.WriteAsync(held.WrittenMemory, ct);
            held.ResetWrittenCount();
        }
    }
}
