namespace LabelHub.Domain.Jobs;

/// <summary>
/// Uploaded and generated files live in the database so that any worker on any machine can read
/// what the web process received, and any web instance can serve what a worker produced.
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
    public StoredFileContent? Content { get; set; }
}

/// <summary>The bytes, in their own table so listing files never loads them.</summary>
public class StoredFileContent
{
    public Guid FileId { get; set; }
    public byte[] Bytes { get; set; } = [];
}
