namespace LabelHub.Domain.Jobs;

/// <summary>
/// Uploaded and generated files live in the database, in chunks (ADR 0013): any worker on any machine reads what the
/// web process received, any web instance serves what a worker produced, and neither ever holds a whole file in memory.
/// </summary>
public class StoredFile
{
    public Guid Id { get; set; }
    public Guid? ProjectId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "application/octet-stream";
    public long Length { get; set; }
    public string Sha256 { get; set; } = "";
    public Guid? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>False while its chunks are being written: such a file is never served, and one left by a killed job is removed.</summary>
    public bool IsComplete { get; set; } = true;

    /// <summary>The job that writes it, if one does: a re-run of that job removes what an earlier attempt left.</summary>
    public Guid? JobRunId { get; set; }

    /// <summary>Only set when a file is created with its bytes at hand (small files written in the caller's transaction).</summary>
    public List<StoredFileChunk> Chunks { get; set; } = [];
}

/// <summary>Up to <see cref="StoredFileChunk.Size"/> bytes of a file, in their own table so listing files never loads them.</summary>
public class StoredFileChunk
{
    /// <summary>Bytes per chunk written now; files stored before chunking have one chunk of any size.</summary>
    public const int Size = 1 << 20;

    public Guid FileId { get; set; }

    /// <summary>0, 1, 2… in file order.</summary>
    public int Sequence { get; set; }

    public byte[] Bytes { get; set; } = [];
}
