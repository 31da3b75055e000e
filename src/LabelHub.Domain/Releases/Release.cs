namespace LabelHub.Domain.Releases;

/// <summary>Where a release is in its life (ADR 0020): being cut by its job, finished and frozen, or failed and empty.</summary>
public enum ReleaseState
{
    Cutting = 0,
    Ready = 1,
    Failed = 2,
}

/// <summary>
/// One numbered, immutable release of a project (ADR 0020): the settings it was cut with, what it holds (counts per
/// split and label, the datasheet, the manifest's SHA-256) and the release it was compared with. Once
/// <see cref="ReleaseState.Ready"/> the database refuses to change or delete it or its items.
/// </summary>
public class Release
{
    public long Id { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>1, 2, … per project, in the order releases were asked for.</summary>
    public int Number { get; set; }
    public ReleaseState State { get; set; }
    public Guid? JobRunId { get; set; }
    public Guid CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Filter, aggregation, split ratios, mode, grouping and seed, as JSON.</summary>
    public string SettingsJson { get; set; } = "{}";

    /// <summary>The release this one keeps splits from and is compared with; null for the first.</summary>
    public long? PreviousReleaseId { get; set; }
    public int ItemCount { get; set; }

    /// <summary>Counts per split and label, tied fields, confidence summary, as JSON; null while cutting.</summary>
    public string? SummaryJson { get; set; }

    /// <summary>The changes against the previous release (added, removed, relabeled per field and reason), as JSON.</summary>
    public string? DiffJson { get; set; }

    /// <summary>The datasheet in Markdown, in English, written when the cut finished.</summary>
    public string? Datasheet { get; set; }

    /// <summary>The same datasheet in Korean, written with the English one; null for releases cut before it existed.</summary>
    public string? DatasheetKorean { get; set; }

    /// <summary>SHA-256 (hex) of the manifest: every item's id, split and content hash in item order.</summary>
    public string? ManifestSha256 { get; set; }
    public string? Error { get; set; }

    /// <summary>
    /// When the release was last checked by rebuilding its manifest from the rows it stores (the "reproducible
    /// releases" KPI); null until checked.
    /// </summary>
    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>SHA-256 (hex) of the manifest rebuilt at <see cref="VerifiedAt"/>; equal to <see cref="ManifestSha256"/> when reproducible.</summary>
    public string? VerifiedSha256 { get; set; }

    /// <summary>What the check found different (first differing item, missing rows), in English; null when it matched.</summary>
    public string? VerificationProblem { get; set; }
}

/// <summary>
/// One item as a release holds it: its split, the content hash it had, its final answers (JSON of <see cref="FinalAnswer"/>
/// per field) and why its answers differ from the previous release, if they do. Never updated.
/// </summary>
public class ReleaseItem
{
    public long ReleaseId { get; set; }
    public long ItemId { get; set; }

    /// <summary>The split's index in <see cref="SplitNames.All"/> (0 train, 1 validation, 2 test).</summary>
    public short Split { get; set; }
    public string ContentHash { get; set; } = "";
    public string AnswersJson { get; set; } = "{}";

    /// <summary>Review, cleansing, adjudication or aggregation when the final answers changed since the previous release.</summary>
    public string? ChangeReason { get; set; }
}
