using LabelHub.Domain.Jobs;
using LabelHub.Domain.Planning;

namespace LabelHub.Workers.Planning;

/// <summary>Runs <see cref="PlanningJobs.Delete"/>: an archived project and everything in it are deleted.</summary>
public sealed class DeleteProjectJobHandler(ProjectDeletion deletion) : JobHandler<DeleteProjectParameters, DeleteProjectResult>(PlanningJobs.Delete)
{
    public override async Task<JobOutcome<DeleteProjectResult>> RunAsync(JobRun run, DeleteProjectParameters parameters, IJobProgress progress, CancellationToken ct)
    {
        var result = await deletion.RunAsync(run, progress, ct);
        return Succeeded($"Deleted project \"{parameters.ProjectName}\": {result.Items:N0} items and {result.Files:N0} files.", result);
    }
}
