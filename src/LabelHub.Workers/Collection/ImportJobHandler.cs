using LabelHub.Domain.Collection;
using LabelHub.Domain.Jobs;

namespace LabelHub.Workers.Collection;

/// <summary>Runs <see cref="CollectionJobs.Import"/>: the uploaded file becomes items (<see cref="ItemImporter"/>).</summary>
public sealed class ImportJobHandler(ItemImporter importer) : JobHandler<ImportParameters, ImportResult>(CollectionJobs.Import)
{
    public override Task<JobOutcome<ImportResult>> RunAsync(JobRun run, ImportParameters parameters, IJobProgress progress, CancellationToken ct) =>
        importer.RunAsync(run, parameters, progress, ct);
}
