using System.Text.Json;

namespace LabelHub.Domain.Cleansing;

/// <summary>What a manager may set for a label-error run; every value left out takes its default.</summary>
/// <param name="Field">A single-choice field; the schema's first one when left out.</param>
/// <param name="Folds">K of the K-fold split (2–20, default 5, cleanlab's cv_n_folds).</param>
/// <param name="Ranking">"self-confidence" (default) or "normalized-margin".</param>
/// <param name="Filter">"both" (default), "prune-by-noise-rate", "prune-by-class" or "confident-joint".</param>
/// <param name="MaxEpochs">Epochs per fold model at most (1–200, default 60: the learning stage's tuned options).</param>
/// <param name="Seed">Seeds the fold split, the weights and the batch order: the same seed and data give the same findings.</param>
/// <param name="MaxSelfConfidence">
/// Flag an answer only when the models give its label less than this probability (above 0, at most 1; default
/// <see cref="CleansingDetectors.DefaultMaxSelfConfidence"/>); 1 flags everything confident learning finds, for more
/// recall at a lower precision (docs/cleansing/label-errors.md).
/// </param>
public sealed record LabelErrorRequest(string? Field = null, int? Folds = null, string? Ranking = null, string? Filter = null, int? MaxEpochs = null, int? Seed = null,
    double? MaxSelfConfidence = null);

/// <summary>A label-error run as checked and queued (<see cref="CleansingJobs.LabelErrors"/>).</summary>
public sealed record LabelErrorParameters(string Field, int Folds, LabelIssueRanking Ranking, LabelIssueFilter Filter, int MaxEpochs, int Seed, Guid StartedById,
    double MaxSelfConfidence = CleansingDetectors.DefaultMaxSelfConfidence);

/// <summary>One fold model: trained on the other folds, measured on its held-out fold against the given labels.</summary>
public sealed record LabelErrorFold(int Fold, int TrainCount, int HeldOutCount, int BestEpoch, double HeldOutAccuracy, double Seconds);

/// <summary>
/// What a label-error run found. <see cref="EstimatedNoiseRate"/> is confident learning's estimate of the share of
/// wrong labels (n − trace of the calibrated joint, over n); the fold accuracies say how far to trust the findings
/// (they are measured against the given, possibly wrong, labels).
/// </summary>
public sealed record LabelErrorResult(
    long RunId,
    string Field,
    string ModelKind,
    int Items,
    int SkippedItems,
    int Flagged,
    int FlaggedAnswers,
    int EstimatedIssues,
    double EstimatedNoiseRate,
    double MeanFoldAccuracy,
    IReadOnlyList<LabelErrorFold> Folds,
    IReadOnlyList<string> Labels,
    IReadOnlyList<double[]> NoiseMatrix,
    double Seconds);

/// <summary>A disagreement run (<see cref="CleansingJobs.Disagreement"/>).</summary>
/// <param name="MinVoteShare">A winning share below this is flagged (default 0.6).</param>
/// <param name="MinPosterior">A Dawid–Skene posterior below this is flagged (default 0.9).</param>
public sealed record DisagreementParameters(string Field, double MinVoteShare, double MinPosterior, Guid StartedById);

/// <summary>What may be set for a disagreement run; values left out take their defaults.</summary>
public sealed record DisagreementRequest(string? Field = null, double? MinVoteShare = null, double? MinPosterior = null);

/// <param name="Items">Items with at least two current answers to the field (the only ones that can disagree).</param>
public sealed record DisagreementResult(long RunId, string Field, int Items, int Flagged, int VoteSplits, int LowPosteriors, int MethodsDisagree);

/// <summary>One cleansing run as the API lists it (the before/after report reads the same row).</summary>
/// <param name="Corrections">The run's decided findings: its own fixes (rules) and the reviewers' accepts and corrections since.</param>
public sealed record CleansingRunInfo(
    long Id,
    CleansingRunKind Kind,
    Guid? JobRunId,
    int? RuleSetVersion,
    JsonElement Settings,
    Guid StartedById,
    string? StartedByName,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    int Findings,
    int Corrections,
    DateTimeOffset? ClosedAt);
