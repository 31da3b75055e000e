namespace LabelHub.Domain.Cleansing;

/// <summary>What a run looked for (ADR 0019, 2).</summary>
public enum CleansingRunKind
{
    Rules = 0,
    ExactDuplicates = 1,
    TextDuplicates = 2,
    ImageDuplicates = 3,
    LabelErrors = 4,
    Disagreement = 5,
}

/// <summary>
/// One cleansing run (ADR 0019, 2 and 6): the job that ran it, what the project looked like when it started
/// (<see cref="BeforeJson"/>, a <c>CleansingSnapshot</c>) and, once closed, after the findings it raised were decided
/// (<see cref="AfterJson"/>). The before/after report compares the two (the current state while still open).
/// </summary>
public class CleansingRun
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid? JobRunId { get; set; }
    public CleansingRunKind Kind { get; set; }

    /// <summary>The rules version of a rules run; null for the other kinds.</summary>
    public int? RuleSetVersion { get; set; }

    /// <summary>The run's settings as JSON (thresholds, folds, model kind…), shown on the report.</summary>
    public string SettingsJson { get; set; } = "{}";
    public Guid StartedById { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>How many findings the run raised and how many answers it corrected by itself (rule fixes).</summary>
    public int Findings { get; set; }
    public int Corrections { get; set; }
    public string? BeforeJson { get; set; }
    public string? AfterJson { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
}
