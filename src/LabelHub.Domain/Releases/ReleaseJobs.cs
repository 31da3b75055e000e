using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Releases;

/// <summary>The jobs of the Releases stage.</summary>
public static class ReleaseJobs
{
    /// <summary>Writes a project's annotations to a downloadable file: <see cref="ExportService.WriteFileAsync"/>.</summary>
    public static readonly JobContract<ExportParameters, ExportResult> Export = new("export");

    /// <summary>Cuts a release the manager asked for: <see cref="ReleaseCutter.CutAsync"/>.</summary>
    public static readonly JobContract<CutReleaseParameters, CutReleaseResult> Cut = new("release-cut");

    /// <summary>Checks again that a finished release reproduces: <see cref="ReleaseVerifier.CheckAsync"/>.</summary>
    public static readonly JobContract<VerifyReleaseParameters, VerifyReleaseResult> Verify = new("release-verify");
}

public sealed record VerifyReleaseParameters(long ReleaseId);

/// <summary>
/// One check of a finished release. A ready release's row is frozen (ADR 0020), so a check run after the cut is kept
/// here, in its job's result; the newest check of a release is the newest of these and the one its cut recorded.
/// </summary>
/// <param name="VerifiedSha256">The manifest's SHA-256 rebuilt from the stored rows.</param>
/// <param name="Problem">What differed, in English; null when nothing did.</param>
public sealed record VerifyReleaseResult(long ReleaseId, int Number, DateTimeOffset VerifiedAt, string VerifiedSha256, bool Matches, string? Problem);

/// <param name="Scope">Which items and answers: every item, items with an answer, or accepted answers only.</param>
/// <param name="ByteOrderMark">CSV only: start the file with UTF-8's byte-order mark, so Excel reads Hangul as Hangul.</param>
public sealed record ExportParameters(ExportFormat Format, ExportScope Scope = ExportScope.All, bool ByteOrderMark = true);

/// <summary>The exported file (download it from <c>/api/v1/files/{FileId}</c>) and how many items it holds.</summary>
public sealed record ExportResult(Guid FileId, string FileName, int Items);
