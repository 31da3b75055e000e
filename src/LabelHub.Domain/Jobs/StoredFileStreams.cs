using System.Security.Cryptography;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LabelHub.Domain.Jobs;

/// <summary>
/// Writes a file's bytes as chunks, each in its own short transaction (so a long export never holds the database's
/// write lock), hashing as it goes. A full chunk is stored while the writer fills the next one (two buffers of
/// <see cref="StoredFileChunk.Size"/> bytes, one write in flight), so an export does not wait for each chunk's round trip.
/// </summary>
internal sealed class StoredFileWriteStream(IDbContextFactory<LabelHubDbContext> dbFactory, Guid fileId, long? maxBytes) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] buffer = new byte[StoredFileChunk.Size];
    private byte[] spare = new byte[StoredFileChunk.Size];
    private Task inFlight = Task.CompletedTask;
    private int buffered;
    private int sequence;
    private long length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => length;

    public override long Position { get => length; set => throw new NotSupportedException(); }

    /// <summary>Writes what is left; returns the file's length and SHA-256.</summary>
    public async Task<(long Length, string Sha256)> CompleteAsync(CancellationToken ct)
    {
        await inFlight;
        if (buffered > 0)
        {
            await StoreChunkAsync(buffer[..buffered], sequence++, ct);
            buffered = 0;
        }
        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (maxBytes is { } max && length + source.Length > max)
        {
            throw new FileTooLargeException(max);
        }
        hash.AppendData(source.Span);
        length += source.Length;
        while (source.Length > 0)
        {
            var take = Math.Min(source.Length, buffer.Length - buffered);
            source[..take].CopyTo(buffer.AsMemory(buffered));
            buffered += take;
            source = source[take..];
            if (buffered == buffer.Length)
            {
                // The previous chunk must be stored before its buffer is filled again (and so that its failure surfaces).
                await inFlight;
                inFlight = StoreChunkAsync(buffer, sequence++, cancellationToken);
                (buffer, spare) = (spare, buffer);
                buffered = 0;
            }
        }
    }

    public override Task WriteAsync(byte[] source, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(source.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous writers (a zip or a serializer that does not await) run in jobs, never on a request thread.
    public override void Write(byte[] source, int offset, int count) => WriteAsync(source.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] target, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        // A chunk still being stored when the writer failed: let it finish before the caller removes the file.
        await inFlight.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }
        base.Dispose(disposing);
    }

    private async Task StoreChunkAsync(byte[] bytes, int chunkSequence, CancellationToken ct)
    {
        // Off the writer's thread at once: the writer goes on filling the other buffer meanwhile.
        await Task.Yield();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A full chunk goes from the buffer itself: a 1 MiB copy per chunk lands on the large object heap, which only a
        // full collection frees, and a 700 MB export grew the process by as much (bench/LabelHub.Bench.DataPath).
        db.StoredFileChunks.Add(new StoredFileChunk { FileId = fileId, Sequence = chunkSequence, Bytes = bytes });
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>A file bigger than its limit; the write stops at once.</summary>
public sealed class FileTooLargeException(long maxBytes) : Exception($"The file is larger than {maxBytes} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}

/// <summary>
/// Reads a stored file chunk by chunk: seekable (so downloads answer range requests and ZIP archives open in place),
/// with only the chunk being read in memory.
/// </summary>
internal sealed class StoredFileReadStream : Stream
{
    private readonly IDbContextFactory<LabelHubDbContext> dbFactory;
    private readonly Guid fileId;
    private readonly long[] starts;
    private readonly int[] sequences;
    private byte[]? current;
    private int currentLength;
    private int currentIndex = -1;
    private long position;

    private StoredFileReadStream(IDbContextFactory<LabelHubDbContext> dbFactory, Guid fileId, int[] sequences, long[] lengths)
    {
        this.dbFactory = dbFactory;
        this.fileId = fileId;
        this.sequences = sequences;
        starts = new long[lengths.Length + 1];
        for (var i = 0; i < lengths.Length; i++)
        {
            starts[i + 1] = starts[i] + lengths[i];
        }
    }

    public static async Task<StoredFileReadStream> OpenAsync(IDbContextFactory<LabelHubDbContext> dbFactory, Guid fileId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var chunks = await db.StoredFileChunks.AsNoTracking().Where(c => c.FileId == fileId).OrderBy(c => c.Sequence)
            .Select(c => new { c.Sequence, Length = (long)c.Bytes.Length }).ToListAsync(ct);
        return new StoredFileReadStream(dbFactory, fileId, [.. chunks.Select(c => c.Sequence)], [.. chunks.Select(c => c.Length)]);
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => starts[^1];

    public override long Position
    {
        get => position;
        set => position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> target, CancellationToken cancellationToken = default)
    {
        if (position >= Length || target.Length == 0)
        {
            return 0;
        }
        var index = Array.BinarySearch(starts, position);
        index = index >= 0 ? index : ~index - 1;
        while (index < sequences.Length - 1 && starts[index + 1] <= position)
        {
            index++;
        }
        if (index != currentIndex)
        {
            await LoadChunkAsync(index, cancellationToken);
        }
        var offset = (int)(position - starts[index]);
        var count = Math.Min(target.Length, currentLength - offset);
        current.AsMemory(offset, count).CopyTo(target);
        position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] target, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(target.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// Reads one chunk into a buffer this stream keeps, with the data reader's GetBytes: loading it as a new array would
    /// put 1 MiB on the large object heap per chunk read (see <see cref="StoredFileWriteStream"/>).
    /// </summary>
    private async Task LoadChunkAsync(int index, CancellationToken ct)
    {
        var length = (int)(starts[index + 1] - starts[index]);
        current ??= new byte[Math.Max(length, StoredFileChunk.Size)];
        if (current.Length < length)
        {
            current = new byte[length];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entity = db.Model.FindEntityType(typeof(StoredFileChunk))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Column(string property) => entity.FindProperty(property)!.GetColumnName(table)!;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Column(nameof(StoredFileChunk.Bytes))} FROM {entity.GetTableName()} WHERE {Column(nameof(StoredFileChunk.FileId))} = @file AND {Column(nameof(StoredFileChunk.Sequence))} = @sequence";
            command.Parameters.Add(((RelationalTypeMapping)entity.FindProperty(nameof(StoredFileChunk.FileId))!.GetTypeMapping()).CreateParameter(command, "@file", fileId));
            command.Parameters.Add(((RelationalTypeMapping)entity.FindProperty(nameof(StoredFileChunk.Sequence))!.GetTypeMapping()).CreateParameter(command, "@sequence", sequences[index]));
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            if (!await reader.ReadAsync(ct))
            {
                throw new InvalidOperationException($"Chunk {sequences[index]} of file {fileId} is missing.");
            }
            var read = 0;
            while (read < length)
            {
                var got = (int)reader.GetBytes(0, read, current, read, length - read);
                if (got == 0)
                {
                    break;
                }
                read += got;
            }
            currentLength = read;
            currentIndex = index;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // Synchronous readers (ZipArchive) run in jobs, never on a request thread.
    public override int Read(byte[] target, int offset, int count) => ReadAsync(target.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => position + offset,
        SeekOrigin.End => Length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] source, int offset, int count) => throw new NotSupportedException();
}
