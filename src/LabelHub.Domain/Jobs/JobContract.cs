using System.Text.Json;
using LabelHub.Domain.Data;

namespace LabelHub.Domain.Jobs;

/// <summary>
/// The typed face of one job kind: its persisted kind name, its parameters and its result. Whoever starts a job,
/// runs it or shows it goes through here, so <see cref="JobRun.Parameters"/> and <see cref="JobRun.Result"/> are
/// written and read in one place. Each stage declares its contracts next to its service.
/// </summary>
public sealed class JobContract<TParameters, TResult>
    where TParameters : class
    where TResult : class
{
    public JobContract(string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        Kind = kind;
    }

    /// <summary>The name stored in <c>job_runs.kind</c> and shown by the API; never rename one in use.</summary>
    public string Kind { get; }

    public bool IsKindOf(JobRunInfo job) => job.Kind == Kind;

    public string SerializeParameters(TParameters parameters) => JsonSerializer.Serialize(parameters, JsonColumn.Options);

    /// <summary>The run's parameters. Throws when they are missing or do not fit: such a run cannot be executed.</summary>
    public TParameters ReadParameters(JobRun run)
    {
        if (run.Kind != Kind)
        {
            throw new InvalidOperationException($"Job {run.Id} is a '{run.Kind}' job, not '{Kind}'.");
        }
        try
        {
            return JsonSerializer.Deserialize<TParameters>(run.Parameters, JsonColumn.Options)
                ?? throw new InvalidOperationException($"The parameters of {Kind} job {run.Id} are missing.");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"The parameters of {Kind} job {run.Id} cannot be read: {ex.Message}", ex);
        }
    }

    public string SerializeResult(TResult result) => JsonSerializer.Serialize(result, JsonColumn.Options);

    /// <summary>The typed result, or null when the job is of another kind, has none (yet) or its JSON does not fit.</summary>
    public TResult? ReadResult(JobRunInfo job) => ReadResult(job.Kind, job.Result);

    /// <inheritdoc cref="ReadResult(JobRunInfo)"/>
    public TResult? ReadResult(JobRun run) => ReadResult(run.Kind, run.Result);

    private TResult? ReadResult(string kind, string? json)
    {
        if (kind != Kind || string.IsNullOrWhiteSpace(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<TResult>(json, JsonColumn.Options);
        }
        // Pages call this on every row of a job list: a result that does not fit shows as none.
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    public JobOutcome<TResult> Succeeded(string summary, TResult result) => new(true, summary, result);

    public JobOutcome<TResult> Failed(string summary, TResult? result = null) => new(false, summary, result);

    /// <summary>The outcome as the executor stores it.</summary>
    public JobOutcome ToStored(JobOutcome<TResult> outcome) =>
        new(outcome.Succeeded, outcome.Summary, outcome.Result is null ? null : SerializeResult(outcome.Result));
}
