using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Planning;

/// <summary>The jobs of the Planning stage.</summary>
public static class PlanningJobs
{
    /// <summary>Deletes an archived project and everything in it: <see cref="ProjectDeletion.RunAsync"/>.</summary>
    public static readonly JobContract<DeleteProjectParameters, DeleteProjectResult> Delete = new("project-delete");
}

/// <param name="ProjectName">The name the manager typed to confirm, kept with the job as a record of what went.</param>
public sealed record DeleteProjectParameters(string ProjectName);

public sealed record DeleteProjectResult(int Items, int Files);
