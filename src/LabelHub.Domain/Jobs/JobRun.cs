namespace LabelHub.Domain.Jobs;

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,

    /// <summary>Stopped on request: a queued run never starts; a running one stops at its next progress report and removes what it wrote.</summary>
    Cancelled,
}

/// <summary>Thrown into a running job when someone cancelled it (its progress report finds it no longer running).</summary>
public sealed class JobCancelledException() : OperationCanceledException("The job was cancelled.");

/// <summary>
/// The domain's record of a long-running job. The UI reads progress and history from here;
/// Hangfire only executes. Runs left queued or running at start-up are enqueued again.
/// </summary>
public class JobRun
{
    public Guid Id { get; set; }
    public string Kind { get; set; } = "";
    public Guid? ProjectId { get; set; }
    public Guid? RequestedById { get; set; }

    /// <summary>Job parameters as JSON; each job kind has its own typed record.</summary>
    public string Parameters { get; set; } = "{}";
    public JobState State { get; set; }

    /// <summary>0 to 1.</summary>
    public double Progress { get; set; }
    public string? Message { get; set; }

    /// <summary>A short human-readable summary of the outcome.</summary>
    public string? ResultSummary { get; set; }

    /// <summary>JSON detail of the outcome (for an import: the bad rows; for an export: the file id).</summary>
    public string? Result { get; set; }
    public string? Error { get; set; }
    public string? ExecutorJobId { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public bool IsFinished => State is JobState.Succeeded or JobState.Failed;
}
