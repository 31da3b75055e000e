using System.Text.Json.Serialization;

namespace LabelHub.Domain.Releases;

/// <summary>Which items a release holds (ADR 0020).</summary>
/// <param name="RequireFinalAnswer">Only items with a final answer to every required field (a tie leaves the item out).</param>
/// <param name="ReviewedOnly">Only items with at least one answer a reviewer accepted or wrote.</param>
/// <param name="MinConfidence">Only items whose every final answer is at least this sure (0–1).</param>
/// <param name="IncludeSynthetic">
/// Synthetic items (issue 16) people confirmed: their final answer to the generator's field is the class the generator
/// was asked for. Without it a release leaves every synthetic item out.
/// </param>
public sealed record ReleaseFilter(bool RequireFinalAnswer = true, bool ReviewedOnly = false, double MinConfidence = 0, bool IncludeSynthetic = false);

/// <summary>What a manager asks for when cutting a release; everything has a default.</summary>
public sealed record ReleaseRequest(ReleaseFilter? Filter = null, AggregationMethod? Aggregation = null, SplitSettings? Split = null);

/// <summary>The settings a release was cut with, stored on it (<see cref="Release.SettingsJson"/>).</summary>
public sealed record ReleaseSettings(ReleaseFilter Filter, [property: JsonConverter(typeof(JsonStringEnumConverter<AggregationMethod>))] AggregationMethod Aggregation, SplitSettings Split)
{
    /// <summary>The seed a release gets when none is given: releases of one project stay comparable.</summary>
    public const string DefaultSeed = "labelhub";
}

public sealed record CutReleaseParameters(long ReleaseId);

/// <param name="Left">Items of the project the filter left out (excluded duplicates and items still being imported are never counted).</param>
public sealed record CutReleaseResult(long ReleaseId, int Number, int Items, int Left, string ManifestSha256, SplitSummary Split);

/// <summary>One release as the API lists it.</summary>
public sealed record ReleaseInfo(
    long Id, int Number, ReleaseState State, Guid? JobRunId, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int ItemCount,
    long? PreviousReleaseId, string? ManifestSha256, string? Error, ReleaseSettings? Settings)
{
    /// <summary>Split sizes and label balance; null until the cut finished.</summary>
    public SplitSummary? Split { get; init; }

    /// <summary>Added, removed and relabeled items against the previous release; null for a first release or while cutting.</summary>
    public ReleaseDiffSummary? Diff { get; init; }

    /// <summary>The datasheet in Markdown (the datasheet.md of every download); null while cutting.</summary>
    public string? Datasheet { get; init; }

    /// <summary>The datasheet in Korean (datasheet.ko.md); null while cutting and for releases cut before it was written.</summary>
    public string? DatasheetKorean { get; init; }

    /// <summary>The user name of the manager who asked for the release (null when the account is gone).</summary>
    public string? CreatedBy { get; init; }

    /// <summary>The newest reproducibility check (made by the cut, or by "verify again"); null until one ran.</summary>
    public ReleaseCheckInfo? Check { get; init; }
}

/// <summary>What cutting a release now would give, before it is cut.</summary>
/// <param name="Settings">The request with every default filled in.</param>
/// <param name="Items">Items the release would hold.</param>
/// <param name="Left">Items the filter would leave out.</param>
public sealed record ReleasePreview(ReleaseSettings Settings, int Items, int Left, SplitSummary Split)
{
    /// <summary>Of <see cref="Left"/>: synthetic items left out because the release does not ask for them.</summary>
    public int LeftSyntheticNotAskedFor { get; init; }

    /// <summary>Of <see cref="Left"/>: synthetic items asked for but not confirmed (another class, or no final answer yet).</summary>
    public int LeftSyntheticNotConfirmed { get; init; }
}
