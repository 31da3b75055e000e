using LabelHub.Domain.Jobs;
using LabelHub.Domain.Releases;

namespace LabelHub.Workers.Releases;

/// <summary>Runs <see cref="ReleaseJobs.Export"/>: the project's annotations become a file to download.</summary>
public sealed class ExportJobHandler(ExportService exports) : JobHandler<ExportParameters, ExportResult>(ReleaseJobs.Export)
{
    public override async Task<JobOutcome<ExportResult>> RunAsync(JobRun run, ExportParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var result = await exports.WriteFileAsync(run, parameters, progress, ct);
        return Succeeded($"Exported {result.Items:N0} items to {result.FileName}.", result);
    }
}
