using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Releases;

/// <summary>The jobs of the Releases stage.</summary>
public static class ReleaseJobs
{
    /// <summary>Writes a project's annotations to a downloadable file: <see cref="ExportService.WriteFileAsync"/>.</summary>
    public static readonly JobContract<ExportParameters, ExportResult> Export = new("export");
}

public sealed record ExportParameters(ExportFormat Format);

/// <summary>The exported file (download it from <c>/api/v1/files/{FileId}</c>) and how many items it holds.</summary>
public sealed record ExportResult(Guid FileId, string FileName, int Items);
