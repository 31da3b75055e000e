using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Jobs;

namespace LabelHub.Workers.Cleansing;

/// <summary>Runs <see cref="CleansingJobs.RulesDryRun"/>: what the rules would flag and change (<see cref="CleansingRulesRun"/>).</summary>
public sealed class CleansingRulesDryRunJobHandler(CleansingRulesRun rules) : JobHandler<CleansingDryRunParameters, DryRunReport>(CleansingJobs.RulesDryRun)
{
    public override Task<JobOutcome<DryRunReport>> RunAsync(JobRun run, CleansingDryRunParameters parameters, IJobProgress progress, CancellationToken ct) =>
        rules.DryRunAsync(run, parameters, progress, ct);
}
