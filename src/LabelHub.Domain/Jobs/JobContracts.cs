namespace LabelHub.Domain.Jobs;

/// <summary>Hands a JobRun to whatever executes jobs (Hangfire). Returns the executor's job id.</summary>
public interface IJobScheduler
{
    string Enqueue(Guid jobRunId);
}

/// <summary>Reports a job's progress (0 to 1) and a short message to its JobRun.</summary>
public interface IJobProgress
{
    Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default);
}

/// <summary>What a finished job leaves in its JobRun: a summary for people and the result as stored JSON.</summary>
public sealed record JobOutcome(bool Succeeded, string Summary, string? ResultJson = null);

/// <summary>What a job of one kind hands back: a summary for people and its typed result.</summary>
public sealed record JobOutcome<TResult>(bool Succeeded, string Summary, TResult? Result)
    where TResult : class;

/// <summary>
/// One kind of job, as the executor sees it. Implement <see cref="JobHandler{TParameters, TResult}"/> rather than
/// this. Implementations must be idempotent: a re-run of the same JobRun (after a crash or a restart) replaces its
/// own results instead of adding to them.
/// </summary>
public interface IJobHandler
{
    string Kind { get; }

    Task<JobOutcome> RunAsync(JobRun run, IJobProgress progress, CancellationToken ct);
}
