using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Cleansing;

/// <summary>The jobs of the Cleansing stage (ADR 0019).</summary>
public static class CleansingJobs
{
    /// <summary>Runs a rule set over the project's current answers and reports what it would flag and change: <see cref="CleansingRulesRun.DryRunAsync"/>.</summary>
    public static readonly JobContract<CleansingDryRunParameters, DryRunReport> RulesDryRun = new("cleansing-rules-dry-run");

    /// <summary>Writes every fix of a saved rule set as a new answer version: <see cref="CleansingRulesRun.ApplyAsync"/>.</summary>
    public static readonly JobContract<CleansingApplyParameters, CleansingApplyResult> RulesApply = new("cleansing-rules-apply");

    /// <summary>Finds exact, near-duplicate text or near-duplicate image groups and stores them (<see cref="DuplicateSearch"/>).</summary>
    public static readonly JobContract<DuplicateSearchParameters, DuplicateSearchResult> Duplicates = new("cleansing-duplicates");
    /// <summary>Confident learning over K-fold out-of-sample probabilities of the project's model kind (docs/cleansing/label-errors.md); runs in Workers.</summary>
    public static readonly JobContract<LabelErrorParameters, LabelErrorResult> LabelErrors = new("cleansing-label-errors");

    /// <summary>Items whose annotators split or whose Dawid–Skene posterior is low: <see cref="DisagreementRun"/>.</summary>
    public static readonly JobContract<DisagreementParameters, DisagreementResult> Disagreement = new("cleansing-disagreement");
}

/// <summary>A saved rule set's version, or rules not saved yet (the JSON of a <see cref="CleansingRuleSet"/>) to try first.</summary>
public sealed record CleansingDryRunParameters(int? Version, string? RulesJson);

/// <summary>Fixes are applied from a saved version only, so every correction names the rules that made it.</summary>
/// <param name="AuthorId">The manager who started the run: the author of every version it writes.</param>
public sealed record CleansingApplyParameters(int Version, Guid AuthorId);

/// <summary>What one rule did when applied: answers it changed (new versions written) and answers it flagged (findings in the adjudication queue).</summary>
public sealed record RuleApplyCount(int RuleIndex, string RuleId, string Kind, string Field, RuleMode Mode, int Changed, int Flagged);

/// <summary>
/// What an apply run did: the answers read, those given a new version, those skipped because they changed while the
/// run read them (a later run picks them up), and per rule what it changed and flagged.
/// </summary>
/// <param name="RunId">The cleansing run recorded for it (<see cref="CleansingRun"/>): its flags wait in the adjudication queue.</param>
public sealed record CleansingApplyResult(int RuleSetVersion, int Answers, int AnswersChanged, int AnswersFlagged, int Skipped, IReadOnlyList<RuleApplyCount> Rules, long RunId);
