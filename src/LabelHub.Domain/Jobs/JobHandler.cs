namespace LabelHub.Domain.Jobs;

/// <summary>
/// A job handler for one contract: it receives the run's typed parameters and returns a typed outcome; reading
/// and storing the JSON is the contract's. Handlers live in Workers and stay thin: the work is a Domain service's.
/// </summary>
public abstract class JobHandler<TParameters, TResult>(JobContract<TParameters, TResult> contract) : IJobHandler
    where TParameters : class
    where TResult : class
{
    protected JobContract<TParameters, TResult> Contract { get; } = contract;

    public string Kind => Contract.Kind;

    async Task<JobOutcome> IJobHandler.RunAsync(JobRun run, IJobProgress progress, CancellationToken ct)
    {
        var parameters = Contract.ReadParameters(run);
        var outcome = await RunAsync(run, parameters, progress, ct);
        return Contract.ToStored(outcome);
    }

    public abstract Task<JobOutcome<TResult>> RunAsync(JobRun run, TParameters parameters, IJobProgress progress, CancellationToken ct);

    protected JobOutcome<TResult> Succeeded(string summary, TResult result) => Contract.Succeeded(summary, result);

    protected JobOutcome<TResult> Failed(string summary, TResult? result = null) => Contract.Failed(summary, result);
}
