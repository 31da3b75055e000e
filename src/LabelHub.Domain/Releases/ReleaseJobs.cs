using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Releases;

/// <summary>The jobs of the Releases stage.</summary>
public static class ReleaseJobs
{
    /// <summary>Writes a project's annotations to a downloadable file: <see cref="ExportService.WriteFileAsync"/>.</summary>
    public static readonly JobContract<ExportParameters, ExportResult> Export = new("export");

    /// <summary>Cuts a release the manager asked for: <see cref="ReleaseCutter.CutAsync"/>.</summary>
    public static readonly JobContract<CutReleaseParameters, CutReleaseResult> Cut = new("release-cut");
}

/// <param name="Scope">Which items and answers: every item, items with an answer, or accepted answers only.</param>
/// <param name="ByteOrderMark">CSV only: start the file with UTF-8's byte-order mark, so Excel reads Hangul as Hangul.</param>
public sealed record ExportParameters(ExportFormat Format, ExportScope Scope = ExportScope.All, bool ByteOrderMark = true);

/// <summary>The exported file (download it from <c>/api/v1/files/{FileId}</c>) and how many items it holds.</summary>
public sealed record ExportResult(Guid FileId, string FileName, int Items);
