using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Jobs;

namespace LabelHub.Workers.Cleansing;

/// <summary>Runs <see cref="CleansingJobs.RulesApply"/>: every fix becomes a new answer version (<see cref="CleansingRulesRun"/>).</summary>
public sealed class CleansingRulesApplyJobHandler(CleansingRulesRun rules) : JobHandler<CleansingApplyParameters, CleansingApplyResult>(CleansingJobs.RulesApply)
{
    public override Task<JobOutcome<CleansingApplyResult>> RunAsync(JobRun run, CleansingApplyParameters parameters, IJobProgress progress, CancellationToken ct) =>
        rules.ApplyAsync(run, parameters, progress, ct);
}
